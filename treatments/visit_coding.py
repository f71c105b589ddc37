"""Turns a stored visit into the plain facts treatments.coding bills from."""

import json
from dataclasses import asdict

from api.shipped_rows import shipped_rows
from patients.models import VerificationStatus
from reference.models import Muscle, Segment
from treatments.coding import SPINAL_REGIONS, Coding, TimedService, VisitFacts, code_visit
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
# Diagnoses that no longer stand are not billed.
VOID_DIAGNOSES = frozenset({VerificationStatus.ENTERED_IN_ERROR, VerificationStatus.REFUTED})


def segment_region(segment: Segment) -> str:
    return (
        segment.cmt_region if segment.cmt_region in SPINAL_REGIONS else JOINT_REGIONS[segment.code]
    )


def visit_facts(visit: Visit) -> VisitFacts:
    """Reads only what visit_list prefetches: no query per visit."""
    muscles = shipped_rows(Muscle)  # a muscle bills in its body region
    timed = [
        TimedService(
            item.modality.cpt_code,
            item.minutes,
            frozenset(muscles[m].body_region if m in muscles else "" for m in item.muscles),
        )
        for item in visit.soft_tissue.all()
    ] + [
        TimedService(item.exercise.cpt_code, item.minutes, frozenset({item.exercise.body_region}))
        for item in visit.exercises.all()
        if item.minutes
    ]
    plan = visit.plan
    diagnoses = (
        tuple(c.code for c in plan.conditions if c.verification_status not in VOID_DIAGNOSES)
        if plan
        else ()
    )
    return VisitFacts(
        adjusted_regions=frozenset(
            segment_region(item.segment) for item in visit.adjustments.all()
        ),
        timed=tuple(timed),
        diagnoses=diagnoses,
        has_plan=plan is not None,
        active_treatment=plan is not None and plan.phase != PlanPhase.MAINTENANCE,
        part_findings={finding.region: finding.letters for finding in visit.findings.all()},
    )


def visit_coding(visit: Visit) -> Coding:
    return code_visit(visit_facts(visit))


def coding_document(coding: Coding) -> dict:
    """The coding as JSON-ready data, in the shape of the API's Coding schema."""
    return json.loads(json.dumps(asdict(coding)))


def visit_billing(visit: Visit, *, clinical: bool) -> dict:
    """Billing of the visit: frozen at signing, derived live while it is a draft. Warnings
    name findings and treated regions, so only clinicians see them."""
    document = visit.signed_coding or coding_document(visit_coding(visit))
    return document if clinical else {**document, "warnings": []}
