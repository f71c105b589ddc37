"""A visit as the API answers it: what treatments records of it, with billing's coding."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from api.concurrency import VERSION_HELP
from api.error_codes import ApiCode
from api.permissions import may_read_clinical
from api.roles import Role
from api.serializers import (
    ClinicalFieldsMixin,
    ClinicScopedPrimaryKeyField,
    StrictModelSerializer,
)
from billing.selectors import visit_coding_answer
from clinics.models import User
from patients.models import Patient
from treatments.examples import answer_example
from treatments.plans.models import TreatmentPlan
from treatments.visits.models import Visit
from treatments.visits.serializers import (
    AmendmentSerializer,
    PartFindingSerializer,
    PerformedAdjustmentSerializer,
    PerformedExerciseSerializer,
    PerformedSoftTissueSerializer,
)


@extend_schema_serializer(
    examples=[answer_example("A signed visit carrying out planned items", "visit")]
)
class VisitSerializer(ClinicalFieldsMixin, StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(), help_text="The patient seen."
    )
    chiropractor = ClinicScopedPrimaryKeyField(
        queryset=User.objects.filter(role=Role.CHIROPRACTOR),
        required=False,
        help_text="The treating chiropractor; defaults to the one logging the visit.",
    )
    plan = ClinicScopedPrimaryKeyField(
        queryset=TreatmentPlan.objects.all(),
        required=False,
        allow_null=True,
        help_text="The patient's active plan the visit is logged against; null for a visit outside a plan.",
    )
    findings = PartFindingSerializer(
        many=True, required=False, help_text="PART findings per region."
    )
    adjustments = PerformedAdjustmentSerializer(
        many=True, required=False, help_text="Adjustments given."
    )
    soft_tissue = PerformedSoftTissueSerializer(
        many=True, required=False, help_text="Soft-tissue work done."
    )
    exercises = PerformedExerciseSerializer(
        many=True, required=False, help_text="Exercises taught or reviewed."
    )
    amendments = AmendmentSerializer(
        many=True, read_only=True, help_text="Amendments since signing, oldest first."
    )
    coding = serializers.SerializerMethodField(help_text="Billing lines derived by the server.")

    class Meta:
        model = Visit
        clinical_fields = [
            "is_reexamination",
            "pain_before",
            "pain_after",
            "subjective",
            "objective",
            "assessment",
            "plan_note",
            "adherence",
            "findings",
            "adjustments",
            "soft_tissue",
            "exercises",
            "amendments",
        ]
        fields = [
            "id",
            "patient",
            "chiropractor",
            "plan",
            "visit_at",
            "is_reexamination",
            "pain_before",
            "pain_after",
            "subjective",
            "objective",
            "assessment",
            "plan_note",
            "adherence",
            "findings",
            "adjustments",
            "soft_tissue",
            "exercises",
            "status",
            "signed_by",
            "signed_at",
            "amendments",
            "coding",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "status",
            "signed_by",
            "signed_at",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        extra_kwargs = {
            "id": {"help_text": "The visit's identifier."},
            "visit_at": {"help_text": "When the visit took place; not in the future."},
            "is_reexamination": {
                "help_text": "True for a re-examination visit (resets the re-exam clock)."
            },
            "pain_before": {
                "help_text": "Pain (NRS 0–10) before treatment.",
                "min_value": 0,
                "max_value": 10,
            },
            "pain_after": {
                "help_text": "Pain (NRS 0–10) after treatment.",
                "min_value": 0,
                "max_value": 10,
            },
            "subjective": {"help_text": "SOAP S: what the patient reports."},
            "objective": {"help_text": "SOAP O: what was examined and found."},
            "assessment": {"help_text": "SOAP A: the chiropractor's assessment."},
            "plan_note": {"help_text": "SOAP P: what comes next."},
            "adherence": {"help_text": "How well the patient follows the home programme."},
            "status": {
                "help_text": "draft (editable), signed (locked) or entered-in-error (discarded)."
            },
            "signed_by": {"help_text": "Who signed."},
            "signed_at": {"help_text": "When it was signed."},
            "created_by": {"help_text": "Who logged it."},
            "created_at": {"help_text": "When it was logged."},
            "updated_at": {"help_text": "When it last changed."},
            "version": VERSION_HELP,
        }

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and "patient" in fields:
            fields["patient"].read_only = True
        return fields

    def to_internal_value(self, data):
        # A visit stays with its patient: sending it again is fine, another one is refused
        # rather than silently ignored. Checked before the fields are read, so that any
        # other patient (one that does not exist too) is refused the same way.
        if (
            self.instance is not None
            and isinstance(data, dict)
            and "patient" in data
            and str(data["patient"]) != str(self.instance.patient_id)
        ):
            raise serializers.ValidationError(
                {"patient": ["A visit's patient cannot change; log the visit anew."]},
                code=ApiCode.IMMUTABLE,
            )
        return super().to_internal_value(data)

    # The Coding component is billing's (billing.serializers.CodingSerializer).
    @extend_schema_field({"$ref": "#/components/schemas/Coding"})
    def get_coding(self, visit: Visit) -> dict:
        request = self.context.get("request")
        return visit_coding_answer(
            visit,
            clinical=request is None or may_read_clinical(request.user),
            single=self.parent is None,
        )
