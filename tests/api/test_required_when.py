"""Fields required only when another field has some value: the contract says so (`if`/`then`
on the request component) and the server refuses what the contract refuses, with the same
field named."""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from openapi_schema_validator import OAS31Validator

from api.required_when import declared

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
COVERAGE = {
    "payer_name": "Medicare Part B",
    "payer_type": "medicare",
    "member_id": "1EG4-TE5-MK73",
    "starts_on": "2026-01-01",
}
CONDITION = {"code": "M25.511", "body_region": "upper_extremity", "laterality": "right"}


def contract_refuses(component: str, body: dict) -> set[str]:
    """The fields the request component's required-when rules name for this body."""
    validator = OAS31Validator(
        {"$ref": f"#/components/schemas/{component}", "components": SCHEMA["components"]}
    )
    return {
        required
        for error in validator.iter_errors(body)
        for failure in [error, *error.context]
        for required in (
            [failure.validator_value[0]]
            if failure.validator == "required"
            else list(failure.absolute_path)[:1]
        )
    }


def server_refuses(response) -> set[str]:
    assert response.status_code in {201, 400}, response.content
    return {error["attr"] for error in response.json().get("errors", [])}


def test_every_rule_is_on_its_request_component():
    for component, rules in declared():
        stated = SCHEMA["components"]["schemas"][f"{component}Request"]["allOf"]
        assert stated == [rule.schema() for rule in rules], component


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({}, set()),
        ({"laterality": ""}, {"laterality"}),
        ({"laterality": None}, {"laterality"}),
        ({"laterality": "__absent__"}, {"laterality"}),
        ({"body_region": "lumbar", "laterality": ""}, set()),
    ],
)
def test_an_extremity_needs_its_side(chiropractor_client, patient, change, refused):
    body = {k: v for k, v in {**CONDITION, **change}.items() if v != "__absent__"}
    assert contract_refuses("ConditionRequest", body) == refused
    response = chiropractor_client.post(f"/api/v1/patients/{patient.id}/conditions/", body)
    assert server_refuses(response) == refused
    if refused:
        assert response.json()["errors"][0]["code"] in {"laterality_required", "null"}


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        ({}, set()),
        ({"member_id": ""}, {"member_id"}),
        ({"member_id": "__absent__"}, {"member_id"}),
        ({"payer_type": "self_pay", "member_id": "__absent__"}, set()),
        ({"subscriber_relationship": "spouse"}, {"subscriber_name"}),
        ({"subscriber_relationship": "spouse", "subscriber_name": "Dana Doe"}, set()),
    ],
)
def test_a_payer_needs_the_member_id_and_a_subscriber_a_name(
    front_desk_client, patient, change, refused
):
    body = {k: v for k, v in {**COVERAGE, **change}.items() if v != "__absent__"}
    body["patient"] = str(patient.id)
    assert contract_refuses("CoverageRequest", body) == refused
    assert server_refuses(front_desk_client.post("/api/v1/coverages/", body)) == refused
