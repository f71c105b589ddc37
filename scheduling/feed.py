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


def feed_document(
    *, appointments: Iterable[Appointment], calendar_name: str, stamped_at: datetime
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name)
    for appointment in appointments:
        patient = appointment.patient
        event = Event()
        event.add("uid", f"{appointment.pk}@appointments")
        event.add("dtstamp", stamped_at)
        event.add("dtstart", appointment.start_at)
        event.add("dtend", appointment.end_at)
        event.add(
            "summary",
            f"{patient_label(patient.given_name, patient.family_name, patient.preferred_name)}"
            f" — {appointment.appointment_type.name}",
        )
        event.add("status", "CANCELLED" if appointment.status in CANCELLED else "CONFIRMED")
        event.add("sequence", appointment.version)
        calendar.add_component(event)
    return calendar.to_ical()
