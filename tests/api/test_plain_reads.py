"""Serializers read plain attributes and primary-key relations directly (api.serializers,
PlainReadsMixin): every answer is the one DRF's generic path gives."""

import pytest

from api.serializers import PlainReadsMixin

VISITS = "/api/v1/visits/"
PLANS = "/api/v1/treatment-plans/"


def drf_only(self, instance):
    return super(PlainReadsMixin, self).to_representation(instance)


@pytest.fixture
def charted(chiropractor_client, full_plan) -> list[str]:
    """Paths that answer a patient, a plan with all its items, and visits carrying it out."""
    plan = chiropractor_client.post(PLANS, full_plan).json()
    assert chiropractor_client.post(f"{PLANS}{plan['id']}/activate/").status_code == 200
    visit = {
        "patient": plan["patient"],
        "plan": plan["id"],
        "visit_at": "2026-11-20T10:00:00-06:00",
        "pain_before": 5,
        "adjustments": [
            {"planned_item": plan["adjustments"][0]["id"]},
            {"segment": "L5", "technique": "diversified"},
        ],
        "soft_tissue": [{"planned_item": plan["soft_tissue"][0]["id"], "minutes": 12}],
        "exercises": [{"planned_item": plan["exercises"][0]["id"]}],
        "findings": [{"region": "cervical", "pain": True}],
    }
    signed = chiropractor_client.post(VISITS, visit).json()
    assert chiropractor_client.post(f"{VISITS}{signed['id']}/sign/").status_code == 200
    chiropractor_client.post(VISITS, {**visit, "visit_at": "2026-11-21T10:00:00-06:00"})
    patient = plan["patient"]
    return [
        f"/api/v1/patients/{patient}/",
        "/api/v1/patients/",
        f"/api/v1/patients/{patient}/conditions/",
        f"{PLANS}{plan['id']}/",
        PLANS,
        f"{PLANS}{plan['id']}/progress/",
        f"{VISITS}{signed['id']}/",
        VISITS,
    ]


@pytest.mark.parametrize("role", ["chiropractor", "front_desk"])
def test_every_read_answers_what_drf_answers(
    role, charted, chiropractor_client, front_desk_client, monkeypatch
):
    client = chiropractor_client if role == "chiropractor" else front_desk_client
    fast = {path: client.get(path) for path in charted}
    monkeypatch.setattr(PlainReadsMixin, "to_representation", drf_only)
    generic = {path: client.get(path) for path in charted}

    for path in charted:
        assert fast[path].status_code == generic[path].status_code, path
        if fast[path].status_code == 200:
            assert fast[path].json() == generic[path].json(), path
    assert any(response.status_code == 200 for response in fast.values())
