"""Schema-driven fuzzing (schemathesis): whatever the contract lets a client send, valid or
not, the API answers without a server error, and errors come in the one error shape."""

import json
from pathlib import Path
from urllib.parse import urlencode

import pytest
import schemathesis
import yaml
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import client_for

SCHEMA = schemathesis.openapi.from_dict(
    yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
)
# Logging out would revoke the token the rest of the run uses.
SKIPPED = {"auth_logout"}
OPERATIONS = [
    result.ok()
    for result in SCHEMA.get_all_operations()
    if result.ok().definition.raw.get("operationId") not in SKIPPED
]


@pytest.fixture
def world(chiropractor, clinic_admin, front_desk, full_plan, charted_patient):
    """Real objects for every path parameter, so that requests reach past the 404."""
    plan, patient = charted_patient["plan"], charted_patient["patient"]
    ids = {
        "/api/v1/staff/{id}": str(front_desk.id),
        "/api/v1/patients/{patient_pk}/conditions/{id}": full_plan["conditions"][0],
        "/api/v1/patients/{patient_pk}/outcomes/{id}": charted_patient["outcome"]["id"],
        "/api/v1/patients/{id}": patient,
        "/api/v1/conditions/{id}": full_plan["conditions"][0],
        "/api/v1/treatment-plans/{plan_pk}/goals/{id}": plan["goals"][0]["id"],
        "/api/v1/treatment-plans/{plan_pk}/adjustments/{id}": plan["adjustments"][0]["id"],
        "/api/v1/treatment-plans/{plan_pk}/soft-tissue/{id}": plan["soft_tissue"][0]["id"],
        "/api/v1/treatment-plans/{plan_pk}/exercises/{id}": plan["exercises"][0]["id"],
        "/api/v1/treatment-plans/{id}": plan["id"],
        "/api/v1/visits/{id}": charted_patient["visit"]["id"],
    }
    return {
        "chiropractor": client_for(chiropractor),
        "admin": client_for(clinic_admin),
        "ids": ids,
        "patient": patient,
        "plan": plan["id"],
    }


def path_parameters(path: str, world: dict) -> dict:
    params = {"patient_pk": world["patient"], "plan_pk": world["plan"]}
    for prefix, object_id in world["ids"].items():
        if path.startswith(prefix):
            params["id"] = object_id
            break
    return params


def takes_input(operation) -> bool:
    return bool(list(operation.iter_parameters())) or bool(list(operation.body))


CASES = [
    pytest.param(operation, mode, id=f"{operation.method.upper()} {operation.path} {label}")
    for operation in OPERATIONS
    for mode, label in [(GenerationMode.POSITIVE, "valid"), (GenerationMode.NEGATIVE, "invalid")]
    # An operation without parameters or body has no invalid request to make.
    if mode == GenerationMode.POSITIVE or takes_input(operation)
]


@pytest.mark.parametrize(("operation", "mode"), CASES)
def test_no_request_the_contract_allows_causes_a_server_error(world, operation, mode):
    client = world["admin"] if operation.path.startswith("/api/v1/staff") else world["chiropractor"]
    overrides = {
        name: value
        for name, value in path_parameters(operation.path, world).items()
        if f"{{{name}}}" in operation.path
    }
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=overrides or None)

    @hypothesis_settings(
        max_examples=8,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(strategy)
        url = case.formatted_path + (f"?{urlencode(case.query, doseq=True)}" if case.query else "")
        body = (
            case.body
            if not isinstance(case.body, type(None)) and case.body.__class__.__name__ != "NotSet"
            else None
        )
        response = client.generic(
            case.method.upper(),
            url,
            json.dumps(body, default=str) if body is not None else "",
            content_type="application/json",
        )
        assert response.status_code < 500, (case.method, url, body, response.content[:500])
        if response.status_code >= 400 and response.status_code != 405:
            error = response.json()
            assert error["type"] in {"validation_error", "client_error"}
            assert error["errors"] and all(
                {"code", "detail", "attr"} <= set(e) for e in error["errors"]
            )

    run()
