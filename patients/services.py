"""Writes that carry the rules of patients and conditions."""

import uuid
from datetime import date
from typing import Unpack
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from api.error_codes import ApiCode
from api.errors import Conflict, field_error
from clinics.models import Clinic, User
from patients.error_codes import PatientCode
from patients.inputs import ConditionFields, PatientFields
from patients.models import (
    LATERALITY_RULE,
    ChartNumberCounter,
    ClinicalStatus,
    Condition,
    Patient,
    PatientStatus,
    VerificationStatus,
)
from patients.rules import ensure_patient_active
from reference import icd10

MAX_AGE_YEARS = 130


def clinic_today(clinic: Clinic) -> date:
    return timezone.localdate(timezone=ZoneInfo(clinic.time_zone))


def _next_chart_number(clinic_id: uuid.UUID) -> str:
    """Hand out the clinic's next free chart number (000001, 000002, …) without races."""
    table = ChartNumberCounter._meta.db_table
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {table} (clinic_id, last_value) VALUES (%s, 1)
                    ON CONFLICT (clinic_id) DO UPDATE SET last_value = {table}.last_value + 1
                    RETURNING last_value""",
                [clinic_id],
            )
            candidate = f"{cursor.fetchone()[0]:06d}"
        # A chart number typed in by hand may already hold this value: skip it.
        if not Patient.objects.filter(clinic_id=clinic_id, chart_number=candidate).exists():
            return candidate


def check_birth_date(born: date, *, clinic: Clinic, field: str = "date_of_birth") -> None:
    """A person's date of birth (a patient's, an insurance subscriber's): not in the clinic's
    future, at most MAX_AGE_YEARS ago."""
    today = clinic_today(clinic)
    if born > today:
        raise field_error(field, "Date of birth cannot be in the future.", ApiCode.FUTURE_DATE)
    if born.year < today.year - MAX_AGE_YEARS:
        raise field_error(
            field,
            f"Date of birth cannot be more than {MAX_AGE_YEARS} years ago.",
            PatientCode.TOO_OLD,
        )


def _validate_date_of_birth(patient: Patient) -> None:
    check_birth_date(patient.date_of_birth, clinic=patient.clinic)


def _ensure_chart_number_free(patient: Patient) -> None:
    taken = Patient.objects.filter(clinic_id=patient.clinic_id, chart_number=patient.chart_number)
    if taken.exclude(pk=patient.pk).exists():
        raise field_error(
            "chart_number", "Another patient of this clinic has this chart number.", ApiCode.UNIQUE
        )


def _refuse_archiving(fields: PatientFields) -> None:
    if fields.get("status") == PatientStatus.ARCHIVED:
        raise field_error(
            "status", "Archive a patient with DELETE.", PatientCode.USE_DELETE_TO_ARCHIVE
        )


@transaction.atomic
def patient_create(*, clinic: Clinic, **fields: Unpack[PatientFields]) -> Patient:
    _refuse_archiving(fields)
    patient = Patient(clinic=clinic, **fields)
    if not patient.chart_number:
        patient.chart_number = _next_chart_number(clinic.pk)
    _ensure_chart_number_free(patient)
    _validate_date_of_birth(patient)
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, **changes: Unpack[PatientFields]) -> Patient:
    _refuse_archiving(changes)
    ensure_patient_active(patient, restore_to="before changing it")
    for field, value in changes.items():
        setattr(patient, field, value)
    _ensure_chart_number_free(patient)
    _validate_date_of_birth(patient)
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_restore(*, patient: Patient) -> Patient:
    if patient.status != PatientStatus.ARCHIVED:
        raise Conflict(
            "Only an archived patient can be restored.", code=PatientCode.PATIENT_NOT_ARCHIVED
        )
    patient.status = PatientStatus.ACTIVE
    patient.archived_at = None
    patient.archived_by = None
    patient.save(update_fields=["status", "archived_at", "archived_by", "updated_at"])
    return patient


def _apply_code(condition: Condition) -> None:
    found = icd10.lookup(condition.code)
    if found is None:
        raise field_error(
            "code", f"'{condition.code}' is not an ICD-10-CM code.", PatientCode.UNKNOWN_CODE
        )
    if not found.billable:
        raise field_error(
            "code",
            f"{found.code} ({found.description}) is a category, not a billable code; "
            "choose one of its subcodes.",
            PatientCode.NOT_BILLABLE,
        )
    condition.code, condition.display = found.code, found.description


def _validate_condition(condition: Condition) -> None:
    errors = {}
    today = clinic_today(condition.patient.clinic)
    if condition.onset_date and condition.onset_date > today:
        errors["onset_date"] = ValidationError(
            "Onset cannot be in the future.", code=ApiCode.FUTURE_DATE
        )
    elif condition.onset_date and condition.onset_date < condition.patient.date_of_birth:
        errors["onset_date"] = ValidationError(
            "Onset cannot be before the patient's date of birth.", code=PatientCode.BEFORE_BIRTH
        )
    if LATERALITY_RULE.applies(condition.body_region) and not condition.laterality:
        errors["laterality"] = ValidationError(
            "Say which side for a condition of an extremity.", code=PatientCode.LATERALITY_REQUIRED
        )
    if condition.resolved_on and condition.resolved_on > today:
        errors["resolved_on"] = ValidationError(
            "Resolution cannot be in the future.", code=ApiCode.FUTURE_DATE
        )
    elif (
        condition.resolved_on
        and condition.onset_date
        and condition.resolved_on < condition.onset_date
    ):
        errors["resolved_on"] = ValidationError(
            "Resolution cannot precede onset.", code=PatientCode.BEFORE_ONSET
        )
    if errors:
        raise ValidationError(errors)


def _track_resolution(condition: Condition, *, sent: bool, resolved_on: date | None) -> None:
    """A resolved condition records when it resolved (today unless given); one that comes
    back clears the date. A date sent for a condition that is not resolved is refused."""
    if condition.clinical_status != ClinicalStatus.RESOLVED:
        if resolved_on is not None:
            raise field_error(
                "resolved_on",
                "Only a resolved condition has a resolution date.",
                PatientCode.NOT_RESOLVED,
            )
        condition.resolved_on = None
    elif sent and resolved_on is None:
        raise field_error(
            "resolved_on", "A resolved condition keeps its resolution date.", ApiCode.NULL
        )
    elif resolved_on is not None:
        condition.resolved_on = resolved_on
    elif condition.resolved_on is None:
        condition.resolved_on = clinic_today(condition.patient.clinic)


def _refuse_entered_in_error(fields: ConditionFields) -> None:
    if fields.get("verification_status") == VerificationStatus.ENTERED_IN_ERROR:
        raise field_error(
            "verification_status",
            "Mark a condition as entered in error with DELETE.",
            PatientCode.USE_DELETE,
        )


@transaction.atomic
def condition_record(*, patient: Patient, by: User, **fields: Unpack[ConditionFields]) -> Condition:
    ensure_patient_active(patient)
    _refuse_entered_in_error(fields)
    sent, resolved_on = "resolved_on" in fields, fields.pop("resolved_on", None)
    condition = Condition(clinic_id=patient.clinic_id, patient=patient, recorded_by=by, **fields)
    _apply_code(condition)
    _track_resolution(condition, sent=sent, resolved_on=resolved_on)
    _validate_condition(condition)
    condition.full_clean()
    condition.save()
    return condition


@transaction.atomic
def condition_update(*, condition: Condition, **changes: Unpack[ConditionFields]) -> Condition:
    ensure_patient_active(condition.patient)
    if condition.verification_status == VerificationStatus.ENTERED_IN_ERROR:
        raise Conflict(
            "A condition entered in error cannot be changed.", code=PatientCode.ENTERED_IN_ERROR
        )
    _refuse_entered_in_error(changes)
    sent, resolved_on = "resolved_on" in changes, changes.pop("resolved_on", None)
    for field, value in changes.items():
        setattr(condition, field, value)
    if "code" in changes:
        _apply_code(condition)
    _track_resolution(condition, sent=sent, resolved_on=resolved_on)
    _validate_condition(condition)
    condition.full_clean()
    condition.save()
    return condition


def condition_mark_entered_in_error(*, condition: Condition) -> Condition:
    """What DELETE does: the condition stays on record, flagged as a mistake."""
    ensure_patient_active(condition.patient)
    if condition.verification_status != VerificationStatus.ENTERED_IN_ERROR:
        condition.verification_status = VerificationStatus.ENTERED_IN_ERROR
        condition.save(update_fields=["verification_status", "updated_at"])
    return condition
