"""A chiropractor's calendar feed: made, read by a calendar app without a token, revoked."""

import pytest
from icalendar import Calendar
from rest_framework.test import APIClient

from audit.models import AuditEvent
from scheduling.models import CalendarFeed
from tests.factories import PatientFactory

FEED = "/api/v1/calendar-feed/"
APPOINTMENTS = "/api/v1/appointments/"

pytestmark = pytest.mark.django_db


def feed_path(answer) -> str:
    return "/" + answer.json()["url"].split("/", 3)[3]


def test_a_calendar_app_reads_the_appointments_with_first_names_only(
    chiropractor_client, front_desk_client, booking, clinic
):
    patient = PatientFactory(clinic=clinic, given_name="Rosa", family_name="Delgado")
    front_desk_client.post(APPOINTMENTS, {**booking, "patient": str(patient.id)})
    made = chiropractor_client.post(FEED)

    document = APIClient().get(feed_path(made))

    assert made.status_code == 200
    assert made.json()["active"] is True
    assert document.status_code == 200
    assert document["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(document.content)
    events = list(calendar.walk("VEVENT"))
    assert [str(event["summary"]) for event in events] == ["Rosa D. — Adjustment visit"]
    assert b"Delgado" not in document.content and b"+1617" not in document.content
    event = AuditEvent.objects.filter(resource_type="calendar_feed", status_code=200).latest("id")
    assert event.patient_ids == [patient.id]
    assert event.clinic_id == clinic.id


def test_a_new_feed_or_a_revoked_one_stops_the_old_address(chiropractor_client):
    first = feed_path(chiropractor_client.post(FEED))
    second = feed_path(chiropractor_client.post(FEED))

    old = APIClient().get(first)
    current = APIClient().get(second)
    chiropractor_client.delete(FEED)
    revoked = APIClient().get(second)
    status = chiropractor_client.get(FEED).json()

    assert (old.status_code, current.status_code, revoked.status_code) == (404, 200, 404)
    assert status == {"active": False, "created_at": None, "url": None}
    assert CalendarFeed.objects.count() == 2  # kept, revoked
    assert AuditEvent.objects.filter(resource_type="calendar_feed", status_code=404).count() == 2


def test_only_a_chiropractor_has_a_feed(front_desk_client, clinic_admin_client):
    assert front_desk_client.post(FEED).status_code == 403
    assert clinic_admin_client.post(FEED).status_code == 403


def test_a_feed_shows_only_its_own_clinics_rows(
    chiropractor_client, other_admin_client, booking, front_desk_client
):
    front_desk_client.post(APPOINTMENTS, booking)
    path = feed_path(chiropractor_client.post(FEED))

    calendar = Calendar.from_ical(APIClient().get(path).content)

    assert len(list(calendar.walk("VEVENT"))) == 1
    assert other_admin_client.get(FEED).status_code == 403  # an admin has no feed


def test_an_unknown_address_answers_in_the_apis_error_shape(chiropractor_client):
    path = feed_path(chiropractor_client.post(FEED))

    as_calendar = APIClient().get(path, HTTP_ACCEPT="text/calendar")
    unknown = APIClient().get(
        "/api/v1/calendar-feeds/nothing-here.ics", HTTP_ACCEPT="text/calendar"
    )

    assert as_calendar.status_code == 200
    assert as_calendar.content.startswith(b"BEGIN:VCALENDAR")
    assert unknown.status_code == 404
    assert unknown["Content-Type"] == "application/json"
    assert unknown.json()["errors"][0]["code"] == "not_found"


def test_a_deactivated_clinics_feed_stops_answering(chiropractor_client, clinic):
    path = feed_path(chiropractor_client.post(FEED))
    clinic.is_active = False
    clinic.save()

    assert APIClient().get(path).status_code == 404


def test_the_feeds_secret_is_not_kept_for_a_replay(chiropractor_client):
    from idempotency.models import IdempotentRequest

    made = chiropractor_client.post(FEED, HTTP_IDEMPOTENCY_KEY="feed-1")

    assert made.status_code == 200
    assert IdempotentRequest.objects.count() == 0


def test_the_feed_answers_json_when_asked(chiropractor_client, front_desk_client, booking, clinic):
    patient = PatientFactory(clinic=clinic, given_name="Rosa", family_name="Delgado")
    booked = front_desk_client.post(APPOINTMENTS, {**booking, "patient": str(patient.id)}).json()
    path = feed_path(chiropractor_client.post(FEED))

    by_format = APIClient().get(path, {"format": "json"})
    by_accept = APIClient().get(path, HTTP_ACCEPT="application/json")
    by_default = APIClient().get(path)
    as_ics = APIClient().get(path, {"format": "ics"})

    for answer in (by_format, by_accept):
        assert answer.status_code == 200
        assert answer["Content-Type"] == "application/json"
        body = answer.json()
        assert [event["summary"] for event in body["events"]] == ["Rosa D. — Adjustment visit"]
        assert body["events"][0]["id"] == booked["id"]
        assert body["events"][0]["status"] == "confirmed"
        assert "Delgado" not in answer.content.decode()
    for answer in (by_default, as_ics):
        assert answer["Content-Type"].startswith("text/calendar")
        assert len(list(Calendar.from_ical(answer.content).walk("VEVENT"))) == 1
    reads = AuditEvent.objects.filter(resource_type="calendar_feed", action="read", status_code=200)
    assert reads.count() == 4
