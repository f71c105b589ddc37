import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from treatments.models import Visit

PLANS = "/api/v1/treatment-plans/"


def outcomes_url(patient) -> str:
    return f"/api/v1/patients/{patient.id}/outcomes/"


def days_ago(days: int) -> str:
    return (timezone.now() - datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def plan_started_40_days_ago(chiropractor_client, full_plan) -> dict:
    start = (timezone.now() - datetime.timedelta(days=40)).date().isoformat()
    plan = chiropractor_client.post(PLANS, {**full_plan, "start_date": start}).json()
    chiropractor_client.post(f"{PLANS}{plan['id']}/activate/")
    return plan


def log_visits(
    client, plan, pains: list[int], first_day_ago: int, reexam_at: int | None = None
) -> None:
    for n, pain in enumerate(pains):
        response = client.post(
            "/api/v1/visits/",
            {
                "patient": plan["patient"],
                "plan": plan["id"],
                "visit_at": days_ago(first_day_ago - n),
                "pain_before": pain,
                "is_reexamination": n == reexam_at,
            },
        )
        assert response.status_code == 201, response.json()


def test_progress_reports_visits_reexam_trends_and_goals(
    chiropractor_client, patient, plan_started_40_days_ago
):
    plan = plan_started_40_days_ago
    log_visits(chiropractor_client, plan, [7, 6, 5, 4, 2], first_day_ago=35)
    chiropractor_client.post(
        outcomes_url(patient),
        {"instrument": "ndi", "answers": [3] * 10, "measured_at": days_ago(36)},
    )
    chiropractor_client.post(
        outcomes_url(patient),
        {"instrument": "ndi", "answers": [2] * 10, "measured_at": days_ago(2)},
    )

    response = chiropractor_client.get(f"{PLANS}{plan['id']}/progress/")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["visits_planned"], body["visits_done"], body["visits_remaining"]) == (12, 5, 7)
    reexam = body["reexamination"]
    assert reexam["due_because"] == "days"
    assert reexam["overdue"] is True
    assert reexam["last_on"] is None
    assert body["pain"] == {
        "first": 7.0,
        "last": 2.0,
        "best": 2.0,
        "change": -5.0,
        "meaningful": True,
        "improved": True,
    }
    assert body["ndi"]["change"] == -20.0 and body["ndi"]["meaningful"] is True
    assert body["odi"] is None
    pain_goal, rotation_goal, *_ = body["goals"]
    assert (pain_goal["current_value"], pain_goal["met"]) == (2.0, True)
    assert (rotation_goal["current_value"], rotation_goal["met"]) == (None, None)


def test_a_trend_starts_from_the_last_score_before_the_plans_start(
    chiropractor_client, patient, plan_started_40_days_ago
):
    plan = plan_started_40_days_ago
    for answers, ago in (([4] * 10, 80), ([3] * 10, 44), ([2] * 10, 2)):
        recorded = chiropractor_client.post(
            outcomes_url(patient),
            {"instrument": "odi", "answers": answers, "measured_at": days_ago(ago)},
        )
        assert recorded.status_code == 201, recorded.json()

    odi = chiropractor_client.get(f"{PLANS}{plan['id']}/progress/").json()["odi"]

    # The intake's 60 % four days before the start, not the 80 % of an older episode.
    assert (odi["first"], odi["last"], odi["change"]) == (60.0, 40.0, -20.0)
    assert odi["improved"] is True


def test_a_reexamination_restarts_the_clock_and_12_visits_make_it_due(
    chiropractor_client, plan_started_40_days_ago, clinic
):
    plan = plan_started_40_days_ago
    log_visits(chiropractor_client, plan, [5] * 14, first_day_ago=20, reexam_at=1)

    reexam = chiropractor_client.get(f"{PLANS}{plan['id']}/progress/").json()["reexamination"]

    assert reexam["visits_since"] == 12
    assert reexam["due_because"] == "visits"
    clinic_zone = ZoneInfo(clinic.time_zone)
    expected = timezone.localtime(timezone.now() - datetime.timedelta(days=19), clinic_zone).date()
    assert reexam["last_on"] == expected.isoformat()


def test_progress_query_count_does_not_grow_with_visits(
    chiropractor_client, plan_started_40_days_ago
):
    plan = plan_started_40_days_ago

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert chiropractor_client.get(f"{PLANS}{plan['id']}/progress/").status_code == 200
        return len(queries)

    log_visits(chiropractor_client, plan, [6, 5], first_day_ago=30)
    with_two = count_queries()
    log_visits(chiropractor_client, plan, [5] * 20, first_day_ago=25)

    assert Visit.objects.count() == 22
    assert count_queries() == with_two


def test_front_desk_cannot_read_progress(front_desk_client, plan_started_40_days_ago):
    assert (
        front_desk_client.get(f"{PLANS}{plan_started_40_days_ago['id']}/progress/").status_code
        == 403
    )


def test_progress_dates_are_the_clinics(chiropractor_client, plan_started_40_days_ago, clinic):
    clinic.time_zone = "America/Los_Angeles"
    clinic.save()
    plan = plan_started_40_days_ago
    los_angeles = datetime.timezone(datetime.timedelta(hours=-8))
    evening = (timezone.now().astimezone(los_angeles) - datetime.timedelta(days=3)).replace(
        hour=18, minute=0
    )
    chiropractor_client.post(
        "/api/v1/visits/",
        {
            "patient": plan["patient"],
            "plan": plan["id"],
            "visit_at": evening.isoformat(),
            "is_reexamination": True,
        },
    )

    reexam = chiropractor_client.get(f"{PLANS}{plan['id']}/progress/").json()["reexamination"]

    assert reexam["last_on"] == evening.date().isoformat()
