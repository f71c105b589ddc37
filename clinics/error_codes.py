"""Clinic error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class ClinicCode(ErrorCodes):
    """What the clinic's staff management answers."""

    LAST_CLINIC_ADMIN = "last_clinic_admin", 409
    NOT_CHIROPRACTOR = "not_chiropractor", 400
    SELF_DEACTIVATION = "self_deactivation", 409
    SELF_MFA_RESET = "self_mfa_reset", 409
