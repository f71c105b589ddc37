"""The CapabilityStatement (`GET /fhir/R4/metadata`), built from the resource kinds served."""

from api.roles import Role
from fhir_api.kinds import ResourceKind
from fhir_api.registry import KINDS
from fhir_api.search import ReferenceParameter
from fhir_api.systems import (
    BODY_REGION,
    CHART_NUMBER,
    ERROR_CODE,
    EXERCISE,
    EXERCISE_DOSE,
    GOAL_MEASURE,
    LISTING,
    LOCAL,
    MUSCLE,
    PLAN_PHASE,
    PLANNED_INTERVENTION,
    SEGMENT,
    SOFT_TISSUE_MODALITY,
    TECHNIQUE,
    US_CORE_VERSION,
    us_core,
)

# The day this statement's content last changed (CapabilityStatement.date).
CHANGED_ON = "2026-12-04"

# This server's own code and identifier systems, where no standard one fits or is certain.
LOCAL_SYSTEMS = {
    ERROR_CODE: "The API's error codes, in OperationOutcome.issue.details (one per refusal).",
    BODY_REGION: "Body regions of conditions and performed care (cervical, lumbar, …).",
    f"{CHART_NUMBER}/<clinic id>": "Chart numbers: a clinic's patient record numbers.",
    SEGMENT: "Spinal segments and joints that are adjusted (C5, L_ILIUM, SHOULDER, …).",
    LISTING: "Listings and restrictions found at a segment (Gonstead PRS, Diversified …).",
    TECHNIQUE: "Adjusting techniques shipped with the product (diversified, activator, …).",
    f"{TECHNIQUE}/<clinic id>": "Adjusting techniques a clinic added.",
    SOFT_TISSUE_MODALITY: "Soft-tissue modalities (myofascial_release, …), each billed by CPT.",
    MUSCLE: "Muscles treated (upper_trapezius, …).",
    EXERCISE: "Stretches and exercises shipped with the product (chin_tuck, …).",
    f"{EXERCISE}/<clinic id>": "Stretches and exercises a clinic added.",
    EXERCISE_DOSE: "Parts of an exercise's dose: repetitions, hold-seconds.",
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


def _includes(kind: ResourceKind) -> list[str]:
    return [
        f"{kind.name}:{name}"
        for name, parameter in kind.search.items()
        if isinstance(parameter, ReferenceParameter)
    ]


def _revincludes(kind: ResourceKind) -> list[str]:
    return [
        f"{other.name}:{name}"
        for other in KINDS
        for name, parameter in other.search.items()
        if isinstance(parameter, ReferenceParameter) and parameter.target == kind.name
    ]


def _resource(kind: ResourceKind) -> dict:
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
            }
        ],
    }
