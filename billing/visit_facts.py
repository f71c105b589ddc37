"""Turns a stored visit into the plain facts billing.coding bills from."""

from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone

from api.shipped_rows import shipped_rows
from billing.coding import SPINAL_REGIONS, Diagnosis, TimedService, VisitFacts
from patients.models import VOID_VERIFICATION_STATUSES, Condition
from reference.models import Muscle, Segment
from treatments.models import PlanPhase, Visit

# CMS extraspinal regions of the extremity joints (the spinal segments bill by CMT region).
JOINT_REGIONS = {
    "SHOULDER": "upper_extremity",
    "ELBOW": "upper_extremity",
    "WRIST": "upper_extremity",
    "HIP": "lower_extremity",
    "KNEE": "lower_extremity",
    "ANKLE": "lower_extremity",
    "TMJ": "head",
    "RIBS": "rib_cage",
}
# Where billing.selectors.VISIT_BILLING_READS attaches a visit's patient's ongoing conditions (visits outside a plan).
PATIENT_CONDITIONS = "billing_conditions"


def clinic_zone(visit: Visit) -> ZoneInfo:
    """The clinic's clock: annotated on visits read by treatments.visits.selectors.visit_list."""
    return ZoneInfo(getattr(visit, "clinic_time_zone", None) or visit.clinic.time_zone)


def service_day(visit: Visit) -> date:
    """The date of service: the visit's date on the clinic's clock."""
    return timezone.localtime(visit.visit_at, clinic_zone(visit)).date()


def segment_region(segment: Segment) -> str:
    return (
        segment.cmt_region if segment.cmt_region in SPINAL_REGIONS else JOINT_REGIONS[segment.code]
    )


def visit_conditions(visit: Visit) -> list[Condition]:
    """The plan's conditions; outside a plan, the patient's ongoing ones (read with the
    visit by billing's nested reads, or here when the visit was read without them)."""
    if visit.plan is not None:
        return [
            c
            for c in visit.plan.conditions
            if c.verification_status not in VOID_VERIFICATION_STATUSES
        ]
    attached = getattr(visit, PATIENT_CONDITIONS, None)
    if attached is None:
        attached = list(Condition.objects.filter(patient_id=visit.patient_id).ongoing())
    return attached


def visit_facts(visit: Visit) -> VisitFacts:
    """Reads only what billing.selectors.coded_visit_list prefetches: no query per visit."""
    muscles = shipped_rows(Muscle)  # a muscle bills in its body region
    # A region recorded on the service itself wins over its muscles' or exercise's.
    timed = [
        TimedService(
            item.modality.cpt_code,
            item.minutes,
            frozenset({item.body_region})
            if item.body_region
            else frozenset(muscles[m].body_region for m in item.muscles if m in muscles),
        )
        for item in visit.soft_tissue.all()
    ] + [
        TimedService(
            item.exercise.cpt_code,
            item.minutes,
            frozenset({item.body_region or item.exercise.body_region}),
        )
        for item in visit.exercises.all()
        if item.minutes
    ]
    plan = visit.plan
    return VisitFacts(
        adjusted_regions=frozenset(
            segment_region(item.segment) for item in visit.adjustments.all()
        ),
        timed=tuple(timed),
        diagnoses=tuple(Diagnosis(c.code, c.body_region) for c in visit_conditions(visit)),
        has_plan=plan is not None,
        active_treatment=plan is not None and plan.phase != PlanPhase.MAINTENANCE,
        part_findings={finding.region: finding.letters for finding in visit.findings.all()},
        service_date=service_day(visit),
    )
