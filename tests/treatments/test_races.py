"""Concurrent writers leave derived values exact: the patient's last visit and the positions
of a plan's items are computed where concurrent writers cannot make them stale."""

import datetime

import pytest
from django.utils import timezone

from patients.models import Patient
from tests.concurrency import at_once
from tests.conftest import FLUSHABLE_APPS, client_for
from treatments.models import Goal

PLANS = "/api/v1/treatment-plans/"


@pytest.fixture
def draft_plan(chiropractor, full_plan) -> dict:
    response = client_for(chiropractor).post(PLANS, full_plan)
    assert response.status_code == 201
    return response.json()


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_concurrent_visits_leave_the_last_visit_exact(chiropractor, draft_plan):
    patient_id = draft_plan["patient"]
    now = timezone.now()
    # The latest visit is written by the first thread, the earliest by the last: a writer
    # that computes from a stale view would leave an earlier time.
    times = [now - datetime.timedelta(hours=n + 1) for n in range(8)]
    clients = [client_for(chiropractor) for _ in times]

    def log_visit(n: int) -> int:
        body = {"patient": patient_id, "visit_at": times[n].isoformat(), "pain_before": 5}
        body["adjustments"] = [{"segment": "C5", "technique": "diversified"}]
        return clients[n].post("/api/v1/visits/", body).status_code

    for _ in range(10):
        assert at_once(log_visit, len(times)) == [201] * len(times)
        assert Patient.objects.get(pk=patient_id).last_visit_at == max(times)


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_concurrent_goal_adds_take_distinct_positions(chiropractor, draft_plan):
    clients = [client_for(chiropractor) for _ in range(20)]

    def add_goal(n: int) -> int:
        url = f"{PLANS}{draft_plan['id']}/goals/"
        return clients[n].post(url, {"description": f"Goal {n}"}).status_code

    assert at_once(add_goal, len(clients)) == [201] * len(clients)
    positions = list(
        Goal.objects.filter(plan_id=draft_plan["id"]).values_list("position", flat=True)
    )
    assert len(positions) == len(set(positions)) == 3 + len(clients)
