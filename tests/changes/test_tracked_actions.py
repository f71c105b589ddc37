"""Each tracked record's named changes, as the REST API makes them: booking moves, plan status
moves, archiving coverage, discarding a condition or an outcome measure, a plan's items, a
claim's payments and coding corrections."""

import json

import pytest

from api.committed_schema import schema_json
from changes.tracking import TRACKED, event_types
from patients.services import clinic_today
from tests.billing.conftest import MEDICARE
from tests.changes.conftest import feed
from tests.fhir_api.conftest import log_visit, sign
from tests.scheduling.conftest import local

pytestmark = pytest.mark.django_db

APPOINTMENTS = "/api/v1/appointments/"
PLANS = "/api/v1/treatment-plans/"


def changes_of(client, start: str, resource_id: str) -> list[str]:
    return [e["action"] for e in feed(client, after=start, resource_id=resource_id)["results"]]


def test_an_appointment_booked_moved_and_cancelled(front_desk_client, booking, booking_day, start):
    booked = front_desk_client.post(APPOINTMENTS, booking).json()
    url = f"{APPOINTMENTS}{booked['id']}/"
    moved = front_desk_client.patch(url, {"start_at": local(booking_day, 14)}, HTTP_IF_MATCH='"1"')
    assert moved.status_code == 200, moved.json()
    assert front_desk_client.post(f"{url}cancel/", {"reason": "sick"}).status_code == 200

    assert changes_of(front_desk_client, start, booked["id"]) == [
        "created",
        "rescheduled",
        "cancelled",
    ]


def test_a_plans_status_moves_and_items(chiropractor_client, full_plan, start):
    plan = chiropractor_client.post(PLANS, full_plan).json()
    url = f"{PLANS}{plan['id']}/"
    for move in ("activate", "hold", "resume"):
        assert chiropractor_client.post(f"{url}{move}/").status_code == 200

    actions = changes_of(chiropractor_client, start, plan["id"])

    items = sum(
        len(full_plan[part]) for part in ("goals", "adjustments", "soft_tissue", "exercises")
    )
    assert actions.count("item_added") == items
    assert [a for a in actions if a != "item_added"] == [
        "created",
        "activated",
        "put_on_hold",
        "activated",
    ]


def test_coverage_archived_and_a_claims_payment(
    front_desk_client, chiropractor_client, patient, active_plan, start
):
    coverage = front_desk_client.post(
        "/api/v1/coverages/", {**MEDICARE, "patient": str(patient.id)}
    ).json()
    visit = sign(chiropractor_client, log_visit(chiropractor_client, active_plan))
    paid = front_desk_client.post(
        f"/api/v1/visits/{visit['id']}/claim/payments/",
        {
            "coverage": coverage["id"],
            "paid_amount": "35.20",
            "paid_on": str(clinic_today(patient.clinic)),
            "payer_claim_number": "MC-2211",
            "adjustments": [{"group": "CO", "reason": "45", "amount": "11"}],
        },
    )
    assert paid.status_code == 201, paid.json()
    assert front_desk_client.delete(f"/api/v1/coverages/{coverage['id']}/").status_code == 204

    assert changes_of(front_desk_client, start, coverage["id"]) == ["created", "archived"]
    assert changes_of(front_desk_client, start, visit["id"]) == ["payment_recorded"]
    claim = feed(front_desk_client, after=start, type="claim.payment_recorded")["results"]
    assert claim[0]["patient_id"] == str(patient.id)


def test_a_condition_and_an_outcome_discarded(chiropractor_client, patient, neck_pain, start):
    conditions = f"/api/v1/patients/{patient.id}/conditions/"
    outcomes = f"/api/v1/patients/{patient.id}/outcomes/"
    outcome = chiropractor_client.post(outcomes, {"instrument": "nrs", "value": 7}).json()
    assert chiropractor_client.delete(f"{conditions}{neck_pain.id}/").status_code == 204
    assert chiropractor_client.delete(f"{outcomes}{outcome['id']}/").status_code == 204

    assert changes_of(chiropractor_client, start, str(neck_pain.id)) == ["entered_in_error"]
    assert changes_of(chiropractor_client, start, outcome["id"]) == [
        "created",
        "entered_in_error",
    ]


def test_every_tracked_type_is_documented_in_the_contract():
    schema = json.loads(schema_json())  # the committed contract, as GET /api/schema/ serves it
    documented = schema["components"]["schemas"]["ChangeEvent"]["properties"]["type"]
    assert "allOf" in documented, documented
    reference = documented["allOf"][0]["$ref"].rsplit("/", 1)[1]  # ChangeEventTypeEnum
    enum = schema["components"]["schemas"][reference]["enum"]

    assert sorted(enum) == event_types()
    assert {resource.resource_type for resource in TRACKED.values()} >= {
        "patient",
        "condition",
        "treatment_plan",
        "visit",
        "outcome_measure",
        "appointment",
        "coverage",
        "claim",
    }
