"""A chiropractor's appointments as an iCalendar feed (RFC 5545, written by the icalendar
library) for a calendar app to subscribe to by a secret URL. It carries no PHI beyond the
patient's first name and the initial of the family name."""

import hashlib
import secrets
from collections.abc import Iterable
from datetime import datetime

from icalendar import Calendar, Event

from scheduling.models import Appointment, AppointmentStatus

PRODUCT = "-//Chiropractic Practice API//Calendar feed//EN"
# Statuses a calendar shows as cancelled rather than as a booking.
CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


def new_secret() -> tuple[str, str]:
    """A feed secret (shown once, in the feed's URL) and the digest that is kept."""
    secret = secrets.token_urlsafe(32)
    return secret, secret_digest(secret)


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def patient_label(given_name: str, family_name: str, preferred_name: str = "") -> str:
    """`María G.`: the first name (or the name the patient goes by) and an initial."""
    first = (preferred_name or given_name).strip()
    initial = family_name.strip()[:1]
    return f"{first} {initial}." if initial else first


def _summary(appointment: Appointment) -> str:
    patient = appointment.patient
    label = patient_label(patient.given_name, patient.family_name, patient.preferred_name)
    return f"{label} — {appointment.appointment_type.name}"


def feed_events(appointments: Iterable[Appointment]) -> list[dict]:
    """What a feed shows of each appointment, as both its forms (iCalendar, JSON) write it."""
    return [
        {
            "id": appointment.pk,
            "start_at": appointment.start_at,
            "end_at": appointment.end_at,
            "summary": _summary(appointment),
            "status": "cancelled" if appointment.status in CANCELLED else "confirmed",
            "sequence": appointment.version,
        }
        for appointment in appointments
    ]


def feed_document(*, events: Iterable[dict], calendar_name: str, stamped_at: datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name)
    for shown in events:
        event = Event()
        event.add("uid", f"{shown['id']}@appointments")
        event.add("dtstamp", stamped_at)
        event.add("dtstart", shown["start_at"])
        event.add("dtend", shown["end_at"])
        event.add("summary", shown["summary"])
        event.add("status", shown["status"].upper())
        event.add("sequence", shown["sequence"])
        calendar.add_component(event)
    # icalendar leaves Component.to_ical unannotated; it writes the calendar (RFC 5545) as bytes.
    document: bytes = calendar.to_ical()
    return document
