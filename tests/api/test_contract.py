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
PUBLIC_OPERATIONS = {
    "auth_login",
    "auth_login_verify",
    "healthz",
    "calendar_feed_document",
    "audit_seals_public_key",
    "fhir_metadata",
}


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


def test_schema_is_valid_openapi_3_1(schema):
    assert schema["openapi"] == "3.1.0"
    validate(schema)  # the OpenAPI 3.1 meta-schema


def test_no_schema_says_nullable_the_3_0_way(generated_schema):
    # 3.1 writes null as a type (`type: [string, "null"]`, `oneOf: [{$ref}, {type: "null"}]`);
    # a `nullable` keyword would be ignored by 3.1 validators and clients.
    assert "nullable:" not in generated_schema


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
        body = response.json()
        codes = (
            [issue["details"]["coding"][0]["code"] for issue in body["issue"]]
            if body.get("resourceType") == "OperationOutcome"
            else [error["code"] for error in body["errors"]]
        )
        assert codes == ["not_authenticated"]
        checked += 1
    assert checked >= 8


@pytest.mark.django_db
def test_schema_and_docs_are_public(anonymous_client):
    assert anonymous_client.get("/api/schema/").status_code == 200
    assert anonymous_client.get("/api/docs/").status_code == 200
    assert anonymous_client.get("/api/redoc/").status_code == 200


@pytest.mark.django_db
def test_the_schema_served_is_the_committed_contract(anonymous_client):
    """The file the drift check above holds to the code: served as is, never built on request."""
    served = anonymous_client.get("/api/schema/")
    assert served["Content-Type"].startswith("application/vnd.oai.openapi")
    assert served.content == SCHEMA_FILE.read_bytes()
    as_json = anonymous_client.get("/api/schema/", {"format": "json"})
    assert as_json["Content-Type"].startswith("application/vnd.oai.openapi+json")
    document = as_json.json()
    assert document["openapi"] == "3.1.0"
    assert document["paths"].keys() == yaml.safe_load(served.content)["paths"].keys()


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


def test_every_example_matches_its_schema(schema):
    """Request and answer examples alike, read as OpenAPI 3.1 (JSON Schema 2020-12, formats
    checked)."""
    from openapi_schema_validator import OAS31Validator

    checked = 0
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            bodies = [("request", operation.get("requestBody", {}))]
            bodies += list(operation.get("responses", {}).items())
            for status, body in bodies:
                content = body.get("content", {}).get("application/json", {})
                validator = OAS31Validator(
                    {**content.get("schema", {}), "components": schema["components"]},
                    format_checker=OAS31Validator.FORMAT_CHECKER,
                )
                for title, example in content.get("examples", {}).items():
                    errors = list(validator.iter_errors(example["value"]))
                    assert errors == [], (
                        method,
                        path,
                        status,
                        title,
                        [(list(e.absolute_path), e.message) for e in errors],
                    )
                    checked += 1
    assert checked >= 100


def _refs(prop: dict) -> set[str]:
    options = prop.get("allOf") or prop.get("oneOf") or [prop]
    return {option.get("$ref", "").rsplit("/", 1)[-1] for option in options}


def test_fields_always_sent_are_required_and_only_role_hidden_ones_are_not(schema):
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request") or not isinstance(component.get("properties"), dict):
            continue
        if name.startswith("Fhir"):
            continue  # FHIR's own documents: the specification says which elements are optional
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
        ("Error404", "code", "ErrorCode404Enum"),
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
