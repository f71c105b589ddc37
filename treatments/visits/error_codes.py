"""Visit error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class VisitCode(ErrorCodes):
    """What visits answer."""

    BEFORE_PLAN_START = "before_plan_start", 400
    DUPLICATE_REGION = "duplicate_region", 400
    NOT_IN_PLAN = "not_in_plan", 400
    PLAN_NOT_ACTIVE = "plan_not_active", 400
    VISIT_DISCARDED = "visit_discarded", 409
    VISIT_NOT_SIGNED = "visit_not_signed", 409
    VISIT_SIGNED = "visit_signed", 409
