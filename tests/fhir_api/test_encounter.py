"""FHIR Encounter: visits read and searched over HTTP, scoped, audited, US Core conformant."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.encounter import ENCOUNTER
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.conftest import VISITS, clinic_day, log_visit, sign

pytestmark = pytest.mark.django_db


def ids(bundle: dict) -> list[str]:
    assert_valid_fhir(bundle)
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], ENCOUNTER, fully_recorded=False)
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def test_a_signed_visit_reads_as_a_finished_us_core_encounter(
    chiropractor_client, chiropractor, signed_visit, neck_pain, subluxation
):
    response = chiropractor_client.get(f"/fhir/R4/Encounter/{signed_visit['id']}")

    assert response.status_code == 200
    encounter = response.json()
    assert_conforms(encounter, ENCOUNTER)
    assert encounter["status"] == "finished"
    assert encounter["class"]["code"] == "AMB"
    assert encounter["type"][0]["coding"][0]["code"] == "visit"
    assert encounter["subject"] == {"reference": f"Patient/{signed_visit['patient']}"}
    assert encounter["identifier"][0]["value"] == signed_visit["id"]
    participant = encounter["participant"][0]
    assert participant["individual"] == {"reference": f"Practitioner/{chiropractor.id}"}
    assert [t["coding"][0]["code"] for t in participant["type"]] == ["PPRF", "ATND"]
    assert encounter["period"]["start"] == participant["period"]["start"]
    # The coded diagnoses, primary (the subluxation) first, and the conditions behind them.
    assert [r["coding"][0]["code"] for r in encounter["reasonCode"]] == ["M99.01", "M54.2"]
    assert encounter["reasonReference"] == [
        {"reference": f"Condition/{subluxation.id}"},
        {"reference": f"Condition/{neck_pain.id}"},
    ]
    clinic = chiropractor.clinic_id
    assert encounter["serviceProvider"] == {"reference": f"Organization/{clinic}"}
    assert encounter["location"] == [{"location": {"reference": f"Location/{clinic}"}}]
    assert response["ETag"] == f'W/"{encounter["meta"]["versionId"]}"'


def test_a_draft_is_in_progress_and_a_discarded_one_entered_in_error(
    chiropractor_client, draft_visit, charted_patient
):
    discarded = charted_patient["visit"]
    assert chiropractor_client.delete(f"{VISITS}{discarded['id']}/").status_code == 204

    draft = chiropractor_client.get(f"/fhir/R4/Encounter/{draft_visit['id']}").json()
    gone = chiropractor_client.get(f"/fhir/R4/Encounter/{discarded['id']}").json()

    assert (draft["status"], gone["status"]) == ("in-progress", "entered-in-error")
    for encounter in (draft, gone):
        assert_conforms(encounter, ENCOUNTER, fully_recorded=False)


def test_a_visit_outside_a_plan_gives_the_patients_ongoing_conditions_as_reasons(
    chiropractor_client, charted_patient, neck_pain, subluxation
):
    encounter = chiropractor_client.get(
        f"/fhir/R4/Encounter/{charted_patient['visit']['id']}"
    ).json()

    assert_conforms(encounter, ENCOUNTER, fully_recorded=False)
    assert {r["reference"] for r in encounter["reasonReference"]} == {
        f"Condition/{neck_pain.id}",
        f"Condition/{subluxation.id}",
    }


def test_a_re_examination_has_its_own_type(chiropractor_client, active_plan):
    visit = log_visit(chiropractor_client, active_plan, is_reexamination=True)

    encounter = chiropractor_client.get(f"/fhir/R4/Encounter/{visit['id']}").json()

    assert encounter["type"][0]["coding"][0]["code"] == "reexamination"
    assert_conforms(encounter, ENCOUNTER, fully_recorded=False)


def test_search_by_each_parameter(
    chiropractor_client, chiropractor, clinic, signed_visit, draft_visit
):
    signed, draft = signed_visit["id"], draft_visit["id"]
    patient = signed_visit["patient"]
    day = clinic_day(signed_visit["visit_at"], clinic)

    def search(query) -> list[str]:
        response = chiropractor_client.get("/fhir/R4/Encounter", query)
        assert response.status_code == 200, response.json()
        return sorted(ids(response.json()))

    both = sorted([signed, draft])
    assert search({"patient": f"Patient/{patient}"}) == both
    assert search({"subject": patient}) == both
    assert search({"patient": patient, "date": day}) == both
    assert search({"patient": patient, "date": "lt2000-01-01"}) == []
    assert search({"status": "finished"}) == [signed]
    assert search({"status": "http://hl7.org/fhir/encounter-status|in-progress"}) == [draft]
    assert search({"class": "http://terminology.hl7.org/CodeSystem/v3-ActCode|AMB"}) == both
    assert search({"class": "IMP"}) == []
    assert search({"type": "visit"}) == both
    assert search({"type": "reexamination"}) == []
    assert search({"practitioner": f"Practitioner/{chiropractor.id}"}) == both
    assert search({"_id": signed}) == [signed]
    assert search({"identifier": signed}) == [signed]
    assert search({"_lastUpdated": f"ge{day}"}) == both
    assert search({"_id": "not-a-visit"}) == []


def test_the_front_desk_reads_no_encounters(front_desk_client, signed_visit):
    read = front_desk_client.get(f"/fhir/R4/Encounter/{signed_visit['id']}")
    search = front_desk_client.get("/fhir/R4/Encounter")

    assert (read.status_code, search.status_code) == (403, 403)
    assert read.json()["issue"][0]["code"] == "forbidden"


def test_a_clinic_admin_reads_encounters(clinic_admin_client, signed_visit):
    response = clinic_admin_client.get(f"/fhir/R4/Encounter/{signed_visit['id']}")

    assert response.status_code == 200
    assert_conforms(response.json(), ENCOUNTER)


def test_another_clinics_visit_is_not_found(other_admin_client, signed_visit):
    read = other_admin_client.get(f"/fhir/R4/Encounter/{signed_visit['id']}")
    search = other_admin_client.get("/fhir/R4/Encounter")

    assert read.status_code == 404
    assert "entry" not in search.json()


def test_a_page_costs_the_same_statements_whatever_its_size(
    chiropractor_client, clinic, active_plan
):
    sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Encounter").status_code == 200
    for _ in range(3):
        log_visit(chiropractor_client, active_plan)
        sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
    PatientFactory(clinic=clinic)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Encounter").json()

    assert len(bundle["entry"]) == 7
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(
    chiropractor_client, chiropractor, signed_visit
):
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/Encounter/{signed_visit['id']}")
    chiropractor_client.get("/fhir/R4/Encounter", {"patient": signed_visit["patient"]})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == (
        "read",
        "visit",
        [signed_visit["id"]],
    )
    assert [str(p) for p in read.patient_ids] == [signed_visit["patient"]]
    assert read.user_id == chiropractor.id
    assert (search.action, search.resource_type, search.object_ids) == (
        "search",
        "visit",
        [signed_visit["id"]],
    )


def test_the_capability_statement_lists_encounter_and_its_visit_types(anonymous_client):
    statement = anonymous_client.get("/fhir/R4/metadata").json()

    encounter = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Encounter")
    assert {p["name"] for p in encounter["searchParam"]} >= {
        "patient",
        "date",
        "status",
        "class",
        "type",
        "practitioner",
        "_id",
        "_lastUpdated",
    }
    assert "Read by: chiropractor, clinic admin" in encounter["documentation"]
    assert "/CodeSystem/visit-type" in statement["rest"][0]["documentation"]
