"""Filters of the treatment-plan list."""

import django_filters
from django.db.models import QuerySet

from treatments.models import PlanPhase, PlanStatus, TreatmentPlan


class TreatmentPlanFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's plans."
    )
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only plans of this chiropractor."
    )
    condition = django_filters.UUIDFilter(
        field_name="plan_conditions__condition_id",
        help_text="Only plans addressing this condition.",
    )
    status = django_filters.MultipleChoiceFilter(
        choices=PlanStatus.choices,
        help_text="Only plans with these statuses. Without it, plans entered in error are left out.",
    )
    phase = django_filters.MultipleChoiceFilter(
        choices=PlanPhase.choices, help_text="Only plans in these phases."
    )
    start_after = django_filters.DateFilter(
        field_name="start_date",
        lookup_expr="gte",
        help_text="Plans starting on or after this date.",
    )
    start_before = django_filters.DateFilter(
        field_name="start_date",
        lookup_expr="lte",
        help_text="Plans starting on or before this date.",
    )

    class Meta:
        model = TreatmentPlan
        fields = ["patient", "chiropractor", "condition", "status", "phase"]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=PlanStatus.ENTERED_IN_ERROR)
        return super().filter_queryset(queryset)
