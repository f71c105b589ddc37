"""A clinic that sends reminders, its calendar, a real SMTP server the tests start (aiosmtpd)
and an SMS provider of the tests' own, plugged into the provider interface."""

import datetime
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from scheduling.models import Appointment, AppointmentType

# Tuesday 8 December 2026, 10:00 in New York (the test clinic's zone): 15:00 UTC.
START = datetime.datetime(2026, 12, 8, 15, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@dataclass
class Inbox:
    """What the SMTP server accepted: each message as its recipients and parsed content."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default_policy)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[Inbox]:
    """A real SMTP server on a free local port, Django's SMTP backend pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.REMINDER_FROM_EMAIL = "reminders@back-in-line.example"
    yield inbox
    controller.stop()


class CollectingSms:
    """An SMS provider of the tests' own: it keeps what it is asked to send."""

    sent: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> str:
        CollectingSms.sent.append((to, text))
        return f"sms-{len(CollectingSms.sent)}"


@pytest.fixture
def sms_provider(settings) -> Iterator[list[tuple[str, str]]]:
    CollectingSms.sent = []
    settings.REMINDER_SMS_PROVIDER = "tests.reminders.conftest.CollectingSms"
    yield CollectingSms.sent


@pytest.fixture
def reminding_clinic(clinic):
    clinic.appointment_reminders = "24h"
    clinic.phone = "+1 617 555 0100"
    clinic.save()
    return clinic


@pytest.fixture
def treatment_type(reminding_clinic) -> AppointmentType:
    """A type whose name is clinical: it must never appear in a reminder."""
    return AppointmentType.objects.create(
        clinic=reminding_clinic, name="Lumbar flexion-distraction", duration_minutes=15
    )


@pytest.fixture
def book(reminding_clinic, chiropractor, front_desk, treatment_type):
    def book(patient, start: datetime.datetime = START, **fields) -> Appointment:
        return Appointment.objects.create(
            clinic=reminding_clinic,
            patient=patient,
            chiropractor=chiropractor,
            appointment_type=treatment_type,
            start_at=start,
            end_at=start + datetime.timedelta(minutes=15),
            booked_by=front_desk,
            **fields,
        )

    return book
