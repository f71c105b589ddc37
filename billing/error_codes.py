"""Billing error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class BillingCode(ErrorCodes):
    """What coverages, fees, cases, claims and statements answer."""

    BEFORE_SERVICE = "before_service", 400
    COVERAGE_IN_USE = "coverage_in_use", 409
    COVERAGE_OF_ANOTHER_PATIENT = "coverage_of_another_patient", 400
    ENDS_BEFORE_START = "ends_before_start", 400
    FEE_OVERLAPS = "fee_overlaps", 400
    INVALID_IDENTIFIER = "invalid_identifier", 400
    NOTHING_TO_CORRECT = "nothing_to_correct", 400
    RANGE_TOO_LONG = "range_too_long", 400
    TOO_MANY_VISITS = "too_many_visits", 400
