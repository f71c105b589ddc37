"""A visit's findings, performed items and amendments (the visit itself, with its billing
lines, is charts.serializers.VisitSerializer)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.error_codes import ApiCode
from api.mixin_bases import ModelSerializerBase
from api.serializers import (
    ClinicScopedPrimaryKeyField,
    StrictModelSerializer,
)
from treatments.plans.models import (
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
)
from treatments.plans.serializers import (
    AdjustmentFieldsSerializer,
    ExerciseFieldsSerializer,
    SoftTissueFieldsSerializer,
)
from treatments.visits.models import (
    Amendment,
    PartFinding,
    PerformedAdjustment,
    PerformedExercise,
    PerformedSoftTissue,
)
from treatments.visits.services import FILLED_FROM_PLAN

PERFORMED_HELP = {
    "id": {"help_text": "The item's identifier."},
}


def planned_item_field(model, *, related: tuple[str, ...] = ()) -> ClinicScopedPrimaryKeyField:
    """`related`: the item's references to clinic-editable tables that the performed item
    takes from it (references to shipped rows come from the process)."""
    return ClinicScopedPrimaryKeyField(
        queryset=model.objects.select_related(*related),
        required=False,
        allow_null=True,
        help_text="The plan item this carries out; null when it was not planned.",
    )


class CarriesOutPlannedItemMixin(ModelSerializerBase):
    """A performed item that names its `planned_item` takes what it does not say from it (the
    segment, technique, modality, dosage…), and says where it departs from the plan
    (`deviations`: the identity fields that differ, e.g. another segment than planned)."""

    # What the service takes from the planned item (treatments.visits.services.FILLED_FROM_PLAN):
    # the body may leave it out when it names one.
    filled_from_plan: tuple[str, ...] = ()
    compared_with_plan: tuple[str, ...] = ()
    _required_without_plan: list[str]

    def get_fields(self):
        fields = super().get_fields()
        self._required_without_plan = []
        for name in self.filled_from_plan:
            field = fields.get(name)
            if field is not None and not field.read_only and field.required:
                field.required = False
                self._required_without_plan.append(name)
        return fields

    def validate(self, attrs: dict) -> dict:
        missing = [name for name in self._required_without_plan if name not in attrs]
        if attrs.get("planned_item") is None and missing:
            raise serializers.ValidationError(
                {
                    name: [
                        serializers.ErrorDetail(
                            "This field is required unless planned_item is given.",
                            code=ApiCode.REQUIRED,
                        )
                    ]
                    for name in missing
                }
            )
        validated: dict = super().validate(attrs)
        return validated


def _compared(item, name: str) -> object:
    # The column's value (a foreign key's id), so that comparing loads no related row.
    value = getattr(item, item._meta.get_field(name).attname)
    return sorted(value) if isinstance(value, list) else value


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string"},
        "description": "Fields where the item departs from its planned item (e.g. another "
        "segment than planned); empty when it carries it out as planned or was not planned.",
    }
)
class DeviationsField(serializers.ReadOnlyField):
    """The parent's `compared_with_plan` fields where the item differs from its planned item."""

    def __init__(self) -> None:
        super().__init__(source="*")

    def to_representation(self, item) -> list:
        if item.planned_item_id is None:
            return []
        planned = item.planned_item
        parent = self.parent
        if not isinstance(parent, CarriesOutPlannedItemMixin):
            raise TypeError(f"{type(self).__name__} belongs to a performed item's serializer.")
        return [
            name
            for name in parent.compared_with_plan
            if _compared(item, name) != _compared(planned, name)
        ]


@extend_schema_field(OpenApiTypes.BOOL)
class UnplannedField(serializers.ReadOnlyField):
    """True when a performed item carries out no item of the plan."""

    def __init__(self) -> None:
        super().__init__(source="*", help_text="True when the item was not in the plan.")

    def to_representation(self, item) -> bool:
        return item.planned_item_id is None


class PartFindingSerializer(StrictModelSerializer):
    class Meta:
        model = PartFinding
        fields = [
            "region",
            "pain",
            "pain_note",
            "asymmetry",
            "asymmetry_note",
            "range_of_motion",
            "range_of_motion_note",
            "tissue",
            "tissue_note",
        ]
        extra_kwargs = {
            "region": {"help_text": "Region examined (CMT region)."},
            "pain": {"help_text": "P: pain or tenderness found."},
            "pain_note": {"help_text": "Where and how (optional)."},
            "asymmetry": {"help_text": "A: asymmetry or misalignment found."},
            "asymmetry_note": {"help_text": "What was seen (optional)."},
            "range_of_motion": {"help_text": "R: range-of-motion abnormality found."},
            "range_of_motion_note": {"help_text": "Which motion, how much (optional)."},
            "tissue": {"help_text": "T: tissue or tone change found."},
            "tissue_note": {"help_text": "What was felt (optional)."},
        }


class PerformedAdjustmentSerializer(CarriesOutPlannedItemMixin, AdjustmentFieldsSerializer):
    planned_item = planned_item_field(PlannedAdjustment, related=("technique",))
    unplanned = UnplannedField()
    deviations = DeviationsField()
    filled_from_plan = FILLED_FROM_PLAN["adjustments"]
    compared_with_plan = ("segment", "listing", "technique", "laterality")

    class Meta:
        model = PerformedAdjustment
        fields = [
            "id",
            "planned_item",
            "unplanned",
            "deviations",
            "segment",
            "cmt_region",
            "listing",
            "technique",
            "laterality",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {**PERFORMED_HELP, "laterality": {"help_text": "Side, for sided joints."}}


class PerformedSoftTissueSerializer(CarriesOutPlannedItemMixin, SoftTissueFieldsSerializer):
    planned_item = planned_item_field(PlannedSoftTissue)
    unplanned = UnplannedField()
    deviations = DeviationsField()
    filled_from_plan = FILLED_FROM_PLAN["soft_tissue"]
    compared_with_plan = ("modality", "muscles", "laterality")

    class Meta:
        model = PerformedSoftTissue
        fields = [
            "id",
            "planned_item",
            "unplanned",
            "deviations",
            "modality",
            "cpt_code",
            "muscles",
            "laterality",
            "minutes",
            "body_region",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            **PERFORMED_HELP,
            "laterality": {"help_text": "Side treated, if one side only."},
            "minutes": {"help_text": "Minutes spent (they count towards timed units)."},
        }


class PerformedExerciseSerializer(CarriesOutPlannedItemMixin, ExerciseFieldsSerializer):
    planned_item = planned_item_field(PlannedExercise, related=("exercise",))
    unplanned = UnplannedField()
    deviations = DeviationsField()
    filled_from_plan = FILLED_FROM_PLAN["exercises"]
    compared_with_plan = ("exercise",)

    class Meta:
        model = PerformedExercise
        fields = [
            "id",
            "planned_item",
            "unplanned",
            "deviations",
            "exercise",
            "exercise_name",
            "sets",
            "repetitions",
            "minutes",
            "body_region",
        ]
        read_only_fields = ["id"]
        extra_kwargs = {
            **PERFORMED_HELP,
            "sets": {"help_text": "Sets done with the patient."},
            "repetitions": {"help_text": "Repetitions per set."},
            "minutes": {
                "help_text": "Minutes of supervised exercise (timed, 97110/97112); 0 if only reviewed."
            },
        }


class AmendmentSerializer(StrictModelSerializer):
    class Meta:
        model = Amendment
        fields = ["id", "section", "text", "reason", "author", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {
            "id": {"help_text": "The amendment's identifier."},
            "section": {"help_text": "Which part of the note it amends."},
            "text": {"help_text": "The added or corrected text; the original stays unchanged."},
            "reason": {"help_text": "Why the amendment was made."},
            "author": {"help_text": "Who amended."},
            "created_at": {"help_text": "When."},
        }
