"""Treatment plans imported from FHIR: a CarePlan with its Goals and ServiceRequests, as our
export writes them, becomes the same plan in another clinic."""

import json

import pytest

from api.roles import Role
from fhir_import.models import ImportedResource
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.fhir_api.plans import PLANS, move_plan, write_plan
from tests.fhir_import.round_trip import (
    by_type,
    clinical,
    everything,
    names_of,
    post_bundle,
    transaction_of,
)
from treatments.plans.models import TreatmentPlan

pytestmark = pytest.mark.django_db

PLAN_TYPES = {"Patient", "Condition", "CarePlan", "Goal", "ServiceRequest"}


@pytest.fixture
def elsewhere(other_clinic):
    """A chiropractor of another clinic, who imports."""
    return client_for(UserFactory(clinic=other_clinic, role=Role.CHIROPRACTOR))


@pytest.fixture
def active_plan(chiropractor_client, full_plan) -> dict:
    plan = write_plan(
        chiropractor_client,
        {
            **{k: v for k, v in full_plan.items() if k not in ("visits_per_week", "weeks")},
            "reexam_interval_days": 21,
            "reexam_interval_visits": 9,
            "frequency": [{"visits_per_week": 3, "weeks": 2}, {"visits_per_week": 2, "weeks": 4}],
        },
    )
    move_plan(chiropractor_client, plan, "activate")
    # One intervention taken off the plan: it is kept, revoked.
    removed = plan["soft_tissue"][0]["id"]
    response = chiropractor_client.delete(f"{PLANS}{plan['id']}/soft-tissue/{removed}/")
    assert response.status_code in (200, 204), response.content
    return plan


def _plan_content(client, plan_id: str) -> dict:
    """A plan as the REST API reads it, without what names records or says when they were
    written."""
    body = client.get(f"{PLANS}{plan_id}/").json()
    skip = {"id", "patient", "chiropractor", "conditions", "created_by", "created_at"}
    skip |= {"updated_at", "version", "status_changed_at", "allowed_actions"}

    def strip(value):
        if isinstance(value, list):
            return [strip(item) for item in value]
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in skip}
        return value

    return strip(body)


def test_a_plan_of_every_intervention_kind_round_trips(
    chiropractor_client, elsewhere, patient, active_plan
):
    exported = everything(chiropractor_client, str(patient.id))
    bundle = transaction_of(exported, PLAN_TYPES)
    answer = post_bundle(elsewhere, bundle)
    statuses = [entry["response"]["status"] for entry in answer["entry"]]
    assert set(statuses) == {"201 Created"}, json.dumps(answer, indent=1)

    imported = TreatmentPlan.objects.exclude(clinic=patient.clinic).get()
    assert imported.status == "active"
    assert _plan_content(elsewhere, str(imported.id)) == _plan_content(
        chiropractor_client, active_plan["id"]
    )
    # The intervention taken off the plan came along, taken off.
    assert imported.soft_tissue.get().removed_at is not None

    # Exported again from the other clinic: the same clinical content.
    again = everything(elsewhere, str(imported.patient_id))
    source, target = names_of(bundle, answer)
    first = by_type(exported, PLAN_TYPES)
    second = by_type(again, PLAN_TYPES)
    for kind in PLAN_TYPES - {"Patient"}:
        assert sorted(
            json.dumps(clinical(r, source), sort_keys=True) for r in first[kind]
        ) == sorted(json.dumps(clinical(r, target), sort_keys=True) for r in second[kind]), kind


def test_posting_the_plan_again_writes_nothing(
    chiropractor_client, elsewhere, patient, active_plan
):
    bundle = transaction_of(everything(chiropractor_client, str(patient.id)), PLAN_TYPES)
    post_bundle(elsewhere, bundle)
    rows = ImportedResource.objects.count()
    again = post_bundle(elsewhere, bundle)
    assert {entry["response"]["status"] for entry in again["entry"]} == {"200 OK"}
    assert ImportedResource.objects.count() == rows
    assert TreatmentPlan.objects.exclude(clinic=patient.clinic).count() == 1


def test_a_goal_no_plan_names_is_refused_in_a_transaction(
    chiropractor_client, elsewhere, patient, active_plan
):
    bundle = transaction_of(everything(chiropractor_client, str(patient.id)), {"Patient", "Goal"})
    response = elsewhere.post("/fhir/R4/", bundle, format="json")
    assert response.status_code == 422, response.json()
    issue = response.json()["issue"][0]
    assert issue["details"]["coding"][0]["code"] == "unresolved_reference"
    assert "imported as part of the CarePlan" in issue["details"]["text"]
    assert not TreatmentPlan.objects.exclude(clinic=patient.clinic).exists()


def test_a_clinics_own_technique_is_not_mappable(
    chiropractor_client, elsewhere, patient, active_plan
):
    bundle = transaction_of(everything(chiropractor_client, str(patient.id)), PLAN_TYPES)
    # An adjustment the plan names in its activities (its ids, hence the order, are random).
    request = next(
        e
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "ServiceRequest"
        and e["resource"]["category"][0]["coding"][0]["code"] == "adjustment"
    )
    coding = request["resource"]["code"]["coding"][-1]
    coding["system"] += "/some-clinic"
    bundle["type"] = "batch"
    answer = post_bundle(elsewhere, bundle)
    plan_answer = next(
        a
        for e, a in zip(bundle["entry"], answer["entry"], strict=True)
        if e["resource"]["resourceType"] == "CarePlan"
    )
    assert plan_answer["response"]["status"].startswith("422")
    outcome = plan_answer["response"]["outcome"]["issue"][0]
    assert "another clinic's own list" in outcome["details"]["text"]
    assert outcome["expression"][0].endswith(".reference.code")
