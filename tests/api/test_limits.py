"""Bad input gets a clear 4xx, promptly: lists have a maximum, bodies a size, JSON a depth,
dates a range. Nothing a client sends makes the API answer 500 or hold a worker."""

import json
from collections.abc import Callable, Iterator

import pytest
import requests
import yaml
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api.serializers import MAX_ITEMS
from audit.models import AuditEvent
from patients.models import Patient
from tests.conftest import FLUSHABLE_APPS
from treatments.models import Goal, TreatmentPlan


def codes(response) -> list[str]:
    return [error["code"] for error in response.json()["errors"]]


def test_a_list_over_its_maximum_is_refused_before_any_item_is_read(chiropractor_client, full_plan):
    body = {**full_plan, "goals": [{"description": "x"}] * 20_000}  # 400 KB

    with CaptureQueriesContext(connection) as queries:
        response = chiropractor_client.post("/api/v1/treatment-plans/", body)

    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "max_length",
            "detail": f"Ensure this field has no more than {MAX_ITEMS} elements.",
            "attr": "goals",
        }
    ]
    assert len(queries) < 10  # the token, the audit event: no item was looked at
    assert not TreatmentPlan.objects.exists()


def test_a_read_only_list_in_a_body_is_left_alone_not_a_500(chiropractor_client, full_plan):
    """A read-only list (a plan's goals, which have endpoints of their own) is not read from a
    body, as no read-only field is: its length is no reason to refuse the request."""
    plan_id = chiropractor_client.post("/api/v1/treatment-plans/", full_plan).json()["id"]

    response = chiropractor_client.patch(
        f"/api/v1/treatment-plans/{plan_id}/", {"goals": [], "notes": "Reviewed."}
    )

    assert response.status_code == 200
    assert response.json()["notes"] == "Reviewed."
    assert len(response.json()["goals"]) == len(full_plan["goals"]) > 0
    assert Goal.objects.filter(plan_id=plan_id).count() == len(full_plan["goals"])


def test_a_body_over_the_size_limit_answers_413(chiropractor_client, full_plan):
    body = json.dumps({**full_plan, "notes": "x" * (settings.API_MAX_BODY_BYTES + 1)})

    response = chiropractor_client.post(
        "/api/v1/treatment-plans/", body, content_type="application/json"
    )

    assert response.status_code == 413
    assert codes(response) == ["request_too_large"]
    assert not TreatmentPlan.objects.exists()


def test_json_nested_too_deep_answers_400_not_a_recursion_error(chiropractor_client):
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth

        response = chiropractor_client.post(
            "/api/v1/patients/", body, content_type="application/json"
        )

        assert response.status_code == 400, depth
        assert response.json()["type"] == "client_error"
        assert codes(response) == ["parse_error"]
        assert "nested deeper than" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    "query",
    [
        "visit_after=0001-01-01T00:00:00%2B14:00",
        "visit_before=9999-12-31T23:59:59-14:00",
        "visit_after=1799-12-31T23:00:00Z",
    ],
)
def test_time_filters_at_the_edge_of_the_calendar_are_refused(chiropractor_client, query):
    response = chiropractor_client.get(f"/api/v1/visits/?{query}")

    assert response.status_code == 400
    assert codes(response) == ["out_of_range"]


def test_outcome_time_filters_and_times_are_bounded(chiropractor_client, patient):
    url = f"/api/v1/patients/{patient.pk}/outcomes/"
    edge = chiropractor_client.get(f"{url}?measured_after=0001-01-01T00:00:00%2B14:00")
    assert edge.status_code == 400 and codes(edge) == ["out_of_range"]

    for measured_at in ("0001-01-01T00:00:00Z", "0001-01-01"):
        response = chiropractor_client.post(
            url, {"instrument": "nrs", "value": 4, "measured_at": measured_at}
        )
        assert response.status_code == 400, measured_at
        assert codes(response) in (["out_of_range"], ["naive"])


def test_dates_in_bodies_are_bounded(chiropractor_client, full_plan):
    response = chiropractor_client.post(
        "/api/v1/treatment-plans/", {**full_plan, "start_date": "0001-01-01"}
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "start_date"
    assert codes(response) == ["out_of_range"]


def _inserts_to_create(client, url: str, body: dict) -> dict[str, int]:
    """INSERT statements per table while creating: one per kind of item, however many."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, body)
    assert response.status_code == 201, response.content[:300]
    inserts: dict[str, int] = {}
    for query in queries:
        if query["sql"].startswith("INSERT INTO"):
            table = query["sql"].split('"')[1]
            inserts[table] = inserts.get(table, 0) + 1
    return inserts


def test_a_maximal_plan_inserts_each_kind_of_item_in_one_statement(chiropractor_client, full_plan):
    # Speed itself is `make bench`'s to measure; here, that the writes do not grow with items.
    body = {
        **full_plan,
        "goals": [{"description": f"Goal {n}"} for n in range(MAX_ITEMS)],
        "adjustments": [{"segment": "C5", "listing": "PRS", "technique": "diversified"}]
        * MAX_ITEMS,
    }

    inserts = _inserts_to_create(chiropractor_client, "/api/v1/treatment-plans/", body)

    assert inserts["treatments_goal"] == inserts["treatments_plannedadjustment"] == 1
    assert Goal.objects.count() == MAX_ITEMS


def request_schemas(parameters: bool) -> Iterator[tuple[str, dict]]:
    """The schemas of request bodies, and with `parameters` of query and header parameters."""
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text())
    for name, component in schema["components"]["schemas"].items():
        if name.endswith("Request"):
            yield name, component
    for path, item in schema["paths"].items() if parameters else ():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                yield f"{method.upper()} {path} {parameter['name']}", parameter.get("schema", {})


def unbounded(is_bounded: Callable[[dict], bool | None], parameters: bool = True) -> list[str]:
    """Paths of the writable schemas that `is_bounded` judges (None: not its kind) unbounded."""
    found = []

    def visit(node, path):
        if isinstance(node, dict):
            if not node.get("readOnly") and is_bounded(node) is False:
                found.append(path)
            for key, value in node.items():
                visit(value, f"{path}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{path}[{index}]")

    for name, schema in request_schemas(parameters):
        visit(schema, name)
    return found


def test_every_list_in_a_request_body_has_a_documented_maximum():
    def bounded(node: dict) -> bool | None:
        return None if node.get("type") != "array" else "maxItems" in node

    assert unbounded(bounded, parameters=False) == []


def test_a_maximal_visit_inserts_each_kind_of_item_in_one_statement(chiropractor_client, patient):
    body = {
        "patient": str(patient.pk),
        "visit_at": "2026-11-20T10:00:00Z",
        "adjustments": [{"segment": "C5", "technique": "diversified"}] * MAX_ITEMS,
        "exercises": [{"exercise": "chin_tuck", "sets": 2, "repetitions": 10}] * MAX_ITEMS,
    }

    inserts = _inserts_to_create(chiropractor_client, "/api/v1/visits/", body)

    assert inserts["treatments_performedadjustment"] == 1
    assert inserts["treatments_performedexercise"] == 1


def test_every_number_a_request_carries_has_a_documented_range():
    def bounded(node: dict) -> bool | None:
        if node.get("type") not in ("integer", "number"):
            return None
        return node.get("minimum") is not None and node.get("maximum") is not None

    assert unbounded(bounded) == []


def test_a_lone_surrogate_in_a_body_answers_400_not_500(chiropractor_client, anonymous_client):
    login = anonymous_client.post(
        "/api/v1/auth/login",
        '{"username": "\\ud800", "password": "whatever-it-is"}',
        content_type="application/json",
    )
    patient = chiropractor_client.post(
        "/api/v1/patients/",
        '{"first_name": "Ana\\udfff", "last_name": "Ruiz", "date_of_birth": "1980-01-01"}',
        content_type="application/json",
    )

    for response in (login, patient):
        assert response.status_code == 400
        assert codes(response) == ["parse_error"]
        assert "lone surrogate" in response.json()["errors"][0]["detail"]
    failed = AuditEvent.objects.get(request_id=login["X-Request-ID"])
    assert (failed.action, failed.status_code) == ("login_failed", 400)
    assert not Patient.objects.exists()


def test_a_request_line_or_header_too_long_is_refused_in_json(chiropractor_client, patient):
    long_query = chiropractor_client.get("/api/v1/patients/", {"name": "a" * 9000})
    many_tags = chiropractor_client.patch(
        f"/api/v1/patients/{patient.id}/",
        {"occupation": "Roofer"},
        HTTP_IF_MATCH=", ".join(f'"{n}"' for n in range(5000)),
    )
    long_header = chiropractor_client.get("/api/v1/patients/", HTTP_X_TRACE="x" * 9000)
    long_cursor = chiropractor_client.get("/api/v1/patients/", {"cursor": "c" * 2000})

    assert long_query.status_code == 414
    assert codes(long_query) == ["request_line_too_long"]
    for response in (many_tags, long_header):
        assert response.status_code == 431
        assert codes(response) == ["headers_too_large"]
    assert long_cursor.status_code == 404
    assert codes(long_cursor) == ["not_found"]
    patient.refresh_from_db()
    assert patient.occupation != "Roofer"


@pytest.mark.system
@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_production_server_lets_the_api_refuse_long_lines_in_json(start_server):
    base = start_server(workers=1)

    long_line = requests.get(f"{base}/api/v1/patients/?name={'a' * 9000}", timeout=30)
    many_tags = requests.patch(
        f"{base}/api/v1/patients/00000000-0000-0000-0000-000000000000/",
        headers={"If-Match": ", ".join(f'"{n}"' for n in range(5000))},
        json={},
        timeout=30,
    )

    assert (long_line.status_code, long_line.json()["errors"][0]["code"]) == (
        414,
        "request_line_too_long",
    )
    assert (many_tags.status_code, many_tags.json()["errors"][0]["code"]) == (
        431,
        "headers_too_large",
    )
