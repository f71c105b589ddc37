"""Filters of the visit list."""

import django_filters
from django.db.models import QuerySet

from api.filters import StrictBooleanFilter, UtcDateTimeFilter
from treatments.visits.models import Visit, VisitStatus


class VisitFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's visits."
    )
    plan = django_filters.UUIDFilter(
        field_name="plan_id", help_text="Only visits logged against this plan."
    )
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only this chiropractor's visits."
    )
    visit_after = UtcDateTimeFilter(
        field_name="visit_at",
        lookup_expr="gte",
        help_text="Visits at or after this time (ISO 8601).",
    )
    visit_before = UtcDateTimeFilter(
        field_name="visit_at", lookup_expr="lt", help_text="Visits before this time (ISO 8601)."
    )
    signed = StrictBooleanFilter(
        method="filter_signed", help_text="true: signed visits only; false: unsigned only."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=VisitStatus.choices,
        help_text="Only these statuses. Without it, discarded visits are left out.",
    )

    class Meta:
        model = Visit
        fields = ["patient", "plan", "chiropractor", "signed", "status"]

    def filter_signed(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(status=VisitStatus.SIGNED if value else VisitStatus.DRAFT)

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=VisitStatus.ENTERED_IN_ERROR)
        return super().filter_queryset(queryset)
