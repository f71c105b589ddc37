"""Relations read inside their parent's statement (api.nested_reads) behave as prefetched ones."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from tests.factories import ConditionFactory, PatientFactory
from treatments.models import TreatmentPlan
from treatments.plans.selectors import plan_list
from treatments.visits.selectors import visit_list

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/treatment-plans/"


@pytest.fixture
def two_plans(chiropractor, full_plan, clinic):
    client = client_for(chiropractor)
    first = client.post(PLANS, full_plan, format="json")
    other_patient = PatientFactory(clinic=clinic)
    condition = ConditionFactory(patient=other_patient, code="M54.2", recorded_by=chiropractor)
    second = client.post(
        PLANS,
        {
            **full_plan,
            "patient": str(other_patient.id),
            "conditions": [str(condition.id)],
            "goals": [{"description": "Sleep through the night"}],
        },
        format="json",
    )
    assert first.status_code == second.status_code == 201
    return first.json(), second.json()


def test_a_pages_relations_cost_no_statement_of_their_own(chiropractor, two_plans):
    with CaptureQueriesContext(connection) as queries:
        plans = list(plan_list(user=chiropractor).order_by("created_at"))
        goals = [[goal.description for goal in plan.goals.all()] for plan in plans]
        segments = [[item.segment.code for item in plan.adjustments.all()] for plan in plans]
        conditions = [[c.code for c in plan.conditions] for plan in plans]

    assert len(queries) == 1
    assert goals == [
        [
            "Neck pain at most 2/10",
            "Cervical rotation at least 70°",
            "Work a full day at the desk without headache",
        ],
        ["Sleep through the night"],
    ]
    assert segments == [["C5", "T4", "SHOULDER"]] * 2
    assert conditions[1] == ["M54.2"]


def test_nested_rows_carry_the_types_the_database_gives(chiropractor, two_plans):
    plan = plan_list(user=chiropractor).get(pk=two_plans[0]["id"])
    goal = plan.goals.all()[0]
    fresh = type(goal).objects.get(pk=goal.pk)

    for field in type(goal)._meta.concrete_fields:
        assert getattr(goal, field.attname) == getattr(fresh, field.attname), field.name
    assert goal.target_value == Decimal("2.0")
    assert goal.plan is plan


def test_a_query_built_on_a_nested_relation_reads_only_its_parents_rows(chiropractor, two_plans):
    plan = plan_list(user=chiropractor).get(pk=two_plans[1]["id"])

    assert [g.description for g in plan.goals.filter(removed_at__isnull=True)] == [
        "Sleep through the night"
    ]
    assert plan.goals.count() == 1
    assert plan.goals.aggregate(n=Count("id"))["n"] == 1


def test_relations_through_a_foreign_key_attach_to_the_joined_row(chiropractor, two_plans, patient):
    client = client_for(chiropractor)
    assert client.post(f"{PLANS}{two_plans[0]['id']}/activate/").status_code == 200
    visit = client.post(
        "/api/v1/visits/",
        {
            "patient": str(patient.id),
            "plan": two_plans[0]["id"],
            "visit_at": "2026-11-20T10:00:00-05:00",
            "adjustments": [{"segment": "C5", "technique": "diversified"}],
        },
        format="json",
    )
    assert visit.status_code == 201, visit.json()

    with CaptureQueriesContext(connection) as queries:
        found = visit_list(user=chiropractor).get(pk=visit.json()["id"])
        codes = sorted(c.code for c in found.plan.conditions)
        adjusted = [item.segment.code for item in found.adjustments.all()]

    assert len(queries) == 1
    assert codes == ["M54.2", "M99.01"]
    assert adjusted == ["C5"]
    assert isinstance(found.plan, TreatmentPlan)


def test_a_uuid_read_from_its_text_is_the_uuid():
    from api.nested_reads import _uuid

    for value in (uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)):
        made = _uuid(str(value))
        assert made == value and hash(made) == hash(value) and str(made) == str(value)
        assert {value: "found"}[made] == "found"


@pytest.mark.django_db
def test_a_nested_row_is_the_instance_djangos_from_db_makes(chiropractor, two_plans):
    """Nested rows are made without Model.__init__ (the bulk of a page's cost): each must be
    what Django's own `from_db` makes of the same values (a seam: tests/test_framework_seams.py)."""
    plan = plan_list(user=chiropractor).get(pk=two_plans[0]["id"])
    goal = plan.goals.all()[0]
    names = [field.attname for field in type(goal)._meta.concrete_fields]
    made_by_django = type(goal).from_db(
        connection.alias, names, [getattr(goal, name) for name in names]
    )

    assert vars(goal).keys() - {"plan"} <= vars(made_by_django).keys() | {
        "_prefetched_objects_cache"
    }
    assert {k: v for k, v in vars(goal._state).items() if k != "fields_cache"} == {
        k: v for k, v in vars(made_by_django._state).items() if k != "fields_cache"
    }
    assert type(goal._state) is type(made_by_django._state)
