"""Appointment reminders: one row per reminder due, claimed before it is sent, kept as sent,
failed or skipped (with why)."""

import uuid

from django.db import models

from tenancy.models import ClinicScopedModel

ERROR_MAX_LENGTH = 500


class HoursBefore(models.IntegerChoices):
    HOURS_24 = 24, "24 hours before"
    HOURS_48 = 48, "48 hours before"


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class ReminderStatus(models.TextChoices):
    SENDING = "sending", "Claimed by a pass, being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (retried on later passes a bounded number of times)"
    SKIPPED = "skipped", "Not sent (see reason)"


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", "The patient opted out of reminders"
    NO_ADDRESS = "no_address", "The patient has no email address (nor phone for SMS)"
    NO_PROVIDER = "no_provider", "The patient can only be texted and no SMS provider is set up"


class AppointmentReminder(ClinicScopedModel):
    """One reminder of one appointment at one start time, `hours_before` it. The unique key
    (appointment, hours_before, start_at) is the claim: whichever pass inserts the row first
    sends it, so a reminder goes out once however many passes or workers run; a moved
    appointment's new start is a new key, so it gets a reminder of its own."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    hours_before = models.PositiveSmallIntegerField(choices=HoursBefore.choices)
    start_at = models.DateTimeField()
    channel = models.CharField(max_length=5, choices=Channel.choices, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=7, choices=ReminderStatus.choices)
    reason = models.CharField(max_length=11, choices=SkipReason.choices, blank=True)
    error = models.CharField(max_length=ERROR_MAX_LENGTH, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    message_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "appointment", "hours_before", "start_at"],
                name="appointment_reminder_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status="skipped", reason__gt="")
                | (~models.Q(status="skipped") & models.Q(reason="")),
                name="appointment_reminder_skipped_with_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_before__in=HoursBefore.values),
                name="appointment_reminder_hours_known",
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "created_at"], name="reminder_created_idx"),
            models.Index(fields=["clinic", "start_at"], name="reminder_start_idx"),
            models.Index(fields=["clinic", "patient", "created_at"], name="reminder_patient_idx"),
            models.Index(fields=["clinic", "status", "created_at"], name="reminder_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.appointment_id} {self.hours_before} h before {self.start_at:%Y-%m-%d %H:%M}"
