"""The one error body shape of the API and the exception handling that produces it.

Every error answers `{"type": ..., "errors": [{"code", "detail", "attr"}]}` (the shape of
drf-standardized-errors). Services raise the domain errors below; `ApiExceptionHandler` maps
them, Django's own errors and database conflicts to that shape in one place.
"""

import logging

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpRequest, JsonResponse
from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.handler import ExceptionHandler
from drf_standardized_errors.openapi_serializers import (
    ClientErrorEnum,
    ServerErrorEnum,
    ValidationErrorEnum,
)
from rest_framework import exceptions, serializers, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings

from api.context import context_of
from api.error_codes import ApiCode

logger = logging.getLogger(__name__)

# What psycopg calls operational errors: the database failed or did not answer in time.
DATABASE_FAULTS = (OperationalError, InterfaceError)


class DomainError(Exception):
    """A rule of the domain refused the request; subclasses say which HTTP status fits."""

    status_code: int = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state of the resource."

    def __init__(
        self, detail: str | None = None, code: str | None = None, retry_after: int | None = None
    ) -> None:
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        self.retry_after = retry_after  # seconds, sent as Retry-After
        super().__init__(self.detail)


def field_error(field: str, message: str, code: str) -> DjangoValidationError:
    """A service's refusal of one field's value: answered 400 with the field as `attr`."""
    return DjangoValidationError({field: DjangoValidationError(message, code=code)})


class Conflict(DomainError):
    """The resource's state forbids the change (e.g. archiving a patient under treatment)."""


class PreconditionFailed(DomainError):
    """The client's `If-Match` no longer matches: someone else changed the resource."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The resource was changed by someone else; fetch it again and retry."


class Gone(DomainError):
    """What the request names existed and was removed for good (a feed's expired cursor)."""

    status_code = status.HTTP_410_GONE
    default_code = "gone"
    default_detail = "What the request names is no longer kept."


class ServiceUnavailable(DomainError):
    """A dependency the API needs (the database) is not answering."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = "The service is temporarily unavailable."


class _DomainAPIException(exceptions.APIException):
    def __init__(self, error: DomainError) -> None:
        self.status_code = error.status_code
        if error.retry_after is not None:
            self.wait = error.retry_after  # drf-standardized-errors sends it as Retry-After
        super().__init__(detail=error.detail, code=error.code)


class ApiExceptionHandler(ExceptionHandler):
    """Turns domain, model-validation and integrity errors into the standard error body."""

    def set_rollback(self) -> None:
        # A view served outside a request transaction (login, health) has none of its own to
        # roll back; an enclosing one (the test suite's) is not its to end.
        request = self.context.get("request")
        view = getattr(getattr(request, "resolver_match", None), "func", None)
        if getattr(view, "_non_atomic_requests", None):
            return
        super().set_rollback()

    def report_exception(self, exc: exceptions.APIException, response) -> None:
        # A database fault is handled (503, Retry-After), not a crash: logged as a warning
        # without the signal that error trackers and the test client treat as an unhandled error.
        if isinstance(self.exc, (*DATABASE_FAULTS, ServiceUnavailable)):
            logger.warning("Database unavailable: %s", self.exc, exc_info=self.exc)
            return
        super().report_exception(exc, response)

    def convert_known_exceptions(self, exc: Exception) -> Exception:
        if isinstance(exc, DomainError):
            return _DomainAPIException(exc)
        if isinstance(exc, RequestDataTooBig):
            from api.parsers import RequestTooLarge

            return RequestTooLarge()
        if isinstance(exc, OperationalError) and _is_program_limit(exc):
            # A value past what PostgreSQL can index or hold (SQLSTATE class 54): the same
            # request would fail again, so it is the client's to change, not to retry.
            return exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        exceptions.ErrorDetail("A value is too large.", code=ApiCode.OUT_OF_RANGE)
                    ]
                }
            )
        if isinstance(exc, DATABASE_FAULTS):
            from api.database_faults import database_unavailable

            # Later steps of this request (its audit event) need not try the database again.
            context_of(self.context.get("request")).database_fault = True
            return _DomainAPIException(database_unavailable())
        if isinstance(exc, DjangoValidationError):
            detail = as_serializer_error(exc)
            if NON_FIELD_ERRORS in detail:
                detail[api_settings.NON_FIELD_ERRORS_KEY] = detail.pop(NON_FIELD_ERRORS)
            return exceptions.ValidationError(detail)
        if isinstance(exc, ProtectedError | RestrictedError):
            return _DomainAPIException(
                Conflict("Other records still refer to this one.", code=ApiCode.PROTECTED)
            )
        if isinstance(exc, DataError):
            # A value the database cannot hold slipped past validation: still the client's input.
            return exceptions.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        exceptions.ErrorDetail(
                            "A value is out of range.", code=ApiCode.OUT_OF_RANGE
                        )
                    ]
                }
            )
        if isinstance(exc, IntegrityError):
            return _DomainAPIException(
                Conflict(
                    "The change conflicts with existing data.", code=ApiCode.INTEGRITY_CONFLICT
                )
            )
        return super().convert_known_exceptions(exc)


def _is_program_limit(error: OperationalError) -> bool:
    sqlstate = getattr(error.__cause__, "sqlstate", None) or ""
    return sqlstate.startswith("54")


def error_body(status_code: int, code: str, detail: str, attr: str | None = None) -> dict:
    """The one error shape; with `attr`, a validation error naming that field."""
    if attr is not None:
        error_type = "validation_error"
    else:
        error_type = "server_error" if status_code >= 500 else "client_error"
    return {"type": error_type, "errors": [{"code": code, "detail": detail, "attr": attr}]}


def not_found_view(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """Unknown URLs answer in the API's error shape instead of an HTML page."""
    return JsonResponse(error_body(404, "not_found", "Not found."), status=404)


def server_error_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(error_body(500, "error", "Server Error (500)."), status=500)


class ErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable error code.")
    detail = serializers.CharField(help_text="Human-readable explanation.")
    attr = serializers.CharField(allow_null=True, help_text="Always null for this kind of error.")


def error_response_serializer(status_code: int) -> type[serializers.Serializer]:
    """`ErrorResponse<status>`: the error body of one status, with an item component of its
    own (`Error<status>`), so that each status's `code` gets its own enum of the codes the
    operation answers it with (api.schema.give_each_operation_its_error_codes)."""
    item = type(f"Error{status_code}Serializer", (ErrorItemSerializer,), {"__module__": __name__})
    choices = ServerErrorEnum.choices if status_code >= 500 else ClientErrorEnum.choices
    return type(
        f"ErrorResponse{status_code}Serializer",
        (serializers.Serializer,),
        {
            "__module__": __name__,
            "type": serializers.ChoiceField(choices=choices),
            "errors": item(many=True),
        },
    )


ErrorResponse409Serializer = error_response_serializer(409)
ErrorResponse412Serializer = error_response_serializer(412)
ErrorResponse413Serializer = error_response_serializer(413)
ErrorResponse410Serializer = error_response_serializer(410)
ErrorResponse414Serializer = error_response_serializer(414)
ErrorResponse422Serializer = error_response_serializer(422)
ErrorResponse431Serializer = error_response_serializer(431)
ErrorResponse503Serializer = error_response_serializer(503)


CONFLICT_RESPONSE = OpenApiResponse(
    ErrorResponse409Serializer, description="The resource's current state forbids this change."
)
PRECONDITION_FAILED_RESPONSE = OpenApiResponse(
    ErrorResponse412Serializer,
    description="`If-Match` does not match the current `ETag`: the resource changed meanwhile.",
)
# What a write to a versioned resource may answer besides success.
WRITE_ERRORS = {409: CONFLICT_RESPONSE, 412: PRECONDITION_FAILED_RESPONSE}

SERVICE_UNAVAILABLE_RESPONSE = OpenApiResponse(
    ErrorResponse503Serializer,
    description="The database failed or did not answer in time; nothing was written. Retry "
    "after `Retry-After` seconds.",
)
# The error responses an operation gets when its code can raise one of these statuses.
ERROR_RESPONSES = {
    409: CONFLICT_RESPONSE,
    410: OpenApiResponse(
        ErrorResponse410Serializer,
        description="What the request names was kept for a while and is no longer (a change "
        "feed cursor older than its retention: `cursor_expired`).",
    ),
    413: OpenApiResponse(
        ErrorResponse413Serializer,
        description="The body is larger than `API_MAX_BODY_BYTES` (default 1 MiB); nothing was read.",
    ),
    412: PRECONDITION_FAILED_RESPONSE,
    414: OpenApiResponse(
        ErrorResponse414Serializer,
        description="The path and query are longer than 8 KiB (`request_line_too_long`).",
    ),
    431: OpenApiResponse(
        ErrorResponse431Serializer,
        description="A request header is longer than 8 KiB, or `If-Match` names more than 50 "
        "entity tags (`headers_too_large`).",
    ),
    422: OpenApiResponse(
        ErrorResponse422Serializer,
        description="The `Idempotency-Key` was first used with another request.",
    ),
    503: SERVICE_UNAVAILABLE_RESPONSE,
}


class ValidationErrorItemSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="Why the value was refused, e.g. required, invalid_choice, unknown_field."
    )
    detail = serializers.CharField(help_text="Human-readable explanation.")
    attr = serializers.CharField(
        allow_null=True,
        help_text="The field, as a dotted path for nested fields (goals.0.target_value); "
        "non_field_errors when the request as a whole is refused.",
    )


class ValidationErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=ValidationErrorEnum.choices)
    # A field named as Serializer's `errors` property: DRF's metaclass takes declared fields out
    # of the class, so the property is untouched (the schema only reads this class).
    errors = ValidationErrorItemSerializer(many=True)  # type: ignore[assignment]
