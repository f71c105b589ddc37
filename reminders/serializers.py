"""A reminder as the front desk reads it: what was sent, to whom, how it went."""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from api.serializers import CachedModelSerializer
from reminders.models import AppointmentReminder, Channel, SkipReason

REMINDER_EXAMPLE = {
    "id": "3f2e1d0c-9b8a-4766-8554-4433221100ff",
    "appointment": "9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
    "patient": "5b0f1f8e-3c1d-4a55-9a63-0f4d2a8c9e11",
    "hours_before": 24,
    "start_at": "2026-12-08T15:00:00Z",
    "channel": "email",
    "recipient": "maria.garcia@example.com",
    "status": "sent",
    "reason": "",
    "error": "",
    "attempts": 1,
    "message_id": "<176512345678.2816.1234567890@back-in-line.example>",
    "created_at": "2026-12-07T15:00:04Z",
    "sent_at": "2026-12-07T15:00:05Z",
    "updated_at": "2026-12-07T15:00:05Z",
}


@extend_schema_serializer(
    examples=[
        OpenApiExample("Sent by email", value=REMINDER_EXAMPLE, response_only=True),
        OpenApiExample(
            "Skipped: the patient opted out",
            value={
                **REMINDER_EXAMPLE,
                "channel": "",
                "recipient": "",
                "status": "skipped",
                "reason": "opted_out",
                "attempts": 0,
                "message_id": "",
                "sent_at": None,
            },
            response_only=True,
        ),
    ]
)
class AppointmentReminderSerializer(CachedModelSerializer):
    # Declared: a read-only model field with blank choices would not document its empty value.
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        allow_blank=True,
        read_only=True,
        help_text="How it was sent: `email`, or `sms` where an SMS provider is configured and "
        "the patient prefers text messages; empty when skipped.",
    )
    reason = serializers.ChoiceField(
        choices=SkipReason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why a skipped reminder was not sent; empty otherwise.",
    )

    class Meta:
        model = AppointmentReminder
        fields = [
            "id",
            "appointment",
            "patient",
            "hours_before",
            "start_at",
            "channel",
            "recipient",
            "status",
            "reason",
            "error",
            "attempts",
            "message_id",
            "created_at",
            "sent_at",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The reminder's identifier."},
            "appointment": {"help_text": "The appointment it reminds of."},
            "patient": {"help_text": "The appointment's patient."},
            "hours_before": {
                "help_text": "Which reminder: 48 or 24 hours before the start (the clinic's "
                "`appointment_reminders`). Sent late when the appointment was booked inside "
                "that window, never less than 2 hours before."
            },
            "start_at": {
                "help_text": "The appointment's start this reminder announced; a moved "
                "appointment gets a reminder for its new start."
            },
            "recipient": {"help_text": "The email address or phone number it went to."},
            "status": {
                "help_text": "`sending` (claimed by the sender), `sent`, `failed` (tried again "
                "on later passes, a bounded number of times, while still due) or `skipped`."
            },
            "error": {"help_text": "The mail server's or SMS provider's refusal, when it failed."},
            "attempts": {"help_text": "How many times it was tried."},
            "message_id": {
                "help_text": "The email's Message-ID, or the SMS provider's message id."
            },
            "created_at": {"help_text": "When the reminder fell due and was claimed."},
            "sent_at": {"help_text": "When it was handed to the mail server or the provider."},
            "updated_at": {"help_text": "When the reminder last changed."},
        }
