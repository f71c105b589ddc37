"""Reads of billing records, scoped to the caller's clinic; and what a visit's coding reads."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, TypedDict
from zoneinfo import ZoneInfo

from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject, TruncDate
from django.db.models.lookups import IsNull
from rest_framework.exceptions import ValidationError

from api.nested_reads import Nested
from billing.coding import CodingWarning
from billing.error_codes import BillingCode
from billing.models import (
    ClaimPayment,
    CodingCorrection,
    Coverage,
    FeeScheduleEntry,
    InsuranceCase,
)
from billing.visit_coding import (
    PATIENT_CASES,
    PATIENT_COVERAGES,
    PLAN_CASES,
    Payer,
    coding_answer,
    open_cases,
    visit_payer,
)
from billing.visit_facts import PATIENT_CONDITIONS, clinic_zone, service_day
from clinics.models import User
from patients.models import Condition, Patient
from treatments.models import Visit, VisitStatus
from treatments.visits.selectors import visit_list


class CaseCounts(TypedDict):
    """What case_list annotates each case with."""

    visits_used: int


if TYPE_CHECKING:
    # django-stubs' type of an annotated row (its helpers ship with the stubs, for the type
    # checker only): a case as case_list reads it.
    from django_stubs_ext import WithAnnotations

    CountedCase = WithAnnotations[InsuranceCase, CaseCounts]

# Read with a page of visits, in its statement, and kept on each visit: the patient's
# coverages and cases without a plan, the plan's case with its coverage, and (for visits
# outside a plan) the patient's ongoing conditions.
VISIT_BILLING_READS = (
    Nested(
        "patient__coverages",
        Coverage.objects.filter(archived_at__isnull=True).order_by("-starts_on", "id"),
        to_attr=PATIENT_COVERAGES,
        on_parent=True,
    ),
    Nested(
        "plan__cases",
        open_cases(),
        related=("coverage",),
        to_attr=PLAN_CASES,
    ),
    Nested(
        "patient__cases",
        open_cases().filter(plan__isnull=True),
        related=("coverage",),
        to_attr=PATIENT_CASES,
        on_parent=True,
    ),
    Nested(
        "patient__conditions",
        Condition.objects.ongoing(),
        to_attr=PATIENT_CONDITIONS,
        on_parent=True,
    ),
)


def coded_visit_list(*, user: User) -> QuerySet[Visit]:
    """Visits of the caller's clinic with what their representation and their coding read,
    each page in one statement."""
    return visit_list(user=user, reads=VISIT_BILLING_READS)


def coverage_records(*, user: User) -> QuerySet[Coverage]:
    """Every coverage of the caller's clinic, archived ones too: claims made under them still
    name them (the FHIR Coverage answers them as cancelled)."""
    return Coverage.objects.for_clinic(user.clinic_id)


def coverage_list(*, user: User) -> QuerySet[Coverage]:
    return coverage_records(user=user).filter(archived_at__isnull=True)


def plan_case_document(zone: ZoneInfo, plan: OuterRef | None = None) -> Subquery:
    """A plan's case as a document, with its authorisation and the visits it has used
    (visits_used, on the clinic's days): a column of a query of plans (plan progress), or of
    anything naming a plan (`plan=OuterRef("plan_id")`: a page of appointments)."""
    return Subquery(
        open_cases()
        .filter(plan_id=plan if plan is not None else OuterRef("pk"))
        .values(
            document=JSONObject(
                id="id",
                title="title",
                authorisation_number="authorisation_number",
                authorised_visits="authorised_visits",
                authorised_from="authorised_from",
                authorised_to="authorised_to",
                visits_used=visits_used(zone),
            )
        )[:1]
    )


@dataclass(frozen=True)
class CaseTerms:
    """What a case authorises, and the visits it has used: read from plan_case_document."""

    title: str
    authorisation_number: str
    authorised_visits: int | None
    authorised_from: date | None
    authorised_to: date | None
    visits_used: int

    @classmethod
    def of(cls, document: dict) -> "CaseTerms":
        def day(text: str | None) -> date | None:
            return date.fromisoformat(text) if text else None

        return cls(
            title=document["title"],
            authorisation_number=document["authorisation_number"],
            authorised_visits=document["authorised_visits"],
            authorised_from=day(document["authorised_from"]),
            authorised_to=day(document["authorised_to"]),
            visits_used=document["visits_used"] or 0,
        )


def appointment_warnings(terms: CaseTerms | None, *, day: date, booked_before: int) -> list:
    """Whether an appointment of a plan on `day` goes beyond its case's authorisation: the
    visits used, the plan's open appointments before it and itself, against the visits and
    dates authorised. Reads nothing: a page of appointments and a series are checked in the
    statements that read them."""
    if terms is None:
        return []
    number = terms.visits_used + booked_before + 1
    problems = authorisation_problems(terms, day=day, number=number)
    return [beyond_authorisation(terms, problems, "appointment")] if problems else []


def case_list(*, user: User) -> "QuerySet[CountedCase]":
    return (
        InsuranceCase.objects.for_clinic(user.clinic_id)
        .filter(archived_at__isnull=True)
        .select_related("coverage")
        .annotate(visits_used=visits_used(ZoneInfo(user.staff_clinic.time_zone)))
    )


def fee_list(*, user: User) -> QuerySet[FeeScheduleEntry]:
    return FeeScheduleEntry.objects.for_clinic(user.clinic_id).filter(archived_at__isnull=True)


MAX_STATEMENT_VISITS = 500


def billed_visits(*, user: User) -> QuerySet[Visit]:
    """Visits with what a claim prints of them: the treating chiropractor, patient, clinic."""
    return coded_visit_list(user=user).select_related("chiropractor", "patient", "clinic")


def statement_visits(
    *, user: User, patient: Patient, date_from: date, date_to: date
) -> list[Visit]:
    """The patient's signed visits whose date of service (the clinic's) is in the range."""
    zone = ZoneInfo(user.staff_clinic.time_zone)
    start = datetime.combine(date_from, time.min, zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, zone)
    found = list(
        billed_visits(user=user)
        .filter(patient=patient, status=VisitStatus.SIGNED, visit_at__gte=start, visit_at__lt=end)
        .order_by("visit_at")[: MAX_STATEMENT_VISITS + 1]
    )
    if len(found) > MAX_STATEMENT_VISITS:
        raise ValidationError(
            {"date_to": [f"More than {MAX_STATEMENT_VISITS} visits: choose a shorter range."]},
            code=BillingCode.TOO_MANY_VISITS,
        )
    return found


def payments_of(visit: Visit) -> QuerySet[ClaimPayment]:
    return ClaimPayment.objects.filter(visit=visit).select_related("coverage")


def corrections_of(visit: Visit) -> QuerySet[CodingCorrection]:
    return CodingCorrection.objects.filter(visit=visit).select_related("created_by")


def counted_visits(case: InsuranceCase, zone: ZoneInfo) -> QuerySet[Visit]:
    """The signed visits a case's authorisation counts: of its patient, on days (the
    clinic's) within its authorised dates, and of its plan when it has one."""
    visits = Visit.objects.filter(patient_id=case.patient_id, status=VisitStatus.SIGNED)
    if case.plan_id:
        visits = visits.filter(plan_id=case.plan_id)
    visits = visits.annotate(day=TruncDate("visit_at", tzinfo=zone))
    if case.authorised_from:
        visits = visits.filter(day__gte=case.authorised_from)
    if case.authorised_to:
        visits = visits.filter(day__lte=case.authorised_to)
    return visits


def visits_used(zone: ZoneInfo) -> Subquery:
    """counted_visits() of each case of a query, as a column of its own statement."""
    visits = (
        Visit.objects.filter(patient_id=OuterRef("patient_id"), status=VisitStatus.SIGNED)
        .filter(Q(plan_id=OuterRef("plan_id")) | Q(IsNull(OuterRef("plan_id"), True)))
        .annotate(day=TruncDate("visit_at", tzinfo=zone))
        .filter(
            Q(IsNull(OuterRef("authorised_from"), True)) | Q(day__gte=OuterRef("authorised_from"))
        )
        .filter(Q(IsNull(OuterRef("authorised_to"), True)) | Q(day__lte=OuterRef("authorised_to")))
        .order_by()
        .annotate(n=Func(F("id"), function="COUNT"))
        .values("n")
    )
    return Subquery(visits, output_field=IntegerField())


def authorisation_problems(
    case: "InsuranceCase | CaseTerms", *, day: date, number: int
) -> list[str]:
    """What is wrong with the `number`-th visit of a case on `day`, if anything."""
    problems = []
    if case.authorised_from and day < case.authorised_from:
        problems.append(f"before the authorisation starts ({case.authorised_from})")
    if case.authorised_to and day > case.authorised_to:
        problems.append(f"after the authorisation ends ({case.authorised_to})")
    if case.authorised_visits is not None and number > case.authorised_visits:
        problems.append(f"visit {number} of {case.authorised_visits} authorised")
    return problems


def beyond_authorisation(
    case: "InsuranceCase | CaseTerms", problems: list[str], what: str
) -> CodingWarning:
    number = f" (authorisation {case.authorisation_number})" if case.authorisation_number else ""
    return CodingWarning(
        "beyond_authorisation",
        f"This {what} is {' and '.join(problems)} under case “{case.title}”{number}: the payer "
        "may deny it. Ask the payer for more visits, or agree with the patient who pays.",
    )


def authorisation_warnings(visit: Visit, payer: Payer) -> list[CodingWarning]:
    """Whether the visit falls outside its case's authorised dates or beyond its visits."""
    case = payer.case
    if case is None or visit.status == VisitStatus.ENTERED_IN_ERROR:
        return []
    number = 1
    if case.authorised_visits is not None:
        earlier = (
            counted_visits(case, clinic_zone(visit))
            .filter(visit_at__lte=visit.visit_at)
            .exclude(pk=visit.pk)
        )
        number = earlier.count() + 1
    problems = authorisation_problems(case, day=service_day(visit), number=number)
    return [beyond_authorisation(case, problems, "visit")] if problems else []


def visit_coding_answer(visit: Visit, *, clinical: bool, single: bool) -> dict:
    """The coding a visit shows. A single visit's answer also checks its case's
    authorisation (a count); a page of visits does not, so that its statements stay flat."""
    payer = visit_payer(visit)
    extra = authorisation_warnings(visit, payer) if single else []
    return coding_answer(visit, clinical=clinical, payer=payer, extra_warnings=extra)
