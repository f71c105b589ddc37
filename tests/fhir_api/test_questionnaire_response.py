"""FHIR QuestionnaireResponse: the answers of an ODI or NDI, read and searched over HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.questionnaire_response import QUESTIONNAIRE_RESPONSE
from tests.factories import PatientFactory
from tests.fhir_api.conformance import assert_conforms, assert_valid_fhir
from tests.fhir_api.scores import NDI_ANSWERS, ODI_ANSWERS, record

pytestmark = pytest.mark.django_db


def ids(bundle: dict) -> list[str]:
    for entry in bundle.get("entry", []):
        assert_conforms(entry["resource"], QUESTIONNAIRE_RESPONSE)
    return sorted(entry["resource"]["id"] for entry in bundle.get("entry", []))


@pytest.fixture
def ndi(chiropractor_client, patient) -> str:
    return record(
        chiropractor_client,
        patient.id,
        instrument="ndi",
        answers=NDI_ANSWERS,
        measured_at="2026-11-02T09:05:00Z",
    )


def test_an_ndis_answers_are_its_response(chiropractor_client, chiropractor, patient, ndi):
    response = chiropractor_client.get(f"/fhir/R4/QuestionnaireResponse/{ndi}")

    assert response.status_code == 200
    body = response.json()
    assert_conforms(body, QUESTIONNAIRE_RESPONSE)
    assert body["id"] == ndi
    assert body["questionnaire"] == "http://chiro-practice-api.org/fhir/Questionnaire/ndi|1"
    assert body["status"] == "completed"
    assert body["subject"] == {"reference": f"Patient/{patient.id}"}
    assert body["author"] == {"reference": f"Practitioner/{chiropractor.id}"}
    assert body["authored"] == "2026-11-02T09:05:00Z"
    # The fifth section was left unanswered: it has no item.
    assert [item["linkId"] for item in body["item"]] == [
        "1",
        "2",
        "3",
        "4",
        "6",
        "7",
        "8",
        "9",
        "10",
    ]
    assert body["item"][0] == {
        "linkId": "1",
        "text": "Pain intensity",
        "answer": [{"valueInteger": 2}],
    }
    assert body["item"][4]["text"] == "Concentration"


def test_the_observation_is_derived_from_the_response_of_the_same_id(chiropractor_client, ndi):
    observation = chiropractor_client.get(f"/fhir/R4/Observation/{ndi}").json()
    reference = observation["derivedFrom"][0]["reference"]

    response = chiropractor_client.get(f"/fhir/R4/{reference}")

    assert response.status_code == 200
    assert_conforms(response.json(), QUESTIONNAIRE_RESPONSE)


def test_a_pain_score_has_no_response(chiropractor_client, patient):
    pain = record(chiropractor_client, patient.id, instrument="nrs", value=4)

    response = chiropractor_client.get(f"/fhir/R4/QuestionnaireResponse/{pain}")

    assert response.status_code == 404


def test_a_discarded_questionnaire_is_entered_in_error(chiropractor_client, patient, ndi):
    chiropractor_client.delete(f"/api/v1/patients/{patient.id}/outcomes/{ndi}/")

    body = chiropractor_client.get(f"/fhir/R4/QuestionnaireResponse/{ndi}").json()

    assert_conforms(body, QUESTIONNAIRE_RESPONSE)
    assert body["status"] == "entered-in-error"


def test_the_front_desk_cannot_read_answers(front_desk_client, patient, ndi):
    read = front_desk_client.get(f"/fhir/R4/QuestionnaireResponse/{ndi}")
    search = front_desk_client.get("/fhir/R4/QuestionnaireResponse", {"patient": str(patient.id)})

    assert read.status_code == 403 and search.status_code == 403


def test_another_clinics_answers_are_not_found(other_admin_client, ndi):
    response = other_admin_client.get(f"/fhir/R4/QuestionnaireResponse/{ndi}")

    assert response.status_code == 404


def test_search_by_patient_id_and_authored(chiropractor_client, clinic, patient, ndi):
    odi = record(
        chiropractor_client,
        patient.id,
        instrument="odi",
        answers=ODI_ANSWERS,
        measured_at="2026-11-20T09:05:00Z",
    )
    record(chiropractor_client, patient.id, instrument="nrs", value=4)
    record(
        chiropractor_client, PatientFactory(clinic=clinic).id, instrument="ndi", answers=NDI_ANSWERS
    )

    def search(query) -> list[str]:
        return ids(chiropractor_client.get("/fhir/R4/QuestionnaireResponse", query).json())

    assert search({"patient": str(patient.id)}) == sorted([ndi, odi])
    assert search({"patient": f"Patient/{patient.id}", "_id": odi}) == [odi]
    assert search({"patient": str(patient.id), "authored": "lt2026-11-10"}) == [ndi]


def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, clinic):
    patient = PatientFactory(clinic=clinic)
    record(chiropractor_client, patient.id, instrument="ndi", answers=NDI_ANSWERS)
    with CaptureQueriesContext(connection) as one:
        assert chiropractor_client.get("/fhir/R4/QuestionnaireResponse").status_code == 200
    for _ in range(8):
        record(chiropractor_client, patient.id, instrument="odi", answers=ODI_ANSWERS)
    with CaptureQueriesContext(connection) as many:
        bundle = chiropractor_client.get("/fhir/R4/QuestionnaireResponse").json()

    assert len(bundle["entry"]) == 9
    assert len(many) == len(one)


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, patient, ndi):
    before = AuditEvent.objects.count()
    chiropractor_client.get(f"/fhir/R4/QuestionnaireResponse/{ndi}")
    chiropractor_client.get("/fhir/R4/QuestionnaireResponse", {"patient": str(patient.id)})

    read, search = AuditEvent.objects.order_by("id")[before:]
    assert (read.action, read.resource_type, read.object_ids) == ("read", "outcome_measure", [ndi])
    assert read.patient_ids == [patient.id]
    assert (search.action, search.object_ids) == ("search", [ndi])


def test_every_response_of_a_search_conforms(chiropractor_client, ndi):
    bundle = chiropractor_client.get("/fhir/R4/QuestionnaireResponse").json()

    assert_valid_fhir(bundle)
    assert ids(bundle) == [ndi]
