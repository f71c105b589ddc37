"""Searches over the audit trail."""

import django_filters

from api.filters import UtcDateTimeFilter
from audit.models import AuditAction, AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    user = django_filters.UUIDFilter(field_name="user_id", help_text="Only this staff member's.")
    patient = django_filters.UUIDFilter(
        field_name="patient_ids",
        lookup_expr="contains",
        method="filter_patient",
        help_text="Only events that touched this patient's record.",
    )
    action = django_filters.MultipleChoiceFilter(
        choices=AuditAction.choices, help_text="Only these actions."
    )
    resource_type = django_filters.CharFilter(
        max_length=40, help_text="Only this kind of record (patient, visit, …)."
    )
    request_id = django_filters.UUIDFilter(help_text="Only the event of this request.")
    occurred_after = UtcDateTimeFilter(
        field_name="occurred_at", lookup_expr="gte", help_text="Events at or after this time."
    )
    occurred_before = UtcDateTimeFilter(
        field_name="occurred_at", lookup_expr="lt", help_text="Events before this time."
    )

    class Meta:
        model = AuditEvent
        fields = ["user", "patient", "action", "resource_type", "request_id"]

    def filter_patient(self, queryset, name, value):
        return queryset.filter(patient_ids__contains=[value])
