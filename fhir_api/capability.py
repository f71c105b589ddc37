"""The CapabilityStatement (`GET /fhir/R4/metadata`), built from the resource kinds served."""

from api.roles import Role
from fhir_api.kinds import Kind
from fhir_api.registry import KINDS
from fhir_api.search import ReferenceParameter
from fhir_api.systems import (
    AUDIT_ACTION,
    AUDIT_RESOURCE,
    BODY_REGION,
    CHART_NUMBER,
    ERROR_CODE,
    EXERCISE,
    EXERCISE_DOSE,
    EXERCISE_DOSE_EXTENSION,
    GOAL_MEASURE,
    LATERALITY,
    LISTING,
    LOCAL,
    MUSCLE,
    OUTCOME_SCORE,
    PAYER_ID,
    PAYER_TYPE,
    PERFORMED_DOSE,
    PLAN_PHASE,
    PLANNED_INTERVENTION,
    QUESTIONNAIRE,
    RECORD_ID,
    REEXAMINATION_INTERVAL,
    SEGMENT,
    SOFT_TISSUE_MODALITY,
    STAFF_ID,
    STAFF_ROLE,
    TECHNIQUE,
    US_CORE_VERSION,
    VISIT_FREQUENCY,
    VISIT_ID,
    VISIT_PLAN,
    VISIT_TYPE,
    us_core,
)

# The day this statement's content last changed (CapabilityStatement.date).
CHANGED_ON = "2026-12-04"

# This server's own code and identifier systems, where no standard one fits or is certain.
LOCAL_SYSTEMS = {
    ERROR_CODE: "The API's error codes, in OperationOutcome.issue.details (one per refusal).",
    BODY_REGION: "Body regions of conditions and performed care (cervical, lumbar, …).",
    f"{CHART_NUMBER}/<clinic id>": "Chart numbers: a clinic's patient record numbers.",
    OUTCOME_SCORE: "Outcome score components: `percent`, a score as a percent of the maximum "
    "of the sections answered (on an NDI total).",
    LATERALITY: "Extension on a bodySite: its side, as a SNOMED CT laterality qualifier "
    "(7771000 left, 24028007 right, 51440002 right and left).",
    f"{QUESTIONNAIRE}/<odi|ndi>": "Canonical URLs of our Questionnaires (Questionnaire/odi, "
    "Questionnaire/ndi).",
    STAFF_ID: "Staff members' ids (a practitioner's, an audit event's agent), as the REST API's.",
    RECORD_ID: "Other records' ids (an audit event's entities), as the REST API's.",
    PAYER_ID: "Payers' electronic ids, as the clinic bills them (Coverage.payor).",
    STAFF_ROLE: "Staff roles: chiropractor, front_desk, clinic_admin (an audit event's agent).",
    PAYER_TYPE: "Payer types: medicare, medicaid, commercial, personal_injury, "
    "workers_compensation, self_pay (Coverage.type, beside the Source of Payment Typology).",
    AUDIT_ACTION: "The audit trail's actions: read, search, create, sign, amend, login, … "
    "(AuditEvent.subtype, beside FHIR's RESTful interactions).",
    AUDIT_RESOURCE: "What the audit trail calls the records a request touched: patient, "
    "visit, staff, coverage, … (AuditEvent.entity.type).",
    VISIT_ID: "Visits: an Encounter's identifier is its visit's id.",
    VISIT_PLAN: "Extension on an Encounter: the treatment plan (CarePlan) the visit was "
    "logged against.",
    PERFORMED_DOSE: "Extension on a Procedure: minutes (a Duration in UCUM `min`), sets and "
    "repetitions done, as sub-extensions of those names.",
    VISIT_TYPE: "Types of visit (Encounter.type): visit (a chiropractic treatment visit), "
    "reexamination (a re-examination of the plan's progress).",
    SEGMENT: "Spinal segments and joints adjusted (C0 occiput … L5, SACRUM, SHOULDER, …).",
    LISTING: "Listings: the misalignment or restriction an adjustment corrects (Gonstead, "
    "Diversified).",
    TECHNIQUE: "Adjusting techniques (diversified, activator, …); a clinic's own are "
    "`<system>/<clinic id>`.",
    SOFT_TISSUE_MODALITY: "Soft-tissue modalities (myofascial release, IASTM, …).",
    MUSCLE: "Muscles treated (upper trapezius, piriformis, …).",
    EXERCISE: "Stretches and exercises (chin tuck, bird-dog, …); a clinic's own are "
    "`<system>/<clinic id>`.",
    EXERCISE_DOSE: "Parts of an exercise's dose: repetitions, hold-seconds.",
    VISIT_FREQUENCY: "Extension on a CarePlan, one per stage of its visit frequency, in order: "
    "`visitsPerWeek` and `weeks` (positiveInt sub-extensions).",
    REEXAMINATION_INTERVAL: "Extension on a CarePlan: a re-examination is due after `days` or "
    "after `visits` (positiveInt sub-extensions), whichever comes first.",
    EXERCISE_DOSE_EXTENSION: "Extension on an exercise's ServiceRequest: its whole dose, "
    "`sets`, `repetitions`, `holdSeconds`, `timesPerDay`, `daysPerWeek` (integer "
    "sub-extensions).",
    PLAN_PHASE: "Phases of care of a treatment plan: relief, corrective, maintenance.",
    GOAL_MEASURE: "What a goal's target is measured on (nrs_pain, cervical_rotation_degrees, …).",
    PLANNED_INTERVENTION: "Kinds of planned intervention: adjustment, soft-tissue, exercise.",
}


def _roles(readers: frozenset[str]) -> str:
    return ", ".join(Role(role).label.lower() for role in sorted(readers))


# Operations served beyond read and search, by resource type (their official definitions).
OPERATIONS = {
    "Patient": [
        {
            "name": "everything",
            "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
        }
    ],
    "Group": [
        {
            "name": "export",
            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
        }
    ],
}


# What `POST [base]` takes (the FHIR import, fhir_import): Bundles of these types, created.
IMPORTED_TYPES = (
    "Patient",
    "Condition",
    "Coverage",
    "CarePlan",
    "Encounter",
    "QuestionnaireResponse",
    "Observation",
)
IMPORT = (
    f"POST [base] with a Bundle creating (POST) {', '.join(IMPORTED_TYPES)} resources in the "
    "caller's clinic (a CarePlan with its Goals and ServiceRequests, an Encounter with the "
    "Procedures that name it), by chiropractors and clinic admins (outcome measures, plans and "
    "visits: chiropractors); an entry "
    "whose identifier (else fullUrl) was imported before is answered with its record, and "
    "what cannot be kept is answered per entry."
)
SYSTEM_INTERACTIONS = [
    {"code": "transaction", "documentation": f"{IMPORT} All its entries are imported, or none."},
    {"code": "batch", "documentation": f"{IMPORT} Each entry is imported on its own."},
]


def _includes(kind: Kind) -> list[str]:
    return [
        f"{kind.name}:{name}"
        for name, parameter in kind.search.items()
        if isinstance(parameter, ReferenceParameter)
    ]


def _revincludes(kind: Kind) -> list[str]:
    return [
        f"{other.name}:{name}"
        for other in KINDS
        for name, parameter in other.search.items()
        if isinstance(parameter, ReferenceParameter) and parameter.target == kind.name
    ]


def _resource(kind: Kind) -> dict:
    found = {
        "type": kind.name,
        **({"profile": us_core(kind.profiles[0])} if kind.profiles else {}),
        **({"supportedProfile": [us_core(p) for p in kind.profiles]} if kind.profiles else {}),
        "documentation": f"{kind.summary} Read by: {_roles(kind.readers)}.",
        "interaction": [{"code": "read"}, {"code": "search-type"}],
        "searchInclude": _includes(kind),
        "searchRevInclude": _revincludes(kind),
        "searchParam": [
            {"name": name, "type": parameter.type, "documentation": parameter.description}
            for name, parameter in kind.search.items()
        ],
        "operation": OPERATIONS.get(kind.name, []),
    }
    return {key: value for key, value in found.items() if value != []}


def capability_statement(*, base: str) -> dict:
    resources = [_resource(kind) for kind in KINDS] + [
        {
            "type": "Group",
            "documentation": "A clinic's patients, as a group whose id is the clinic's: the "
            "bulk export's subject (clinic admins).",
            "operation": OPERATIONS["Group"],
        }
    ]
    systems = "; ".join(f"{system}: {meaning}" for system, meaning in LOCAL_SYSTEMS.items())
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CHANGED_ON,
        "publisher": "Chiropractic Practice API",
        "kind": "instance",
        "software": {"name": "Chiropractic Practice API"},
        "implementation": {"description": "FHIR R4 over a clinic's records", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "instantiates": [
            f"http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server|{US_CORE_VERSION}",
            "http://hl7.org/fhir/uv/bulkdata/CapabilityStatement/bulk-data",
        ],
        "implementationGuide": [
            f"http://hl7.org/fhir/us/core/ImplementationGuide/hl7.fhir.us.core|{US_CORE_VERSION}"
        ],
        "rest": [
            {
                "mode": "server",
                "documentation": "Every request but this one needs the REST API's bearer token "
                "(POST /api/v1/auth/login); each answers for the caller's clinic only, and "
                f"leaves an audit event. Local code systems (under {LOCAL}): {systems}.",
                "security": {
                    "cors": True,
                    "description": "Authorization: Bearer <token from POST /api/v1/auth/login>.",
                },
                "resource": resources,
                "interaction": SYSTEM_INTERACTIONS,
            }
        ],
    }
