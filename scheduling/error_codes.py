"""Scheduling error codes, each with the one status it answers (api.error_codes)."""

from api.error_codes import ErrorCodes


class SchedulingCode(ErrorCodes):
    """What bookings, working hours, the waitlist and free times answer."""

    APPOINTMENT_NOT_ARRIVED = "appointment_not_arrived", 409
    APPOINTMENT_NOT_MOVABLE = "appointment_not_movable", 409
    APPOINTMENT_OVERLAPS = "appointment_overlaps", 409
    APPOINTMENT_TYPE_DEFAULT_TAKEN = "appointment_type_default_taken", 400
    APPOINTMENT_TYPE_NAME_TAKEN = "appointment_type_name_taken", 400
    BUFFER_OVERLAPS = "buffer_overlaps", 409
    DATE_WITH_WINDOW = "date_with_window", 400
    DAYS_WITHOUT_DATE = "days_without_date", 400
    END_BEFORE_START = "end_before_start", 400
    IN_THE_PAST = "in_the_past", 400
    INACTIVE_TYPE = "inactive_type", 400
    INVALID_RECURRENCE = "invalid_recurrence", 400
    OUTSIDE_WORKING_HOURS = "outside_working_hours", 409
    PATIENT_FIXED = "patient_fixed", 400
    PLAN_CLOSED = "plan_closed", 409
    PLAN_OF_ANOTHER_PATIENT = "plan_of_another_patient", 400
    SERIES_CONFLICTS = "series_conflicts", 409
    TIME_NOT_FREED = "time_not_freed", 409
    TOO_FEW_WEEKDAYS = "too_few_weekdays", 400
    UNUSABLE_RECURRENCE = "unusable_recurrence", 409
    USE_DELETE_TO_WITHDRAW = "use_delete_to_withdraw", 400
    VISIT_OF_ANOTHER_PATIENT = "visit_of_another_patient", 400
    WINDOW_TOO_LONG = "window_too_long", 400
    WORKING_HOURS_OVERLAP = "working_hours_overlap", 400
