"""A database that fails or does not answer costs a request a 503, never a 500 or a hang.

Connection failures, statement and lock timeouts, serialization failures — what psycopg calls
operational errors — mean "retry shortly", so they answer 503 `database_unavailable` with
`Retry-After`, in the one error shape. Inside DRF views the exception handler maps them
(api.errors); raised around a view (opening the request's transaction, committing it) or in a
middleware they reach Django's own handler, which tells `got_request_exception`: the request
is marked here and JsonErrorsMiddleware answers 503 instead of the 500 page. Django closes a
broken connection when the request ends, so the next request connects afresh: the API
recovers by itself when the database is back.
"""

import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.dispatch import receiver
from django.http import HttpRequest, JsonResponse

from api.context import context_of
from api.error_codes import ApiCode
from api.errors import DATABASE_FAULTS, ServiceUnavailable, error_body

UNAVAILABLE_DETAIL = "The database is not answering; retry shortly."


def is_database_fault(error: BaseException | None) -> bool:
    return isinstance(error, DATABASE_FAULTS)


def database_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        UNAVAILABLE_DETAIL,
        code=ApiCode.DATABASE_UNAVAILABLE,
        retry_after=settings.DB_RETRY_AFTER_SECONDS,
    )


def unavailable_response() -> JsonResponse:
    response = JsonResponse(error_body(503, "database_unavailable", UNAVAILABLE_DETAIL), status=503)
    response["Retry-After"] = str(settings.DB_RETRY_AFTER_SECONDS)
    return response


@receiver(got_request_exception, dispatch_uid="api.database_faults")
def remember_database_fault(sender: object, request: HttpRequest | None = None, **kwargs) -> None:
    if request is not None and is_database_fault(sys.exception()):
        context_of(request).database_fault = True
