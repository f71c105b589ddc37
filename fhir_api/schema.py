"""The FHIR endpoints in the OpenAPI contract.

FHIR resources are described by their specification and profiles, not re-typed here: each
resource type is one component (`FhirPatient`, …) that names its `resourceType`, links its
profile and the CapabilityStatement, and admits every other element. A search answers a
`FhirBundle`; every error an `FhirOperationOutcome` whose issues carry the API's error codes.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema

from fhir_api.kinds import ResourceKind
from fhir_api.registry import KINDS
from fhir_api.systems import ERROR_CODE, us_core

SPEC = "https://hl7.org/fhir/R4"
FHIR_PATH = "/fhir/"
FHIR_JSON = "application/fhir+json"


def component(name: str) -> str:
    return f"Fhir{name}"


def resource_schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{component(name)}"}


FORMAT_PARAMETER = OpenApiParameter(
    "_format",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="`json`, `application/json` or `application/fhir+json` (the only format served); "
    "any other answers 406.",
    enum=["json", "application/json", "application/fhir+json"],
)
COUNT_PARAMETER = OpenApiParameter(
    "_count",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    description="Resources per page (default 20); more than 100 are served 100 at a time.",
    examples=[],
)
CURSOR_PARAMETER = OpenApiParameter(
    "_cursor",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Where the page starts: copy the Bundle's `next` link rather than build it.",
)


def read_schema(kind: ResourceKind):
    profile = ", ".join(us_core(p) for p in kind.profiles) or "the base FHIR R4 resource"
    return extend_schema(
        operation_id=f"fhir_{kind.name.lower()}_read",
        summary=f"Read a {kind.name}",
        description=f"{kind.summary}\n\nConforms to {profile}. Another clinic's id answers 404.",
        parameters=[FORMAT_PARAMETER],
        request=None,
        tags=["FHIR"],
        responses={200: resource_schema(kind.name)},
    )


def search_schema(kind: ResourceKind):
    parameters = [
        OpenApiParameter(
            name,
            OpenApiTypes.STR,
            OpenApiParameter.QUERY,
            description=f"{parameter.description} (FHIR `{parameter.type}`"
            + (
                f"; modifiers: {', '.join(f'`:{m}`' for m in sorted(parameter.modifiers))})"
                if parameter.modifiers
                else ")"
            ),
        )
        for name, parameter in kind.search.items()
    ]
    return extend_schema(
        operation_id=f"fhir_{kind.name.lower()}_search",
        summary=f"Search {kind.name} resources",
        description=f"{kind.summary}\n\nValues separated by commas are alternatives; a parameter "
        "given twice must match both times. Unknown parameters are refused unless the request "
        "says `Prefer: handling=lenient`.",
        parameters=[*parameters, COUNT_PARAMETER, CURSOR_PARAMETER, FORMAT_PARAMETER],
        request=None,
        tags=["FHIR"],
        responses={200: resource_schema("Bundle")},
    )


def _resource_component(name: str, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "resourceType": {
                "type": "string",
                "enum": [name],
                "example": name,
                "description": "The FHIR resource type.",
            },
            "id": {
                "type": "string",
                "description": "The resource's id (the same UUID as the REST API's).",
                "example": "0b5f3c1e-8d3a-4c8e-9a53-5f1e2b7c9d10",
            },
        },
        "required": ["resourceType"],
        "additionalProperties": True,
    }


def components(kinds: list[ResourceKind]) -> dict[str, dict]:
    found = {
        component(kind.name): _resource_component(
            kind.name,
            f"A FHIR R4 {kind.name} ({SPEC}/{kind.name.lower()}.html)"
            + "".join(f", profile {us_core(p)}" for p in kind.profiles)
            + ". Every element is as the specification and profile define; "
            "`GET /fhir/R4/metadata` lists what is served.",
        )
        for kind in kinds
    }
    found[component("Bundle")] = {
        **_resource_component("Bundle", f"A page of search results ({SPEC}/bundle.html)."),
    }
    found[component("Bundle")]["properties"].update(
        {
            "type": {
                "type": "string",
                "enum": ["searchset"],
                "example": "searchset",
                "description": "Always `searchset`: a search's page.",
            },
            "link": {
                "type": "array",
                "description": "`self`, and `next` while more pages follow.",
                "items": {
                    "type": "object",
                    "properties": {
                        "relation": {"type": "string", "example": "next"},
                        "url": {"type": "string", "format": "uri"},
                    },
                    "required": ["relation", "url"],
                },
            },
            "entry": {
                "type": "array",
                "description": "The matches (`search.mode` match) and what `_include` added.",
                "items": {"type": "object", "additionalProperties": True},
            },
        }
    )
    found[component("Bundle")]["required"] = ["resourceType", "type", "link"]
    found.update(import_components())
    found[component("CapabilityStatement")] = _resource_component(
        "CapabilityStatement", f"What this server serves ({SPEC}/capabilitystatement.html)."
    )
    outcome = _resource_component(
        "OperationOutcome",
        f"Why a request was refused ({SPEC}/operationoutcome.html): one issue per error.",
    )
    outcome["properties"]["issue"] = {
        "type": "array",
        "description": "One issue per error.",
        "items": {
            "type": "object",
            "properties": {
                "severity": {
                    "type": "string",
                    "enum": ["fatal", "error", "warning", "information"],
                },
                "code": {
                    "type": "string",
                    "description": "The FHIR issue type (not-found, forbidden, invalid, …).",
                    "example": "not-found",
                },
                "details": {
                    "type": "object",
                    "description": f"`coding[0].code`: the API's error code (system `{ERROR_CODE}`), "
                    "listed per operation in `x-error-codes`; `text`: the reason.",
                    "additionalProperties": True,
                },
                "expression": {
                    "type": "array",
                    "description": "The parameter or element concerned.",
                    "items": {"type": "string"},
                },
            },
            "required": ["severity", "code", "details"],
        },
    }
    outcome["required"] = ["resourceType", "issue"]
    found[component("OperationOutcome")] = outcome
    return found


def _bundle_of(description: str, types: list[str], entry: dict) -> dict:
    bundle = _resource_component("Bundle", description)
    bundle["properties"].update(
        {
            "type": {
                "type": "string",
                "enum": types,
                "example": types[0],
                "description": f"One of {', '.join(f'`{t}`' for t in types)}.",
            },
            "entry": {
                "type": "array",
                "description": entry.pop("description"),
                "items": entry,
            },
        }
    )
    bundle["required"] = ["resourceType", "type"]
    return bundle


def import_components() -> dict[str, dict]:
    """The import's Bundle (`POST /fhir/R4/`) and its answer."""
    posted = _bundle_of(
        f"A `transaction` or `batch` Bundle ({SPEC}/http.html#transaction) of Patient, "
        "Condition, Coverage and Observation resources to create in the caller's clinic.",
        ["transaction", "batch"],
        {
            "description": "The resources, each with `request` POST to its type. Entries refer "
            "to each other by `fullUrl` (`urn:uuid:…`), or to an existing `Patient/<id>`.",
            "type": "object",
            "properties": {
                "fullUrl": {
                    "type": "string",
                    "description": "The entry's id within the Bundle, e.g. `urn:uuid:…`; the "
                    "resource's source key when it has no identifier.",
                },
                "resource": {
                    "type": "object",
                    "description": "The resource; its `identifier`s are its source keys.",
                    "additionalProperties": True,
                },
                "request": {
                    "type": "object",
                    "description": '`{"method": "POST", "url": "<its type>"}`.',
                    "additionalProperties": True,
                },
            },
            "required": ["resource", "request"],
            "additionalProperties": True,
        },
    )
    answered = _bundle_of(
        "What became of each entry posted, in the same order.",
        ["transaction-response", "batch-response"],
        {
            "description": "One per entry posted, in its order.",
            "type": "object",
            "properties": {
                "fullUrl": {
                    "type": "string",
                    "format": "uri",
                    "description": "The record the entry became (absent when refused).",
                },
                "response": {
                    "type": "object",
                    "description": "`status`: `201 Created`, `200 OK` (imported before: nothing "
                    "written) or the refusal's (`400 …`, `403 …`, `409 …`, `422 …`); "
                    "`location` `<type>/<id>` (`/_history/<version>` when written); `outcome`: "
                    "why it was refused, or what of it was not kept.",
                    "properties": {
                        "status": {"type": "string", "description": "Status code and phrase."},
                        "location": {"type": "string", "description": "The record."},
                        "etag": {"type": "string", "description": "Its version, when written."},
                        "lastModified": {
                            "type": "string",
                            "format": "date-time",
                            "description": "When it was written.",
                        },
                        "outcome": {
                            "$ref": f"#/components/schemas/{component('OperationOutcome')}"
                        },
                    },
                    "required": ["status"],
                },
            },
            "required": ["response"],
        },
    )
    return {component("ImportBundle"): posted, component("ImportResponseBundle"): answered}


def document_fhir(result: dict, generator, request, public) -> dict:
    """The FHIR operations' errors as OperationOutcomes in FHIR JSON, and the components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for path, item in result.get("paths", {}).items():
        if not path.startswith(FHIR_PATH):
            continue
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400 and "content" in response:
                    for media in response["content"].values():
                        # The operation's own error body (`FhirPatientSearchErrorResponse400`)
                        # has no other reader.
                        own = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
                        if own.startswith("Fhir"):
                            schemas.pop(own, None)
                    response["content"] = {
                        FHIR_JSON: {"schema": resource_schema("OperationOutcome")}
                    }
    schemas.update(components(KINDS))
    return result
