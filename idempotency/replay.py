"""`Idempotency-Key` on POST: a retried request does its work once.

A client that lost the answer to a POST (a dropped connection, a timeout) sends it again
with the same key and gets the first answer again — status, body, ETag, Location — with
`Idempotent-Replayed: true`, and nothing is written twice. The same key with another body
answers 422; a retry while the first request still runs answers 409, at once. Keys belong to
the user and last IDEMPOTENCY_KEY_HOURS (24 by default; `manage.py purge_idempotency_keys`).

Everything happens inside the request's transaction: a transaction-scoped advisory lock on
(user, key) tells a concurrent retry that the first is running, and the answer is stored only
when the request succeeds, together with its writes. A request that failed leaves nothing
behind, so its retry simply runs.
"""

import hashlib
import hmac
import json
import re
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.error_codes import ApiCode, ErrorCodes
from api.errors import Conflict, DomainError
from api.mixin_bases import APIViewBase
from clinics.request_user import request_user
from idempotency.models import IdempotentRequest

IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(r"[A-Za-z0-9_.:\-]{1,255}")

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=IDEMPOTENCY_HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    type={"type": "string", "pattern": "^[A-Za-z0-9_.:\\-]{1,255}$", "maxLength": 255},
    description=(
        "A key of your choosing (e.g. a UUID), 1–255 letters, digits or `_.:-`. Retrying with "
        "the same key and body replays the first answer (with `Idempotent-Replayed: true`) "
        "instead of writing again; the same key with another body answers 422, and a retry "
        "while the first is still running answers 409. Keys are yours alone and last 24 hours."
    ),
)


class IdempotencyCode(ErrorCodes):
    IDEMPOTENCY_KEY_IN_USE = "idempotency_key_in_use", 409
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused", 422


class KeyReused(DomainError):
    status_code = 422
    default_code = IdempotencyCode.IDEMPOTENCY_KEY_REUSED
    default_detail = "This Idempotency-Key was used with another request; use a new key."


class _Replay(Exception):
    def __init__(self, stored: IdempotentRequest) -> None:
        self.stored = stored


def _fingerprint(request: Request) -> str:
    """The request as parsed: the same JSON sent with other spacing or key order is the
    same request."""
    body = json.dumps(request.data, sort_keys=True, separators=(",", ":"), default=str)
    # Keyed: a body may hold a new password, and the stored fingerprint must not let anyone
    # who reads the table test guesses against it.
    digest = hmac.new(settings.SECRET_KEY.encode(), digestmod=hashlib.sha256)
    for part in (request.method or "", request.path, body):
        encoded = part.encode()
        digest.update(len(encoded).to_bytes(8, "big") + encoded)
    return digest.hexdigest()


def _lock_key(request: Request, key: str) -> bool:
    """Take the transaction-scoped lock on (user, key), or say another request holds it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_xact_lock(hashtextextended(%s, 0))",
            [f"idempotency:{request.user.pk}:{key}"],
        )
        locked: bool = cursor.fetchone()[0]
    return locked


class IdempotentPostMixin(APIViewBase):
    """For views whose POSTs create or act: honour `Idempotency-Key` (see module)."""

    idempotency: tuple[str, str] | None = None
    # What every POST takes and answers for its key, besides the view's own (api.schema).
    post_parameters = [IDEMPOTENCY_PARAMETER]
    post_success_headers = {
        REPLAYED_HEADER: {
            "schema": {"type": "string", "enum": ["true"]},
            "description": "Present when this is the first answer to the same "
            "`Idempotency-Key`, given again; nothing was written this time.",
        }
    }
    post_error_codes = (ApiCode.INVALID, *IdempotencyCode)

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or key is None:
            return
        if not _KEY.fullmatch(key):
            raise ValidationError(
                {IDEMPOTENCY_HEADER: ["Use 1–255 letters, digits or _.:- characters."]},
                code=ApiCode.INVALID,
            )
        if not _lock_key(request, key):
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                code=IdempotencyCode.IDEMPOTENCY_KEY_IN_USE,
            )
        fingerprint = _fingerprint(request)
        expired = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        stored = IdempotentRequest.objects.filter(
            user_id=request_user(request).pk, key=key, created_at__gte=expired
        ).first()
        if stored is not None:
            if stored.fingerprint != fingerprint:
                raise KeyReused()
            raise _Replay(stored)
        self.idempotency = (key, fingerprint)

    # The first answer's body, for the audit trail of a replay (audit.recording).
    replayed_answer: dict | None = None

    # DRF finalizes any HttpResponse a view answers; its stubs ask for a DRF Response.
    def handle_exception(self, exc: Exception) -> Response | HttpResponse:  # type: ignore[override]
        if isinstance(exc, _Replay):
            try:
                answer = json.loads(exc.stored.content)
            except ValueError:
                answer = None
            self.replayed_answer = answer if isinstance(answer, dict) else {}
            return _replayed(exc.stored)
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            self.idempotency is not None
            and 200 <= response.status_code < 300
            and not connection.needs_rollback
        ):
            if hasattr(response, "render"):
                response.render()
            key, fingerprint = self.idempotency
            user = request_user(request)
            IdempotentRequest.objects.update_or_create(
                clinic_id=user.staff_clinic_id,
                user_id=user.pk,
                key=key,
                defaults={
                    "fingerprint": fingerprint,
                    "status_code": response.status_code,
                    "content": response.content.decode(),
                    "content_type": response.get("Content-Type", "application/json"),
                    "etag": response.get("ETag", ""),
                    "location": response.get("Location", ""),
                    "created_at": timezone.now(),
                },
            )
        return response


def _replayed(stored: IdempotentRequest) -> HttpResponse:
    response = HttpResponse(
        stored.content, status=stored.status_code, content_type=stored.content_type
    )
    if stored.etag:
        response["ETag"] = stored.etag
    if stored.location:
        response["Location"] = stored.location
    response[REPLAYED_HEADER] = "true"
    return response
