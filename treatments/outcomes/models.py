"""Outcome measures over time: NRS pain, Oswestry and Neck Disability questionnaires."""

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from changes.tracking import status_actions, track_changes
from patients.models import Patient
from tenancy.models import ClinicScopedModel


class Instrument(models.TextChoices):
    NRS = "nrs", "Numeric rating scale for pain (0–10)"
    ODI = "odi", "Oswestry Disability Index"
    NDI = "ndi", "Neck Disability Index"


class OutcomeStatus(models.TextChoices):
    FINAL = "final", "Final"
    ENTERED_IN_ERROR = "entered-in-error", "Entered in error"


@track_changes(
    "outcome_measure",
    clinical=True,
    actions=status_actions("status", {"entered-in-error": "entered_in_error"}),
)
@pghistory.track()
class OutcomeMeasure(ClinicScopedModel):
    """One measurement (FHIR Observation). Scores are computed by the server, never sent."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="outcomes")
    instrument = models.CharField(max_length=4, choices=Instrument.choices)
    measured_at = models.DateTimeField()
    answers = ArrayField(
        models.PositiveSmallIntegerField(null=True, blank=True), null=True, blank=True
    )
    score = models.PositiveSmallIntegerField()
    max_score = models.PositiveSmallIntegerField()
    percent = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    # By name: visits stand above outcome measures (a visit's pain score is recorded as one).
    visit = models.ForeignKey(
        "treatments.Visit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=OutcomeStatus.choices, default=OutcomeStatus.FINAL
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Its last change (a measure marked entered in error): what FHIR's `_lastUpdated` and an
    # export `_since` read, so that a discard is exported again.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["visit", "instrument"],
                condition=models.Q(visit__isnull=False),
                name="outcome_once_per_visit_and_instrument",
            )
        ]
        indexes = [
            models.Index(
                fields=["clinic", "patient", "instrument", "measured_at"],
                name="outcome_patient_idx",
            ),
            models.Index(
                fields=["clinic", "patient", "measured_at"], name="outcome_patient_time_idx"
            ),
            # A clinic's measures in the order they were recorded (FHIR search pages).
            models.Index(fields=["clinic", "created_at"], name="outcome_created_idx"),
            models.Index(fields=["clinic", "updated_at"], name="outcome_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument} {self.score}/{self.max_score}"
