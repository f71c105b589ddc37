"""Treatment plans (FHIR CarePlan): goals and the three kinds of planned intervention."""

import uuid
from datetime import date
from typing import ClassVar

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from api.concurrency import VersionedModel
from changes.tracking import Action, status_actions, track_changes
from patients.models import Condition, Laterality, Patient
from tenancy.models import ClinicScopedModel, CurrentClinicRowsManager
from treatments.plans import frequency as taper
from treatments.plans.error_codes import PlanCode


class PlanStatus(models.TextChoices):
    """FHIR request-status, as DOMAIN.md restricts it (moves are in treatments.plans.transitions)."""

    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    ON_HOLD = "on-hold", "On hold"
    COMPLETED = "completed", "Completed"
    REVOKED = "revoked", "Revoked"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


class PlanPhase(models.TextChoices):
    RELIEF = "relief", "Relief (acute)"
    CORRECTIVE = "corrective", "Corrective"
    MAINTENANCE = "maintenance", "Maintenance (wellness)"


@track_changes(
    "treatment_plan",
    clinical=True,
    actions=status_actions(
        "status",
        {
            "active": "activated",
            "on-hold": "put_on_hold",
            "completed": "completed",
            "revoked": "revoked",
            "entered-in-error": "entered_in_error",
        },
    ),
)
@pghistory.track()
class TreatmentPlan(ClinicScopedModel, VersionedModel):
    """A chiropractor's plan of care for one patient and some of the patient's conditions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="treatment_plans")
    chiropractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    phase = models.CharField(max_length=12, choices=PlanPhase.choices)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    start_date = models.DateField()
    visits_per_week = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    weeks = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    # The stages of a tapering frequency (treatments.plans.frequency): [{"visits_per_week": 3,
    # "weeks": 4}, …]. `visits_per_week` is the first stage's, `weeks` all stages' together.
    frequency = models.JSONField(default=list)
    reexam_interval_days = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    reexam_interval_visits = models.PositiveSmallIntegerField(
        default=12, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def conditions(self) -> list[Condition]:
        """The conditions the plan addresses now; selectors prefetch `plan_conditions`."""
        return [link.condition for link in self.plan_conditions.all()]

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visits_per_week__gte=1, visits_per_week__lte=7),
                name="plan_visits_per_week_1_to_7",
            ),
            models.CheckConstraint(condition=models.Q(weeks__gte=1), name="plan_weeks_positive"),
        ]
        indexes = [
            models.Index(fields=["clinic", "patient", "status"], name="plan_patient_idx"),
            models.Index(
                fields=["clinic", "chiropractor", "start_date"], name="plan_chiropractor_idx"
            ),
            models.Index(fields=["clinic", "status", "start_date"], name="plan_status_idx"),
            models.Index(fields=["clinic", "phase", "start_date"], name="plan_phase_idx"),
            models.Index(fields=["clinic", "start_date"], name="plan_start_idx"),
            models.Index(fields=["clinic", "created_at"], name="plan_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} plan for {self.patient_id} ({self.status})"

    @property
    def stages(self) -> list[taper.Stage]:
        return taper.stages_of(self.frequency, self.visits_per_week, self.weeks)

    @property
    def planned_visits(self) -> int:
        return taper.planned_visits(self.stages)

    @property
    def end_date(self) -> date:
        return taper.end_date(self.start_date, self.stages)


@pghistory.track()
class PlanCondition(ClinicScopedModel):
    """A condition a plan addresses. `plan_is_active` mirrors the plan's status so that the
    database itself refuses a second active plan for the same condition. A condition taken
    off the plan keeps its row, marked removed."""

    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.CASCADE, related_name="plan_conditions"
    )
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="+")
    plan_is_active = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[CurrentClinicRowsManager["PlanCondition"]] = CurrentClinicRowsManager()
    all_rows = models.Manager()

    class Meta:
        ordering = ["condition__created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "condition"],
                condition=models.Q(removed_at__isnull=True),
                name="plan_condition_once",
            ),
            models.UniqueConstraint(
                fields=["condition"],
                condition=models.Q(plan_is_active=True),
                name="one_active_plan_per_condition",
                violation_error_code=PlanCode.CONDITION_HAS_ACTIVE_PLAN,
            ),
        ]
        indexes = [models.Index(fields=["clinic", "condition"], name="plan_condition_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.condition_id}"


class GoalMeasure(models.TextChoices):
    NRS_PAIN = "nrs_pain", "Pain, NRS 0–10"
    ODI_PERCENT = "odi_percent", "Oswestry Disability Index, %"
    NDI_PERCENT = "ndi_percent", "Neck Disability Index, %"
    CERVICAL_ROTATION_DEGREES = "cervical_rotation_degrees", "Cervical rotation, degrees"
    CERVICAL_FLEXION_DEGREES = "cervical_flexion_degrees", "Cervical flexion, degrees"
    LUMBAR_FLEXION_DEGREES = "lumbar_flexion_degrees", "Lumbar flexion, degrees"
    SITTING_TOLERANCE_MINUTES = "sitting_tolerance_minutes", "Sitting without pain, minutes"
    STANDING_TOLERANCE_MINUTES = "standing_tolerance_minutes", "Standing without pain, minutes"
    WALKING_TOLERANCE_MINUTES = "walking_tolerance_minutes", "Walking without pain, minutes"


# The range each measure's target may take.
MEASURE_RANGES: dict[str, tuple[int, int]] = {
    GoalMeasure.NRS_PAIN: (0, 10),
    GoalMeasure.ODI_PERCENT: (0, 100),
    GoalMeasure.NDI_PERCENT: (0, 100),
    GoalMeasure.CERVICAL_ROTATION_DEGREES: (0, 120),
    GoalMeasure.CERVICAL_FLEXION_DEGREES: (0, 90),
    GoalMeasure.LUMBAR_FLEXION_DEGREES: (0, 120),
    GoalMeasure.SITTING_TOLERANCE_MINUTES: (0, 1440),
    GoalMeasure.STANDING_TOLERANCE_MINUTES: (0, 1440),
    GoalMeasure.WALKING_TOLERANCE_MINUTES: (0, 1440),
}


class Comparator(models.TextChoices):
    LTE = "<=", "at most"
    LT = "<", "less than"
    GTE = ">=", "at least"
    GT = ">", "more than"
    EQ = "=", "exactly"


class GoalStatus(models.TextChoices):
    IN_PROGRESS = "in-progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not-achieved", "Not achieved"
    CANCELLED = "cancelled", "Cancelled"


class PlanItem(ClinicScopedModel, VersionedModel):
    """A part of a plan. Removing one stamps `removed_at`: the plan's history stays whole."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AdjustmentFields(models.Model):
    """What a planned adjustment and one given at a visit both record."""

    segment = models.ForeignKey("reference.Segment", on_delete=models.PROTECT, related_name="+")
    listing = models.ForeignKey(
        "reference.Listing", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    technique = models.ForeignKey("reference.Technique", on_delete=models.PROTECT, related_name="+")
    laterality = models.CharField(max_length=10, choices=Laterality.choices, blank=True)

    class Meta:
        abstract = True


class SoftTissueFields(models.Model):
    """What planned soft-tissue work and work done at a visit both record."""

    modality = models.ForeignKey(
        "reference.SoftTissueModality", on_delete=models.PROTECT, related_name="+"
    )
    # Codes of reference.Muscle, checked by the service (the muscle list is shipped data).
    muscles = ArrayField(models.CharField(max_length=40))
    laterality = models.CharField(max_length=10, choices=Laterality.choices, blank=True)
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(120)]
    )

    class Meta:
        abstract = True


class ExerciseFields(models.Model):
    """What a prescribed exercise and one reviewed at a visit both record."""

    exercise = models.ForeignKey("reference.Exercise", on_delete=models.PROTECT, related_name="+")
    sets = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    repetitions = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )

    class Meta:
        abstract = True


# A plan's items are events of their plan: added, changed, taken off.
plan_item_changes = track_changes(
    "treatment_plan",
    clinical=True,
    on_insert="item_added",
    on_update="item_changed",
    actions=(
        Action(
            "item_removed",
            pgtrigger.Q(old__removed_at__isnull=True, new__removed_at__isnull=False),
        ),
    ),
    resource_id="plan_id",
    patient="plan__patient_id",
)


@plan_item_changes
@pghistory.track()
class Goal(PlanItem):
    """A measurable goal: a description and, optionally, a target on a measure."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="goals")
    description = models.CharField(max_length=300)
    measure = models.CharField(max_length=30, choices=GoalMeasure.choices, blank=True)
    comparator = models.CharField(max_length=2, choices=Comparator.choices, blank=True)
    target_value = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=14, choices=GoalStatus.choices, default=GoalStatus.IN_PROGRESS
    )

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["clinic", "plan"], name="goal_plan_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(measure="", comparator="", target_value__isnull=True)
                    | (
                        ~models.Q(measure="")
                        & ~models.Q(comparator="")
                        & models.Q(target_value__isnull=False)
                    )
                ),
                name="goal_target_complete_or_absent",
            )
        ]

    def __str__(self) -> str:
        return self.description


@plan_item_changes
@pghistory.track()
class PlannedAdjustment(PlanItem, AdjustmentFields):
    """A chiropractic adjustment (CMT) to give at each visit."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="adjustments")
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["clinic", "plan"], name="adjustment_plan_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id} {self.listing_id or ''}".strip()


@plan_item_changes
@pghistory.track()
class PlannedSoftTissue(PlanItem, SoftTissueFields):
    """Soft-tissue work to do at each visit: modality, target muscles, minutes."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="soft_tissue")
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["clinic", "plan"], name="soft_tissue_plan_idx")]

    def __str__(self) -> str:
        return f"{self.modality_id} {self.minutes} min"


@plan_item_changes
@pghistory.track()
class PlannedExercise(PlanItem, ExerciseFields):
    """A stretch or exercise prescribed for the home programme."""

    plan = models.ForeignKey(TreatmentPlan, on_delete=models.PROTECT, related_name="exercises")
    hold_seconds = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(600)])
    times_per_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    days_per_week = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    laterality = models.CharField(max_length=10, choices=Laterality.choices, blank=True)
    instructions = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "created_at"]
        indexes = [models.Index(fields=["clinic", "plan"], name="exercise_plan_idx")]

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.sets}x{self.repetitions}"
