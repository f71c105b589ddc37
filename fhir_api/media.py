"""FHIR's JSON media type: what the FHIR endpoints answer (`application/fhir+json`, or plain
`application/json` for a client that asks for it) and read."""

from api.parsers import BoundedJSONParser
from api.renderers import DocumentRenderer, OrjsonRenderer

FHIR_JSON = "application/fhir+json"


class FhirJsonRenderer(OrjsonRenderer):
    media_type = FHIR_JSON
    format = "fhir+json"
    charset = None  # FHIR JSON is UTF-8 by definition; no charset parameter (RFC 8259)


class FhirAsJsonRenderer(OrjsonRenderer):
    """The same document for `Accept: application/json` (FHIR allows either)."""


class FhirJsonParser(BoundedJSONParser):
    media_type = FHIR_JSON


class NdjsonRenderer(DocumentRenderer):
    """A bulk export's file: FHIR resources, one per line, as written."""

    media_type = "application/fhir+ndjson"
    format = "ndjson"
    charset = None
