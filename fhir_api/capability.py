"""The CapabilityStatement (`GET /fhir/R4/metadata`), built from the resource kinds served."""

from api.roles import Role
from fhir_api.imports.service import IMPORT_KINDS
from fhir_api.registry import KINDS
from fhir_api.systems import BODY_REGION, CHART_NUMBER, ERROR_CODE, LOCAL, US_CORE_VERSION, us_core

# The day this statement's content last changed (CapabilityStatement.date).
CHANGED_ON = "2026-12-04"

# This server's own code and identifier systems, where no standard one fits or is certain.
LOCAL_SYSTEMS = {
    ERROR_CODE: "The API's error codes, in OperationOutcome.issue.details (one per refusal).",
    BODY_REGION: "Body regions of conditions and performed care (cervical, lumbar, …).",
    f"{CHART_NUMBER}/<clinic id>": "Chart numbers: a clinic's patient record numbers.",
}


# What `POST [base]` takes (fhir_api.imports).
IMPORT_DOCUMENTATION = (
    f"POST [base] with a Bundle creating (POST) {', '.join(IMPORT_KINDS)} resources in the "
    "caller's clinic, by chiropractors and clinic admins (pain scores: chiropractors); an entry "
    "whose identifier (else fullUrl) was imported before is answered with its record, and "
    "what cannot be kept is answered per entry."
)


def _roles(readers: frozenset[str]) -> str:
    return ", ".join(Role(role).label.lower() for role in sorted(readers))


def capability_statement(*, base: str) -> dict:
    resources = [
        {
            "type": kind.name,
            **({"profile": us_core(kind.profiles[0])} if kind.profiles else {}),
            **({"supportedProfile": [us_core(p) for p in kind.profiles]} if kind.profiles else {}),
            "documentation": f"{kind.summary} Read by: {_roles(kind.readers)}.",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": parameter.type, "documentation": parameter.description}
                for name, parameter in kind.search.items()
            ],
        }
        for kind in KINDS
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
            f"http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server|{US_CORE_VERSION}"
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
                "interaction": [
                    {"code": code, "documentation": f"{IMPORT_DOCUMENTATION} {effect}"}
                    for code, effect in (
                        ("transaction", "All its entries are imported, or none."),
                        ("batch", "Each entry is imported on its own."),
                    )
                ],
            }
        ],
    }
