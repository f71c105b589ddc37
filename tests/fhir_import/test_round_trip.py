"""The round trip of a patient's record: exported from one clinic ($everything), imported into
another as one transaction, exported again: the clinical content is equal, type by type.

The record: two conditions, a coverage, a completed plan and an active one (every kind of
intervention, goals, a tapering frequency) with a signed visit each, and pain, NDI and ODI
scores."""

import json

import pytest

from api.roles import Role
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.fhir_api.conftest import log_visit, sign
from tests.fhir_api.plans import move_plan, write_plan
from tests.fhir_api.scores import NDI_ANSWERS, ODI_ANSWERS, record
from tests.fhir_import.round_trip import (
    by_type,
    clinical,
    everything,
    names_of,
    post_bundle,
    transaction_of,
)

pytestmark = pytest.mark.django_db

CLINICAL_TYPES = {
    "Patient",
    "Condition",
    "Coverage",
    "CarePlan",
    "Goal",
    "ServiceRequest",
    "Encounter",
    "Procedure",
    "Observation",
    "QuestionnaireResponse",
}


@pytest.fixture
def record_of_care(chiropractor_client, patient, full_plan) -> None:
    client = chiropractor_client
    response = client.post(
        "/api/v1/coverages/",
        {
            "patient": str(patient.id),
            "payer_name": "Medicare Part B",
            "payer_type": "medicare",
            "member_id": "1EG4-TE5-MK73",
            "starts_on": "2026-01-01",
        },
    )
    assert response.status_code == 201, response.json()
    earlier = write_plan(
        client,
        {**full_plan, "start_date": "2026-10-01", "notes": "First episode.", "goals": []},
    )
    move_plan(client, earlier, "activate")
    sign(client, log_visit(client, earlier, visit_at="2026-10-05T15:00:00Z"))
    move_plan(client, earlier, "complete")
    current = write_plan(
        client,
        {
            **{k: v for k, v in full_plan.items() if k not in ("visits_per_week", "weeks")},
            "phase": "corrective",
            "frequency": [{"visits_per_week": 3, "weeks": 2}, {"visits_per_week": 2, "weeks": 4}],
        },
    )
    move_plan(client, current, "activate")
    sign(client, log_visit(client, current))
    record(client, patient.id, instrument="nrs", value=5, measured_at="2026-11-03T09:00:00Z")
    record(
        client,
        patient.id,
        instrument="ndi",
        answers=NDI_ANSWERS,
        measured_at="2026-11-03T09:05:00Z",
    )
    record(
        client,
        patient.id,
        instrument="odi",
        answers=ODI_ANSWERS,
        measured_at="2026-11-03T09:10:00Z",
    )


def test_a_patients_record_imported_elsewhere_exports_the_same(
    chiropractor_client, other_clinic, patient, record_of_care
):
    elsewhere = client_for(UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR))
    exported = everything(chiropractor_client, str(patient.id))
    bundle = transaction_of(exported, CLINICAL_TYPES)
    assert {e["resource"]["resourceType"] for e in bundle["entry"]} == CLINICAL_TYPES

    answer = post_bundle(elsewhere, bundle)

    refused = [e["response"] for e in answer["entry"] if e["response"]["status"][0] not in "2"]
    assert not refused, json.dumps(refused, indent=1)
    [imported_patient] = [
        e["response"]["location"].split("/")[1]
        for e in answer["entry"]
        if e["response"]["location"].startswith("Patient/")
    ]
    again = everything(elsewhere, imported_patient)
    source, target = names_of(bundle, answer)
    first, second = by_type(exported, CLINICAL_TYPES), by_type(again, CLINICAL_TYPES)
    for kind in sorted(CLINICAL_TYPES):
        assert sorted(json.dumps(clinical(r, source), sort_keys=True) for r in first[kind]) == (
            sorted(json.dumps(clinical(r, target), sort_keys=True) for r in second[kind])
        ), kind
