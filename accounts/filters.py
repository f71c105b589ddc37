"""Searches over break-glass grants."""

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import BreakGlassGrant
from api.filters import StrictBooleanFilter, UtcDateTimeFilter


class BreakGlassFilter(django_filters.FilterSet):
    user = django_filters.UUIDFilter(field_name="user_id", help_text="Grants of this staff member.")
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Grants to this patient's record."
    )
    active = StrictBooleanFilter(
        method="filter_active", help_text="true: grants still working; false: ended or expired."
    )
    granted_after = UtcDateTimeFilter(
        field_name="granted_at", lookup_expr="gte", help_text="Granted at or after this time."
    )
    granted_before = UtcDateTimeFilter(
        field_name="granted_at", lookup_expr="lt", help_text="Granted before this time."
    )

    class Meta:
        model = BreakGlassGrant
        fields: list[str] = []

    def filter_active(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        working = Q(ended_at__isnull=True, expires_at__gt=timezone.now())
        return queryset.filter(working) if value else queryset.exclude(working)
