"""What the FHIR face answers besides the shared plumbing's codes (api.error_codes)."""

from api.error_codes import ErrorCodes


class FhirCode(ErrorCodes):
    """Refusals of a FHIR request, answered as an OperationOutcome."""

    INVALID_SEARCH_VALUE = "invalid_search_value", 400
    UNSUPPORTED_MODIFIER = "unsupported_modifier", 400
    UNSUPPORTED_FORMAT = "unsupported_format", 406
    # The import (`POST /fhir/R4/`): the Bundle, then each of its entries.
    INVALID_BUNDLE = "invalid_bundle", 400
    TOO_MANY_ENTRIES = "too_many_entries", 413
    INVALID_ENTRY = "invalid_entry", 400
    UNSUPPORTED_RESOURCE_TYPE = "unsupported_resource_type", 422
    NOT_MAPPABLE = "not_mappable", 422
    UNRESOLVED_REFERENCE = "unresolved_reference", 422
