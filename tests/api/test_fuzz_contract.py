"""Schema-driven fuzzing (schemathesis), as each role: whatever the contract lets a client
send, valid or not, the API answers without a server error, every answer (errors included)
is one the contract documents (status, media type, body), a request the contract forbids is
refused, and errors come in the one error shape."""

import copy
import json
import os
from pathlib import Path
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
import yaml
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.config import SchemathesisConfig
from schemathesis.core.transport import Response

from tests.clinical_rows import decreased, row_counts
from tests.conftest import client_for

pytestmark = pytest.mark.system  # fuzzing every operation

CONTRACT = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())


def every_field_sent(contract: dict) -> dict:
    """The contract with every property of every request body required, so that valid
    requests carry every documented field (an optional one left out is never exercised)."""
    contract = copy.deepcopy(contract)
    components = contract["components"]["schemas"]
    pending = [
        media["schema"]
        for item in contract["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for media in operation.get("requestBody", {}).get("content", {}).values()
    ]
    seen: set[int] = set()
    while pending:
        schema = pending.pop()
        if not isinstance(schema, dict) or id(schema) in seen:
            continue
        seen.add(id(schema))
        if "$ref" in schema:
            pending.append(components[schema["$ref"].rsplit("/", 1)[-1]])
        properties = schema.get("properties", {})
        writable = [name for name, value in properties.items() if not value.get("readOnly")]
        if writable:
            schema["required"] = sorted(set(schema.get("required", [])) | set(writable))
        pending.extend(properties.values())
        pending.extend(schema.get(key) for key in ("items", "additionalProperties"))
        for key in ("allOf", "oneOf", "anyOf"):
            pending.extend(schema.get(key, []))
    return contract


# Each role's real token is sent instead; a missing or bad one is the 401 tests' business.
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"with-security-parameters": False},
        # A request whose `If-Match` is stale is refused 412 before its body is read
        # (RFC 9110 evaluates preconditions first); an over-large body is refused 413.
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": [
                    *("400", "401", "403", "404", "405", "406", "409", "412", "413"),
                    *("414", "415", "422", "428", "429", "431", "5xx"),
                ]
            }
        },
    }
)
SCHEMA = schemathesis.openapi.from_dict(CONTRACT, config=CONFIG)
# Valid requests are drawn from this one: every documented field, each time.
FULL_BODIES = schemathesis.openapi.from_dict(every_field_sent(CONTRACT), config=CONFIG)
# Logging out would revoke the token the rest of the run uses.
SKIPPED = {"auth_logout"}
OPERATIONS = [
    result.ok()
    for result in SCHEMA.get_all_operations()
    if result.ok().definition.raw.get("operationId") not in SKIPPED
]
FULL_OPERATIONS = {
    (result.ok().method, result.ok().path): result.ok()
    for result in FULL_BODIES.get_all_operations()
}


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
        "/api/v1/appointments/{id}": charted_patient["appointment"]["id"],
        "/api/v1/appointment-types/{id}": charted_patient["appointment_type"],
        "/api/v1/working-hours/{id}": charted_patient["working_hours"]["id"],
        "/api/v1/schedule-exceptions/{id}": charted_patient["schedule_exception"]["id"],
        "/api/v1/waitlist/{id}": charted_patient["waitlist_entry"]["id"],
        "/api/v1/coverages/{id}": charted_patient["coverage"]["id"],
        "/api/v1/cases/{id}": charted_patient["case"]["id"],
        "/api/v1/fee-schedule/{id}": charted_patient["fee"],
    }
    return {
        "chiropractor": client_for(chiropractor),
        "front desk": client_for(front_desk),
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
    """Whether a request can break the contract: a query parameter or a body to get wrong
    (path parameters are real ids, the token is real)."""
    query = [p for p in operation.iter_parameters() if p.location == "query"]
    return bool(query) or bool(list(operation.body))


ROLES = ["chiropractor", "front desk", "admin"]
CASES = [
    pytest.param(
        operation, mode, role, id=f"{operation.method.upper()} {operation.path} {label} {role}"
    )
    for operation in OPERATIONS
    for mode, label in [(GenerationMode.POSITIVE, "valid"), (GenerationMode.NEGATIVE, "invalid")]
    # An operation without parameters or body has no invalid request to make.
    if mode == GenerationMode.POSITIVE or takes_input(operation)
    for role in ROLES
]


def as_schemathesis_response(response, case, url: str, payload: str) -> Response:
    request = requests.Request(
        case.method.upper(),
        f"http://testserver{url}",
        data=payload,
        headers={"Content-Type": "application/json"},
    ).prepare()
    headers: dict[str, list[str]] = {}
    for name, value in response.items():
        headers.setdefault(name.lower(), []).append(value)
    return Response(
        status_code=response.status_code,
        headers=headers,
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=True,
    )


# Examples per operation, mode and role: 8 in the suite; a deep run sets FUZZ_EXAMPLES=1000
# (`FUZZ_EXAMPLES=1000 .venv/bin/pytest tests/api/test_fuzz_contract.py`, a few hours).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 8))

# Every answer is one the contract documents (status, media type, body), and a request the
# contract forbids is refused.
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
]


@pytest.mark.parametrize(("operation", "mode", "role"), CASES)
def test_every_answer_to_every_role_is_one_the_contract_documents(world, operation, mode, role):
    client = world[role]
    overrides = {
        name: value
        for name, value in path_parameters(operation.path, world).items()
        if f"{{{name}}}" in operation.path
    }
    if mode == GenerationMode.POSITIVE:
        operation = FULL_OPERATIONS[(operation.method, operation.path)]
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=overrides or None)

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(data=st.data())
    def run(data):
        case = data.draw(strategy)
        url = case.formatted_path + (f"?{urlencode(case.query, doseq=True)}" if case.query else "")
        has_body = case.body.__class__.__name__ != "NotSet"
        body = case.body if has_body else None
        payload = json.dumps(body, default=str) if has_body else ""
        before = row_counts()
        headers = {
            f"HTTP_{name.upper().replace('-', '_')}": value
            for name, value in (case.headers or {}).items()
            if name.lower() != "content-type"
        }
        response = client.generic(
            case.method.upper(), url, payload, content_type="application/json", **headers
        )
        assert response.status_code < 500, (case.method, url, body, response.content[:500])
        # Nothing is lost: no write of any kind removes a clinical row.
        assert decreased(before, row_counts()) == {}, (case.method, url, body)
        case.validate_response(
            as_schemathesis_response(response, case, url, payload), checks=CONFORMANCE
        )
        if response.status_code >= 400 and response.status_code != 405:
            error = response.json()
            if error.get("resourceType") == "OperationOutcome":
                # The FHIR face's one error shape: each issue carries the API's code and reason.
                assert error["issue"] and all(
                    issue["details"]["coding"][0]["code"] and "text" in issue["details"]
                    for issue in error["issue"]
                )
            else:
                assert error["type"] in {"validation_error", "client_error"}
                assert error["errors"] and all(
                    {"code", "detail", "attr"} <= set(e) for e in error["errors"]
                )

    run()
