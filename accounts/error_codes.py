"""Access error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class AccessCode(ErrorCodes):
    """What break-glass access and a user's own second factor answer."""

    BREAK_GLASS_ENDED = "break_glass_ended", 409
    BREAK_GLASS_NOT_NEEDED = "break_glass_not_needed", 409
    MFA_ALREADY_ENABLED = "mfa_already_enabled", 409
    MFA_NOT_ENABLED = "mfa_not_enabled", 409
    MFA_NOT_ENROLLING = "mfa_not_enrolling", 409
    MFA_REQUIRED = "mfa_required", 409
