"""Treatment plans, their status actions, their items and the home exercise programme; and
archiving a patient, which their plans may refuse."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.concurrency import ETagMixin
from api.error_codes import ApiCode
from api.permissions import IsClinician, PlanContentPermission, PlanPermission
from api.querysets import declared_queryset
from api.schema import documented
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from clinics.error_codes import ClinicCode
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from patients import views as patient_views
from patients.error_codes import PatientCode
from patients.models import Patient
from patients.serializers import PatientSerializer
from records.viewsets import RecordViewSet
from treatments.plans import services
from treatments.plans.error_codes import PlanCode
from treatments.plans.filters import TreatmentPlanFilter
from treatments.plans.home_program import Dosage, dosage_sentence
from treatments.plans.models import (
    Goal,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    TreatmentPlan,
)
from treatments.plans.selectors import exercises, plan_item_list, plan_list
from treatments.plans.serializers import (
    GoalSerializer,
    HomeProgramSerializer,
    PlannedAdjustmentSerializer,
    PlannedExerciseSerializer,
    PlannedSoftTissueSerializer,
    TreatmentPlanCreateSerializer,
    TreatmentPlanSerializer,
)
from treatments.plans.transitions import PLAN_STATUS_MACHINE


@documented(
    TreatmentPlanSerializer,
    list="List treatment plans",
    create="Write a plan with its goals and interventions (created as a draft)",
    retrieve="Get a plan with its goals and interventions",
    update="Replace a plan's own fields (items have their own endpoints)",
    partial_update="Change some of a plan's own fields",
)
class TreatmentPlanViewSet(RecordViewSet):
    """Plans of care. Chiropractors write; clinic admins read; the front desk sees a summary."""

    error_codes = {
        (
            "activate",
            "complete",
            "create",
            "hold",
            "mark_entered_in_error",
            "partial_update",
            "resume",
            "revoke",
            "update",
        ): (
            ApiCode.DUPLICATE,
            PatientCode.OTHER_PATIENT,
            PatientCode.PATIENT_ARCHIVED,
            PlanCode.INVALID_CONDITION,
        ),
        (
            "activate",
            "complete",
            "hold",
            "mark_entered_in_error",
            "partial_update",
            "resume",
            "revoke",
            "update",
        ): (PlanCode.CONDITION_HAS_ACTIVE_PLAN,),
        ("activate", "complete", "hold", "mark_entered_in_error", "resume", "revoke"): (
            ApiCode.REQUIRED,
            ApiCode.TRANSITION_NOT_ALLOWED,
        ),
        ("create", "partial_update", "update"): (
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.TOO_LONG,
            ClinicCode.NOT_CHIROPRACTOR,
            PlanCode.FREQUENCY_CONFLICT,
            PlanCode.PLAN_HAS_STAGES,
        ),
        ("partial_update", "update"): (
            ApiCode.BLANK,
            ApiCode.MAX_DECIMAL_PLACES,
            ApiCode.MAX_DIGITS,
            ApiCode.MAX_WHOLE_DIGITS,
            PlanCode.PLAN_NOT_EDITABLE,
        ),
    }

    permission_classes = [PlanPermission]
    queryset = TreatmentPlan.objects.none()
    serializer_class = TreatmentPlanSerializer
    filterset_class = TreatmentPlanFilter
    ordering_fields = ["start_date", "created_at"]
    ordering = ["-start_date"]
    audit_resource = "treatment_plan"
    audit_actions = {"mark_entered_in_error": AuditAction.DISCARD}
    audit_resources = {"home_program": "home_program"}
    history_model = "treatments.TreatmentPlanEvent"

    def get_queryset(self):
        return plan_list(user=request_user(self.request))

    def get_serializer_class(self):
        return TreatmentPlanCreateSerializer if self.action == "create" else TreatmentPlanSerializer

    def perform_create(self, serializer) -> None:
        user = request_user(self.request)
        plan = services.plan_create(clinic=user.staff_clinic, by=user, **serializer.validated_data)
        serializer.instance = self.refreshed(plan)

    def perform_update(self, serializer) -> None:
        plan = services.plan_update(plan=serializer.instance, **serializer.validated_data)
        serializer.instance = self.refreshed(plan)

    activate = PLAN_STATUS_MACHINE.action("activate", answer=TreatmentPlanSerializer)
    hold = PLAN_STATUS_MACHINE.action("hold", answer=TreatmentPlanSerializer)
    resume = PLAN_STATUS_MACHINE.action("resume", answer=TreatmentPlanSerializer)
    complete = PLAN_STATUS_MACHINE.action("complete", answer=TreatmentPlanSerializer)
    revoke = PLAN_STATUS_MACHINE.action("revoke", answer=TreatmentPlanSerializer)
    mark_entered_in_error = PLAN_STATUS_MACHINE.action(
        "mark-entered-in-error", answer=TreatmentPlanSerializer
    )

    def perform_transition(self, action: str, data: dict | None) -> TreatmentPlan:
        return services.plan_transition(plan=self.get_object(), action=action)

    @extend_schema(
        summary="The plan's home exercise programme, in words for the patient",
        responses={200: HomeProgramSerializer},
    )
    @action(detail=True, methods=["get"], url_path="home-program", permission_classes=[IsClinician])
    def home_program(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        patient = plan.patient
        body = {
            "plan": plan.pk,
            "patient_name": patient.preferred_name or patient.given_name,
            "chiropractor_name": plan.chiropractor.get_full_name() or plan.chiropractor.username,
            "start_date": plan.start_date,
            "end_date": plan.end_date,
            "exercises": [
                {
                    "name": item.exercise.name,
                    "description": item.exercise.description,
                    "instructions": item.instructions,
                    "side": item.get_laterality_display() if item.laterality else "",
                    "sets": item.sets,
                    "repetitions": item.repetitions,
                    "hold_seconds": item.hold_seconds,
                    "times_per_day": item.times_per_day,
                    "days_per_week": item.days_per_week,
                    "dosage": dosage_sentence(
                        Dosage(
                            item.sets,
                            item.repetitions,
                            item.hold_seconds,
                            item.times_per_day,
                            item.days_per_week,
                        )
                    ),
                }
                for item in exercises().filter(plan=plan)
            ],
        }
        return Response(HomeProgramSerializer(body).data)


class PlanItemViewSet(
    IdempotentPostMixin,
    AuditedViewMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Items of one plan (subclasses name the kind). Editable while the plan is draft or active."""

    kind: str
    permission_classes = [PlanContentPermission]
    lookup_value_converter = "uuid"
    pagination_class = None
    filter_backends: list = []

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        if not getattr(self, "swagger_fake_view", False):
            self.get_plan()  # another clinic's plan is a 404 before any body is read

    def get_plan(self) -> TreatmentPlan:
        if not hasattr(self, "_plan"):
            self._plan = get_object_or_404(
                TreatmentPlan.objects.for_clinic(request_user(self.request).staff_clinic_id),
                pk=self.kwargs["plan_pk"],
            )
        return self._plan

    def audit_patient_id(self, obj) -> object:
        plan = getattr(self, "_plan", None)
        return plan.patient_id if plan is not None else None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return declared_queryset(self)
        return plan_item_list(user=request_user(self.request), kind=self.kind, plan=self.get_plan())

    def perform_create(self, serializer) -> None:
        serializer.instance = services.plan_item_add(
            plan=self.get_plan(), kind=self.kind, item=serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.plan_item_update(
            item=serializer.instance, kind=self.kind, changes=serializer.validated_data
        )

    def perform_destroy(self, instance) -> None:
        services.plan_item_remove(item=instance)


def plan_item_docs(noun: str, serializer):
    return documented(
        serializer,
        list=f"List the plan's {noun}s",
        create=f"Add a {noun} to the plan",
        retrieve=f"Get one {noun} of the plan",
        update=f"Replace a {noun}",
        partial_update=f"Change a {noun}",
        destroy=f"Remove a {noun} from the plan (kept on record)",
    )


@plan_item_docs("goal", GoalSerializer)
class GoalViewSet(PlanItemViewSet):
    error_codes = {
        ("create", "destroy", "partial_update", "update"): (PlanCode.PLAN_NOT_EDITABLE,),
    }
    kind = "goals"
    audit_resource = "plan_goal"
    queryset = Goal.objects.none()
    serializer_class = GoalSerializer


@plan_item_docs("planned adjustment", PlannedAdjustmentSerializer)
class PlannedAdjustmentViewSet(PlanItemViewSet):
    error_codes = {
        ("create", "destroy", "partial_update", "update"): (PlanCode.PLAN_NOT_EDITABLE,),
    }
    kind = "adjustments"
    audit_resource = "plan_adjustment"
    queryset = PlannedAdjustment.objects.none()
    serializer_class = PlannedAdjustmentSerializer


@plan_item_docs("soft-tissue therapy", PlannedSoftTissueSerializer)
class PlannedSoftTissueViewSet(PlanItemViewSet):
    error_codes = {
        ("create", "destroy", "partial_update", "update"): (PlanCode.PLAN_NOT_EDITABLE,),
    }
    kind = "soft_tissue"
    audit_resource = "plan_soft_tissue"
    queryset = PlannedSoftTissue.objects.none()
    serializer_class = PlannedSoftTissueSerializer


@plan_item_docs("exercise prescription", PlannedExerciseSerializer)
class PlannedExerciseViewSet(PlanItemViewSet):
    error_codes = {
        ("create", "destroy", "partial_update", "update"): (PlanCode.PLAN_NOT_EDITABLE,),
        ("create", "partial_update", "update"): (ApiCode.MAX_LENGTH,),
    }
    kind = "exercises"
    audit_resource = "plan_exercise"
    queryset = PlannedExercise.objects.none()
    serializer_class = PlannedExerciseSerializer


@documented(PatientSerializer, destroy="Archive a patient (nothing is deleted)")
class PatientViewSet(mixins.DestroyModelMixin, patient_views.PatientViewSet):
    # Patients' own endpoints, and DELETE, which archives: served here rather than by the
    # patients app because a plan under way refuses it, and plans stand above patients. The
    # same endpoints, they are described (in the schema and to OPTIONS) as patients' are.
    __doc__ = patient_views.PatientViewSet.__doc__

    error_codes = {"destroy": (PlanCode.PATIENT_HAS_ACTIVE_PLAN,)}
    audit_destroy_action = AuditAction.ARCHIVE

    def perform_destroy(self, instance: Patient) -> None:
        services.patient_archive(patient=instance, by=request_user(self.request))
