"""Filters of the treatment-plan list."""

import django_filters
from django.db.models import QuerySet
from rest_framework.exceptions import PermissionDenied

from api.permissions import may_read_clinical
from treatments.plans.models import PlanPhase, PlanStatus, TreatmentPlan


class TreatmentPlanFilter(django_filters.FilterSet):
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's plans."
    )
    chiropractor = django_filters.UUIDFilter(
        field_name="chiropractor_id", help_text="Only plans of this chiropractor."
    )
    condition = django_filters.UUIDFilter(
        method="filter_condition", help_text="Only plans addressing this condition."
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

    def filter_condition(self, queryset: QuerySet, name: str, value) -> QuerySet:
        # One filter() call, so that both conditions hold for the same link.
        return queryset.filter(
            plan_conditions__condition_id=value, plan_conditions__removed_at__isnull=True
        )

    # Filtering by clinical content would reveal it to roles that may not read it.
    clinical_filters = ("phase", "condition")

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        used = [name for name in self.clinical_filters if self.form.cleaned_data.get(name)]
        # No request, no one to admit.
        if used and (self.request is None or not may_read_clinical(self.request.user)):
            raise PermissionDenied(f"Filtering by {', '.join(used)} needs clinical access.")
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=PlanStatus.ENTERED_IN_ERROR)
        return super().filter_queryset(queryset)
