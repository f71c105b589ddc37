"""Visits (FHIR Encounter + Procedure): what was found, what was done, signed and amended."""

import uuid
from typing import Any, ClassVar

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from api.concurrency import VersionedModel
from changes.tracking import status_actions, track_changes
from patients.models import BodyRegion, Patient
from tenancy.models import ClinicScopedModel, CurrentClinicRowsManager
from treatments.plans.models import (
    AdjustmentFields,
    ExerciseFields,
    PlannedAdjustment,
    PlannedExercise,
    PlannedSoftTissue,
    SoftTissueFields,
    TreatmentPlan,
)


class VisitStatus(models.TextChoices):
    DRAFT = "draft", "Draft (editable)"
    SIGNED = "signed", "Signed (locked)"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error (discarded)"


class Adherence(models.TextChoices):
    NONE = "none", "Not doing the home programme"
    PARTIAL = "partial", "Doing part of it"
    FULL = "full", "Doing all of it"


class PartRegion(models.TextChoices):
    CERVICAL = "cervical", "Cervical"
    THORACIC = "thoracic", "Thoracic"
    LUMBAR = "lumbar", "Lumbar"
    SACRAL = "sacral", "Sacral"
    PELVIC = "pelvic", "Pelvic"
    EXTRASPINAL = "extraspinal", "Extraspinal"


def nrs_field() -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(10)]
    )


@track_changes(
    "visit",
    clinical=True,
    actions=status_actions("status", {"signed": "signed", "entered-in-error": "entered_in_error"}),
)
@pghistory.track()
class Visit(ClinicScopedModel, VersionedModel):
    """One visit of a patient to a chiropractor, normally against the patient's active plan."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="visits")
    chiropractor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    plan = models.ForeignKey(
        TreatmentPlan, on_delete=models.PROTECT, null=True, blank=True, related_name="visits"
    )
    visit_at = models.DateTimeField()
    is_reexamination = models.BooleanField(default=False)
    pain_before = nrs_field()
    pain_after = nrs_field()
    subjective = models.TextField(blank=True)
    objective = models.TextField(blank=True)
    assessment = models.TextField(blank=True)
    plan_note = models.TextField(blank=True)
    adherence = models.CharField(max_length=8, choices=Adherence.choices, blank=True)
    status = models.CharField(max_length=16, choices=VisitStatus.choices, default=VisitStatus.DRAFT)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    # The billing as it stood when signed: later changes to the plan do not rewrite a claim.
    signed_coding = models.JSONField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status="signed", signed_at__isnull=False, signed_by__isnull=False
                )
                | ~models.Q(status="signed"),
                name="visit_signed_has_signature",
            ),
            models.CheckConstraint(
                condition=models.Q(pain_before__lte=10), name="visit_pain_before_nrs"
            ),
            models.CheckConstraint(
                condition=models.Q(pain_after__lte=10), name="visit_pain_after_nrs"
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "patient", "visit_at"], name="visit_patient_idx"),
            models.Index(fields=["clinic", "plan", "visit_at"], name="visit_plan_idx"),
            models.Index(
                fields=["clinic", "chiropractor", "visit_at"], name="visit_chiropractor_idx"
            ),
            models.Index(fields=["clinic", "status", "visit_at"], name="visit_status_idx"),
            models.Index(fields=["clinic", "visit_at"], name="visit_at_idx"),
            models.Index(fields=["clinic", "created_at"], name="visit_created_idx"),
        ]

    def __str__(self) -> str:
        return f"Visit {self.visit_at:%Y-%m-%d %H:%M} ({self.status})"


@pghistory.track()
class PartFinding(ClinicScopedModel):
    """Objective findings of one region by PART: each a yes/no with an optional note."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="findings")
    region = models.CharField(max_length=12, choices=PartRegion.choices)
    pain = models.BooleanField(default=False)
    pain_note = models.CharField(max_length=300, blank=True)
    asymmetry = models.BooleanField(default=False)
    asymmetry_note = models.CharField(max_length=300, blank=True)
    range_of_motion = models.BooleanField(default=False)
    range_of_motion_note = models.CharField(max_length=300, blank=True)
    tissue = models.BooleanField(default=False)
    tissue_note = models.CharField(max_length=300, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[CurrentClinicRowsManager["PartFinding"]] = CurrentClinicRowsManager()
    all_rows = models.Manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "region"],
                condition=models.Q(removed_at__isnull=True),
                name="finding_once_per_region",
            )
        ]
        indexes = [models.Index(fields=["clinic", "visit"], name="finding_visit_idx")]

    def __str__(self) -> str:
        return f"{self.region}: {self.letters or '-'}"

    @property
    def letters(self) -> frozenset[str]:
        flags = {"P": self.pain, "A": self.asymmetry, "R": self.range_of_motion, "T": self.tissue}
        return frozenset(letter for letter, present in flags.items() if present)


# The region a timed service treated, when its muscles or exercise do not say it.
TIMED_REGION_HELP = (
    "The body region treated, when the muscles or the exercise do not say it (97112 for the "
    "neck with a balance exercise): billing reads it instead of theirs, for NCCI bundling and "
    "diagnosis pointers. Blank: their regions."
)


class PerformedItem(ClinicScopedModel):
    """Something done at a visit; `planned_item` names the plan item it carries out, if any."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Rows of the concrete kind of item (a class variable cannot name it: Self).
    objects: ClassVar[CurrentClinicRowsManager[Any]] = CurrentClinicRowsManager()
    all_rows = models.Manager()

    class Meta:
        abstract = True


@pghistory.track()
class PerformedAdjustment(PerformedItem, AdjustmentFields):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="adjustments")
    planned_item = models.ForeignKey(
        PlannedAdjustment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["clinic", "visit"], name="performed_adj_visit_idx")]

    def __str__(self) -> str:
        return f"{self.segment_id} ({self.technique_id})"


@pghistory.track()
class PerformedSoftTissue(PerformedItem, SoftTissueFields):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="soft_tissue")
    planned_item = models.ForeignKey(
        PlannedSoftTissue, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body_region = models.CharField(
        max_length=20, choices=BodyRegion.choices, blank=True, help_text=TIMED_REGION_HELP
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["clinic", "visit"], name="performed_st_visit_idx")]

    def __str__(self) -> str:
        return f"{self.modality_id} {self.minutes} min"


@pghistory.track()
class PerformedExercise(PerformedItem, ExerciseFields):
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="exercises")
    planned_item = models.ForeignKey(
        PlannedExercise, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(
        default=0,
        validators=[MaxValueValidator(120)],
        help_text="Timed minutes (0: only reviewed).",
    )
    body_region = models.CharField(
        max_length=20, choices=BodyRegion.choices, blank=True, help_text=TIMED_REGION_HELP
    )

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["clinic", "visit"], name="performed_ex_visit_idx")]

    def __str__(self) -> str:
        return f"{self.exercise_id} {self.sets}x{self.repetitions}"


class AmendmentSection(models.TextChoices):
    SUBJECTIVE = "subjective", "Subjective"
    OBJECTIVE = "objective", "Objective"
    ASSESSMENT = "assessment", "Assessment"
    PLAN = "plan", "Plan"
    GENERAL = "general", "General"


# An amendment is an event of its visit: a signed visit changes only by them.
@track_changes(
    "visit",
    clinical=True,
    on_insert="amended",
    on_update=None,
    resource_id="visit_id",
    patient="visit__patient_id",
)
@pghistory.track()
class Amendment(ClinicScopedModel):
    """A dated, attributed addition to a signed visit; the original text stays as it was."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="amendments")
    section = models.CharField(
        max_length=12, choices=AmendmentSection.choices, default=AmendmentSection.GENERAL
    )
    text = models.TextField()
    reason = models.CharField(max_length=300)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["clinic", "visit"], name="amendment_visit_idx")]

    def __str__(self) -> str:
        return f"Amendment of {self.visit_id} ({self.section})"
