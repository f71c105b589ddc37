"""Fixtures of the FHIR tests: the calendar of tests/scheduling (an adjustment type that is the
clinic's default for a regular visit, a working week, a booking day two weeks ahead) for the
scheduling types; and a visit of every kind of performed item, signed and amended over the
REST API, as the Encounter, Procedure and Provenance tests read it."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

# Fixtures are found by name in a conftest's namespace: imported, they serve here too.
from tests.scheduling.conftest import (  # noqa: F401
    adjustment_type,
    booking,
    booking_day,
    working_week,
)

VISITS = "/api/v1/visits/"
PLANS = "/api/v1/treatment-plans/"


def an_hour_ago() -> str:
    return (timezone.now() - datetime.timedelta(hours=1)).isoformat()


def clinic_day(moment: str, clinic) -> str:
    """The day a moment of the API falls on by the clinic's clock, as a FHIR date search reads a
    bare date: near midnight UTC it is not the moment's own first ten characters."""
    at = datetime.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    return at.astimezone(ZoneInfo(clinic.time_zone)).date().isoformat()


@pytest.fixture
def active_plan(chiropractor_client, full_plan) -> dict:
    plan = chiropractor_client.post(PLANS, full_plan).json()
    assert chiropractor_client.post(f"{PLANS}{plan['id']}/activate/").status_code == 200
    return plan


def log_visit(client, plan: dict, **changes) -> dict:
    """C5 (as planned), T4 and the right shoulder adjusted; myofascial release of the upper
    trapezius; chin tucks for 15 minutes; the upper-trapezius stretch only reviewed."""
    payload = {
        "patient": plan["patient"],
        "plan": plan["id"],
        "visit_at": an_hour_ago(),
        "pain_before": 6,
        "pain_after": 3,
        "subjective": "Neck stiff after a long week at the desk.",
        "findings": [
            {"region": "cervical", "pain": True, "asymmetry": True, "range_of_motion": True},
        ],
        "adjustments": [
            {
                "planned_item": plan["adjustments"][0]["id"],
                "segment": "C5",
                "listing": "PRS",
                "technique": "diversified",
            },
            {"segment": "T4", "technique": "activator"},
            {"segment": "SHOULDER", "technique": "mobilisation", "laterality": "right"},
        ],
        "soft_tissue": [
            {
                "planned_item": plan["soft_tissue"][0]["id"],
                "modality": "myofascial_release",
                "muscles": ["upper_trapezius"],
                "minutes": 10,
            },
        ],
        "exercises": [
            {"exercise": "chin_tuck", "sets": 2, "repetitions": 10, "minutes": 15},
            {"exercise": "upper_trapezius_stretch", "sets": 1, "repetitions": 3},
        ],
        **changes,
    }
    response = client.post(VISITS, payload)
    assert response.status_code == 201, response.json()
    return response.json()


def sign(client, visit: dict) -> dict:
    response = client.post(f"{VISITS}{visit['id']}/sign/")
    assert response.status_code == 200, response.json()
    return response.json()


def amend(client, visit: dict, **fields) -> dict:
    response = client.post(
        f"{VISITS}{visit['id']}/amendments/",
        {
            "section": "objective",
            "text": "Also: hypertonic left levator scapulae.",
            "reason": "Finding left out of the note.",
            **fields,
        },
    )
    assert response.status_code == 201, response.json()
    return response.json()


@pytest.fixture
def signed_visit(chiropractor_client, active_plan) -> dict:
    """The visit as the REST API answered its signing."""
    return sign(chiropractor_client, log_visit(chiropractor_client, active_plan))


@pytest.fixture
def amendment(chiropractor_client, signed_visit) -> dict:
    return amend(chiropractor_client, signed_visit)


@pytest.fixture
def draft_visit(chiropractor_client, active_plan) -> dict:
    return log_visit(chiropractor_client, active_plan)
