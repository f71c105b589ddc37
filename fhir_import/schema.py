"""The import's Bundle and its answer in the OpenAPI contract (FHIR's own documents: each
element is as the specification says, https://hl7.org/fhir/R4/http.html#transaction)."""

from fhir_api.schema import component, resource_schema

SPEC = "https://hl7.org/fhir/R4"


def _bundle(description: str, types: list[str], entry: dict) -> dict:
    return {
        "type": "object",
        "description": description,
        "properties": {
            "resourceType": {
                "type": "string",
                "enum": ["Bundle"],
                "example": "Bundle",
                "description": "The FHIR resource type.",
            },
            "type": {
                "type": "string",
                "enum": types,
                "example": types[0],
                "description": f"One of {', '.join(f'`{t}`' for t in types)}.",
            },
            "entry": {"type": "array", "description": entry.pop("description"), "items": entry},
        },
        "required": ["resourceType", "type"],
        "additionalProperties": True,
    }


IMPORT_BUNDLE = _bundle(
    f"A `transaction` or `batch` Bundle ({SPEC}/bundle.html) of Patient, Condition, Coverage and "
    "Observation resources to create in the caller's clinic.",
    ["transaction", "batch"],
    {
        "description": "The resources, each with `request` POST to its type. Entries refer to "
        "each other by `fullUrl` (`urn:uuid:…`), or to an existing `Patient/<id>`.",
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

IMPORT_RESPONSE_BUNDLE = _bundle(
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
                "written) or the refusal's (`400 …`, `403 …`, `409 …`, `422 …`); `location` "
                "`<type>/<id>` (`/_history/<version>` when written); `outcome`: why it was "
                "refused, or what of it was not kept.",
                "properties": {
                    "status": {"type": "string", "description": "Status code and phrase."},
                    "location": {"type": "string", "description": "The record."},
                    "etag": {"type": "string", "description": "Its version, when written."},
                    "lastModified": {
                        "type": "string",
                        "format": "date-time",
                        "description": "When it was written.",
                    },
                    "outcome": resource_schema("OperationOutcome"),
                },
                "required": ["status"],
            },
        },
        "required": ["response"],
    },
)

IMPORT_BUNDLE_REF = resource_schema("ImportBundle")
IMPORT_RESPONSE_BUNDLE_REF = resource_schema("ImportResponseBundle")


def document_import_bundles(result: dict, generator, request, public) -> dict:
    """The import's Bundles as named components: the body is offered in two media types, and
    an inline schema in both would make a generated client define its models twice."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas[component("ImportBundle")] = IMPORT_BUNDLE
    schemas[component("ImportResponseBundle")] = IMPORT_RESPONSE_BUNDLE
    return result
