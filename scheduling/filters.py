"""The searches of the calendar: the day and week views, one patient's appointments."""

import django_filters
from drf_spectacular.utils import extend_schema_field

from api.filters import IntegerFilter, UtcDateTimeFilter
from scheduling.models import (
    Appointment,
    AppointmentStatus,
    ExceptionKind,
    ScheduleException,
    WaitlistEntry,
    WaitlistStatus,
    WorkingHours,
)


class AppointmentFilter(django_filters.FilterSet):
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only this chiropractor's appointments."
    )
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's appointments."
    )
    plan = django_filters.UUIDFilter(
        field_name="plan_id", help_text="Only appointments carrying out this plan."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=AppointmentStatus.choices, help_text="Only appointments with these statuses."
    )
    start_from = UtcDateTimeFilter(
        field_name="start_at",
        lookup_expr="gte",
        help_text="Appointments starting at or after this time (with its UTC offset).",
    )
    start_before = UtcDateTimeFilter(
        field_name="start_at",
        lookup_expr="lt",
        help_text="Appointments starting before this time (with its UTC offset).",
    )

    class Meta:
        model = Appointment
        fields = ["chiropractor", "patient", "plan", "status", "start_from", "start_before"]


class WorkingHoursFilter(django_filters.FilterSet):
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only this chiropractor's hours."
    )
    weekday = IntegerFilter(
        method="filter_weekday",
        min_value=0,
        max_value=6,
        help_text="Only hours on this weekday (0 = Monday … 6 = Sunday).",
    )

    class Meta:
        model = WorkingHours
        fields = ["chiropractor", "weekday"]

    @extend_schema_field({"type": "integer", "minimum": 0, "maximum": 6})
    def filter_weekday(self, queryset, name, value):
        return queryset.filter(weekday=value)


class ScheduleExceptionFilter(django_filters.FilterSet):
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only this chiropractor's exceptions."
    )
    kind = django_filters.ChoiceFilter(
        choices=ExceptionKind.choices, help_text="Only time off, or only extra hours."
    )
    ends_after = UtcDateTimeFilter(
        method="filter_ends_after",
        help_text="Only exceptions with an occurrence ending after this time (repeating ones "
        "without end always).",
    )

    class Meta:
        model = ScheduleException
        fields = ["chiropractor", "kind", "ends_after"]

    def filter_ends_after(self, queryset, name, value):
        return queryset.exclude(last_ends_at__lte=value)


class WaitlistFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's entries."
    )
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only entries waiting for this chiropractor."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=WaitlistStatus.choices, help_text="Only entries with these statuses."
    )

    class Meta:
        model = WaitlistEntry
        fields = ["patient", "chiropractor", "status"]
