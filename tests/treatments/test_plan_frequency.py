"""A plan's visit frequency tapers in stages; a single rate and duration is the one-stage case."""

import pytest

from treatments.models import TreatmentPlan

pytestmark = pytest.mark.django_db

PLANS = "/api/v1/treatment-plans/"
TAPERING = [
    {"visits_per_week": 3, "weeks": 4},
    {"visits_per_week": 2, "weeks": 6},
    {"visits_per_week": 1, "weeks": 4},
]


def one_stage(plan: dict) -> dict:
    return {key: value for key, value in plan.items() if key not in ("visits_per_week", "weeks")}


def codes(response) -> set[tuple]:
    return {(error["attr"], error["code"]) for error in response.json()["errors"]}


def test_a_tapering_plan_plans_every_stage(chiropractor_client, full_plan):
    response = chiropractor_client.post(PLANS, {**one_stage(full_plan), "frequency": TAPERING})

    assert response.status_code == 201, response.json()
    plan = response.json()
    assert plan["frequency"] == TAPERING
    assert plan["planned_visits"] == 3 * 4 + 2 * 6 + 1 * 4
    assert plan["visits_per_week"] == 3
    assert plan["weeks"] == 14
    assert plan["end_date"] == "2027-02-07"  # 14 weeks from 2026-11-02, less a day
    stored = TreatmentPlan.objects.get(pk=plan["id"])
    assert stored.frequency == TAPERING
    assert (stored.visits_per_week, stored.weeks) == (3, 14)


def test_a_rate_and_duration_are_the_one_stage_case(chiropractor_client, full_plan):
    plan = chiropractor_client.post(PLANS, full_plan).json()

    assert plan["frequency"] == [{"visits_per_week": 3, "weeks": 4}]
    assert plan["planned_visits"] == 12


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {("frequency", "required")}),
        ({"visits_per_week": 3}, {("weeks", "required")}),
        ({"frequency": TAPERING, "weeks": 4}, {("frequency", "frequency_conflict")}),
        ({"frequency": []}, {("frequency", "min_length")}),
        ({"frequency": TAPERING * 3}, {("frequency", "max_length")}),
        (
            {"frequency": [{"visits_per_week": 8, "weeks": 4}]},
            {("frequency.0.visits_per_week", "max_value")},
        ),
        ({"frequency": [{"visits_per_week": 2, "weeks": 60}] * 2}, {("frequency", "too_long")}),
        ({"frequency": [{"visits_per_week": 2}]}, {("frequency.0.weeks", "required")}),
    ],
)
def test_bad_frequencies_are_refused(chiropractor_client, full_plan, body, expected):
    response = chiropractor_client.post(PLANS, {**one_stage(full_plan), **body})

    assert response.status_code == 400
    assert codes(response) == expected
    assert TreatmentPlan.objects.count() == 0


def test_a_tapering_plan_is_changed_through_its_stages(chiropractor_client, full_plan):
    plan = chiropractor_client.post(PLANS, {**one_stage(full_plan), "frequency": TAPERING}).json()
    url = f"{PLANS}{plan['id']}/"

    weeks_only = chiropractor_client.patch(url, {"weeks": 10})
    shorter = chiropractor_client.patch(url, {"frequency": TAPERING[:2]})

    assert weeks_only.status_code == 400
    assert codes(weeks_only) == {("weeks", "plan_has_stages")}
    assert shorter.status_code == 200
    assert shorter.json()["planned_visits"] == 24
    assert shorter.json()["weeks"] == 10


def test_a_one_stage_plan_keeps_taking_a_rate_or_a_duration(chiropractor_client, full_plan):
    plan = chiropractor_client.post(PLANS, full_plan).json()

    changed = chiropractor_client.patch(f"{PLANS}{plan['id']}/", {"weeks": 6})

    assert changed.json()["frequency"] == [{"visits_per_week": 3, "weeks": 6}]
    assert changed.json()["planned_visits"] == 18


def test_progress_counts_the_visits_of_every_stage(chiropractor_client, full_plan):
    plan = chiropractor_client.post(PLANS, {**one_stage(full_plan), "frequency": TAPERING}).json()
    chiropractor_client.post(f"{PLANS}{plan['id']}/activate/")

    progress = chiropractor_client.get(f"{PLANS}{plan['id']}/progress/").json()

    assert progress["visits_planned"] == 28
    assert progress["visits_remaining"] == 28
