"""Filters of a patient's outcome measures."""

import django_filters
from django.db.models import QuerySet

from api.filters import UtcDateTimeFilter
from treatments.outcomes.models import Instrument, OutcomeMeasure, OutcomeStatus


class OutcomeFilter(django_filters.FilterSet):
    instrument = django_filters.MultipleChoiceFilter(
        choices=Instrument.choices, help_text="Only these instruments."
    )
    measured_after = UtcDateTimeFilter(
        field_name="measured_at", lookup_expr="gte", help_text="Measured at or after this time."
    )
    measured_before = UtcDateTimeFilter(
        field_name="measured_at", lookup_expr="lt", help_text="Measured before this time."
    )

    class Meta:
        model = OutcomeMeasure
        fields = ["instrument"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return super().filter_queryset(queryset.filter(status=OutcomeStatus.FINAL))
