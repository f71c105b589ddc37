"""What the FHIR import answers besides the shared plumbing's and the writes' own codes."""

from api.error_codes import ErrorCodes


class ImportCode(ErrorCodes):
    """Refusals of a posted Bundle, then of each of its entries (as OperationOutcomes)."""

    INVALID_BUNDLE = "invalid_bundle", 400
    TOO_MANY_ENTRIES = "too_many_entries", 413
    INVALID_ENTRY = "invalid_entry", 400
    UNSUPPORTED_RESOURCE_TYPE = "unsupported_resource_type", 422
    NOT_MAPPABLE = "not_mappable", 422
    UNRESOLVED_REFERENCE = "unresolved_reference", 422
