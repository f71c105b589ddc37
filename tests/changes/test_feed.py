"""GET /api/v1/events/: every change of a clinic's records, numbered after commit, read after
a cursor; ids only; the front desk reads no clinical events; another clinic's are not seen."""

import datetime

import pytest
from django.db import connection
from django.db.models.functions import Now
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from changes.models import ChangeEvent, FeedHorizon
from changes.retention import purge_expired
from tests.changes.conftest import EVENTS, feed
from tests.factories import PatientFactory
from tests.fhir_api.conftest import amend, log_visit, sign

pytestmark = pytest.mark.django_db

NEW_PATIENT = {
    "given_name": "Ada",
    "family_name": "Okafor",
    "date_of_birth": "1988-02-01",
    "sex_at_birth": "female",
}


def test_a_created_patient_is_an_event_with_its_version_actor_and_patient(
    front_desk_client, front_desk, start
):
    created = front_desk_client.post("/api/v1/patients/", NEW_PATIENT).json()

    page = feed(front_desk_client, after=start)

    [event] = page["results"]
    assert event["type"] == "patient.created"
    assert event["resource_type"] == "patient"
    assert event["action"] == "created"
    assert event["resource_id"] == created["id"]
    assert event["patient_id"] == created["id"]
    assert event["version"] == 1
    assert event["actor_id"] == str(front_desk.id)
    assert event["id"].startswith("evt_")
    assert page["next_cursor"] == str(event["seq"])
    assert page["has_more"] is False
    assert set(event) == {
        "id",
        "seq",
        "type",
        "resource_type",
        "resource_id",
        "action",
        "version",
        "patient_id",
        "occurred_at",
        "actor_id",
    }


def test_each_change_names_its_action_and_version(front_desk_client, start):
    created = front_desk_client.post("/api/v1/patients/", NEW_PATIENT).json()
    url = f"/api/v1/patients/{created['id']}/"
    assert front_desk_client.patch(url, {"occupation": "Welder"}).status_code == 200
    assert front_desk_client.delete(url).status_code == 204
    assert front_desk_client.post(f"{url}restore/").status_code == 200

    events = feed(front_desk_client, after=start)["results"]

    assert [(e["type"], e["version"]) for e in events] == [
        ("patient.created", 1),
        ("patient.updated", 2),
        ("patient.archived", 3),
        ("patient.restored", 4),
    ]
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(seqs[0], seqs[0] + 4))


def test_a_signed_and_amended_visit_is_a_clinical_event_the_front_desk_does_not_read(
    chiropractor_client, front_desk_client, clinic_admin_client, start, active_plan
):
    visit = sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
    amend(chiropractor_client, visit)

    clinical = feed(chiropractor_client, after=start, resource_type="visit")["results"]
    desk = feed(front_desk_client, after=start)["results"]

    assert [(e["type"], e["resource_id"]) for e in clinical] == [
        ("visit.created", visit["id"]),
        ("visit.signed", visit["id"]),
        ("visit.amended", visit["id"]),
    ]
    assert clinical[1]["version"] == visit["version"]
    assert clinical[2]["version"] is None  # an amendment leaves the visit's own version
    assert all(e["patient_id"] == visit["patient"] for e in clinical)
    assert [e for e in desk if e["resource_type"] in {"visit", "treatment_plan"}] == []
    assert feed(clinic_admin_client, after=start, type="visit.signed")["results"] == [clinical[1]]


def test_a_cursor_reads_only_what_came_after_it_and_an_empty_page_keeps_the_end(
    front_desk_client, clinic, start
):
    first = front_desk_client.post("/api/v1/patients/", NEW_PATIENT).json()
    page = feed(front_desk_client, after=start)
    second = front_desk_client.post(
        "/api/v1/patients/", {**NEW_PATIENT, "given_name": "Bea"}
    ).json()

    later = feed(front_desk_client, after=page["next_cursor"])
    empty = feed(front_desk_client, after=later["next_cursor"])

    assert [e["resource_id"] for e in page["results"]] == [first["id"]]
    assert [e["resource_id"] for e in later["results"]] == [second["id"]]
    assert empty["results"] == []
    assert empty["next_cursor"] == later["next_cursor"]


def test_a_filtered_page_moves_the_cursor_past_what_it_did_not_match(front_desk_client, start):
    front_desk_client.post("/api/v1/patients/", NEW_PATIENT)

    page = feed(front_desk_client, after=start, type="appointment.cancelled")

    assert page["results"] == []
    assert int(page["next_cursor"]) == int(start) + 1


def test_pages_are_bounded_and_say_when_more_wait(front_desk_client, clinic, start):
    PatientFactory.create_batch(3, clinic=clinic)

    page = feed(front_desk_client, after=start, page_size=2)
    rest = feed(front_desk_client, after=page["next_cursor"], page_size=2)

    assert len(page["results"]) == 2 and page["has_more"] is True
    assert len(rest["results"]) == 1 and rest["has_more"] is False
    assert front_desk_client.get(EVENTS, {"page_size": 101}).status_code == 400


def test_an_event_is_read_only_once_numbered(front_desk_client, clinic, start):
    PatientFactory(clinic=clinic)

    unnumbered = front_desk_client.get(EVENTS, {"after": start}).json()

    assert unnumbered["results"] == []
    assert unnumbered["next_cursor"] == start
    assert len(feed(front_desk_client, after=start)["results"]) == 1


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ({"after": "abc"}, "invalid_cursor"),
        ({"after": "-1"}, "invalid_cursor"),
        ({"after": "99999999"}, "cursor_ahead"),
        ({"type": "patient.exploded"}, "invalid_choice"),
        ({"resource_type": "invoice"}, "invalid_choice"),
        ({"resource_id": "nope"}, "invalid"),
        ({"since": "2026-01-01"}, "unknown_parameter"),
    ],
)
def test_bad_parameters_are_refused_with_the_field_and_reason(front_desk_client, query, code):
    response = front_desk_client.get(EVENTS, query)

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["code"] == code
    assert error["attr"] == next(iter(query))


def test_an_expired_cursor_answers_gone(front_desk_client, clinic, start, settings):
    PatientFactory.create_batch(2, clinic=clinic)
    feed(front_desk_client)
    ChangeEvent.objects.filter(clinic=clinic).update(
        occurred_at=Now() - datetime.timedelta(days=settings.CHANGE_FEED_RETENTION_DAYS, hours=1)
    )
    kept = PatientFactory(clinic=clinic)

    assert purge_expired() == int(start) + 2
    expired = front_desk_client.get(EVENTS, {"after": start})
    horizon = FeedHorizon.objects.get(clinic=clinic)

    assert expired.status_code == 410
    assert expired.json()["errors"][0]["code"] == "cursor_expired"
    assert horizon.purged_through == int(start) + 2
    after_horizon = feed(front_desk_client, after=horizon.purged_through)["results"]
    assert [e["resource_id"] for e in after_horizon] == [str(kept.id)]


def test_another_clinics_events_are_not_seen(other_admin_client, front_desk_client, clinic):
    PatientFactory.create_batch(2, clinic=clinic)

    assert feed(other_admin_client)["results"] == []
    assert len(feed(front_desk_client)["results"]) >= 2


def test_reading_the_feed_is_audited_with_the_patients_it_named(front_desk_client, start):
    created = front_desk_client.post("/api/v1/patients/", NEW_PATIENT).json()

    feed(front_desk_client, after=start)

    event = AuditEvent.objects.filter(resource_type="change_event").latest("id")
    assert event.action == "list"
    assert [str(p) for p in event.patient_ids] == [created["id"]]


def test_a_page_costs_the_same_statements_whatever_its_size(front_desk_client, clinic, start):
    PatientFactory(clinic=clinic)
    feed(front_desk_client, after=start)
    with CaptureQueriesContext(connection) as one:
        assert front_desk_client.get(EVENTS, {"after": start}).status_code == 200
    PatientFactory.create_batch(20, clinic=clinic)
    feed(front_desk_client, after=start)
    with CaptureQueriesContext(connection) as many:
        page = front_desk_client.get(EVENTS, {"after": start}).json()

    assert len(page["results"]) == 21
    assert len(many) == len(one)
