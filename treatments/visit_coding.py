"""Turns a stored visit into the plain facts treatments.coding bills from."""

from functools import cache

from reference.models import Muscle
from treatments.coding import (
    EXTRASPINAL,
    SPINAL_REGIONS,
    Coding,
    TimedService,
    VisitFacts,
    code_visit,
)
from treatments.models import PlanPhase, Visit


def cmt_region_of(body_region: str) -> str:
    """Spinal body regions are their own CMT region; everything else is extraspinal."""
    return body_region if body_region in SPINAL_REGIONS else EXTRASPINAL


@cache
def muscle_regions() -> dict[str, str]:
    """Muscle code → CMT region; the muscle list is shipped data and does not change."""
    return {
        code: cmt_region_of(region)
        for code, region in Muscle.objects.values_list("code", "body_region")
    }


def visit_facts(visit: Visit) -> VisitFacts:
    """Reads only what visit_list prefetches: no query per visit."""
    regions = muscle_regions()
    timed = [
        TimedService(
            item.modality.cpt_code,
            item.minutes,
            frozenset(regions.get(m, EXTRASPINAL) for m in item.muscles),
        )
        for item in visit.soft_tissue.all()
    ] + [
        TimedService(
            item.exercise.cpt_code,
            item.minutes,
            frozenset({cmt_region_of(item.exercise.body_region)}),
        )
        for item in visit.exercises.all()
        if item.minutes
    ]
    plan = visit.plan
    return VisitFacts(
        adjusted_regions=frozenset(item.segment.cmt_region for item in visit.adjustments.all()),
        timed=tuple(timed),
        diagnoses=tuple(condition.code for condition in plan.conditions.all()) if plan else (),
        active_treatment=plan is None or plan.phase != PlanPhase.MAINTENANCE,
        part_findings={finding.region: finding.letters for finding in visit.findings.all()},
    )


def visit_coding(visit: Visit) -> Coding:
    return code_visit(visit_facts(visit))
