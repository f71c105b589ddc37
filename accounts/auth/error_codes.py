"""Auth error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class AuthCode(ErrorCodes):
    """What logging in answers."""

    INVALID_CHALLENGE = "invalid_challenge", 400
    INVALID_CREDENTIALS = "invalid_credentials", 400
