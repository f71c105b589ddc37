"""Sending the reminders that are due: one pass over the clinics that send them.

Per clinic, under its row-level security (tenancy.job_context), a pass claims the reminders
due (inserting each row: the unique key lets one claim win), commits, then sends each one
outside any transaction (no row lock is held while an SMTP server answers), and records each
result in a transaction of its own. So a reminder goes out at most once: a pass stopped
between sending and recording leaves its row `sending`, which a later pass marks failed
without sending again. A failed send is tried again by the next passes, REMINDER_MAX_ATTEMPTS
times in all, while it is still due.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, Exists, F, IntegerField, OuterRef, QuerySet, Value, When
from django.utils import timezone

from clinics.models import Clinic, ReminderSchedule
from patients.models import ContactMethod, Patient
from reminders import sms, timing
from reminders.messages import reminder_text
from reminders.models import (
    ERROR_MAX_LENGTH,
    AppointmentReminder,
    Channel,
    ReminderStatus,
    SkipReason,
)
from scheduling.models import Appointment, AppointmentStatus
from tenancy.job_context import open_clinic_context

logger = logging.getLogger(__name__)


class DueReading(TypedDict):
    """What due_appointments reads beside each appointment: the reminder due (hours before)."""

    due_hours: int


# django-stubs-ext is a development dependency: only the type checker reads the reading.
if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    DueAppointment = WithAnnotations[Appointment, DueReading]
else:
    DueAppointment = Appointment

# A row still `sending` this long after its pass claimed it belongs to a pass that stopped.
ABANDONED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class Route:
    """How a patient is reminded: a channel and its address, or why they are not."""

    channel: str = ""
    recipient: str = ""
    reason: str = ""


def reminder_route(*, patient: Patient, sms_available: bool) -> Route:
    """Email, or SMS for a patient who prefers text messages when a provider is configured;
    the other one when the first is not possible; else skipped, with why."""
    if not patient.appointment_reminders:
        return Route(reason=SkipReason.OPTED_OUT)
    email = Route(Channel.EMAIL, patient.email) if patient.email else None
    text = Route(Channel.SMS, patient.phone) if patient.phone and sms_available else None
    preferred = (
        [text, email] if patient.preferred_contact_method == ContactMethod.SMS else [email, text]
    )
    route = next((r for r in preferred if r is not None), None)
    if route is not None:
        return route
    only_phone = bool(patient.phone) and not sms_available
    return Route(reason=SkipReason.NO_PROVIDER if only_phone else SkipReason.NO_ADDRESS)


def _due_hours(schedule: str, now: datetime) -> Case:
    """The reminder due for each appointment, as SQL: the nearest offset it is within."""
    return Case(
        *[
            When(start_at__lte=now + timedelta(hours=hours), then=Value(hours))
            for hours in timing.offsets(schedule)
        ],
        output_field=IntegerField(),
    )


def due_appointments(*, clinic: Clinic, now: datetime) -> QuerySet[DueAppointment]:
    """The clinic's booked appointments whose due reminder has no row yet, soonest first
    (read by the index on clinic, status and start)."""
    schedule = clinic.appointment_reminders
    farthest = max(timing.offsets(schedule))
    reminded = AppointmentReminder.objects.filter(
        clinic_id=clinic.pk,
        appointment_id=OuterRef("pk"),
        hours_before=OuterRef("due_hours"),
        start_at=OuterRef("start_at"),
    )
    return (
        Appointment.objects.filter(
            clinic_id=clinic.pk,
            status=AppointmentStatus.BOOKED,
            start_at__gte=now + timing.LATEST_BEFORE,
            start_at__lte=now + timedelta(hours=farthest),
        )
        .annotate(due_hours=_due_hours(schedule, now))
        .filter(~Exists(reminded))
        .select_related("patient", "chiropractor")
        .order_by("start_at")
    )


def _failed_to_retry(*, clinic: Clinic, now: datetime) -> list[AppointmentReminder]:
    """Failed reminders tried fewer than REMINDER_MAX_ATTEMPTS times whose appointment is still
    booked at the time they announce, and still due."""
    rows = (
        AppointmentReminder.objects.filter(
            clinic_id=clinic.pk,
            status=ReminderStatus.FAILED,
            attempts__lt=settings.REMINDER_MAX_ATTEMPTS,
            appointment__status=AppointmentStatus.BOOKED,
            appointment__start_at=F("start_at"),
            start_at__gte=now + timing.LATEST_BEFORE,
        )
        .select_related("appointment__patient", "appointment__chiropractor")
        .order_by("created_at")[: settings.REMINDER_BATCH]
    )
    schedule = clinic.appointment_reminders
    return [r for r in rows if timing.due_offset(schedule, r.start_at, now) == r.hours_before]


def _claim(*, clinic: Clinic, now: datetime, sms_available: bool) -> list[AppointmentReminder]:
    """Insert the rows of the reminders due (skipped ones final), take back the failed ones
    to retry; the rows this pass is to send, with their appointments."""
    with transaction.atomic():
        open_clinic_context(clinic.pk)
        AppointmentReminder.objects.filter(
            clinic_id=clinic.pk,
            status=ReminderStatus.SENDING,
            updated_at__lt=now - ABANDONED_AFTER,
        ).update(
            status=ReminderStatus.FAILED,
            attempts=settings.REMINDER_MAX_ATTEMPTS,
            error="The pass that claimed it stopped before recording its result: it may have "
            "been sent, so it is not sent again.",
        )
        rows = []
        for appointment in due_appointments(clinic=clinic, now=now)[: settings.REMINDER_BATCH]:
            route = reminder_route(patient=appointment.patient, sms_available=sms_available)
            row = AppointmentReminder(
                clinic_id=clinic.pk,
                appointment=appointment,
                patient_id=appointment.patient_id,
                hours_before=appointment.due_hours,
                start_at=appointment.start_at,
                channel=route.channel,
                recipient=route.recipient,
                status=ReminderStatus.SKIPPED if route.reason else ReminderStatus.SENDING,
                reason=route.reason,
                attempts=0 if route.reason else 1,
            )
            rows.append(row)
        # A pass running beside this one may have claimed some meanwhile: its rows win.
        AppointmentReminder.objects.bulk_create(rows, ignore_conflicts=True)
        mine = set(
            AppointmentReminder.objects.filter(
                clinic_id=clinic.pk, pk__in=[row.pk for row in rows]
            ).values_list("pk", flat=True)
        )
        claimed = [r for r in rows if r.pk in mine and r.status == ReminderStatus.SENDING]
        for retry in _failed_to_retry(clinic=clinic, now=now):
            taken = AppointmentReminder.objects.filter(
                pk=retry.pk, status=ReminderStatus.FAILED, attempts=retry.attempts
            ).update(
                status=ReminderStatus.SENDING,
                attempts=F("attempts") + 1,
                updated_at=timezone.now(),
            )
            if taken:
                claimed.append(retry)
    return claimed


def _send(reminder: AppointmentReminder, clinic: Clinic, provider: sms.SmsProvider | None) -> str:
    """Send one reminder; the message's id (the email's Message-ID, the provider's id)."""
    text = reminder_text(clinic=clinic, appointment=reminder.appointment)
    if reminder.channel == Channel.SMS:
        if provider is None:
            raise RuntimeError("No SMS provider is configured.")
        return provider.send(reminder.recipient, text.sms)
    sender = settings.REMINDER_FROM_EMAIL
    message_id = make_msgid(domain=sender.rpartition("@")[2] or None)
    EmailMessage(
        subject=text.subject,
        body=text.body,
        from_email=formataddr((clinic.name, sender)),
        to=[reminder.recipient],
        headers={"Message-ID": message_id},
    ).send(fail_silently=False)
    return message_id


def _record(reminder: AppointmentReminder, *, message_id: str = "", error: str = "") -> None:
    with transaction.atomic():
        open_clinic_context(reminder.clinic_id)
        AppointmentReminder.objects.filter(pk=reminder.pk, status=ReminderStatus.SENDING).update(
            status=ReminderStatus.FAILED if error else ReminderStatus.SENT,
            message_id=message_id[:200],
            error=error[:ERROR_MAX_LENGTH],
            sent_at=None if error else timezone.now(),
            updated_at=timezone.now(),
        )


def clinic_reminders_send(
    *, clinic: Clinic, now: datetime, provider: sms.SmsProvider | None
) -> int:
    """One clinic's reminders due at `now` claimed, sent and recorded; how many were sent."""
    sent = 0
    for reminder in _claim(clinic=clinic, now=now, sms_available=provider is not None):
        try:
            message_id = _send(reminder, clinic, provider)
        except Exception as error:  # any refusal of the server or the provider is recorded
            logger.warning("Appointment reminder %s failed: %s", reminder.pk, type(error).__name__)
            _record(reminder, error=f"{type(error).__name__}: {error}")
        else:
            _record(reminder, message_id=message_id)
            sent += 1
    return sent


def reminders_send(*, now: datetime | None = None) -> int:
    """One pass over every active clinic that sends reminders; how many were sent."""
    now = now or timezone.now()
    provider = sms.configured_provider()
    clinics = (
        Clinic.objects.filter(is_active=True)
        .exclude(appointment_reminders=ReminderSchedule.OFF)
        .order_by("pk")
    )
    sent, failed = 0, []
    for clinic in clinics:
        # One clinic's failure (a row its data breaks) must not hold up the others' reminders.
        try:
            sent += clinic_reminders_send(clinic=clinic, now=now, provider=provider)
        except Exception:
            logger.exception("Appointment reminders of clinic %s failed", clinic.pk)
            failed.append(str(clinic.pk))
    if failed:
        # The job fails, so that the queue shows it, once every other clinic was served.
        raise RuntimeError(f"Appointment reminders failed for clinics {', '.join(failed)}.")
    return sent
