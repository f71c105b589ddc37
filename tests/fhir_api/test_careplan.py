"""FHIR CarePlan: a treatment plan read and searched over HTTP, as US Core CarePlan."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from fhir_api.resources.careplan import CAREPLAN
from tests.factories import ConditionFactory, PatientFactory
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.plans import PLANS, entries, ids, move_plan, write_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(chiropractor_client, full_plan) -> dict:
    return write_plan(chiropractor_client, full_plan)


def read(client, plan_id: str) -> dict:
    response = client.get(f"/fhir/R4/CarePlan/{plan_id}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert_conforms(body, CAREPLAN)
    return body


def search(client, query) -> list[str]:
    response = client.get("/fhir/R4/CarePlan", query)
    assert response.status_code == 200, response.json()
    for resource in entries(response.json()):
        assert_conforms(resource, CAREPLAN)
    return ids(response.json())


def test_a_plan_reads_as_a_us_core_careplan(chiropractor_client, chiropractor, plan, full_plan):
    body = read(chiropractor_client, plan["id"])

    assert body["resourceType"] == "CarePlan" and body["id"] == plan["id"]
    assert body["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan|6.1.0"
    ]
    assert (body["status"], body["intent"]) == ("draft", "plan")
    assert body["category"][0]["coding"][0] == {
        "system": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
        "code": "assess-plan",
        "display": "Assessment and Plan of Treatment",
    }
    assert body["category"][1]["coding"][0]["code"] == "relief"
    assert body["subject"] == {"reference": f"Patient/{full_plan['patient']}"}
    assert body["period"] == {"start": "2026-11-02", "end": "2026-11-29"}
    assert body["author"] == {"reference": f"Practitioner/{chiropractor.id}"}
    assert sorted(a["reference"] for a in body["addresses"]) == sorted(
        f"Condition/{c}" for c in full_plan["conditions"]
    )
    assert [g["reference"] for g in body["goal"]] == [f"Goal/{g['id']}" for g in plan["goals"]]
    planned = plan["adjustments"] + plan["soft_tissue"] + plan["exercises"]
    assert [a["reference"]["reference"] for a in body["activity"]] == [
        f"ServiceRequest/{item['id']}" for item in planned
    ]
    assert body["activity"][0]["reference"]["display"] == "Diversified adjustment of C5 (PRS)"
    assert body["note"] == [{"text": full_plan["notes"]}]
    assert body["description"] == "3 visits a week for 4 weeks."


def test_its_narrative_summarises_phase_frequency_and_weeks(chiropractor_client, plan):
    text = read(chiropractor_client, plan["id"])["text"]

    assert text["status"] == "generated"
    assert text["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml"><p>')
    assert (
        "Relief (acute) plan, draft: 3 visits a week for 4 weeks (12 visits), "
        "2026-11-02 to 2026-11-29." in text["div"]
    )
    assert "Goals: Neck pain at most 2/10;" in text["div"]
    assert "Chin tuck" in text["div"]


def test_a_tapering_plan_says_each_stage(chiropractor_client, full_plan):
    del full_plan["visits_per_week"], full_plan["weeks"]
    full_plan["frequency"] = [
        {"visits_per_week": 3, "weeks": 4},
        {"visits_per_week": 2, "weeks": 6},
    ]
    plan = write_plan(chiropractor_client, full_plan)

    body = read(chiropractor_client, plan["id"])

    assert body["description"] == "3 visits a week for 4 weeks, then 2 visits a week for 6 weeks."
    assert body["period"] == {"start": "2026-11-02", "end": "2027-01-10"}
    assert search(chiropractor_client, {"_id": plan["id"], "date": "2027-01-10"}) == []
    assert search(chiropractor_client, {"_id": plan["id"], "date": "ge2027-01-10"}) == [plan["id"]]
    assert search(chiropractor_client, {"_id": plan["id"], "date": "sa2027-01-10"}) == []


def test_a_condition_taken_off_the_plan_is_no_longer_addressed(
    chiropractor_client, plan, neck_pain
):
    chiropractor_client.patch(f"{PLANS}{plan['id']}/", {"conditions": [str(neck_pain.id)]})

    body = read(chiropractor_client, plan["id"])

    assert body["addresses"] == [{"reference": f"Condition/{neck_pain.id}"}]


def test_statuses_are_fhir_request_statuses(chiropractor_client, plan):
    move_plan(chiropractor_client, plan, "activate", "hold")

    assert read(chiropractor_client, plan["id"])["status"] == "on-hold"
    assert search(chiropractor_client, {"status": "on-hold"}) == [plan["id"]]
    assert search(chiropractor_client, {"status": "active,draft"}) == []
    assert search(chiropractor_client, {"status:not": "active"}) == [plan["id"]]


def test_search_by_patient_category_date_and_id(chiropractor_client, clinic, plan, full_plan):
    other = PatientFactory(clinic=clinic)
    other_plan = write_plan(
        chiropractor_client,
        {
            **full_plan,
            "patient": str(other.id),
            "conditions": [str(ConditionFactory(patient=other).id)],
            "phase": "maintenance",
            "start_date": "2027-03-01",
        },
    )
    patient = full_plan["patient"]

    assert search(chiropractor_client, {"patient": patient}) == [plan["id"]]
    assert search(chiropractor_client, {"patient": f"Patient/{patient}"}) == [plan["id"]]
    assert search(
        chiropractor_client,
        {
            "patient": patient,
            "category": "http://hl7.org/fhir/us/core/CodeSystem/careplan-category|assess-plan",
        },
    ) == [plan["id"]]
    assert search(chiropractor_client, {"category": "maintenance"}) == [other_plan["id"]]
    assert search(chiropractor_client, {"category": "http://loinc.org|assess-plan"}) == []
    assert search(chiropractor_client, {"date": "2026-11"}) == [plan["id"]]
    assert search(chiropractor_client, {"date": "2026-11-15"}) == []  # a day holds no plan
    assert search(chiropractor_client, {"date": "ge2026-11-15", "patient": patient}) == [plan["id"]]
    assert search(chiropractor_client, {"date": "lt2026-11-02"}) == []
    assert search(chiropractor_client, {"date": "gt2027-01-01"}) == [other_plan["id"]]
    assert search(chiropractor_client, {"date": "eb2026-12-01"}) == [plan["id"]]
    assert search(chiropractor_client, {"_id": other_plan["id"]}) == [other_plan["id"]]
    assert search(chiropractor_client, {"_id": "not-a-uuid"}) == []


def test_clinic_admins_read_plans_and_the_front_desk_is_refused(
    clinic_admin_client, front_desk_client, plan
):
    assert read(clinic_admin_client, plan["id"])["id"] == plan["id"]
    read_refused = front_desk_client.get(f"/fhir/R4/CarePlan/{plan['id']}")
    search_refused = front_desk_client.get("/fhir/R4/CarePlan")

    for response in (read_refused, search_refused):
        assert response.status_code == 403
        assert response.json()["resourceType"] == "OperationOutcome"
        assert response.json()["issue"][0]["code"] == "forbidden"
    # The REST API gives the desk a summary of the same plan.
    assert front_desk_client.get(f"{PLANS}{plan['id']}/").status_code == 200


def test_another_clinics_plan_is_not_found(other_admin_client, plan):
    response = other_admin_client.get(f"/fhir/R4/CarePlan/{plan['id']}")

    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"
    assert search(other_admin_client, {}) == []


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, clinic, chiropractor, full_plan
):
    write_plan(chiropractor_client, full_plan)
    chiropractor_client.get("/fhir/R4/CarePlan")  # the process reads the shipped lists once
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/CarePlan").status_code == 200
    for _ in range(6):
        patient = PatientFactory(clinic=clinic)
        condition = ConditionFactory(patient=patient, recorded_by=chiropractor)
        write_plan(
            chiropractor_client,
            {**full_plan, "patient": str(patient.id), "conditions": [str(condition.id)]},
        )
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/CarePlan").json()

    assert len(entries(bundle)) == 7
    assert len(many) == len(one)


def test_pages_follow_next_links_without_repeats(
    chiropractor_client, clinic, chiropractor, full_plan
):
    made = []
    for _ in range(3):
        patient = PatientFactory(clinic=clinic)
        condition = ConditionFactory(patient=patient, recorded_by=chiropractor)
        made.append(
            write_plan(
                chiropractor_client,
                {**full_plan, "patient": str(patient.id), "conditions": [str(condition.id)]},
            )["id"]
        )
    seen: list[str] = []
    url = "/fhir/R4/CarePlan?_count=2"
    while url:
        bundle = chiropractor_client.get(url).json()
        seen += ids(bundle)
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)

    assert sorted(seen) == sorted(made)


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, plan, full_plan):
    before = AuditEvent.objects.count()
    read(chiropractor_client, plan["id"])
    search(chiropractor_client, {"patient": full_plan["patient"]})

    read_event, search_event = AuditEvent.objects.order_by("id")[before:]
    assert (read_event.action, read_event.resource_type) == ("read", "treatment_plan")
    assert [str(p) for p in read_event.patient_ids] == [full_plan["patient"]]
    assert (search_event.action, search_event.object_ids) == ("search", [plan["id"]])
    assert [str(p) for p in search_event.patient_ids] == [full_plan["patient"]]


def test_the_capability_statement_lists_careplan(anonymous_client):
    statement = anonymous_client.get("/fhir/R4/metadata").json()

    careplan = next(r for r in statement["rest"][0]["resource"] if r["type"] == "CarePlan")
    assert careplan["supportedProfile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careplan|6.1.0"
    ]
    assert {p["name"] for p in careplan["searchParam"]} == {
        "_id",
        "patient",
        "category",
        "status",
        "date",
    }


def test_a_goal_added_moves_the_plans_last_update(chiropractor_client, plan):
    before = read(chiropractor_client, plan["id"])["meta"]["lastUpdated"]
    # A minute on: lastUpdated is to the second.
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1)):
        response = chiropractor_client.post(
            f"{PLANS}{plan['id']}/goals/", {"description": "Sleep through the night"}
        )
    assert response.status_code == 201, response.json()

    after = read(chiropractor_client, plan["id"])
    assert after["meta"]["lastUpdated"] > before
    assert len(after["goal"]) == len(plan["goals"]) + 1
