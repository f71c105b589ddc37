"""The OpenAPI contract: committed, valid, complete, and true about authentication."""

import re
import uuid
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from openapi_spec_validator import validate

SCHEMA_FILE = Path(settings.BASE_DIR) / "openapi.yaml"
PUBLIC_OPERATIONS = {"auth_login", "auth_login_verify", "healthz", "calendar_feed_document"}


@pytest.fixture(scope="module")
def generated_schema(tmp_path_factory) -> str:
    target = tmp_path_factory.mktemp("schema") / "openapi.yaml"
    call_command("spectacular", "--file", str(target), "--validate", "--fail-on-warn")
    return target.read_text()


@pytest.fixture(scope="module")
def schema(generated_schema) -> dict:
    return yaml.safe_load(generated_schema)


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def test_committed_openapi_yaml_matches_the_code(generated_schema):
    assert SCHEMA_FILE.read_text() == generated_schema, (
        "openapi.yaml is stale: run `make schema` and commit it."
    )


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_every_operation_has_a_summary_and_an_error_response(schema):
    for path, method, operation in operations(schema):
        assert operation.get("summary"), f"{method.upper()} {path} has no summary"
        assert any(code.startswith(("4", "5")) for code in operation["responses"]), (
            f"{method.upper()} {path} documents no error response"
        )


def test_every_request_and_response_field_is_described(schema):
    missing = []
    for name, component in schema["components"]["schemas"].items():
        if "Error" in name or name.endswith("Enum"):
            continue  # error bodies and enums come from drf-standardized-errors, documented there
        for field, spec in component.get("properties", {}).items():
            if not spec.get("description") and "$ref" not in spec and "allOf" not in spec:
                missing.append(f"{name}.{field}")
    assert missing == []


@pytest.mark.django_db
def test_every_non_public_endpoint_answers_401_without_a_token(schema, anonymous_client):
    checked = 0
    for path, method, operation in operations(schema):
        if operation["operationId"] in PUBLIC_OPERATIONS:
            continue
        url = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
        response = getattr(anonymous_client, method)(url, {}, format="json")
        assert response.status_code == 401, (
            f"{method.upper()} {path} answered {response.status_code}"
        )
        assert response.json()["errors"][0]["code"] == "not_authenticated"
        checked += 1
    assert checked >= 8


@pytest.mark.django_db
def test_schema_and_docs_are_public(anonymous_client):
    assert anonymous_client.get("/api/schema/").status_code == 200
    assert anonymous_client.get("/api/docs/").status_code == 200
    assert anonymous_client.get("/api/redoc/").status_code == 200


def test_responses_with_a_version_document_their_etag_header(schema):
    response = schema["paths"]["/api/v1/patients/{id}/"]["get"]["responses"]["200"]

    assert "ETag" in response["headers"]


def test_every_tag_is_described(schema):
    used = {
        tag
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags", [])
    }
    described = {tag["name"]: tag.get("description", "") for tag in schema.get("tags", [])}

    assert used <= set(described)
    assert all(len(text) > 20 for text in described.values())


def _inline(node, components: dict, seen: tuple = ()):
    """The schema with its `$ref`s replaced by what they name (the contract has no cycles
    along example values)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if ref is not None:
            name = ref.rsplit("/", 1)[-1]
            assert name not in seen, f"cycle through {name}"
            return _inline(components[name], components, (*seen, name))
        inlined = {key: _inline(value, components, seen) for key, value in node.items()}
        if inlined.get("nullable") and "allOf" in inlined:
            # OpenAPI 3.0.3: `nullable` beside `allOf: [$ref]` lets the value be null.
            return {"anyOf": [{"allOf": inlined.pop("allOf")}, {"nullable": True, "enum": [None]}]}
        return inlined
    if isinstance(node, list):
        return [_inline(value, components, seen) for value in node]
    return node


def test_every_example_answer_matches_its_schema(schema):
    from openapi_schema_validator import OAS30Validator

    components = schema["components"]["schemas"]
    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                response_schema = _inline(content.get("schema", {}), components)
                for title, example in content.get("examples", {}).items():
                    errors = list(OAS30Validator(response_schema).iter_errors(example["value"]))
                    assert errors == [], (
                        method,
                        path,
                        status,
                        title,
                        [(list(e.absolute_path), e.message) for e in errors],
                    )
                    checked += 1
    assert checked >= 20


def _refs(prop: dict) -> set[str]:
    options = prop.get("allOf") or prop.get("oneOf") or [prop]
    return {option.get("$ref", "").rsplit("/", 1)[-1] for option in options}


def test_fields_always_sent_are_required_and_only_role_hidden_ones_are_not(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or not isinstance(component.get("properties"), dict):
            continue
        for field, prop in component["properties"].items():
            if field not in component.get("required", []):
                assert "front-desk" in prop.get("description", ""), (
                    f"{name}.{field} is optional in answers without saying who does not see it"
                )


@pytest.mark.parametrize(
    ("component", "field", "enum"),
    [
        ("PlanProgress", "status", "PlanStatusEnum"),
        ("Goal", "measure", "MeasureEnum"),
        ("Goal", "comparator", "ComparatorEnum"),
        ("Goal", "status", "GoalStatusEnum"),
        ("Reexamination", "due_because", "DueBecauseEnum"),
        ("BillingLine", "cpt", "CptEnum"),
        ("SoftTissueModality", "cpt_code", "TimedCptEnum"),
        ("CodingWarning", "code", "CodingWarningCodeEnum"),
        ("ValidationErrorItem", "code", "ValidationErrorCodeEnum"),
        ("Error409", "code", "ErrorCode409Enum"),
    ],
)
def test_fixed_values_are_enums(schema, component, field, enum):
    prop = schema["components"]["schemas"][component]["properties"][field]
    assert enum in _refs(prop)
    assert schema["components"]["schemas"][enum]["enum"]


def test_ordering_parameters_list_their_values(schema):
    for path, method, operation in operations(schema):
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "ordering":
                assert parameter["schema"].get("enum"), f"{method.upper()} {path}"


def test_request_schemas_carry_their_write_only_fields_and_one_type_each(schema):
    schemas = schema["components"]["schemas"]
    assert "password" in schemas["LoginRequest"]["properties"]
    assert "value" in schemas["OutcomeMeasureRequest"]["properties"]
    assert not [name for name in schemas if name.endswith("Writable")]
    assert schemas["Patient"]["properties"]["email"]["type"] == "string"
    assert "oneOf" not in schemas["Patient"]["properties"]["email"]
