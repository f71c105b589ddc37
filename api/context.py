"""One typed context per request: what the layers that serve a request note about it.

Each part is written by one layer and read by the others, instead of attributes added to the
request here and there: the request's id and whether its clinic context was opened
(tenancy.request_context), whether the database failed under it (api.errors,
api.database_faults), its audit event (audit.recording) and, on a login, who is logging in
(accounts.auth), and who the request is for: the user, their clinic and role, and a
break-glass grant.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest


@dataclass
class AuditState:
    """The request's one audit event (audit.recording)."""

    recorded: bool = False
    # An event whose request is answered with a refusal: written after its transaction.
    pending: Any = None


@dataclass
class LoginState:
    """Who is logging in, for the login's audit event (accounts.auth)."""

    clinic_id: uuid.UUID | None = None
    username: str | None = None
    changed_fields: list[str] = field(default_factory=list)


@dataclass
class RequestContext:
    request_id: uuid.UUID | None = None
    # The clinic context was opened in the request's transaction (tenancy.request_context).
    db_context_opened: bool = False
    # The database failed or did not answer: later steps do not try it again.
    database_fault: bool = False
    audit: AuditState = field(default_factory=AuditState)
    login: LoginState = field(default_factory=LoginState)
    # The staff member the bearer token named (accounts.auth.authentication), with their clinic.
    user: Any = None

    @property
    def clinic(self) -> Any:
        return getattr(self.user, "clinic", None)

    @property
    def role(self) -> str | None:
        return getattr(self.user, "role", None)

    @property
    def break_glass_grant(self) -> Any:
        """The grant that opens this request's patient to the user (accounts.break_glass)."""
        return getattr(self.user, "break_glass_grant", None)


def context_of(request: Any) -> RequestContext:
    """The request's context (of the HttpRequest, also under a DRF Request)."""
    http_request: HttpRequest = getattr(request, "_request", request)
    context = getattr(http_request, "api_context", None)
    if context is None:
        context = RequestContext()
        # The one attribute of ours on the request: the context itself.
        http_request.api_context = context  # type: ignore[attr-defined]
    return context
