"""FHIR Slot: the free times the calendar's rules give, computed on request, read back by id
while still free; every role reads them."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from audit.models import AuditEvent
from fhir_api.resources.slot import SLOT
from scheduling.models import AppointmentType, WorkingHours
from tests.factories import UserFactory
from tests.fhir_api.conformance import assert_conforms
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db

SLOTS = "/fhir/R4/Slot"
TIMES = "/api/v1/appointments/available-times/"


def day_window(day: datetime.date) -> list[tuple[str, str]]:
    return [
        ("start", f"ge{local(day, 0)}"),
        ("start", f"lt{local(day + datetime.timedelta(days=1), 0)}"),
    ]


def slots(client, query) -> list[dict]:
    response = client.get(SLOTS, query)
    assert response.status_code == 200, response.json()
    found = [entry["resource"] for entry in response.json().get("entry", [])]
    for slot in found:
        assert_conforms(slot, SLOT)
    return found


def test_a_days_slots_are_the_free_times_the_desk_is_offered(
    front_desk_client, booking, booking_day, adjustment_type, chiropractor
):
    assert front_desk_client.post("/api/v1/appointments/", booking).status_code == 201

    found = slots(
        front_desk_client,
        [("schedule", f"Schedule/{chiropractor.id}"), ("_count", "50"), *day_window(booking_day)],
    )
    offered = front_desk_client.get(
        TIMES,
        {
            "appointment_type": str(adjustment_type.id),
            "start": local(booking_day, 0),
            "end": local(booking_day + datetime.timedelta(days=1), 0),
        },
    ).json()["times"]

    assert [slot["start"] for slot in found] == [
        time["start_at"].replace("+00:00", "Z") for time in offered
    ]
    assert len(found) == 25  # 9–12 and 13–17 by 15 minutes, less 09:45, 10:00 and 10:15
    first = found[0]
    assert first["status"] == "free"
    assert first["schedule"] == {"reference": f"Schedule/{chiropractor.id}"}
    start = datetime.datetime.fromisoformat(first["start"])
    assert datetime.datetime.fromisoformat(first["end"]) - start == datetime.timedelta(minutes=15)
    assert first["id"] == f"{chiropractor.id}.{start:%Y%m%dT%H%M%S}Z.15.5"
    assert len(first["id"]) <= 64


def test_a_slot_reads_back_while_free_and_not_once_booked(
    chiropractor_client,
    front_desk_client,
    booking,
    booking_day,
    chiropractor,
    working_week,
    adjustment_type,
):
    slot = slots(front_desk_client, day_window(booking_day))[4]  # 10:00

    read = front_desk_client.get(f"{SLOTS}/{slot['id']}")
    assert read.status_code == 200
    assert read.json() == slot
    assert front_desk_client.post("/api/v1/appointments/", booking).status_code == 201

    gone = front_desk_client.get(f"{SLOTS}/{slot['id']}")
    assert gone.status_code == 404
    assert gone.json()["issue"][0]["code"] == "not-found"


@pytest.mark.parametrize(
    "slot_id",
    ["nonsense", "00000000-0000-0000-0000-000000000000.20270101T090000Z.15.5"],
)
def test_an_id_of_no_free_time_is_not_found(front_desk_client, working_week, slot_id):
    assert front_desk_client.get(f"{SLOTS}/{slot_id}").status_code == 404


def test_another_clinic_reads_no_slot_of_ours(
    front_desk_client,
    other_admin_client,
    other_clinic,
    booking_day,
    chiropractor,
    working_week,
    adjustment_type,
):
    slot = slots(front_desk_client, day_window(booking_day))[0]

    assert other_admin_client.get(f"{SLOTS}/{slot['id']}").status_code == 404
    AppointmentType.objects.create(
        clinic=other_clinic, name="Visit", duration_minutes=15, default_for="regular_visit"
    )
    assert slots(other_admin_client, [("schedule", f"Schedule/{chiropractor.id}")]) == []


def test_the_type_chooses_the_length_and_status_other_than_free_finds_none(
    front_desk_client, clinic, booking_day, working_week, adjustment_type
):
    exam = AppointmentType.objects.create(
        clinic=clinic, name="New-patient exam", duration_minutes=45
    )

    found = slots(front_desk_client, [("service-type", str(exam.id)), *day_window(booking_day)])

    assert {
        datetime.datetime.fromisoformat(s["end"]) - datetime.datetime.fromisoformat(s["start"])
        for s in found
    } == {datetime.timedelta(minutes=45)}
    assert found[0]["id"].endswith(".45.0")
    assert slots(front_desk_client, [("status", "busy"), *day_window(booking_day)]) == []
    assert slots(front_desk_client, [("status", "free"), *day_window(booking_day)]) != []


def test_slots_by_id(front_desk_client, booking_day, working_week, adjustment_type):
    first, second, *_ = slots(front_desk_client, day_window(booking_day))

    assert slots(front_desk_client, {"_id": f"{second['id']},{first['id']},nonsense"}) == [
        first,
        second,
    ]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ([("start", "ge2027-01-01"), ("start", "lt2027-03-01")], "window_too_long"),
        ([("start", "ne2027-01-01")], "invalid_search_value"),
        ([("start", "ge2027-01-01,ge2027-01-02")], "invalid_search_value"),
        ([("service-type", "not-a-type")], "invalid_search_value"),
        ([("schedule:missing", "true")], "unsupported_modifier"),
    ],
)
def test_unbounded_or_unreadable_searches_are_refused(
    front_desk_client, working_week, adjustment_type, query, code
):
    response = front_desk_client.get(SLOTS, query)

    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["details"]["coding"][0]["code"] == code


def test_without_a_default_type_the_search_names_one(front_desk_client, clinic, working_week):
    AppointmentType.objects.create(clinic=clinic, name="Exam", duration_minutes=45)

    response = front_desk_client.get(SLOTS)

    assert response.status_code == 400
    assert response.json()["issue"][0]["expression"] == ["service-type"]


def test_pages_follow_next_links_without_repeats(
    front_desk_client, booking_day, working_week, adjustment_type
):
    everything = [
        s["id"] for s in slots(front_desk_client, [*day_window(booking_day), ("_count", "100")])
    ]
    seen: list[str] = []
    query: list[tuple[str, str]] | None = [*day_window(booking_day), ("_count", "10")]
    while query is not None:
        bundle = front_desk_client.get(SLOTS, query).json()
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        link = next((lk["url"] for lk in bundle["link"] if lk["relation"] == "next"), None)
        query = (
            [(k, v) for k, values in parse_qs(urlsplit(link).query).items() for v in values]
            if link
            else None
        )

    assert seen == everything and len(seen) == 28


def test_a_search_costs_the_same_statements_whatever_it_finds(
    front_desk_client, clinic, booking_day, working_week, adjustment_type
):
    with CaptureQueriesContext(connection) as one:
        assert len(slots(front_desk_client, [*day_window(booking_day), ("_count", "100")])) == 28
    for _ in range(3):
        other = UserFactory(clinic=clinic, role=Role.CHIROPRACTOR)
        for weekday in range(5):
            WorkingHours.objects.create(
                clinic=clinic,
                chiropractor=other,
                weekday=weekday,
                start_time=datetime.time(8),
                end_time=datetime.time(18),
            )
    with CaptureQueriesContext(connection) as many:
        response = front_desk_client.get(SLOTS, [*day_window(booking_day), ("_count", "100")])

    assert len(response.json()["entry"]) == 100
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(
    front_desk_client, front_desk, booking_day, working_week, adjustment_type
):
    slot = slots(front_desk_client, day_window(booking_day))[0]
    before = AuditEvent.objects.count()
    front_desk_client.get(f"{SLOTS}/{slot['id']}")
    front_desk_client.get(SLOTS, day_window(booking_day))

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "available_time",
        [slot["id"]],
    )
    assert (search.action, search.resource_type, search.user_id) == (
        "search",
        "available_time",
        front_desk.id,
    )
    assert read.patient_ids == search.patient_ids == []
