"""The reminders sent, for the front desk to see what a patient was told and when."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api.filters import FilterListsOnlyMixin
from api.permissions import ReminderPermission
from audit.recording import AuditedViewMixin
from clinics.request_user import request_user
from reminders.filters import AppointmentReminderFilter
from reminders.models import AppointmentReminder
from reminders.selectors import reminder_list
from reminders.serializers import AppointmentReminderSerializer


@extend_schema_view(
    list=extend_schema(
        summary="List appointment reminders: sent, failed and skipped, newest first",
        description="Every reminder the clinic's sender claimed (the clinic's "
        "`appointment_reminders` says when), with its channel, recipient and outcome. "
        "Read-only: reminders are written by the job queue, never through the API.",
    ),
    retrieve=extend_schema(summary="Get an appointment reminder"),
)
class AppointmentReminderViewSet(
    AuditedViewMixin,
    FilterListsOnlyMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    permission_classes = [ReminderPermission]
    queryset = AppointmentReminder.objects.none()  # for schema introspection
    serializer_class = AppointmentReminderSerializer
    filterset_class = AppointmentReminderFilter
    lookup_value_converter = "uuid"
    ordering_fields = ["created_at", "start_at"]
    ordering = ["-created_at"]
    audit_resource = "appointment_reminder"

    def get_queryset(self):
        return reminder_list(user=request_user(self.request))
