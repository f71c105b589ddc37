"""FHIR Goal: a treatment plan's goals read and searched over HTTP, as US Core Goal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from fhir_api.resources.goal import GOAL, lifecycle_status
from tests.fhir_api.conformance import assert_conforms
from tests.fhir_api.plans import PLANS, entries, ids, move_plan, write_plan
from treatments.plans.models import GoalStatus, PlanStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(chiropractor_client, full_plan) -> dict:
    return write_plan(chiropractor_client, full_plan)


def read(client, goal_id: str, *, fully_recorded: bool = True) -> dict:
    response = client.get(f"/fhir/R4/Goal/{goal_id}")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert_conforms(body, GOAL, fully_recorded=fully_recorded)
    return body


def search(client, query) -> list[str]:
    response = client.get("/fhir/R4/Goal", query)
    assert response.status_code == 200, response.json()
    for resource in entries(response.json()):
        assert_conforms(resource, GOAL, fully_recorded=False)
    return ids(response.json())


def test_a_pain_goal_reads_with_its_loinc_measure_comparator_and_date(
    chiropractor_client, chiropractor, plan, full_plan
):
    body = read(chiropractor_client, plan["goals"][0]["id"])

    assert body["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-goal|6.1.0"
    ]
    assert body["lifecycleStatus"] == "proposed"  # its plan is a draft
    assert body["achievementStatus"]["coding"][0]["code"] == "in-progress"
    assert body["description"] == {"text": "Neck pain at most 2/10"}
    assert body["subject"] == {"reference": f"Patient/{full_plan['patient']}"}
    assert body["startDate"] == "2026-11-02"
    assert body["expressedBy"] == {"reference": f"Practitioner/{chiropractor.id}"}
    (target,) = body["target"]
    assert target["measure"]["coding"][0] == {
        "system": "http://loinc.org",
        "code": "72514-3",
        "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
    }
    assert target["detailQuantity"] == {
        "comparator": "<=",
        "value": 2,
        "unit": "score",
        "system": "http://unitsofmeasure.org",
        "code": "{score}",
    }
    assert target["dueDate"] == "2026-11-30"


def test_other_measures_are_ours_and_a_goal_in_words_has_no_target(chiropractor_client, plan):
    rotation = read(chiropractor_client, plan["goals"][1]["id"], fully_recorded=False)
    in_words = read(chiropractor_client, plan["goals"][2]["id"], fully_recorded=False)

    (target,) = rotation["target"]
    assert target["measure"]["coding"] == [
        {
            "system": "http://chiro-practice-api.org/fhir/CodeSystem/goal-measure",
            "code": "cervical_rotation_degrees",
            "display": "Cervical rotation, degrees",
        }
    ]
    assert target["detailQuantity"]["comparator"] == ">="
    assert (target["detailQuantity"]["value"], target["detailQuantity"]["code"]) == (70, "deg")
    assert "dueDate" not in target
    assert "target" not in in_words


def test_an_odi_goal_is_loinc_coded_and_an_ndi_goal_ours(chiropractor_client, plan):
    base = f"{PLANS}{plan['id']}/goals/"
    odi = chiropractor_client.post(
        base,
        {
            "description": "ODI at most 20%",
            "measure": "odi_percent",
            "comparator": "<=",
            "target_value": 20,
        },
    ).json()
    ndi = chiropractor_client.post(
        base,
        {
            "description": "NDI below 10%",
            "measure": "ndi_percent",
            "comparator": "<",
            "target_value": 9.5,
        },
    ).json()

    odi_target = read(chiropractor_client, odi["id"], fully_recorded=False)["target"][0]
    ndi_target = read(chiropractor_client, ndi["id"], fully_recorded=False)["target"][0]

    assert odi_target["measure"]["coding"][0]["code"] == "97909-6"
    assert [c["system"] for c in ndi_target["measure"]["coding"]] == [
        "http://chiro-practice-api.org/fhir/CodeSystem/goal-measure"
    ]
    assert ndi_target["detailQuantity"]["value"] == 9.5
    assert ndi_target["detailQuantity"]["code"] == "%"


def test_lifecycle_follows_the_goal_and_its_plan(chiropractor_client, plan):
    goal_ids = [g["id"] for g in plan["goals"]]
    move_plan(chiropractor_client, plan, "activate")
    chiropractor_client.patch(f"{PLANS}{plan['id']}/goals/{goal_ids[1]}/", {"status": "achieved"})
    chiropractor_client.delete(f"{PLANS}{plan['id']}/goals/{goal_ids[2]}/")

    first, second, third = (
        read(chiropractor_client, goal_id, fully_recorded=False) for goal_id in goal_ids
    )

    assert (first["lifecycleStatus"], first["achievementStatus"]["coding"][0]["code"]) == (
        "active",
        "in-progress",
    )
    assert (second["lifecycleStatus"], second["achievementStatus"]["coding"][0]["code"]) == (
        "completed",
        "achieved",
    )
    assert third["lifecycleStatus"] == "cancelled" and "achievementStatus" not in third
    assert search(chiropractor_client, {"lifecycle-status": "active"}) == [goal_ids[0]]
    assert sorted(
        search(chiropractor_client, {"lifecycle-status": "completed,cancelled"})
    ) == sorted(goal_ids[1:])
    assert sorted(search(chiropractor_client, {"lifecycle-status:not": "active"})) == sorted(
        goal_ids[1:]
    )
    assert search(
        chiropractor_client, {"lifecycle-status": "http://hl7.org/fhir/goal-status|active"}
    ) == [goal_ids[0]]
    assert search(chiropractor_client, {"lifecycle-status": "http://loinc.org|active"}) == []
    move_plan(chiropractor_client, plan, "hold")
    assert search(chiropractor_client, {"lifecycle-status": "on-hold"}) == [goal_ids[0]]


@pytest.mark.parametrize(
    ("plan_status", "goal_status", "current", "lifecycle"),
    [
        (PlanStatus.DRAFT, GoalStatus.IN_PROGRESS, True, "proposed"),
        (PlanStatus.ACTIVE, GoalStatus.IN_PROGRESS, True, "active"),
        (PlanStatus.ON_HOLD, GoalStatus.IN_PROGRESS, True, "on-hold"),
        (PlanStatus.COMPLETED, GoalStatus.IN_PROGRESS, True, "completed"),
        (PlanStatus.ACTIVE, GoalStatus.NOT_ACHIEVED, True, "completed"),
        (PlanStatus.REVOKED, GoalStatus.IN_PROGRESS, True, "cancelled"),
        (PlanStatus.ACTIVE, GoalStatus.CANCELLED, True, "cancelled"),
        (PlanStatus.ACTIVE, GoalStatus.ACHIEVED, False, "cancelled"),
        (PlanStatus.ENTERED_IN_ERROR, GoalStatus.ACHIEVED, True, "entered-in-error"),
    ],
)
def test_lifecycle_status_table(plan_status, goal_status, current, lifecycle):
    assert lifecycle_status(plan_status, goal_status, current) == lifecycle


def test_search_by_patient_target_date_and_id(chiropractor_client, plan, full_plan):
    goal_ids = [g["id"] for g in plan["goals"]]
    patient = full_plan["patient"]

    assert sorted(search(chiropractor_client, {"patient": patient})) == sorted(goal_ids)
    assert search(
        chiropractor_client, {"patient": f"Patient/{patient}", "target-date": "2026-11"}
    ) == [goal_ids[0]]
    assert search(chiropractor_client, {"target-date": "gt2026-11-30"}) == []
    assert search(chiropractor_client, {"_id": goal_ids[2]}) == [goal_ids[2]]
    assert search(chiropractor_client, {"patient": "Group/" + patient}) == []


def test_the_front_desk_is_refused_and_another_clinic_finds_nothing(
    front_desk_client, other_admin_client, clinic_admin_client, plan
):
    goal_id = plan["goals"][0]["id"]

    assert front_desk_client.get(f"/fhir/R4/Goal/{goal_id}").status_code == 403
    assert front_desk_client.get("/fhir/R4/Goal").status_code == 403
    assert other_admin_client.get(f"/fhir/R4/Goal/{goal_id}").status_code == 404
    assert search(other_admin_client, {}) == []
    assert read(clinic_admin_client, goal_id)["id"] == goal_id


def test_a_page_costs_the_same_statements_whatever_its_size(chiropractor_client, plan, full_plan):
    chiropractor_client.get("/fhir/R4/Goal")
    with CaptureQueriesContext(connection) as few:
        assert len(entries(chiropractor_client.get("/fhir/R4/Goal").json())) == 3
    write_plan(chiropractor_client, {**full_plan, "conditions": full_plan["conditions"][:1]})
    write_plan(chiropractor_client, {**full_plan, "conditions": full_plan["conditions"][1:]})
    with CaptureQueriesContext(connection) as more:
        assert len(entries(chiropractor_client.get("/fhir/R4/Goal").json())) == 9

    assert len(more) == len(few)


def test_each_read_and_search_leaves_one_audit_event(chiropractor_client, plan, full_plan):
    goal_id = plan["goals"][0]["id"]
    before = AuditEvent.objects.count()
    read(chiropractor_client, goal_id)
    search(chiropractor_client, {"_id": goal_id})

    read_event, search_event = AuditEvent.objects.order_by("id")[before:]
    assert (read_event.action, read_event.resource_type) == ("read", "plan_goal")
    assert read_event.object_ids == [goal_id]
    assert [str(p) for p in read_event.patient_ids] == [full_plan["patient"]]
    assert (search_event.action, search_event.object_ids) == ("search", [goal_id])
    assert [str(p) for p in search_event.patient_ids] == [full_plan["patient"]]
