"""What the bulk export answers besides the FHIR face's codes."""

from api.error_codes import ErrorCodes


class ExportCode(ErrorCodes):
    UNKNOWN_TYPE = "unknown_resource_type", 400
    UNSUPPORTED_OUTPUT_FORMAT = "unsupported_output_format", 400
    UNSUPPORTED_EXPORT_PARAMETER = "unsupported_export_parameter", 400
    INVALID_SINCE = "invalid_since", 400
    EXPORT_IN_PROGRESS = "export_in_progress", 429
    EXPORT_FAILED = "export_failed", 500
