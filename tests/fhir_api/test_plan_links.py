"""A plan's resources followed from each other and from the patient: `_include`,
`_revinclude` and `Patient/$everything` over CarePlan, Goal and ServiceRequest (the last one
union rows), each a bounded number of statements."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fhir_api.registry import KINDS_BY_NAME
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.plans import write_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(chiropractor_client, full_plan) -> dict:
    return write_plan(chiropractor_client, full_plan)


def by_mode(bundle: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in bundle.get("entry", []):
        resource = entry["resource"]
        if resource["resourceType"] in KINDS_BY_NAME:
            assert_conforms(resource, KINDS_BY_NAME[resource["resourceType"]], fully_recorded=False)
        found.setdefault(entry["search"]["mode"], []).append(
            f"{resource['resourceType']}/{resource['id']}"
        )
    return found


def planned(plan: dict) -> list[str]:
    items = plan["adjustments"] + plan["soft_tissue"] + plan["exercises"]
    return [f"ServiceRequest/{item['id']}" for item in items]


def test_a_plan_revincludes_its_requests_and_requests_include_their_plan(chiropractor_client, plan):
    plans = chiropractor_client.get(
        "/fhir/R4/CarePlan", {"_id": plan["id"], "_revinclude": "ServiceRequest:based-on"}
    )
    requests = chiropractor_client.get(
        "/fhir/R4/ServiceRequest",
        {"based-on": plan["id"], "_include": "ServiceRequest:based-on"},
    )

    assert plans.status_code == 200, plans.json()
    assert sorted(by_mode(plans.json())["include"]) == sorted(planned(plan))
    assert requests.status_code == 200, requests.json()
    assert by_mode(requests.json())["include"] == [f"CarePlan/{plan['id']}"]


def test_goals_and_requests_include_their_patient(chiropractor_client, plan, full_plan):
    goals = chiropractor_client.get("/fhir/R4/Goal", {"_include": "Goal:patient"})
    requests = chiropractor_client.get(
        "/fhir/R4/ServiceRequest", {"_include": "ServiceRequest:patient"}
    )

    for response in (goals, requests):
        assert response.status_code == 200, response.json()
        assert by_mode(response.json())["include"] == [f"Patient/{full_plan['patient']}"]


def test_everything_holds_the_plan_its_goals_and_requests_in_bounded_statements(
    chiropractor_client, chiropractor, plan, full_plan
):
    url = f"/fhir/R4/Patient/{full_plan['patient']}/$everything"
    chiropractor_client.get(url)
    with CaptureQueriesContext(connection) as one_plan:
        bundle = chiropractor_client.get(url).json()
    for _ in range(3):
        write_plan(chiropractor_client, full_plan)
    with CaptureQueriesContext(connection) as four_plans:
        more = chiropractor_client.get(url).json()

    found = by_mode(bundle)["match"]
    assert f"CarePlan/{plan['id']}" in found
    assert {f"Goal/{goal['id']}" for goal in plan["goals"]} <= set(found)
    assert set(planned(plan)) <= set(found)
    per_plan = 1 + 3 + 6  # the CarePlan, its goals, its requests
    assert len(by_mode(more)["match"]) == len(found) + 3 * per_plan
    assert len(four_plans) == len(one_plan)


def test_the_front_desks_everything_leaves_the_plan_out(front_desk_client, plan, full_plan):
    bundle = front_desk_client.get(f"/fhir/R4/Patient/{full_plan['patient']}/$everything").json()

    types = {entry["resource"]["resourceType"] for entry in bundle["entry"]}
    assert types.isdisjoint({"CarePlan", "Goal", "ServiceRequest"})
