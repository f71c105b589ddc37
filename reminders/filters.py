"""The searches of the reminders sent: one appointment's, one patient's, by status."""

import django_filters

from reminders.models import AppointmentReminder, ReminderStatus


class AppointmentReminderFilter(django_filters.FilterSet):
    appointment = django_filters.UUIDFilter(
        field_name="appointment_id", help_text="Only this appointment's reminders."
    )
    patient = django_filters.UUIDFilter(
        field_name="patient_id", help_text="Only this patient's reminders."
    )
    status = django_filters.MultipleChoiceFilter(
        choices=ReminderStatus.choices, help_text="Only reminders with these statuses."
    )

    class Meta:
        model = AppointmentReminder
        fields = ["appointment", "patient", "status"]
