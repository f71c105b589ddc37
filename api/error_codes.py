"""Error codes, declared: each domain's codes with the one status each answers, and on each
view the codes each of its operations answers.

A domain lists its codes in an `ErrorCodes` enum (`scheduling.error_codes.SchedulingCode`, …);
a member is the code's string, so it goes wherever a code goes (`Conflict(..., code=...)`,
`field_error(...)`, a serializer's `ValidationError`), and it carries its status. A code has
one status across the API (tests/api/test_error_codes.py checks it).

An operation's codes are the union of what its parts declare (api.schema.ApiAutoSchema):
- the view's `error_codes`, keyed by action (viewsets) or by lower-case HTTP method;
- `error_codes` on the filter backends and paginator of a list, the parsers of a body, the
  permission classes, and the request serializers (with their nested serializers);
- the codes DRF's and django-filter's fields declare in their error messages (read by
  drf-standardized-errors), and the framework's own for each status.

The suite checks the declarations against what the server answers: every code a test receives
must be listed on its operation (tests/error_codes_seen.py).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from enum import StrEnum
from typing import cast

from rest_framework import serializers


class ErrorCodes(StrEnum):
    """A domain's error codes; each member is `CODE = "code", status`."""

    status: int

    def __new__(cls, code: str, status: int) -> ErrorCodes:
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        return member


class ApiCode(ErrorCodes):
    """What the shared plumbing answers, whatever the operation."""

    PARSE_ERROR = "parse_error", 400
    OUT_OF_RANGE = "out_of_range", 400
    UNKNOWN_PARAMETER = "unknown_parameter", 400
    BLANK = "blank", 400
    INVALID = "invalid", 400
    INVALID_CODE = "invalid_code", 400
    UNKNOWN_FIELD = "unknown_field", 400
    INVALID_ORDERING = "invalid_ordering", 400
    INVALID_PAGE_SIZE = "invalid_page_size", 400
    INTEGRITY_CONFLICT = "integrity_conflict", 409
    PROTECTED = "protected", 409
    PRECONDITION_FAILED = "precondition_failed", 412
    REQUEST_TOO_LARGE = "request_too_large", 413
    REQUEST_LINE_TOO_LONG = "request_line_too_long", 414
    HEADERS_TOO_LARGE = "headers_too_large", 431
    DATABASE_UNAVAILABLE = "database_unavailable", 503

    # Field and rule codes of DRF, Django and the shared validators.
    DATE = "date", 400
    DATETIME = "datetime", 400
    DOES_NOT_EXIST = "does_not_exist", 400
    DUPLICATE = "duplicate", 400
    FUTURE_DATE = "future_date", 400
    IMMUTABLE = "immutable", 400
    INCORRECT_TYPE = "incorrect_type", 400
    INVALID_CHOICE = "invalid_choice", 400
    INVALID_DATE = "invalid_date", 400
    INVALID_DATETIME = "invalid_datetime", 400
    INVALID_LIST = "invalid_list", 400
    INVALID_NULLABLE = "invalid_nullable", 400
    INVALID_TIME = "invalid_time", 400
    ITEM_INVALID = "item_invalid", 400
    MAKE_AWARE = "make_aware", 400
    MAX_DECIMAL_PLACES = "max_decimal_places", 400
    MAX_DIGITS = "max_digits", 400
    MAX_LENGTH = "max_length", 400
    MAX_STRING_LENGTH = "max_string_length", 400
    MAX_VALUE = "max_value", 400
    MAX_WHOLE_DIGITS = "max_whole_digits", 400
    MIN_VALUE = "min_value", 400
    NAIVE = "naive", 400
    NESTED_ARRAY_MISMATCH = "nested_array_mismatch", 400
    NOT_A_LIST = "not_a_list", 400
    NOT_FOUND = "not_found", 404
    NULL = "null", 400
    NULL_CHARACTERS_NOT_ALLOWED = "null_characters_not_allowed", 400
    OVERFLOW = "overflow", 400
    PASSWORD_ENTIRELY_NUMERIC = "password_entirely_numeric", 400
    PASSWORD_TOO_COMMON = "password_too_common", 400
    PASSWORD_TOO_PERSONAL = "password_too_personal", 400
    PASSWORD_TOO_SHORT = "password_too_short", 400
    PASSWORD_TOO_SIMILAR = "password_too_similar", 400
    PASSWORD_TOO_WEAK = "password_too_weak", 400
    REQUIRED = "required", 400
    SURROGATE_CHARACTERS_NOT_ALLOWED = "surrogate_characters_not_allowed", 400
    TOO_LONG = "too_long", 400
    TRANSITION_NOT_ALLOWED = "transition_not_allowed", 409
    UNIQUE = "unique", 400
    UNIQUE_TOGETHER = "unique_together", 400


# What a view declares: the codes each operation answers, keyed by its action (a viewset's
# "create", "sign"; "POST claim_payments" where an action serves several methods) or by its
# lower-case HTTP method (an APIView's "post"), or by a tuple of such keys.
Declared = Mapping[str | tuple[str, ...], Collection[ErrorCodes]]


def _own_declarations(part: object) -> Iterator[Declared | Collection[ErrorCodes]]:
    """Each class's own `error_codes` along the MRO of `part` (a class or an instance): a
    mixin declares what it answers, its subclasses add theirs. A view's are `Declared`; a
    filter's, a paginator's, a parser's, a permission's or a serializer's are codes."""
    klass = part if isinstance(part, type) else type(part)
    for owner in klass.__mro__:
        if "error_codes" in vars(owner):
            yield vars(owner)["error_codes"]


def declared_by_view(view: object, method: str) -> set[ErrorCodes]:
    """What the view and its mixins declare for this operation's action (or method)."""
    action = getattr(view, "action", None)
    names = {action, f"{method.upper()} {action}"} if action else {method.lower()}
    return _declared_for(view, names)


def declared_for_action(view: type, action: str, method: str = "POST") -> set[ErrorCodes]:
    """What a viewset class and its mixins declare for one of its actions: for an operation
    that does another's work (the FHIR import creates what the REST API's `create` does)."""
    return _declared_for(view, {action, f"{method.upper()} {action}"})


def _declared_for(view: object, names: set[str]) -> set[ErrorCodes]:
    declared: set[ErrorCodes] = set()
    for by_operation in _own_declarations(view):
        for keys, codes in cast("Declared", by_operation).items():
            if names & (set(keys) if isinstance(keys, tuple) else {keys}):
                declared |= set(codes)
    return declared


def declared_by(parts: Iterable[object]) -> set[ErrorCodes]:
    """The codes the classes (or instances) of an operation's parts declare."""
    return {
        code
        for part in parts
        for codes in _own_declarations(part)
        for code in cast("Collection[ErrorCodes]", codes)
    }


def all_error_codes() -> list[type[ErrorCodes]]:
    """Every domain's enum of codes (those of the installed apps, once imported)."""
    found, pending = [], list(ErrorCodes.__subclasses__())
    while pending:
        codes = pending.pop()
        found.append(codes)
        pending.extend(codes.__subclasses__())
    return found


def serializers_within(serializer: type[serializers.BaseSerializer]) -> Iterator[type]:
    """The serializer class and the classes of the serializers nested in its fields."""
    seen: set[type] = set()
    pending: list[type] = [serializer]
    while pending:
        klass = pending.pop()
        if klass in seen:
            continue
        seen.add(klass)
        yield klass
        try:
            fields = klass().fields
        except Exception:  # a serializer that needs its context to list its fields
            continue
        for field in fields.values():
            field = getattr(field, "child", None) or field
            if isinstance(field, serializers.BaseSerializer):
                pending.append(type(field))
