import datetime

import pytest
from django.utils import timezone

from tests.factories import ConditionFactory

PLANS = "/api/v1/treatment-plans/"
VISITS = "/api/v1/visits/"
COVERAGES = "/api/v1/coverages/"
CASES = "/api/v1/cases/"
FEES = "/api/v1/fee-schedule/"


@pytest.fixture
def low_back_pain(patient, chiropractor):
    return ConditionFactory(
        patient=patient,
        code="M54.50",
        display="Low back pain, unspecified",
        body_region="lumbar",
        recorded_by=chiropractor,
    )


@pytest.fixture
def billed_plan(chiropractor_client, full_plan, low_back_pain) -> dict:
    """The neck-pain plan, also treating low back pain, active."""
    payload = {**full_plan, "conditions": [*full_plan["conditions"], str(low_back_pain.id)]}
    plan = chiropractor_client.post(PLANS, payload).json()
    assert chiropractor_client.post(f"{PLANS}{plan['id']}/activate/").status_code == 200
    return plan


def hours_ago(hours: int = 1) -> str:
    return (timezone.now() - datetime.timedelta(hours=hours)).isoformat()


def visit_body(plan: dict | None, patient: str, **items) -> dict:
    """C5 adjusted, with the soft tissue and exercises given."""
    return {
        "patient": patient,
        "plan": plan["id"] if plan else None,
        "visit_at": items.pop("visit_at", hours_ago()),
        "findings": [{"region": "cervical", "pain": True, "asymmetry": True}],
        "adjustments": items.pop(
            "adjustments", [{"segment": "C5", "listing": "PRS", "technique": "diversified"}]
        ),
        **items,
    }


def log_visit(client, plan: dict | None, patient: str, *, sign: bool = False, **items) -> dict:
    response = client.post(VISITS, visit_body(plan, patient, **items))
    assert response.status_code == 201, response.json()
    visit = response.json()
    if sign:
        signed = client.post(f"{VISITS}{visit['id']}/sign/")
        assert signed.status_code == 200, signed.json()
        visit = signed.json()
    return visit


def lines_of(coding: dict) -> list[tuple]:
    return [(line["cpt"], line["units"], line["modifiers"]) for line in coding["lines"]]


MEDICARE = {
    "payer_name": "Medicare Part B",
    "payer_type": "medicare",
    "member_id": "1EG4-TE5-MK73",
    "starts_on": "2026-01-01",
}
