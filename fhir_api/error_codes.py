"""What the FHIR face answers besides the shared plumbing's codes (api.error_codes)."""

from api.error_codes import ErrorCodes


class FhirCode(ErrorCodes):
    """Refusals of a FHIR request, answered as an OperationOutcome."""

    INVALID_SEARCH_VALUE = "invalid_search_value", 400
    UNSUPPORTED_MODIFIER = "unsupported_modifier", 400
    UNSUPPORTED_INCLUDE = "unsupported_include", 400
    UNSUPPORTED_FORMAT = "unsupported_format", 406
