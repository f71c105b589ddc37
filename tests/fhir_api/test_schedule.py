"""FHIR Schedule: one per chiropractor, their working hours in words; every role reads it."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.roles import Role
from audit.models import AuditEvent
from fhir_api.resources.schedule import SCHEDULE
from scheduling.models import WorkingHours
from tests.factories import UserFactory
from tests.fhir_api.conformance import assert_conforms

pytestmark = pytest.mark.django_db


def ids(bundle: dict) -> list[str]:
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], SCHEDULE)
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_the_front_desk_reads_a_chiropractors_schedule(
    front_desk_client, chiropractor, clinic, working_week
):
    response = front_desk_client.get(f"/fhir/R4/Schedule/{chiropractor.id}")

    assert response.status_code == 200
    body = response.json()
    assert_conforms(body, SCHEDULE)
    assert body["active"] is True
    assert body["actor"][0]["reference"] == f"Practitioner/{chiropractor.id}"
    assert body["actor"][1] == {"reference": f"Location/{clinic.id}", "display": clinic.name}
    assert body["serviceType"][0]["coding"][0]["display"] == "Chiropractic"
    assert body["comment"].startswith(
        "Working hours (America/New_York): Monday 09:00–12:00 and 13:00–17:00; Tuesday"
    )
    assert "planningHorizon" not in body  # the hours apply without end


def test_the_planning_horizon_is_when_bounded_hours_apply(
    chiropractor_client, chiropractor, clinic
):
    for start, until in ((datetime.date(2027, 1, 4), None), (None, datetime.date(2027, 6, 30))):
        WorkingHours.objects.create(
            clinic=clinic,
            chiropractor=chiropractor,
            weekday=start.weekday() if start else 2,
            start_time=datetime.time(9),
            end_time=datetime.time(12),
            valid_from=start or datetime.date(2027, 2, 1),
            valid_until=until,
        )

    body = chiropractor_client.get(f"/fhir/R4/Schedule/{chiropractor.id}").json()

    assert_conforms(body, SCHEDULE)
    assert body["planningHorizon"] == {"start": "2027-01-04"}
    assert "Wednesday 09:00–12:00 (from 2027-02-01 until 2027-06-30)" in body["comment"]


def test_only_chiropractors_have_schedules(front_desk_client, front_desk, other_admin_client):
    assert front_desk_client.get(f"/fhir/R4/Schedule/{front_desk.id}").status_code == 404
    assert other_admin_client.get(f"/fhir/R4/Schedule/{front_desk.id}").status_code == 404


def test_another_clinics_chiropractor_is_not_found(other_admin_client, chiropractor):
    assert other_admin_client.get(f"/fhir/R4/Schedule/{chiropractor.id}").status_code == 404


def test_search_by_actor_active_and_id(front_desk_client, chiropractor, clinic):
    gone = UserFactory(clinic=clinic, role=Role.CHIROPRACTOR, is_active=False)

    def search(**query) -> list[str]:
        response = front_desk_client.get("/fhir/R4/Schedule", query)
        assert response.status_code == 200, response.json()
        return ids(response.json())

    assert sorted(search()) == sorted([str(chiropractor.id), str(gone.id)])
    assert search(actor=f"Practitioner/{chiropractor.id}") == [str(chiropractor.id)]
    assert search(actor=str(gone.id)) == [str(gone.id)]
    assert sorted(search(actor=f"Location/{clinic.id}")) == sorted(
        [str(chiropractor.id), str(gone.id)]
    )
    assert search(actor=f"Patient/{chiropractor.id}") == []
    assert search(active="true") == [str(chiropractor.id)]
    assert search(active="false") == [str(gone.id)]
    assert search(_id=str(gone.id)) == [str(gone.id)]


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, clinic, working_week
):
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Schedule").status_code == 200
    for _ in range(4):
        other = UserFactory(clinic=clinic, role=Role.CHIROPRACTOR)
        WorkingHours.objects.create(
            clinic=clinic,
            chiropractor=other,
            weekday=0,
            start_time=datetime.time(8),
            end_time=datetime.time(9),
        )
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Schedule").json()

    assert len(bundle["entry"]) == 5
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(front_desk_client, chiropractor):
    before = AuditEvent.objects.count()
    front_desk_client.get(f"/fhir/R4/Schedule/{chiropractor.id}")
    front_desk_client.get("/fhir/R4/Schedule", {"active": "true"})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "working_hours",
        [str(chiropractor.id)],
    )
    assert read.patient_ids == []
    assert (search.action, search.object_ids) == ("search", [str(chiropractor.id)])
