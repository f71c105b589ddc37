"""FHIR Observation: outcome scores read and searched over HTTP, scoped, audited, US Core."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.observation import OBSERVATION
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.scores import NDI_ANSWERS, ODI_ANSWERS, record

pytestmark = pytest.mark.django_db

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"


def ids(bundle: dict) -> list[str]:
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], OBSERVATION, fully_recorded=False)
    return sorted(entry["resource"]["id"] for entry in bundle.get("entry", []))


@pytest.fixture
def scores(chiropractor_client, patient) -> dict[str, str]:
    return {
        "nrs": record(
            chiropractor_client,
            patient.id,
            instrument="nrs",
            value=6,
            measured_at="2026-11-02T09:00:00Z",
        ),
        "ndi": record(
            chiropractor_client,
            patient.id,
            instrument="ndi",
            answers=NDI_ANSWERS,
            measured_at="2026-11-02T09:05:00Z",
        ),
        "odi": record(
            chiropractor_client,
            patient.id,
            instrument="odi",
            answers=ODI_ANSWERS,
            measured_at="2026-11-20T09:05:00Z",
        ),
    }


def test_a_pain_score_is_loinc_72514_3_in_score_units(
    chiropractor_client, chiropractor, patient, scores
):
    response = chiropractor_client.get(f"/fhir/R4/Observation/{scores['nrs']}")

    assert response.status_code == 200
    body = response.json()
    # A pain score has no US Core screening-assessment category (the indexes have one).
    assert_conforms(body, OBSERVATION, fully_recorded=False)
    assert body["status"] == "final"
    assert body["code"]["coding"] == [
        {
            "system": LOINC,
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ]
    assert body["category"] == [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                    "code": "survey",
                    "display": "Survey",
                }
            ]
        }
    ]
    assert body["valueQuantity"] == {
        "value": 6,
        "unit": "{score}",
        "system": UCUM,
        "code": "{score}",
    }
    assert body["effectiveDateTime"] == "2026-11-02T09:00:00Z"
    assert body["subject"] == {"reference": f"Patient/{patient.id}"}
    assert body["performer"] == [{"reference": f"Practitioner/{chiropractor.id}"}]
    assert "derivedFrom" not in body and "encounter" not in body


def test_the_ndi_total_is_its_sum_derived_from_its_answers(chiropractor_client, scores):
    body = chiropractor_client.get(f"/fhir/R4/Observation/{scores['ndi']}").json()

    assert_conforms(body, OBSERVATION)
    assert body["code"]["coding"][0]["code"] == "82237-9"
    assert body["valueQuantity"] == {
        "value": 14,
        "unit": "{score}",
        "system": UCUM,
        "code": "{score}",
    }
    assert body["component"][0]["valueQuantity"]["value"] == 31.1
    assert body["component"][0]["code"]["coding"][0]["code"] == "percent"
    assert body["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{scores['ndi']}"}]
    assert [c["coding"][0]["code"] for c in body["category"]] == ["survey", "functional-status"]


def test_the_odi_is_its_percent(chiropractor_client, scores):
    body = chiropractor_client.get(f"/fhir/R4/Observation/{scores['odi']}").json()

    assert_conforms(body, OBSERVATION)
    assert body["code"]["coding"][0] == {
        "system": LOINC,
        "code": "97909-6",
        "display": "Oswestry disability index score ODI",
    }
    assert body["valueQuantity"] == {"value": 36.0, "unit": "%", "system": UCUM, "code": "%"}
    assert "component" not in body
    assert body["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{scores['odi']}"}]


def test_a_visits_pain_score_names_its_encounter(chiropractor_client, patient):
    visit = chiropractor_client.post(
        "/api/v1/visits/",
        {"patient": str(patient.id), "visit_at": "2026-11-20T10:00:00Z", "pain_before": 5},
    ).json()

    bundle = chiropractor_client.get("/fhir/R4/Observation", {"patient": str(patient.id)}).json()

    (entry,) = bundle["entry"]
    assert entry["resource"]["encounter"] == {"reference": f"Encounter/{visit['id']}"}
    assert entry["resource"]["valueQuantity"]["value"] == 5
    assert_conforms(entry["resource"], OBSERVATION, fully_recorded=False)


def test_a_discarded_score_is_entered_in_error(chiropractor_client, patient, scores):
    chiropractor_client.delete(f"/api/v1/patients/{patient.id}/outcomes/{scores['odi']}/")

    body = chiropractor_client.get(f"/fhir/R4/Observation/{scores['odi']}").json()

    assert_conforms(body, OBSERVATION)
    assert body["status"] == "entered-in-error"


def test_the_front_desk_cannot_read_scores(front_desk_client, patient, scores):
    read = front_desk_client.get(f"/fhir/R4/Observation/{scores['nrs']}")
    search = front_desk_client.get("/fhir/R4/Observation", {"patient": str(patient.id)})

    assert read.status_code == 403 and search.status_code == 403
    assert read.json()["issue"][0]["code"] == "forbidden"


def test_another_clinics_score_is_not_found(other_admin_client, scores):
    response = other_admin_client.get(f"/fhir/R4/Observation/{scores['ndi']}")

    assert response.status_code == 404


def test_search_by_patient_category_code_and_date(chiropractor_client, clinic, patient, scores):
    other = PatientFactory(clinic=clinic)
    record(chiropractor_client, other.id, instrument="nrs", value=2)

    def search(query) -> list[str]:
        return ids(chiropractor_client.get("/fhir/R4/Observation", query).json())

    mine = {"patient": str(patient.id)}
    assert search(mine) == sorted(scores.values())
    assert search({**mine, "category": "survey"}) == sorted(scores.values())
    assert search({**mine, "category": f"{US_CORE_CATEGORY}|functional-status"}) == sorted(
        [scores["ndi"], scores["odi"]]
    )
    assert search({**mine, "category:not": "functional-status"}) == [scores["nrs"]]
    assert search({**mine, "category:not": "survey"}) == []
    assert search({**mine, "code": f"{LOINC}|72514-3"}) == [scores["nrs"]]
    assert search({**mine, "code": "82237-9,97909-6"}) == sorted([scores["ndi"], scores["odi"]])
    assert search({**mine, "code": "http://snomed.info/sct|72514-3"}) == []
    assert search({**mine, "date": "2026-11-02"}) == sorted([scores["nrs"], scores["ndi"]])
    assert search([*mine.items(), ("date", "ge2026-11-10"), ("date", "lt2026-12")]) == [
        scores["odi"]
    ]
    assert search({"_id": scores["ndi"]}) == [scores["ndi"]]
    assert search({**mine, "status": "final"}) == sorted(scores.values())


def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, clinic):
    patient = PatientFactory(clinic=clinic)
    record(chiropractor_client, patient.id, instrument="ndi", answers=NDI_ANSWERS)
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/Observation").status_code == 200
    for _ in range(5):
        record(chiropractor_client, patient.id, instrument="nrs", value=3)
        record(chiropractor_client, patient.id, instrument="odi", answers=ODI_ANSWERS)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/Observation").json()

    assert len(bundle["entry"]) == 11
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(
    clinic_admin_client, clinic_admin, patient, scores
):
    before = AuditEvent.objects.count()
    clinic_admin_client.get(f"/fhir/R4/Observation/{scores['nrs']}")
    clinic_admin_client.get("/fhir/R4/Observation", {"patient": str(patient.id), "code": "82237-9"})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.user_id) == (
        "read",
        "outcome_measure",
        clinic_admin.id,
    )
    assert read.object_ids == [scores["nrs"]] and read.patient_ids == [patient.id]
    assert (search.action, search.object_ids) == ("search", [scores["ndi"]])


def test_every_score_of_a_search_conforms(chiropractor_client, scores):
    bundle = chiropractor_client.get("/fhir/R4/Observation").json()

    assert_valid_fhir(bundle)
    assert len(ids(bundle)) == 3


def test_a_patients_everything_holds_scores_and_their_answers(chiropractor_client, patient, scores):
    bundle = chiropractor_client.get(f"/fhir/R4/Patient/{patient.id}/$everything").json()

    found = {(e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]}
    assert {("Observation", id_) for id_ in scores.values()} <= found
    assert {
        ("QuestionnaireResponse", scores["ndi"]),
        ("QuestionnaireResponse", scores["odi"]),
    } <= found
