"""The reminders a clinic's staff may read."""

from django.db.models import QuerySet

from clinics.models import User
from reminders.models import AppointmentReminder


def reminder_list(*, user: User) -> QuerySet[AppointmentReminder]:
    """The caller's clinic's reminders: plain rows, no join (the answer names ids only)."""
    return AppointmentReminder.objects.for_clinic(user.staff_clinic_id)
