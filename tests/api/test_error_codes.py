"""Every error code is listed on the operation that sends it, and the lists come from the code.

The lists are read from the code by api.raised_codes when the schema is generated; the
plugin tests/error_codes_seen.py fails the run when an answer in the suite carries a code its
operation does not list. These tests check the lists themselves and the enums built on them.
"""

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import transaction

from api.errors import Conflict
from api.raised_codes import CodeReader, Raised, raised_by
from tests import error_codes_seen
from treatments.plans.transitions import PLAN_STATUS_MACHINE
from treatments.visits.views import VisitViewSet

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
    """The values the response's schema allows in `errors[].code`, as a client reads them."""
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


def test_codes_are_read_through_decorators_services_and_exception_defaults():
    view = VisitViewSet(action="sign", request=None, format_kwarg=None)
    raised = raised_by(view, "POST")
    # RecordLocked's default code, from @transaction.atomic services, and If-Match's 412.
    assert {(r.status, r.code) for r in raised} >= {
        (409, "visit_signed"),
        (409, "visit_discarded"),
        (412, "precondition_failed"),
        (403, "permission_denied"),
    }
    assert all(isinstance(r, Raised) for r in raised)
    # Reading every branch (no method known) finds at least what the POST finds.
    assert CodeReader().function(VisitViewSet.sign, VisitViewSet) >= {
        r for r in raised if r.code == "visit_signed"
    }


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


def _refuses_in_a_handler_that_a_later_handler_would_catch(values: dict) -> None:
    try:
        values["missing"]
    except KeyError:
        raise Conflict("Nothing there.", code="from_the_handler") from None
    except Conflict:
        pass


def _decides_on_another_objects_action(transition) -> None:
    if transition.action == "create":
        return
    with transaction.atomic():
        try:
            raise Conflict("Taken back.", code="caught_inside_with")
        except Conflict:
            pass
        raise Conflict("Not a create.", code="after_another_objects_action")


def test_handlers_and_conditions_are_read_as_python_runs_them():
    reader = CodeReader("POST", "create")
    handler = reader.function(_refuses_in_a_handler_that_a_later_handler_would_catch, None)
    assert {r.code for r in handler} == {"from_the_handler"}  # a handler's raise leaves
    other = reader.function(_decides_on_another_objects_action, None)
    # `transition.action` is not the view's: the raise after it is read, the caught one not.
    assert {r.code for r in other} == {"after_another_objects_action"}


def _moves_a_plan(plan) -> str:
    return PLAN_STATUS_MACHINE.target_status(status=plan.status, action="activate")


def test_a_method_of_a_modules_object_is_read():
    # The status machine is an object made at import: its method's refusal is found.
    found = CodeReader("POST", "activate").function(_moves_a_plan, None)
    assert {(r.status, r.code) for r in found} == {(409, "transition_not_allowed")}
