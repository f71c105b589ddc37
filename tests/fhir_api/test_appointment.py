"""FHIR Appointment: read and search over HTTP, every role, scoped, audited, valid FHIR R4."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.appointment import APPOINTMENT
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db

APPOINTMENTS = "/api/v1/appointments/"


@pytest.fixture
def booked(front_desk_client, booking) -> dict:
    response = front_desk_client.post(APPOINTMENTS, booking)
    assert response.status_code == 201, response.json()
    return response.json()


def ids(bundle: dict) -> list[str]:
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], APPOINTMENT)
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_the_front_desk_reads_an_appointment(
    front_desk_client, booked, patient, chiropractor, clinic, adjustment_type, booking_day
):
    response = front_desk_client.get(f"/fhir/R4/Appointment/{booked['id']}")

    assert response.status_code == 200
    body = response.json()
    assert_conforms(body, APPOINTMENT)
    assert body["status"] == "booked"
    assert body["start"] == booked["start_at"].replace("+00:00", "Z")
    assert body["minutesDuration"] == 15
    assert body["comment"] == "Prefers mornings."
    assert body["serviceType"][0]["coding"][0]["code"] == str(adjustment_type.id)
    assert body["serviceType"][0]["text"] == "Adjustment visit"
    assert [p["actor"]["reference"] for p in body["participant"]] == [
        f"Patient/{patient.id}",
        f"Practitioner/{chiropractor.id}",
        f"Location/{clinic.id}",
    ]
    assert {p["status"] for p in body["participant"]} == {"accepted"}
    assert response["ETag"] == f'W/"{body["meta"]["versionId"]}"'


def test_a_cancelled_appointment_says_why_in_our_codes_and_fhirs(front_desk_client, booked):
    cancelled = front_desk_client.post(
        f"{APPOINTMENTS}{booked['id']}/cancel/",
        {"reason": "feeling_better", "note": "Back is fine now."},
    )
    assert cancelled.status_code == 200, cancelled.json()

    body = front_desk_client.get(f"/fhir/R4/Appointment/{booked['id']}").json()

    assert_conforms(body, APPOINTMENT)
    assert body["status"] == "cancelled"
    assert [c["code"] for c in body["cancelationReason"]["coding"]] == ["feeling_better", "pat-fb"]
    assert body["cancelationReason"]["text"] == "Back is fine now."


def test_a_plans_appointment_points_at_its_care_plan(chiropractor_client, booking, full_plan):
    plan = chiropractor_client.post("/api/v1/treatment-plans/", full_plan).json()
    made = chiropractor_client.post(APPOINTMENTS, {**booking, "plan": plan["id"]}).json()

    body = chiropractor_client.get(f"/fhir/R4/Appointment/{made['id']}").json()

    assert_conforms(body, APPOINTMENT)
    assert body["supportingInformation"] == [{"reference": f"CarePlan/{plan['id']}"}]


def test_search_by_patient_date_practitioner_status_and_id(
    front_desk_client, clinic, booked, booking, booking_day, chiropractor
):
    other = PatientFactory(clinic=clinic)
    later = front_desk_client.post(
        APPOINTMENTS, {**booking, "patient": str(other.id), "start_at": local(booking_day, 11)}
    ).json()
    day = booking_day.isoformat()

    def search(**query) -> list[str]:
        response = front_desk_client.get("/fhir/R4/Appointment", query)
        assert response.status_code == 200, response.json()
        return ids(response.json())

    assert search(patient=f"Patient/{booked['patient']}") == [booked["id"]]
    assert sorted(search(date=day)) == sorted([booked["id"], later["id"]])
    assert search(date=f"lt{local(booking_day, 11)}") == [booked["id"]]
    assert search(date=(booking_day + datetime.timedelta(days=1)).isoformat()) == []
    assert len(search(practitioner=f"Practitioner/{chiropractor.id}")) == 2
    assert search(practitioner="Practitioner/not-an-id") == []
    assert len(search(status="booked")) == 2
    assert search(status="cancelled,noshow") == []
    assert search(_id=later["id"]) == [later["id"]]


def test_another_clinics_appointment_is_not_found(other_admin_client, booked):
    assert other_admin_client.get(f"/fhir/R4/Appointment/{booked['id']}").status_code == 404
    assert "entry" not in other_admin_client.get("/fhir/R4/Appointment").json()


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, front_desk_client, booked, booking, booking_day
):
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Appointment").status_code == 200
    for hour in (11, 13, 14, 15):
        made = front_desk_client.post(
            APPOINTMENTS, {**booking, "start_at": local(booking_day, hour)}
        )
        assert made.status_code == 201
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Appointment").json()

    assert len(bundle["entry"]) == 5
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(front_desk_client, front_desk, booked):
    before = AuditEvent.objects.count()
    front_desk_client.get(f"/fhir/R4/Appointment/{booked['id']}")
    front_desk_client.get("/fhir/R4/Appointment", {"status": "booked"})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.user_id) == ("read", "appointment", front_desk.id)
    assert [str(p) for p in read.patient_ids] == [booked["patient"]]
    assert (search.action, search.object_ids) == ("search", [booked["id"]])


def test_the_capability_statement_lists_appointment_searches(anonymous_client):
    statement = anonymous_client.get("/fhir/R4/metadata").json()

    appointment = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Appointment")
    assert {p["name"] for p in appointment["searchParam"]} >= {
        "patient",
        "date",
        "practitioner",
        "status",
        "_id",
    }
    assert "profile" not in appointment
