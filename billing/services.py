"""Writes of billing records. Nothing is deleted: coverage, cases and fees are archived, a
coding correction is a new row beside the visit's earlier coding, and a payment is recorded
beside those before it."""

from datetime import date
from decimal import Decimal
from typing import Literal, TypeVar, Unpack

from django.db import transaction
from django.db.models import Model, Q
from django.utils import timezone

from api.error_codes import ApiCode
from api.errors import Conflict, field_error
from billing.error_codes import BillingCode
from billing.inputs import CaseFields, ClaimAdjustment, CoverageFields, FeeFields
from billing.models import (
    ClaimPayment,
    CodingCorrection,
    Coverage,
    FeeScheduleEntry,
    InsuranceCase,
)
from billing.selectors import coded_visit_list
from billing.visit_coding import frozen_coding
from billing.visit_facts import service_day
from clinics.models import Clinic, User
from patients.error_codes import PatientCode
from patients.services import check_birth_date, clinic_today
from treatments.models import Visit, VisitStatus
from treatments.visits import services as visit_services
from treatments.visits.error_codes import VisitCode
from treatments.visits.inputs import PerformedItems

_Record = TypeVar("_Record", bound=Model)


def _check_range(record: Model, start_name: str, end_name: str) -> None:
    """A record's range (coverage, authorisation, fee) ends on or after it starts."""
    start, end = getattr(record, start_name), getattr(record, end_name)
    if start is not None and end is not None and end < start:
        raise field_error(
            end_name, f"Give a date on or after {start_name}.", BillingCode.ENDS_BEFORE_START
        )


def _saved(record: _Record) -> _Record:
    record.full_clean()
    record.save()
    return record


def _archive(record: Coverage | InsuranceCase | FeeScheduleEntry) -> None:
    if record.archived_at is None:
        record.archived_at = timezone.now()
        record.save(update_fields=["archived_at", "updated_at"])


# Coverage ---------------------------------------------------------------------------------


def _check_coverage(coverage: Coverage) -> None:
    _check_range(coverage, "starts_on", "ends_on")
    if coverage.subscriber_birth_date is not None:
        check_birth_date(
            coverage.subscriber_birth_date, clinic=coverage.clinic, field="subscriber_birth_date"
        )


@transaction.atomic
def coverage_create(*, clinic: Clinic, **fields: Unpack[CoverageFields]) -> Coverage:
    coverage = Coverage(clinic=clinic, **fields)
    _check_coverage(coverage)
    return _saved(coverage)


@transaction.atomic
def coverage_update(*, coverage: Coverage, **changes: Unpack[CoverageFields]) -> Coverage:
    if "patient" in changes and changes["patient"].pk != coverage.patient_id:
        raise field_error("patient", "A coverage stays with its patient.", ApiCode.IMMUTABLE)
    for field, value in changes.items():
        setattr(coverage, field, value)
    _check_coverage(coverage)
    return _saved(coverage)


def coverage_archive(*, coverage: Coverage) -> None:
    """What DELETE does: kept for the claims already made under it."""
    if coverage.cases.filter(archived_at__isnull=True).exists():
        raise Conflict(
            "Cases are billed under this coverage; close them first.",
            code=BillingCode.COVERAGE_IN_USE,
        )
    _archive(coverage)


# Cases ------------------------------------------------------------------------------------


def _check_case(case: InsuranceCase) -> None:
    _check_range(case, "authorised_from", "authorised_to")
    if case.coverage.patient_id != case.patient_id:
        raise field_error(
            "coverage", "The coverage is another patient's.", PatientCode.OTHER_PATIENT
        )
    if case.plan is not None and case.plan.patient_id != case.patient_id:
        raise field_error("plan", "The plan is another patient's.", PatientCode.OTHER_PATIENT)


@transaction.atomic
def case_create(*, clinic: Clinic, **fields: Unpack[CaseFields]) -> InsuranceCase:
    case = InsuranceCase(clinic=clinic, **fields)
    _check_case(case)
    return _saved(case)


@transaction.atomic
def case_update(*, case: InsuranceCase, **changes: Unpack[CaseFields]) -> InsuranceCase:
    if "patient" in changes and changes["patient"].pk != case.patient_id:
        raise field_error("patient", "A case stays with its patient.", ApiCode.IMMUTABLE)
    for field, value in changes.items():
        setattr(case, field, value)
    _check_case(case)
    return _saved(case)


def case_close(*, case: InsuranceCase) -> None:
    """What DELETE does: the case is closed and kept with its history."""
    _archive(case)


# Fee schedule -----------------------------------------------------------------------------


def _check_no_overlap(fee: FeeScheduleEntry) -> None:
    """One fee a code and modifier on any date: ranges of the same code may not overlap."""
    other = (
        FeeScheduleEntry.objects.filter(
            clinic_id=fee.clinic_id, cpt=fee.cpt, modifier=fee.modifier, archived_at__isnull=True
        )
        .exclude(pk=fee.pk)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=fee.effective_from))
        .filter(effective_from__lte=fee.effective_to or date.max)
        .order_by("effective_from")
        .first()
    )
    if other is not None:
        raise field_error(
            "effective_from",
            f"{fee.cpt}{'-' + fee.modifier if fee.modifier else ''} has a fee from "
            f"{other.effective_from} already; end it first.",
            BillingCode.FEE_OVERLAPS,
        )


@transaction.atomic
def fee_create(*, clinic: Clinic, **fields: Unpack[FeeFields]) -> FeeScheduleEntry:
    fee = FeeScheduleEntry(clinic=clinic, **fields)
    _check_range(fee, "effective_from", "effective_to")
    _lock_fees(clinic)
    _check_no_overlap(fee)
    return _saved(fee)


# What a fee is, once charged: a new price is a new fee from a new date, so that bills already
# sent keep adding up.
FIXED_FEE_FIELDS: tuple[Literal["cpt", "modifier", "charge", "effective_from"], ...] = (
    "cpt",
    "modifier",
    "charge",
    "effective_from",
)


@transaction.atomic
def fee_update(*, fee: FeeScheduleEntry, **changes: Unpack[FeeFields]) -> FeeScheduleEntry:
    for fixed in FIXED_FEE_FIELDS:
        if fixed in changes and changes[fixed] != getattr(fee, fixed):
            raise field_error(
                fixed,
                "A fee stays as it was charged: end it (effective_to) and add the new one.",
                ApiCode.IMMUTABLE,
            )
    for field, value in changes.items():
        setattr(fee, field, value)
    _check_range(fee, "effective_from", "effective_to")
    _lock_fees(fee.clinic)
    _check_no_overlap(fee)
    return _saved(fee)


def fee_archive(*, fee: FeeScheduleEntry) -> None:
    _archive(fee)


def _lock_fees(clinic: Clinic) -> None:
    """Two writers of one clinic's fees take turns, so that neither misses the other's
    overlapping range (the clinic's row, locked without blocking its readers)."""
    Clinic.objects.select_for_update(no_key=True).filter(pk=clinic.pk).exists()


# Coding corrections -----------------------------------------------------------------------


@transaction.atomic
def coding_correct(
    *,
    visit: Visit,
    by: User,
    reason: str,
    as_sent: dict[str, object],
    **items: Unpack[PerformedItems],
) -> CodingCorrection:
    """Correct a signed visit's billing: what was performed is replaced by the lists given
    (`items`; `as_sent` is how the request wrote them, kept in the correction), the lines are
    derived again, and the earlier coding stays in the correction (and in the visit's history).
    Corrections of one visit take turns on its row: the view reads the visit locked (ETagMixin,
    SELECT … FOR UPDATE), as for every write of a visit."""
    visit_services.visit_correct_performed(visit=visit, items=items, by=by)
    before = visit.signed_coding
    current = coded_visit_list(user=by).get(pk=visit.pk)
    after = frozen_coding(current)
    visit.signed_coding = after
    visit.save(update_fields=["signed_coding", "updated_at"])
    return CodingCorrection.objects.create(
        clinic_id=visit.clinic_id,
        visit=visit,
        reason=reason,
        changes=as_sent,
        coding_before=before or {},
        coding_after=after,
        created_by=by,
    )


# Payments ---------------------------------------------------------------------------------


def claim_payment_record(
    *,
    visit: Visit,
    by: User,
    coverage: Coverage,
    paid_on: date,
    paid_amount: Decimal,
    payer_claim_number: str = "",
    adjustments: list[ClaimAdjustment] | None = None,
) -> ClaimPayment:
    """Record what a payer paid on the visit's claim. Only a signed visit is billed; the
    payer is one of the patient's coverages, and the remittance dates from the service on.
    Payments of one visit take turns on its row (the view reads it locked)."""
    if visit.status != VisitStatus.SIGNED:
        raise Conflict(
            "Only a signed visit is billed: sign it before recording a payment.",
            code=VisitCode.VISIT_NOT_SIGNED,
        )
    if coverage.patient_id != visit.patient_id:
        raise field_error(
            "coverage",
            "This coverage is another patient's.",
            BillingCode.COVERAGE_OF_ANOTHER_PATIENT,
        )
    day = service_day(visit)
    if paid_on < day:
        raise field_error(
            "paid_on",
            f"A payment cannot precede the date of service ({day}).",
            BillingCode.BEFORE_SERVICE,
        )
    if paid_on > clinic_today(visit.clinic):
        raise field_error("paid_on", "A payment cannot be in the future.", ApiCode.FUTURE_DATE)
    as_recorded = [
        {"group": item["group"], "reason": item["reason"], "amount": f"{item['amount']:.2f}"}
        for item in adjustments or []
    ]
    return _saved(
        ClaimPayment(
            clinic_id=visit.clinic_id,
            visit=visit,
            coverage=coverage,
            paid_on=paid_on,
            paid_amount=paid_amount,
            payer_claim_number=payer_claim_number,
            adjustments=as_recorded,
            recorded_by=by,
        )
    )
