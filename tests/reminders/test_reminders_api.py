"""The reminders as the front desk reads them, and the settings that turn them on and off."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from reminders.models import AppointmentReminder
from reminders.services import reminders_send
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import PatientFactory
from tests.reminders.conftest import HOUR, START

REMINDERS = "/api/v1/appointment-reminders/"


@pytest.fixture
def remind(book):
    """A reminder row as the sender records one."""

    def remind(patient, start=START, **fields) -> AppointmentReminder:
        appointment = book(patient, start=start)
        values = {
            "hours_before": 24,
            "channel": "email",
            "recipient": patient.email,
            "status": "sent",
            "attempts": 1,
        } | fields
        return AppointmentReminder.objects.create(
            clinic_id=appointment.clinic_id,
            appointment=appointment,
            patient=patient,
            start_at=appointment.start_at,
            **values,
        )

    return remind


@pytest.mark.parametrize("role", ["front_desk", "chiropractor", "clinic_admin"])
def test_every_role_reads_the_reminders_sent(role, request, remind, patient):
    reminder = remind(patient)
    client = client_for(request.getfixturevalue(role))

    listed = client.get(REMINDERS)
    one = client.get(f"{REMINDERS}{reminder.pk}/")

    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [str(reminder.pk)]
    assert one.status_code == 200
    assert one.json() | {"created_at": None, "updated_at": None} == {
        "id": str(reminder.pk),
        "appointment": str(reminder.appointment_id),
        "patient": str(patient.pk),
        "hours_before": 24,
        "start_at": "2026-12-08T15:00:00Z",
        "channel": "email",
        "recipient": patient.email,
        "status": "sent",
        "reason": "",
        "error": "",
        "attempts": 1,
        "message_id": "",
        "created_at": None,
        "sent_at": None,
        "updated_at": None,
    }


def test_reading_reminders_is_audited_with_their_patient(
    front_desk, front_desk_client, remind, patient
):
    reminder = remind(patient)

    front_desk_client.get(f"{REMINDERS}{reminder.pk}/")

    event = AuditEvent.objects.order_by("-id")[0]
    assert (event.resource_type, event.action, event.user_id) == (
        "appointment_reminder",
        "read",
        front_desk.pk,
    )
    assert patient.pk in event.patient_ids and str(reminder.pk) in event.object_ids


def test_reminders_are_read_only(clinic_admin_client, remind, patient):
    reminder = remind(patient)

    created = clinic_admin_client.post(REMINDERS, {}, format="json")
    changed = clinic_admin_client.patch(f"{REMINDERS}{reminder.pk}/", {"status": "failed"})

    assert created.status_code == 403 and changed.status_code == 403
    reminder.refresh_from_db()
    assert reminder.status == "sent"


def test_another_clinics_reminders_are_invisible(other_admin_client, remind, patient):
    reminder = remind(patient)

    assert other_admin_client.get(f"{REMINDERS}{reminder.pk}/").status_code == 404
    assert other_admin_client.get(REMINDERS).json()["results"] == []


def test_reminders_filter_by_appointment_patient_and_status(
    front_desk_client, remind, patient, reminding_clinic
):
    sent = remind(patient)
    other = PatientFactory(clinic=reminding_clinic)
    skipped = remind(
        other,
        start=START + HOUR,
        status="skipped",
        reason="opted_out",
        channel="",
        recipient="",
        attempts=0,
    )

    def ids(**query) -> list[str]:
        answer = front_desk_client.get(REMINDERS, query)
        assert answer.status_code == 200, answer.json()
        return [r["id"] for r in answer.json()["results"]]

    assert ids(appointment=str(sent.appointment_id)) == [str(sent.pk)]
    assert ids(patient=str(other.pk)) == [str(skipped.pk)]
    assert ids(status="skipped") == [str(skipped.pk)]
    assert ids(status=["sent", "skipped"], ordering="start_at") == [str(sent.pk), str(skipped.pk)]
    refused = front_desk_client.get(REMINDERS, {"status": "lost"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["attr"] == "status"


def test_the_list_costs_the_same_queries_for_one_or_ten(front_desk_client, remind, patient):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert front_desk_client.get(REMINDERS).status_code == 200
        return len(captured)

    remind(patient)
    one = queries()
    for quarter in range(1, 10):
        remind(patient, start=START + quarter * HOUR / 4)

    assert len(front_desk_client.get(REMINDERS).json()["results"]) == 10
    assert queries() == one


def test_a_clinic_admin_turns_reminders_on(clinic_admin_client, clinic):
    answer = clinic_admin_client.patch("/api/v1/clinic/", {"appointment_reminders": "both"})

    assert answer.status_code == 200 and answer.json()["appointment_reminders"] == "both"
    clinic.refresh_from_db()
    assert clinic.appointment_reminders == "both"


def test_reminders_are_off_until_a_clinic_turns_them_on(front_desk_client):
    assert front_desk_client.get("/api/v1/clinic/").json()["appointment_reminders"] == "off"


def test_only_a_clinic_admin_changes_the_reminders_setting(front_desk_client, clinic):
    answer = front_desk_client.patch("/api/v1/clinic/", {"appointment_reminders": "24h"})

    assert answer.status_code == 403
    clinic.refresh_from_db()
    assert clinic.appointment_reminders == "off"


def test_an_unknown_reminders_setting_is_refused(clinic_admin_client):
    answer = clinic_admin_client.patch("/api/v1/clinic/", {"appointment_reminders": "12h"})

    assert answer.status_code == 400
    assert answer.json()["errors"][0]["attr"] == "appointment_reminders"
    assert answer.json()["errors"][0]["code"] == "invalid_choice"


def test_the_front_desk_records_a_patients_opt_out(front_desk_client, patient):
    detail = f"/api/v1/patients/{patient.pk}/"
    assert front_desk_client.get(detail).json()["appointment_reminders"] is True

    answer = front_desk_client.patch(detail, {"appointment_reminders": False})

    assert answer.status_code == 200 and answer.json()["appointment_reminders"] is False
    patient.refresh_from_db()
    assert patient.appointment_reminders is False


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_desk_sees_what_the_sender_recorded(
    smtp_server, book, patient, front_desk_client, time_machine
):
    opted_out = PatientFactory(clinic=patient.clinic, appointment_reminders=False)
    appointment = book(patient)
    book(opted_out, start=START + HOUR)
    time_machine.move_to(START - 23 * HOUR, tick=True)
    reminders_send()

    answer = front_desk_client.get(REMINDERS, {"ordering": "start_at"}).json()["results"]

    assert [(r["appointment"], r["status"], r["reason"]) for r in answer] == [
        (str(appointment.pk), "sent", ""),
        (answer[1]["appointment"], "skipped", "opted_out"),
    ]
    assert answer[0]["sent_at"] is not None
    assert answer[0]["start_at"] == START.isoformat().replace("+00:00", "Z")
    assert datetime.datetime.fromisoformat(answer[1]["start_at"]) == START + HOUR
