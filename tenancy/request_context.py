"""The database side of a request: its id, and its clinic set for its transaction only.

The clinic context is opened in the same statement that reads the bearer token (see
tenancy.row_security), so authentication, tenant isolation and the history context cost one round
trip, which also carries the transaction's BEGIN (tenancy.postgres). The statement also switches
to the API's database role for the transaction: a no-op where the server already connects as
that role, and what makes development servers, the test suite and the benchmark run under
row-level security when they connect as the owner.
"""

import ipaddress
import uuid
from typing import TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import Model
from django.http import HttpRequest
from knox.models import AuthToken
from rest_framework.throttling import BaseThrottle

from api.context import context_of
from clinics.models import Clinic, User
from tenancy.postgres.connection import backend_connection

_M = TypeVar("_M", bound=Model)

REQUEST_ID_HEADER = "X-Request-ID"

# The request's statement and lock timeouts, set with its role in the statement that opens its
# context: no round trip of their own, and gone with the request's transaction.
_TIMEOUTS = "set_config('statement_timeout', %s, true), set_config('lock_timeout', %s, true)"


def _timeouts() -> list[str]:
    return [str(settings.DB_STATEMENT_TIMEOUT_MS), str(settings.DB_LOCK_TIMEOUT_MS)]


_USER_COLUMNS = (
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "clinic_id",
    "role",
)


def django_request(request) -> HttpRequest:
    """The HttpRequest under a DRF Request, where the middleware reads what is noted here."""
    http_request: HttpRequest = getattr(request, "_request", request)
    return http_request


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the login throttle sees it (X-Forwarded-For only past the
    NUM_PROXIES trusted proxies), if it is one."""
    # get_ident reads the request's META, which an HttpRequest has as a DRF Request does.
    ident = BaseThrottle().get_ident(request)  # type: ignore[arg-type]
    try:
        return str(ipaddress.ip_address(ident.strip()))
    except ValueError:
        return None


def request_id_for(request: HttpRequest) -> uuid.UUID:
    """The request's id: the client's `X-Request-ID` when it is a UUID, else a new one."""
    context = context_of(request)
    if context.request_id is None:
        try:
            context.request_id = uuid.UUID(request.headers.get(REQUEST_ID_HEADER, ""))
        except ValueError:
            context.request_id = uuid.uuid4()
    return context.request_id


def _from_row(model: type[_M], values: dict[str, object]) -> _M:
    """An instance of the columns the token statement read, made as the ORM makes the rows of
    a query (`Model.from_db`): every other field is deferred, so reading it loads its stored
    value instead of showing the field's default."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(connection.alias, names, [values[name] for name in names])


def open_token_context(*, digest: str, request: HttpRequest) -> tuple[User, AuthToken] | None:
    """The token's user (with their clinic) when the token is valid, and the clinic context
    set for this transaction; None for an unknown, expired or inactive one."""
    knox = settings.REST_KNOX
    backend = backend_connection()
    with backend.cursor() as cursor:
        backend.execute_first(
            cursor,
            f"SELECT set_config('role', %s, true), {_TIMEOUTS}, r.* "
            "FROM api_open_token_context(%s, %s, %s, %s, %s) AS r",
            [
                settings.DATABASE_APP_ROLE,
                *_timeouts(),
                digest,
                request_id_for(request),
                int(knox["TOKEN_TTL"].total_seconds()),
                int(knox["AUTO_REFRESH_MAX_TTL"].total_seconds()),
                knox["MIN_REFRESH_INTERVAL"],
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    user = _from_row(User, dict(zip(_USER_COLUMNS, row[3:16], strict=True)))
    clinic_name, slug, time_zone, clinic_active, clinic_created, token_created, expiry = row[16:]
    if user.clinic_id is not None:
        user.clinic = _from_row(
            Clinic,
            {
                "id": user.clinic_id,
                "name": clinic_name,
                "slug": slug,
                "time_zone": time_zone,
                "is_active": clinic_active,
                "created_at": clinic_created,
            },
        )
    token = _from_row(
        AuthToken,
        {"digest": digest, "user_id": user.pk, "created": token_created, "expiry": expiry},
    )
    token.user = user
    context = context_of(request)
    context.db_context_opened, context.user = True, user
    return user, token


def _open_context(function: str, key: object, request: HttpRequest) -> uuid.UUID | None:
    backend = backend_connection()
    with backend.cursor() as cursor:
        backend.execute_first(
            cursor,
            f"SELECT set_config('role', %s, true), {_TIMEOUTS}, {function}(%s, %s)",
            [settings.DATABASE_APP_ROLE, *_timeouts(), key, request_id_for(request)],
        )
        found: uuid.UUID | None = cursor.fetchone()[3]
    context_of(request).db_context_opened = True
    return found


def open_login_context(*, username: str, request: HttpRequest) -> uuid.UUID | None:
    """Before a password check: the clinic of the user of that name (None if there is none),
    set as this transaction's context."""
    return _open_context("api_open_login_context", username, request)


def open_user_context(*, user_id: object, request: HttpRequest) -> uuid.UUID | None:
    """For the second login step: the clinic of that user (None if there is none), set as this
    transaction's context."""
    return _open_context("api_open_user_context", user_id, request)


def open_feed_context(*, digest: str, request: HttpRequest) -> uuid.UUID | None:
    """For a calendar feed read by its secret: the feed's owner (None for an unknown or revoked
    feed), whose clinic is set as this transaction's context."""
    return _open_context("api_open_feed_context", digest, request)


def close_context_if_nested(request: HttpRequest) -> None:
    """Give the owner's role and no clinic back to an outer transaction that wraps requests.

    A request's own transaction ends with it and takes its settings along; only when a
    caller's transaction encloses the request (the test suite) do they outlive it.
    """
    if context_of(request).db_context_opened and connection.in_atomic_block:
        if connection.connection is None or connection.connection.closed:
            return  # cut at the request's deadline (503): its settings went with it
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('role', 'none', true), set_config('app.clinic_id', '', true), "
                "set_config('app.clinic_sig', '', true), "
                "set_config('pghistory.context_id', '', true), "
                "set_config('pghistory.context_metadata', '', true)"
            )
