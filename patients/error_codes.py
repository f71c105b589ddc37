"""Patient error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class PatientCode(ErrorCodes):
    """What patients and their conditions answer."""

    BEFORE_BIRTH = "before_birth", 400
    BEFORE_ONSET = "before_onset", 400
    ENTERED_IN_ERROR = "entered_in_error", 409
    INVALID_PHONE = "invalid_phone", 400
    LATERALITY_REQUIRED = "laterality_required", 400
    NOT_BILLABLE = "not_billable", 400
    NOT_RESOLVED = "not_resolved", 400
    OTHER_PATIENT = "other_patient", 400
    PATIENT_ARCHIVED = "patient_archived", 409
    PATIENT_NOT_ARCHIVED = "patient_not_archived", 409
    TOO_OLD = "too_old", 400
    UNKNOWN_CODE = "unknown_code", 400
    USE_DELETE = "use_delete", 400
    USE_DELETE_TO_ARCHIVE = "use_delete_to_archive", 400
