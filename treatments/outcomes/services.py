"""Writes of outcome measures: recorded questionnaires and pain scores."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.errors import Conflict
from clinics.models import User
from patients.models import Patient, PatientStatus
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.outcomes.scoring import ScoringError, score_questionnaire


@transaction.atomic
def outcome_record(*, patient: Patient, by: User, data: dict) -> OutcomeMeasure:
    """Record a measurement; the server scores questionnaires from their ten answers."""
    if patient.status == PatientStatus.ARCHIVED:
        raise Conflict("The patient is archived; restore it first.", code="patient_archived")
    instrument = data["instrument"]
    measured_at = data.get("measured_at") or timezone.now()
    if measured_at > timezone.now():
        raise ValidationError(
            {"measured_at": ValidationError("Cannot be in the future.", code="future_date")}
        )
    outcome = OutcomeMeasure(
        clinic_id=patient.clinic_id,
        patient=patient,
        instrument=instrument,
        measured_at=measured_at,
        recorded_by=by,
    )
    if instrument == Instrument.NRS:
        if data.get("answers") is not None or data.get("value") is None:
            raise ValidationError(
                {"value": ValidationError("Give the pain score (0–10) as value.", code="required")}
            )
        outcome.score, outcome.max_score = data["value"], 10
    else:
        if data.get("value") is not None or data.get("answers") is None:
            raise ValidationError(
                {
                    "answers": ValidationError(
                        "Give the ten answers (0–5, null if unanswered).", code="required"
                    )
                }
            )
        try:
            scored = score_questionnaire(data["answers"])
        except ScoringError as error:
            raise ValidationError(
                {"answers": ValidationError(str(error), code="unscorable")}
            ) from error
        outcome.answers = data["answers"]
        outcome.score, outcome.max_score, outcome.percent = (
            scored.score,
            scored.max_score,
            scored.percent,
        )
    outcome.full_clean()
    outcome.save()
    return outcome


def outcome_discard(*, outcome: OutcomeMeasure) -> OutcomeMeasure:
    """What DELETE does: the measurement stays, marked entered in error."""
    if outcome.visit_id is not None:
        raise Conflict(
            "This pain score comes from a visit; correct the visit instead.",
            code="derived_from_visit",
        )
    outcome.status = OutcomeStatus.ENTERED_IN_ERROR
    outcome.save(update_fields=["status"])
    return outcome
