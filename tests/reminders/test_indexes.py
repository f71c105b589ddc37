"""Every filter and ordering of the reminders' list, and the sender's scan of the calendar,
are served by the indexes built for them (tests.query_plans)."""

import datetime
import random
import uuid

import pytest
from django.db import connection

from reminders.models import AppointmentReminder
from reminders.services import due_appointments
from scheduling.models import Appointment
from tests.factories import ClinicFactory, PatientFactory, UserFactory
from tests.query_plans import unindexed, uses_one_of
from tests.reminders.conftest import START

ROWS = 3000


@pytest.fixture
def realistic_tables(reminding_clinic, treatment_type, front_desk):
    """Thousands of appointments and their reminders over several clinics, analysed."""
    rng = random.Random(29)
    clinics = [reminding_clinic, *ClinicFactory.create_batch(3, appointment_reminders="both")]
    patients = {c.pk: PatientFactory.create_batch(20, clinic=c) for c in clinics}
    doctors = {c.pk: UserFactory(clinic=c) for c in clinics}
    appointments = Appointment.objects.bulk_create(
        Appointment(
            clinic=clinics[n % 4],
            patient=rng.choice(patients[clinics[n % 4].pk]),
            chiropractor=doctors[clinics[n % 4].pk],
            appointment_type=treatment_type,
            start_at=START + datetime.timedelta(minutes=15 * n),
            end_at=START + datetime.timedelta(minutes=15 * n + 10),
            booked_by=front_desk,
            status=rng.choice(["booked", "booked", "completed", "cancelled", "no_show"]),
            cancellation_reason="sick",
        )
        for n in range(ROWS)
    )
    statuses = ["sent"] * 20 + ["failed", "skipped"]
    AppointmentReminder.objects.bulk_create(
        AppointmentReminder(
            clinic_id=a.clinic_id,
            appointment=a,
            patient_id=a.patient_id,
            hours_before=24,
            start_at=a.start_at,
            channel="email",
            recipient="someone@example.com",
            status=status,
            reason="opted_out" if status == "skipped" else "",
        )
        for a in appointments
        if rng.random() < 0.8
        for status in [rng.choice(statuses)]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scheduling_appointment")
        cursor.execute("ANALYZE reminders_appointmentreminder")


REMINDER_QUERIES = [
    ({}, {"reminder_created_idx"}),
    ({"appointment": str(uuid.uuid4())}, {"appointment_reminder_once"}),
    ({"patient": str(uuid.uuid4())}, {"reminder_patient_idx"}),
    ({"status": "failed"}, {"reminder_status_idx"}),
    ({"ordering": "start_at"}, {"reminder_start_idx"}),
    ({"ordering": "-created_at"}, {"reminder_created_idx"}),
]


def test_every_reminder_filter_and_ordering_uses_its_index(front_desk_client, realistic_tables):
    failures = unindexed(
        front_desk_client,
        "/api/v1/appointment-reminders/",
        "reminders_appointmentreminder",
        REMINDER_QUERIES,
    )

    assert failures == []


def test_the_senders_scan_reads_the_calendar_by_status_and_start(
    reminding_clinic, realistic_tables
):
    reminding_clinic.appointment_reminders = "both"
    now = START + datetime.timedelta(days=5)
    scan = due_appointments(clinic=reminding_clinic, now=now)

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = scan.explain()
        cursor.execute("SET LOCAL enable_seqscan = on")

    assert "Seq Scan" not in plan
    assert uses_one_of(plan, {"appointment_status_idx"}), plan
    # The reminders already made are looked up by index too, by their key or their start.
    assert uses_one_of(plan, {"appointment_reminder_once", "reminder_start_idx"}), plan
