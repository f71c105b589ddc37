"""Writes of outcome measures: recorded questionnaires and pain scores."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.error_codes import ApiCode
from api.errors import Conflict
from clinics.models import User
from patients.models import Patient
from patients.rules import ensure_patient_active
from treatments.outcomes.error_codes import OutcomeCode
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus
from treatments.outcomes.scoring import ScoringError, score_questionnaire


@transaction.atomic
def outcome_record(
    *,
    patient: Patient,
    by: User,
    instrument: str,
    measured_at: datetime | None = None,
    value: int | None = None,
    answers: list[int | None] | None = None,
) -> OutcomeMeasure:
    """Record a measurement: a pain score's `value`, or a questionnaire's ten `answers`, which
    the server scores."""
    ensure_patient_active(patient)
    measured_at = measured_at or timezone.now()
    if measured_at > timezone.now():
        raise ValidationError(
            {"measured_at": ValidationError("Cannot be in the future.", code=ApiCode.FUTURE_DATE)}
        )
    outcome = OutcomeMeasure(
        clinic_id=patient.clinic_id,
        patient=patient,
        instrument=instrument,
        measured_at=measured_at,
        recorded_by=by,
    )
    if instrument == Instrument.NRS:
        if answers is not None or value is None:
            raise ValidationError(
                {
                    "value": ValidationError(
                        "Give the pain score (0–10) as value.", code=ApiCode.REQUIRED
                    )
                }
            )
        outcome.score, outcome.max_score = value, 10
    else:
        if value is not None or answers is None:
            raise ValidationError(
                {
                    "answers": ValidationError(
                        "Give the ten answers (0–5, null if unanswered).", code=ApiCode.REQUIRED
                    )
                }
            )
        try:
            scored = score_questionnaire(answers)
        except ScoringError as error:
            raise ValidationError(
                {"answers": ValidationError(str(error), code=OutcomeCode.UNSCORABLE)}
            ) from error
        outcome.answers = answers
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
            code=OutcomeCode.DERIVED_FROM_VISIT,
        )
    outcome.status = OutcomeStatus.ENTERED_IN_ERROR
    outcome.save(update_fields=["status", "updated_at"])
    return outcome
