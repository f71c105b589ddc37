"""Outcome error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class OutcomeCode(ErrorCodes):
    """What outcome scores answer."""

    DERIVED_FROM_VISIT = "derived_from_visit", 409
    UNSCORABLE = "unscorable", 400
