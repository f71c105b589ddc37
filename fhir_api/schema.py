"""The FHIR endpoints in the OpenAPI contract.

FHIR resources are described by their specification and profiles, not re-typed here: each
resource type is one component (`FhirPatient`, …) that names its `resourceType`, links its
profile and the CapabilityStatement, and admits every other element. A search answers a
`FhirBundle`; every error an `FhirOperationOutcome` whose issues carry the API's error codes.
"""

import copy

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from inflection import camelize

from fhir_api.kinds import CatalogueKind, Kind
from fhir_api.registry import KINDS
from fhir_api.systems import ERROR_CODE, us_core

SPEC = "https://hl7.org/fhir/R4"
FHIR_PATH = "/fhir/"
FHIR_JSON = "application/fhir+json"


def component(name: str) -> str:
    return f"Fhir{name}"


def resource_schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{component(name)}"}


FORMAT_VALUES = ["json", "application/json", "application/fhir+json"]
# A named component, not an inline enum: a generated client names an inline enum after its
# operation and parameter, and `_format` would then clash with DRF's own `format` parameter.
FORMAT_PARAMETER = OpenApiParameter(
    "_format",
    {"$ref": f"#/components/schemas/{component('Format')}"},
    OpenApiParameter.QUERY,
    description="`json`, `application/json` or `application/fhir+json` (the only format served); "
    "any other answers 406.",
)
COUNT_PARAMETER = OpenApiParameter(
    "_count",
    {"type": "integer", "minimum": 1, "maximum": 999_999_999},
    OpenApiParameter.QUERY,
    description="Resources per page (default 20); more than 100 are served 100 at a time.",
    examples=[],
)
INCLUDE_PARAMETER = OpenApiParameter(
    "_include",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    many=True,
    description="`<Type>:<reference parameter>` (e.g. `Condition:patient`): add the resources "
    "the matches point at (search mode `include`). At most 10 inclusions.",
)
REVINCLUDE_PARAMETER = OpenApiParameter(
    "_revinclude",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    many=True,
    description="`<Type>:<reference parameter>` (e.g. `Provenance:target`): add the resources "
    "that point at the matches (at most 1,000 per inclusion).",
)
CURSOR_PARAMETER = OpenApiParameter(
    "_cursor",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="Where the page starts: copy the Bundle's `next` link rather than build it.",
)


def read_schema(kind: Kind):
    profile = ", ".join(us_core(p) for p in kind.profiles) or "the base FHIR R4 resource"
    unknown = "An unknown id" if isinstance(kind, CatalogueKind) else "Another clinic's id"
    return extend_schema(
        operation_id=f"fhir_{kind.name.lower()}_read",
        summary=f"Read a {kind.name}",
        description=f"{kind.summary}\n\nConforms to {profile}. {unknown} answers 404.",
        parameters=[FORMAT_PARAMETER],
        request=None,
        tags=["FHIR"],
        responses={200: resource_schema(kind.name)},
    )


def search_schema(kind: Kind):
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
        parameters=[
            *parameters,
            COUNT_PARAMETER,
            CURSOR_PARAMETER,
            # A type served from code references no records to include.
            *([] if isinstance(kind, CatalogueKind) else [INCLUDE_PARAMETER, REVINCLUDE_PARAMETER]),
            FORMAT_PARAMETER,
        ],
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
                "description": "The resource's id: a record's is the REST API's id of the same "
                "record (a UUID; an audit event's is a number); a definition served from code "
                "has a word (`Questionnaire/ndi`).",
                "example": "0b5f3c1e-8d3a-4c8e-9a53-5f1e2b7c9d10",
            },
        },
        "required": ["resourceType"],
        "additionalProperties": True,
    }


def components(kinds: list[Kind]) -> dict[str, dict]:
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
    found[component("CapabilityStatement")] = _resource_component(
        "CapabilityStatement", f"What this server serves ({SPEC}/capabilitystatement.html)."
    )
    found[component("Format")] = {
        "type": "string",
        "enum": FORMAT_VALUES,
        "description": "The FHIR `_format` values served: all mean FHIR JSON.",
        "example": "json",
    }
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


def _operation_path(path: str, item: dict) -> str:
    """A FHIR operation's path (`…/Group/{id}/$export`): drf-spectacular drops the `$` of a
    route, so the operation names itself in `x-fhir-operation`."""
    for operation in item.values():
        name = operation.get("x-fhir-operation") if isinstance(operation, dict) else None
        if name:
            return f"{path.rsplit('/', 1)[0]}/{name}"
    return path


def document_fhir(result: dict, generator, request, public) -> dict:
    """The FHIR operations' errors as OperationOutcomes in FHIR JSON, and the components."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    typed: list[tuple[str, str, dict]] = []
    result["paths"] = {_operation_path(path, item): item for path, item in result["paths"].items()}
    for path, item in result.get("paths", {}).items():
        if not path.startswith(FHIR_PATH):
            continue
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            responses = operation.get("responses", {})
            # DRF answers 404 to an unknown `format` query parameter, on any operation.
            responses.setdefault(
                "404",
                {
                    "description": "Not found: no such resource, or an unknown `format`."
                    "\n\nCodes: `not_found`.",
                    "x-error-codes": ["not_found"],
                    "content": {FHIR_JSON: {"schema": {}}},
                },
            )
            for status in [code for code, r in responses.items() if _answers_nothing(code, r)]:
                # A read's `_format` made the generator add a 400 no read can answer.
                _drop_own_bodies(schemas, responses.pop(status))
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400 and "content" in response:
                    _drop_own_bodies(schemas, response)
                    response["content"] = {FHIR_JSON: {"schema": {}}}
                    typed.append((operation["operationId"], status, response))
    schemas.update(components(KINDS))
    _type_the_codes(schemas, typed)
    # The API-shaped error bodies made per FHIR operation before this hook: none reads them.
    for name in [n for n in schemas if n.startswith("Fhir") and "Error" in n]:
        del schemas[name]
    return result


def _drop_own_bodies(schemas: dict, response: dict) -> None:
    """The API-shaped error bodies made for a FHIR operation alone
    (`FhirPatientSearchErrorResponse400`): no other operation reads them."""
    for media in response.get("content", {}).values():
        own = media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
        if own.startswith("Fhir"):
            schemas.pop(own, None)


def _answers_nothing(status: str, response: dict) -> bool:
    return status == "400" and not response.get("x-error-codes")


def _type_the_codes(schemas: dict, typed: list[tuple[str, str, dict]]) -> None:
    """Each FHIR error response's OperationOutcome with `details.coding[].code` an enum of the
    codes its operation answers with that status (its `x-error-codes`): one shared component
    per status where every operation answers it alike, else one per operation."""
    by_status: dict[str, set[frozenset[str]]] = {}
    for _, status, response in typed:
        by_status.setdefault(status, set()).add(frozenset(response.get("x-error-codes", ())))
    for operation_id, status, response in typed:
        codes = sorted(response.get("x-error-codes", ()))
        name = (
            f"FhirOperationOutcome{status}"
            if len(by_status[status]) == 1
            else f"{camelize(operation_id)}OperationOutcome{status}"
        )
        if name not in schemas:
            outcome = copy.deepcopy(schemas[component("OperationOutcome")])
            outcome["description"] = f"{outcome['description']} Answered with status {status}."
            outcome["properties"]["issue"]["items"]["properties"]["details"] = {
                "type": "object",
                "description": "The API's error code and the reason.",
                "properties": {
                    "coding": {
                        "type": "array",
                        "description": f"The API's code (system `{ERROR_CODE}`).",
                        "items": {
                            "type": "object",
                            "properties": {
                                "system": {"type": "string", "enum": [ERROR_CODE]},
                                "code": {"type": "string", "enum": codes},
                            },
                            "required": ["system", "code"],
                        },
                    },
                    "text": {"type": "string", "description": "Why, for a person to read."},
                },
                "required": ["coding", "text"],
            }
            schemas[name] = outcome
        ref = {"schema": {"$ref": f"#/components/schemas/{name}"}}
        # Answered in FHIR JSON, or plain JSON when that is what the client accepts.
        response["content"] = {FHIR_JSON: ref, "application/json": copy.deepcopy(ref)}
