"""A visit's coding as the API answers it: its status, the lines derived from what was done
(frozen at signing, re-derived by a correction), and the payer's rules applied to them."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from billing.coding import (
    BillingLine,
    Coding,
    CodingWarning,
    TimedMinutes,
    TimedShare,
    code_visit,
    explain_share,
    pointer_letters,
)
from billing.models import Coverage, CoveragePriority, InsuranceCase
from billing.payer_rules import PayerType, apply_payer_rules
from billing.visit_facts import service_day, visit_facts
from treatments.models import Visit, VisitStatus

# Where billing.selectors.VISIT_BILLING_READS attaches the billing records read with a page of visits.
PATIENT_COVERAGES = "billing_coverages"
PLAN_CASES = "billing_cases"
PATIENT_CASES = "billing_patient_cases"


class CodingStatus:
    DRAFT = "draft"
    FINAL = "final"
    VOID = "void"


CODING_STATUS_CHOICES = [
    (CodingStatus.DRAFT, "Draft: the visit is unsigned; the lines follow its changes."),
    (CodingStatus.FINAL, "Final: the visit is signed; the lines change only by a correction."),
    (CodingStatus.VOID, "Void: the visit was discarded; nothing is billed."),
]


@dataclass(frozen=True)
class Payer:
    """Who a visit is billed to: the case it falls under, else the patient's primary
    coverage on the date of service; neither when the patient has none. `secondary` is the
    patient's secondary coverage then in effect, billed after it (CMS-1500 items 9 and 11d)."""

    coverage: Coverage | None
    case: InsuranceCase | None
    secondary: Coverage | None = None

    @property
    def payer_type(self) -> PayerType | None:
        return PayerType(self.coverage.payer_type) if self.coverage else None

    def abn_on_file(self, day: date) -> bool:
        return bool(self.case and self.case.abn_signed_on and self.case.abn_signed_on <= day)


def coding_status(visit: Visit) -> str:
    if visit.status == VisitStatus.ENTERED_IN_ERROR:
        return CodingStatus.VOID
    return CodingStatus.FINAL if visit.status == VisitStatus.SIGNED else CodingStatus.DRAFT


def in_effect(coverage: Coverage, day: date) -> bool:
    return (
        coverage.archived_at is None
        and coverage.starts_on <= day
        and (coverage.ends_on is None or day <= coverage.ends_on)
    )


def covers(case: InsuranceCase, day: date) -> bool:
    """The case applies on `day`: its coverage is in effect, and the day is within its
    authorised dates when it is not tied to a plan (a plan's case holds for all its visits,
    and warns of those outside its dates)."""
    if case.archived_at is not None or not in_effect(case.coverage, day):
        return False
    if case.plan_id is not None:
        return True
    return (case.authorised_from is None or case.authorised_from <= day) and (
        case.authorised_to is None or day <= case.authorised_to
    )


def open_cases() -> QuerySet[InsuranceCase]:
    """Cases not closed, the first opened first (a plan has one; the first one counts)."""
    return InsuranceCase.objects.filter(archived_at__isnull=True).order_by("created_at")


def _attached(holder, name: str, read) -> list:
    found = getattr(holder, name, None)
    return list(read()) if found is None else found


def visit_payer(visit: Visit) -> Payer:
    """The plan's case; else a case of the patient's not tied to a plan; else the primary
    coverage in effect on the date of service. Reads what billing's nested reads attached to
    the visit, or the database otherwise."""
    day = service_day(visit)
    cases: list[InsuranceCase] = []
    if visit.plan_id is not None:
        cases += _attached(
            visit.plan,
            PLAN_CASES,
            lambda: open_cases().filter(plan_id=visit.plan_id).select_related("coverage"),
        )
    cases += _attached(
        visit,
        PATIENT_CASES,
        lambda: (
            open_cases()
            .filter(patient_id=visit.patient_id, plan__isnull=True)
            .select_related("coverage")
        ),
    )
    case = next((c for c in cases if covers(c, day)), None)
    coverages = _attached(
        visit,
        PATIENT_COVERAGES,
        lambda: Coverage.objects.filter(patient_id=visit.patient_id, archived_at=None),
    )

    def latest(priority: str) -> Coverage | None:
        found = sorted(
            (c for c in coverages if in_effect(c, day) and c.priority == priority),
            key=lambda c: c.starts_on,
            reverse=True,
        )
        return found[0] if found else None

    billed = case.coverage if case is not None else latest(CoveragePriority.PRIMARY)
    secondary = latest(CoveragePriority.SECONDARY)
    if billed is None or (secondary is not None and secondary.pk == billed.pk):
        secondary = None
    return Payer(billed, case, secondary)


def coding_document(coding: Coding) -> dict:
    """The coding as JSON-ready data (what a signed visit keeps), built field by field: a
    page of visits builds 25 of them."""
    return {
        "lines": [
            {
                "cpt": line.cpt,
                "units": line.units,
                "modifiers": list(line.modifiers),
                "diagnosis_pointers": list(line.diagnosis_pointers),
                "minutes": line.minutes,
                "regions": list(line.regions),
            }
            for line in coding.lines
        ],
        "diagnoses": list(coding.diagnoses),
        "warnings": [{"code": w.code, "message": w.message} for w in coding.warnings],
        "timed_minutes": _timed_document(coding.timed_minutes),
    }


def _timed_document(timed: TimedMinutes | None) -> dict | None:
    if timed is None:
        return None
    return {
        "total": timed.total,
        "units": timed.units,
        "bundled": timed.bundled,
        "services": [
            {
                "cpt": share.cpt,
                "modifier": share.modifier,
                "minutes": share.minutes,
                "units": share.units,
                "reason": share.reason,
            }
            for share in timed.services
        ],
    }


def answer_lines(document: dict) -> dict:
    """A coding document as the API answers it: each line points at its diagnoses both by
    their item 21 letters (`diagnosis_pointers`, as on the claim) and by code
    (`diagnosis_codes`). Documents keep codes only (`diagnosis_pointers`, from before)."""
    diagnoses = document.get("diagnoses", [])
    return {
        **document,
        "lines": [
            {
                **line,
                "diagnosis_pointers": pointer_letters(diagnoses, line["diagnosis_pointers"]),
                "diagnosis_codes": list(line["diagnosis_pointers"]),
            }
            for line in document.get("lines", [])
        ],
        "timed_minutes": _explained(document.get("timed_minutes")),
    }


def _explained(timed: dict | None) -> dict | None:
    if timed is None:
        return None
    return {
        **timed,
        "services": [
            {
                **share,
                "explanation": explain_share(TimedShare(**share), timed["total"], timed["units"]),
            }
            for share in timed["services"]
        ],
    }


def coding_from_document(document: dict) -> Coding:
    return Coding(
        lines=tuple(
            BillingLine(
                cpt=line["cpt"],
                units=line["units"],
                modifiers=tuple(line.get("modifiers", ())),
                diagnosis_pointers=tuple(line.get("diagnosis_pointers", ())),
                minutes=line.get("minutes"),
                regions=tuple(line.get("regions", ())),
            )
            for line in document.get("lines", ())
        ),
        diagnoses=tuple(document.get("diagnoses", ())),
        warnings=tuple(CodingWarning(**w) for w in document.get("warnings", ())),
        timed_minutes=_timed_from_document(document.get("timed_minutes")),
    )


def _timed_from_document(document: dict | None) -> TimedMinutes | None:
    if document is None:  # frozen before the summary was kept
        return None
    return TimedMinutes(
        total=document["total"],
        units=document["units"],
        bundled=document["bundled"],
        services=tuple(TimedShare(**share) for share in document["services"]),
    )


def derived_coding(visit: Visit) -> Coding:
    """The lines derived from what the visit did, before any payer's rules."""
    return code_visit(visit_facts(visit))


def frozen_coding(visit: Visit) -> dict:
    """The coding a visit keeps from its signing (or a correction) on: derived, as a document."""
    return coding_document(derived_coding(visit))


def base_coding(visit: Visit) -> Coding:
    """Frozen at signing (or re-derived by the last correction), live while a draft."""
    if visit.signed_coding is not None:
        return coding_from_document(visit.signed_coding)
    return derived_coding(visit)


def billed_coding(visit: Visit, payer: Payer) -> Coding:
    """The lines as the payer is billed; a discarded visit bills nothing."""
    if coding_status(visit) == CodingStatus.VOID:
        return Coding((), (), ())
    day = service_day(visit)
    return apply_payer_rules(
        base_coding(visit), payer.payer_type, abn_on_file=payer.abn_on_file(day)
    )


def with_warnings(coding: Coding, extra: list[CodingWarning]) -> Coding:
    return Coding(
        coding.lines, coding.diagnoses, coding.warnings + tuple(extra), coding.timed_minutes
    )


def coding_answer(
    visit: Visit,
    *,
    clinical: bool,
    payer: Payer | None = None,
    extra_warnings: list[CodingWarning] | None = None,
) -> dict:
    """The API's Coding: status, payer, lines, diagnoses; warnings name findings and
    treated regions, so only clinicians see them."""
    payer = payer or visit_payer(visit)
    coding = with_warnings(billed_coding(visit, payer), extra_warnings or [])
    document = answer_lines(coding_document(coding))
    return {
        "status": coding_status(visit),
        "payer_type": payer.payer_type.value if payer.payer_type else None,
        "coverage": payer.coverage.pk if payer.coverage else None,
        "case": payer.case.pk if payer.case else None,
        **document,
        "warnings": document["warnings"] if clinical else [],
    }
