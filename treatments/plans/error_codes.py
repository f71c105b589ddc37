"""Plan error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class PlanCode(ErrorCodes):
    """What treatment plans and their items answer."""

    CONDITION_HAS_ACTIVE_PLAN = "condition_has_active_plan", 409
    FREQUENCY_CONFLICT = "frequency_conflict", 400
    INVALID_CONDITION = "invalid_condition", 400
    PATIENT_HAS_ACTIVE_PLAN = "patient_has_active_plan", 409
    PLAN_HAS_STAGES = "plan_has_stages", 400
    PLAN_NOT_EDITABLE = "plan_not_editable", 409
