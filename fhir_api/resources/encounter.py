"""Encounter (US Core Encounter): a visit of a patient to a chiropractor at the clinic."""

from django.db.models import QuerySet

from api.permissions import CLINICAL_ROLES
from billing.selectors import coded_visit_list
from billing.visit_coding import base_coding
from billing.visit_facts import visit_conditions
from clinics.models import User
from fhir_api.kinds import ResourceKind
from fhir_api.resources.elements import coding, compact, concept, instant, meta, reference
from fhir_api.search import (
    PATIENT_PARAMETER,
    DateParameter,
    FixedTokenParameter,
    IdentifierParameter,
    IdParameter,
    ReferenceParameter,
    TokenParameter,
)
from fhir_api.systems import (
    ACT_CODE,
    ENCOUNTER_STATUS,
    ICD_10_CM,
    PARTICIPATION_TYPE,
    VISIT_ID,
    VISIT_PLAN,
    VISIT_TYPE,
)
from treatments.visits.models import Visit, VisitStatus

# A draft's note is still being written: the encounter is open until its chiropractor signs
# it (finished). A discarded draft was entered in error. Encounter.status has no "draft".
STATUS = {
    VisitStatus.DRAFT: "in-progress",
    VisitStatus.SIGNED: "finished",
    VisitStatus.ENTERED_IN_ERROR: "entered-in-error",
}
AMBULATORY = coding(ACT_CODE, "AMB", "ambulatory")
# Our own codes of a visit's type: no SNOMED CT or CPT code names a chiropractic visit or
# re-examination certainly enough to stand for it (listed in the CapabilityStatement).
VISIT_TYPES = {False: ("visit", "Chiropractic visit"), True: ("reexamination", "Re-examination")}
# The chiropractor both performs the visit's care and attends it (v3 ParticipationType).
PARTICIPANT_TYPES = [
    concept(PARTICIPATION_TYPE, "PPRF", "primary performer"),
    concept(PARTICIPATION_TYPE, "ATND", "attender"),
]


def encounter_rows(user: User) -> QuerySet[Visit]:
    """The clinic's visits with what their coding reads (its diagnoses), a page in one
    statement."""
    return coded_visit_list(user=user)


def visit_type(visit: Visit) -> dict:
    code, display = VISIT_TYPES[visit.is_reexamination]
    return concept(VISIT_TYPE, code, display, text=display)


def _reasons(visit: Visit) -> tuple[list[dict], list[dict]]:
    """The diagnoses the visit is coded with (ICD-10-CM, primary first: frozen when it was
    signed), and the conditions they come from: the plan's, or the patient's ongoing ones
    for a visit outside a plan (billing's rule), those coded first and in their order."""
    coded = list(base_coding(visit).diagnoses)
    conditions = visit_conditions(visit)
    displays = {condition.code: condition.display for condition in conditions}
    rank = {code: position for position, code in enumerate(coded)}
    ordered = sorted(conditions, key=lambda c: rank.get(c.code, len(rank)))
    codes = [concept(ICD_10_CM, code, displays.get(code)) for code in coded]
    return codes, [reference("Condition", condition.id) for condition in ordered]


def encounter_resource(visit: Visit) -> dict:
    reason_codes, reason_references = _reasons(visit)
    period = {"start": instant(visit.visit_at)}
    return compact(
        {
            "resourceType": "Encounter",
            "id": str(visit.id),
            "meta": meta(visit, "us-core-encounter"),
            "extension": [
                {"url": VISIT_PLAN, "valueReference": reference("CarePlan", visit.plan_id)}
            ]
            if visit.plan_id
            else [],
            "identifier": [{"use": "usual", "system": VISIT_ID, "value": str(visit.id)}],
            "status": STATUS[VisitStatus(visit.status)],
            "class": AMBULATORY,
            "type": [visit_type(visit)],
            "subject": reference("Patient", visit.patient_id),
            "participant": [
                {
                    "type": PARTICIPANT_TYPES,
                    "period": period,
                    "individual": reference("Practitioner", visit.chiropractor_id),
                }
            ],
            # A visit keeps when it began; its end is not recorded.
            "period": period,
            "reasonCode": reason_codes,
            "reasonReference": reason_references,
            "location": [{"location": reference("Location", visit.clinic_id)}],
            "serviceProvider": reference("Organization", visit.clinic_id),
        }
    )


ENCOUNTER = ResourceKind(
    name="Encounter",
    summary="Visits: when, who treated whom, the diagnoses coded (US Core Encounter). The front "
    "desk reads Appointments instead: an encounter's reasons are clinical.",
    rows=encounter_rows,
    resource=encounter_resource,
    readers=CLINICAL_ROLES,
    audit_resource="visit",
    profiles=("us-core-encounter",),
    search={
        "_id": IdParameter("The visit's id."),
        "identifier": IdentifierParameter(
            "The visit's id as its identifier (`value` or `system|value`).",
            column="id",
            system_of=lambda clinic_id: VISIT_ID,
        ),
        "patient": PATIENT_PARAMETER,
        "subject": ReferenceParameter(
            "The patient (`Patient/<id>`).", column="patient_id", target="Patient"
        ),
        "date": DateParameter("When the visit took place.", column="visit_at"),
        "status": TokenParameter(
            "in-progress (a draft), finished (signed), entered-in-error (discarded).",
            column="status",
            system=ENCOUNTER_STATUS,
            codes={fhir: (stored,) for stored, fhir in STATUS.items()},
        ),
        "class": FixedTokenParameter(
            "AMB: every visit is ambulatory (v3 ActCode).", system=ACT_CODE, code="AMB"
        ),
        "type": TokenParameter(
            "visit or reexamination (our visit-type codes).",
            column="is_reexamination",
            system=VISIT_TYPE,
            codes={code: (reexamination,) for reexamination, (code, _) in VISIT_TYPES.items()},
        ),
        "practitioner": ReferenceParameter(
            "The chiropractor (`Practitioner/<id>`).",
            column="chiropractor_id",
            target="Practitioner",
        ),
        "_lastUpdated": DateParameter("When the visit last changed.", column="updated_at"),
    },
    not_held={
        "Encounter.hospitalization": "Chiropractic visits are ambulatory: no one is admitted.",
        "Encounter.hospitalization.dischargeDisposition": "No one is admitted, so none leaves.",
    },
)
