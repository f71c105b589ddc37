"""Every error code is listed on the operation that sends it, from what its parts declare.

Each operation's lists are built from declarations (api.error_codes) when the schema is
generated; the plugin tests/error_codes_seen.py fails the run when an answer in the suite
carries a code its operation does not list, or a code with another status than its declared
one. These tests check the lists themselves and the enums built on them.
"""

from importlib import import_module
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from api.error_codes import ApiCode, all_error_codes, declared_by_view
from billing.views import VisitBillingViewSet
from charts.views import VisitViewSet
from tests import error_codes_seen
from treatments.visits.error_codes import VisitCode

SCHEMA = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())


def responses():
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict):
                for status, response in operation["responses"].items():
                    yield f"{method.upper()} {path}", int(status), response


def codes_of(operation: str, status: int) -> set[str]:
    method, path = operation.split(" ", 1)
    response = SCHEMA["paths"][path][method.lower()]["responses"].get(str(status), {})
    return set(response.get("x-error-codes", ()))


@pytest.mark.parametrize(
    ("operation", "status", "code"),
    [
        ("POST /api/v1/auth/login", 400, "invalid_credentials"),
        ("POST /api/v1/patients/", 400, "invalid_phone"),
        ("PATCH /api/v1/patients/{id}/", 400, "invalid_phone"),
        ("POST /api/v1/patients/", 400, "future_date"),
        ("POST /api/v1/patients/{patient_pk}/conditions/", 400, "not_billable"),
        ("POST /api/v1/patients/{patient_pk}/conditions/", 400, "laterality_required"),
        ("POST /api/v1/patients/{patient_pk}/outcomes/", 400, "unscorable"),
        ("GET /api/v1/patients/", 400, "invalid_ordering"),
        ("GET /api/v1/patients/", 400, "unknown_parameter"),
        ("GET /api/v1/patients/", 400, "invalid_page_size"),
        ("POST /api/v1/treatment-plans/{id}/activate/", 409, "transition_not_allowed"),
        # Raised by a method of a module's object (scheduling.transitions' status machine).
        ("POST /api/v1/appointments/{id}/arrive/", 409, "transition_not_allowed"),
        ("POST /api/v1/appointments/{id}/arrive/", 412, "precondition_failed"),
        ("PATCH /api/v1/visits/{id}/", 409, "visit_signed"),
        ("POST /api/v1/visits/{id}/sign/", 409, "visit_signed"),
        ("PATCH /api/v1/visits/{id}/", 412, "precondition_failed"),
        ("POST /api/v1/patients/{id}/restore/", 409, "patient_not_archived"),
        ("POST /api/v1/staff/", 400, "password_too_common"),  # Django's own validators
        ("POST /api/v1/auth/login/verify", 400, "invalid_challenge"),
        ("POST /api/v1/auth/login/verify", 429, "throttled"),
        ("POST /api/v1/staff/{id}/mfa-reset/", 409, "self_mfa_reset"),
    ],
)
def test_the_codes_the_server_sends_are_listed_on_the_operation(operation, status, code):
    assert code in codes_of(operation, status)


def _component(ref: str) -> dict:
    return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def codes_typed(response: dict) -> set[str]:
    """The values the response's schema allows in `errors[].code` (in a FHIR OperationOutcome,
    `issue[].details.coding[].code`), as a client reads them."""
    if "application/fhir+json" in response["content"]:
        outcome = _component(response["content"]["application/fhir+json"]["schema"]["$ref"])
        details = outcome["properties"]["issue"]["items"]["properties"]["details"]
        return set(details["properties"]["coding"]["items"]["properties"]["code"]["enum"])
    schema = response["content"]["application/json"]["schema"]
    bodies = [schema]
    if "$ref" in schema:
        bodies = [_component(schema["$ref"])]
    if "oneOf" in bodies[0]:
        bodies = [_component(branch["$ref"]) for branch in bodies[0]["oneOf"]]
    codes: set[str] = set()
    for body in bodies:
        code = _component(body["properties"]["errors"]["items"]["$ref"])["properties"]["code"]
        codes |= set(_component(code["$ref"])["enum"] if "$ref" in code else code["enum"])
    return codes


def test_every_error_response_types_the_codes_its_operation_lists_and_only_those():
    for operation, status, response in responses():
        if status < 400:
            continue
        listed = response.get("x-error-codes")
        assert listed, f"{operation} {status} lists no codes"
        assert all(f"`{code}`" in response["description"] for code in listed), operation
        typed = codes_typed(response)
        if status == 400:  # a parse error is typed by the shared ParseErrorResponse
            typed.discard("parse_error")
            listed = set(listed) - {"parse_error"}
        assert typed == set(listed), f"{operation} {status}"


def test_a_booking_conflict_is_typed_as_the_bookings_codes():
    response = SCHEMA["paths"]["/api/v1/appointments/"]["post"]["responses"]["409"]
    assert codes_typed(response) == {
        "appointment_overlaps",
        "break_glass_ended",
        "buffer_overlaps",
        "idempotency_key_in_use",
        "integrity_conflict",
        "outside_working_hours",
        "patient_archived",
        "plan_closed",
        "unusable_recurrence",
    }
    signing = SCHEMA["paths"]["/api/v1/visits/{id}/sign/"]["post"]["responses"]["409"]
    assert "visit_signed" in codes_typed(signing)
    # A status answered alike by every operation keeps one shared component.
    assert "ErrorCode404Enum" in SCHEMA["components"]["schemas"]
    assert "ErrorCode409Enum" not in SCHEMA["components"]["schemas"]


def test_a_read_does_not_list_what_only_writes_can_answer():
    # ETagMixin.get_object checks If-Match only for unsafe methods: no 412 on a GET, nor on
    # a create that reads no object.
    assert "412" not in SCHEMA["paths"]["/api/v1/visits/{id}/"]["get"]["responses"]
    assert (
        "412"
        not in SCHEMA["paths"]["/api/v1/treatment-plans/{plan_pk}/goals/"]["post"]["responses"]
    )
    assert not codes_of("GET /api/v1/visits/{id}/", 409)
    # A validation on the paginator's page size belongs to lists, not to a single object.
    assert "invalid_page_size" not in codes_of("GET /api/v1/visits/{id}/", 400)


def test_an_error_caught_on_the_way_is_not_listed():
    # The login's enrolment catches mfa_already_enabled (a concurrent login enrolled first).
    assert "mfa_already_enabled" not in codes_of("POST /api/v1/auth/login", 409)
    assert "mfa_already_enabled" in codes_of("POST /api/v1/auth/mfa/enrol", 409)


def test_a_view_declares_its_codes_per_operation():
    sign = VisitViewSet(action="sign", request=None, format_kwarg=None)
    assert declared_by_view(sign, "POST") >= {VisitCode.VISIT_SIGNED, VisitCode.VISIT_DISCARDED}
    # An action serving two methods declares the POST's codes apart from the GET's.
    payments = VisitBillingViewSet(action="claim_payments", request=None, format_kwarg=None)
    assert VisitCode.VISIT_NOT_SIGNED in declared_by_view(payments, "POST")
    assert not declared_by_view(payments, "GET")
    # A mixin's declaration (the record history) adds to the view's own.
    history = VisitViewSet(action="history", request=None, format_kwarg=None)
    assert declared_by_view(history, "GET") == {ApiCode.UNKNOWN_PARAMETER, ApiCode.BLANK}


def test_each_code_has_one_status_across_the_api():
    import_module(settings.ROOT_URLCONF)  # the views, and so every domain's codes, are imported
    statuses: dict[str, set[int]] = {}
    for codes in all_error_codes():
        for code in codes:
            statuses.setdefault(str(code), set()).add(code.status)
    assert {"patient_archived", "visit_signed", "invalid_page_size"} <= set(statuses)
    assert {code: found for code, found in statuses.items() if len(found) > 1} == {}
    # The contract lists each declared code under its one status only.
    for operation, status, response in responses():
        for code in response.get("x-error-codes", ()):
            if code in statuses:
                assert statuses[code] == {status}, f"{operation} lists `{code}` under {status}"


def test_an_archived_patient_is_the_same_conflict_everywhere():
    for operation in (
        "POST /api/v1/appointments/",
        "POST /api/v1/waitlist/",
        "POST /api/v1/visits/",
        "POST /api/v1/patients/{patient_pk}/conditions/",
    ):
        assert "patient_archived" in codes_of(operation, 409), operation
        assert "patient_archived" not in codes_of(operation, 400), operation


def test_filters_of_a_detail_read_are_listed_where_they_apply():
    # The staff list's filters also guard its detail URLs (DRF filters get_object's queryset).
    assert "invalid_choice" in codes_of("GET /api/v1/staff/{id}/", 400)
    # Patients and plans filter their lists only (api.filters.FilterListsOnlyMixin).
    assert not codes_of("GET /api/v1/patients/{id}/", 400)


def test_an_answer_with_an_unlisted_code_fails_the_run():
    seen = error_codes_seen.Seen("GET /api/v1/patients/", 400, "made_up_code", "a test")
    error_codes_seen.SEEN.add(seen)
    try:
        problems = error_codes_seen.undocumented()
    finally:
        error_codes_seen.SEEN.discard(seen)
    assert any("`made_up_code`" in problem for problem in problems)
