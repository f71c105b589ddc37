"""FHIR AuditEvent: the clinic's audit trail for its admins, over HTTP, itself audited."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.audit_event import AUDIT_EVENT
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.conftest import clinic_day

pytestmark = pytest.mark.django_db

STAFF = "http://chiro-practice-api.org/fhir/sid/staff"


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-id")[0]


@pytest.fixture
def patient_read(chiropractor_client, patient) -> AuditEvent:
    """The event of a chiropractor reading a patient's record."""
    assert chiropractor_client.get(f"/api/v1/patients/{patient.id}/").status_code == 200
    return last_event()


def test_a_clinic_admin_reads_who_read_a_patient(
    clinic_admin_client, chiropractor, patient, patient_read
):
    response = clinic_admin_client.get(f"/fhir/R4/AuditEvent/{patient_read.id}")

    assert response.status_code == 200
    event = response.json()
    assert_conforms(event, AUDIT_EVENT)
    assert event["id"] == str(patient_read.id)
    assert event["type"] == {
        "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
        "code": "rest",
        "display": "RESTful Operation",
    }
    assert event["subtype"] == [
        {"system": "http://hl7.org/fhir/restful-interaction", "code": "read"},
        {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/audit-action",
            "code": "read",
            "display": "Read a record",
        },
    ]
    assert (event["action"], event["outcome"], event["outcomeDesc"]) == ("R", "0", "HTTP 200")
    assert event["recorded"].endswith("Z")
    assert event["agent"] == [
        {
            "role": [
                {
                    "coding": [
                        {
                            "system": "http://chiro-practice-api.org/fhir/CodeSystem/staff-role",
                            "code": "chiropractor",
                            "display": "Chiropractor",
                        }
                    ]
                }
            ],
            "who": {
                "identifier": {"use": "secondary", "system": STAFF, "value": str(chiropractor.id)},
                "display": "dr.palmer",
            },
            "requestor": True,
            "network": {"address": "127.0.0.1", "type": "2"},
        }
    ]
    # The patient read is named once, as the patient.
    assert event["entity"] == [
        {
            "what": {"reference": f"Patient/{patient.id}"},
            "type": {
                "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                "code": "1",
                "display": "Person",
            },
            "role": {
                "system": "http://terminology.hl7.org/CodeSystem/object-role",
                "code": "1",
                "display": "Patient",
            },
        }
    ]


def test_the_records_a_request_touched_are_its_entities(
    clinic_admin_client, chiropractor_client, patient, neck_pain
):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/conditions/{neck_pain.id}/")
    event = clinic_admin_client.get(f"/fhir/R4/AuditEvent/{last_event().id}").json()

    assert event["entity"][1] == {
        "what": {
            "identifier": {
                "system": "http://chiro-practice-api.org/fhir/sid/record",
                "value": str(neck_pain.id),
            }
        },
        "type": {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/audit-resource",
            "code": "condition",
        },
    }
    assert event["entity"][0]["what"] == {"reference": f"Patient/{patient.id}"}
    assert_conforms(event, AUDIT_EVENT)


def test_a_refused_request_is_a_minor_failure_naming_what_it_asked(
    clinic_admin_client, front_desk_client, patient
):
    front_desk_client.get(f"/api/v1/patients/{patient.id}/conditions/")
    refused = last_event()

    event = clinic_admin_client.get(f"/fhir/R4/AuditEvent/{refused.id}").json()

    assert (event["outcome"], event["outcomeDesc"]) == ("4", "HTTP 403")
    assert event["subtype"][0]["code"] == "search-type"
    assert event["entity"][0]["what"] == {"reference": f"Patient/{patient.id}"}
    assert event["entity"][1] == {
        "type": {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/audit-resource",
            "code": "condition",
        },
        "description": f"GET /api/v1/patients/{patient.id}/conditions/",
    }
    assert_conforms(event, AUDIT_EVENT)


def test_a_failed_login_names_the_name_it_tried(
    clinic_admin_client, anonymous_client, chiropractor
):
    anonymous_client.post("/api/v1/auth/login", {"username": "dr.palmer", "password": "wrong"})
    failed = last_event()
    assert failed.clinic_id == chiropractor.clinic_id

    event = clinic_admin_client.get(f"/fhir/R4/AuditEvent/{failed.id}").json()

    assert event["action"] == "E" and event["outcome"] == "4"
    assert event["subtype"] == [
        {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/audit-action",
            "code": "login_failed",
            "display": "Failed to log in",
        }
    ]
    # Nobody was logged in: the name tried is no staff member's identity.
    assert event["agent"][0]["name"] == "dr.palmer"
    assert "who" not in event["agent"][0] and "role" not in event["agent"][0]
    assert_conforms(event, AUDIT_EVENT)


def test_only_clinic_admins_read_the_trail(chiropractor_client, front_desk_client, patient_read):
    for client in (chiropractor_client, front_desk_client):
        assert client.get(f"/fhir/R4/AuditEvent/{patient_read.id}").status_code == 403
        response = client.get("/fhir/R4/AuditEvent")

        assert response.status_code == 403
        assert response.json()["issue"][0]["code"] == "forbidden"


def test_another_clinics_event_is_not_found(other_admin_client, patient_read):
    response = other_admin_client.get(f"/fhir/R4/AuditEvent/{patient_read.id}")

    assert response.status_code == 404
    assert str(patient_read.id) not in ids(other_admin_client.get("/fhir/R4/AuditEvent").json())


@pytest.mark.parametrize(
    "key", ["abc", "12a", "-1", "1" * 19, "0b5f3c1e-8d3a-4c8e-9a53-5f1e2b7c9d10"]
)
def test_an_id_that_is_no_events_is_not_found(clinic_admin_client, key):
    assert clinic_admin_client.get(f"/fhir/R4/AuditEvent/{key}").status_code == 404
    assert ids(clinic_admin_client.get("/fhir/R4/AuditEvent", {"_id": key}).json()) == []


def test_search_by_patient_agent_action_date_and_id(
    clinic_admin_client, chiropractor, patient, patient_read
):
    found = {}
    for name, query in {
        "patient": {"patient": f"Patient/{patient.id}"},
        "agent": {"agent": str(chiropractor.id)},
        "agent reference": {"agent": f"Practitioner/{chiropractor.id}"},
        "action": {"action": "R"},
        "action with system": {"action": "http://hl7.org/fhir/audit-event-action|R"},
        "date": {"date": "ge" + clinic_day(patient_read.occurred_at.isoformat(), patient.clinic)},
        "id": {"_id": str(patient_read.id)},
    }.items():
        bundle = clinic_admin_client.get("/fhir/R4/AuditEvent", query).json()

        assert_valid_fhir(bundle)
        for entry in bundle.get("entry", []):
            assert_conforms(entry["resource"], AUDIT_EVENT)
        found[name] = ids(bundle)
        assert str(patient_read.id) in found[name], name
    # Newest first: the chiropractor's events, the last their read of the patient.
    assert found["agent"][0] == str(patient_read.id)
    assert found["id"] == [str(patient_read.id)]
    for query in (
        {"action": "C,D"},
        {"date": "lt2020-01-01"},
        {"patient": str(uuid.uuid4())},
        {"agent": f"Patient/{chiropractor.id}"},
    ):
        assert str(patient_read.id) not in ids(
            clinic_admin_client.get("/fhir/R4/AuditEvent", query).json()
        ), query


def test_a_page_costs_the_same_statements_whatever_its_size(
    clinic_admin_client, chiropractor_client, patient
):
    chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    with CaptureQueriesContext(connection) as one:
        first = clinic_admin_client.get("/fhir/R4/AuditEvent").json()
    for _ in range(10):
        chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    with CaptureQueriesContext(connection) as many:
        bundle = clinic_admin_client.get("/fhir/R4/AuditEvent").json()

    assert len(bundle["entry"]) >= len(first["entry"]) + 10
    assert len(many) == len(one)


def test_pages_follow_next_links_newest_first(clinic_admin_client, chiropractor_client, patient):
    for _ in range(4):
        chiropractor_client.get(f"/api/v1/patients/{patient.id}/")
    seen: list[int] = []
    url = f"/fhir/R4/AuditEvent?_count=2&patient={patient.id}"
    while url:
        bundle = clinic_admin_client.get(url).json()
        seen += [int(key) for key in ids(bundle)]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert len(seen) == 4 and seen == sorted(seen, reverse=True)


def test_reading_the_trail_is_itself_recorded(clinic_admin_client, clinic_admin, patient_read):
    clinic_admin_client.get(f"/fhir/R4/AuditEvent/{patient_read.id}")
    read = last_event()
    clinic_admin_client.get("/fhir/R4/AuditEvent", {"_id": str(patient_read.id)})
    search = last_event()

    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "audit_event",
        [str(patient_read.id)],
    )
    assert (search.action, search.resource_type, search.object_ids) == (
        "search",
        "audit_event",
        [str(patient_read.id)],
    )
    assert read.user_id == clinic_admin.id and read.patient_ids == []
