"""What a reminder says: the clinic, the day and time on the clinic's clock, the chiropractor
and how to reschedule. Nothing clinical: no appointment type (it may name a treatment), no
condition, no plan; anyone reading the patient's email or phone over their shoulder learns
only that they have an appointment."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from clinics.models import Clinic
from scheduling.models import Appointment


@dataclass(frozen=True)
class ReminderText:
    subject: str
    body: str
    sms: str


def _day(moment: datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def _time(moment: datetime) -> str:
    return f"{moment:%H:%M} ({moment:%Z})"


def reminder_text(*, clinic: Clinic, appointment: Appointment) -> ReminderText:
    """The email's subject and body and the text message for `appointment` (its patient and
    chiropractor read)."""
    local = appointment.start_at.astimezone(ZoneInfo(clinic.time_zone))
    patient = appointment.patient
    name = patient.preferred_name or patient.given_name
    with_whom = appointment.chiropractor.display_name
    reschedule = (
        f"To reschedule or cancel, please call us on {clinic.phone}."
        if clinic.phone
        else "To reschedule or cancel, please contact the clinic."
    )
    body = "\n".join(
        [
            f"Hello {name},",
            "",
            f"This is a reminder of your appointment at {clinic.name} "
            f"on {_day(local)} at {_time(local)} with {with_whom}.",
            "",
            reschedule,
            "",
            clinic.name,
            *([clinic.address] if clinic.address else []),
        ]
    )
    sms = (
        f"Reminder: your appointment at {clinic.name} on {local:%a} {local.day} {local:%b} "
        f"at {_time(local)}. " + (f"To reschedule call {clinic.phone}." if clinic.phone else "")
    ).strip()
    return ReminderText(
        subject=f"Your appointment at {clinic.name} on {_day(local)}", body=body, sms=sms
    )
