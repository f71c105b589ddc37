"""How requests become audit events: exactly one per request on an audited endpoint.

A successful request writes its event as the last statement of its own transaction, so a
change is never committed without its event. A refused or failed one (401, 403, 404, 400,
409, …) has its transaction rolled back; its event is written right after, by
`AuditMiddleware`, on its own.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from rest_framework.permissions import SAFE_METHODS

from api.context import context_of
from api.mixin_bases import ViewSetBase
from audit.models import AuditAction
from audit.row_hmac import SIGNED_FIELDS, event_hmac
from tenancy.postgres.connection import backend_connection
from tenancy.request_context import client_address, django_request, request_id_for

logger = logging.getLogger(__name__)

# Sent with a read's COMMIT when AUDIT_READS_SYNCHRONOUS is off: the commit returns before its
# WAL is flushed; a server crash in the next few WAL-writer delays can lose the read's event.
RELAXED_COMMIT = "SET LOCAL synchronous_commit = off"

APPEND = f"SELECT audit_append({', '.join(['%s'] * (len(SIGNED_FIELDS) + 1))})"

# Columns whose change says nothing a reader of the trail needs (bookkeeping, derived keys).
UNREPORTED_FIELDS = frozenset(
    {"version", "updated_at", "given_name_key", "family_name_key", "phone_digits_reversed"}
)

# Query parameters that page or sort a list rather than search it (FHIR's and the change
# feed's too).
PAGING_PARAMETERS = frozenset(
    {"cursor", "page_size", "ordering", "format", "_count", "_cursor", "_format", "after"}
)

MAX_IDS = 100  # a page holds at most 100 rows


@dataclass
class Event:
    action: str
    resource_type: str
    status_code: int
    # Primary keys, written as text (at most MAX_IDS of them, each once).
    object_ids: list[object] = field(default_factory=list)
    patient_ids: list[object] = field(default_factory=list)
    changed_fields: list[str] = field(default_factory=list)
    # Who, when the request's user does not say: the name tried at a failed login, and the
    # clinic of the user of that name.
    username: str = ""
    clinic_id: object = None


def _text(value: object, limit: int) -> str:
    return str(value or "").replace("\x00", "")[:limit]


def _unique(values) -> list[str]:
    return list(dict.fromkeys(str(value) for value in values if value is not None))[:MAX_IDS]


def write(request: HttpRequest, event: Event, *, at_commit: bool = False) -> None:
    """Append the event; `at_commit`: as the last statement of the request's transaction,
    sent with its COMMIT (tenancy.postgres), so that it costs no round trip of its own."""
    user = getattr(request, "user", None)
    staff = user if user is not None and user.is_authenticated else None
    content = {
        "clinic_id": staff.clinic_id if staff is not None else event.clinic_id,
        "occurred_at": timezone.now(),
        "user_id": staff.pk if staff is not None else None,
        "username": staff.username if staff is not None else _text(event.username, 150),
        "role": staff.role if staff is not None else "",
        "client_ip": client_address(request),
        "user_agent": _text(request.headers.get("User-Agent"), 300),
        "request_id": request_id_for(request),
        "method": request.method,
        "path": _text(request.path, 500),
        "action": event.action,
        "resource_type": event.resource_type,
        "object_ids": _unique(event.object_ids),
        "patient_ids": _unique(event.patient_ids),
        "status_code": event.status_code,
        "changed_fields": sorted(set(event.changed_fields)),
    }
    execute = backend_connection().execute_at_commit if at_commit else _execute_now
    if at_commit and request.method in SAFE_METHODS and not settings.AUDIT_READS_SYNCHRONOUS:
        # A read's commit need not wait for its WAL flush (AUDIT_READS_SYNCHRONOUS, README).
        execute(RELAXED_COMMIT, [])
    execute(APPEND, [*(content[name] for name in SIGNED_FIELDS), event_hmac(content)])


def _execute_now(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def record(request, event: Event) -> None:
    """The request's one event: written now if its transaction will commit, else after it."""
    request = django_request(request)
    audit = context_of(request).audit
    if audit.recorded:
        raise RuntimeError("A request records exactly one audit event.")
    audit.recorded = True
    if event.status_code < 400 and not connection.needs_rollback:
        write(request, event, at_commit=True)
    else:
        audit.pending = event


class AuditMiddleware:
    """Writes the event of a request whose transaction was rolled back (refusals, errors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        context = context_of(request)
        event = context.audit.pending
        if event is not None and context.database_fault:
            # The database that would keep the trace is what failed: connecting once more
            # would only make the answer wait again. The log keeps it.
            logger.warning("Audit event of a request refused for a database fault: %s", event)
        elif event is not None:
            try:
                write(request, event)
            except DatabaseError:
                # The answer already says the request failed; the database that would keep
                # its trace is what failed. Nothing was changed.
                logger.exception("Audit event of a failed request could not be written.")
        return response


def _field_values(obj: Model) -> dict[str, object]:
    return {
        f.name: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in UNREPORTED_FIELDS
    }


def _instances(value) -> list[Model]:
    if isinstance(value, Model):
        return [value]
    if isinstance(value, QuerySet):
        return list(value._result_cache or [])
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, Model)]
    return []


class AuditedViewMixin(ViewSetBase):
    """For viewsets over PHI (and staff): every request leaves one event.

    Subclasses name `audit_resource` and may map DRF actions to audit actions and resource
    types. The event names the objects read or written (a list's page), their patients, and
    for writes the fields that changed.
    """

    audit_resource: str = ""
    audit_patient_attr: str = "patient_id"
    audit_destroy_action: str = AuditAction.DISCARD
    audit_actions: dict[str, str] = {}
    audit_resources: dict[str, str] = {}

    def initial(self, request, *args, **kwargs) -> None:
        self._audit_objects: list[Model] = []
        self._audit_before: dict[object, dict] = {}
        self._audit_serializers: list = []
        self._audit_changed: set[str] = set()
        # The caller is read before the answer's format is chosen: a request refused for its
        # Accept header (406) still leaves an event naming who asked, read while the request's
        # transaction is usable (DRF marks it for rollback once it handles an exception).
        self.perform_authentication(request)
        super().initial(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()
        self._audit_objects.append(obj)
        if self.request.method not in SAFE_METHODS:
            self._audit_before[obj.pk] = _field_values(obj)
        return obj

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        if hasattr(self, "_audit_serializers"):
            self._audit_serializers.append(serializer)
        return serializer

    def audit_changed(self, *names: str) -> None:
        """Fields a custom action changed that the object itself does not show."""
        self._audit_changed.update(names)

    def audit_touched(self, *objects: Model) -> None:
        """Objects a custom action read or wrote besides the one `get_object()` found (a
        visit's payments, a series' appointments): the event names them and their patients."""
        self._audit_objects.extend(objects)

    def audit_resource_type(self) -> str:
        return self.audit_resources.get(self.action, self.audit_resource)

    def audit_patient_id(self, obj: Model) -> object:
        return getattr(obj, self.audit_patient_attr, None)

    def audit_object_id(self, obj: Model) -> object:
        """What the event calls an object: its primary key, unless the API names it otherwise
        (a FHIR Provenance of a visit's signature is `signature-<visit id>`)."""
        return obj.pk

    def audit_action(self, request, changed: list[str]) -> str:
        actions = {
            "list": AuditAction.LIST,
            "retrieve": AuditAction.READ,
            "create": AuditAction.CREATE,
            "update": AuditAction.UPDATE,
            "partial_update": AuditAction.UPDATE,
            "destroy": self.audit_destroy_action,
            **self.audit_actions,
        }
        action = actions.get(self.action)
        if action == AuditAction.LIST and set(request.query_params) - PAGING_PARAMETERS:
            return AuditAction.SEARCH
        if action is None:
            return AuditAction.READ if request.method in SAFE_METHODS else AuditAction.UPDATE
        return action

    def _audit_touched(self) -> list[Model]:
        touched = list(getattr(self, "_audit_objects", []))
        for serializer in getattr(self, "_audit_serializers", []):
            touched.extend(_instances(getattr(serializer, "instance", None)))
        return touched

    def _audit_changes(self, touched: list[Model]) -> list[str]:
        changed = set(getattr(self, "_audit_changed", set()))
        for serializer in getattr(self, "_audit_serializers", []):
            validated = getattr(serializer, "_validated_data", None)
            if not isinstance(validated, dict):
                continue
            if self.action == "create":
                changed.update(validated)
            else:  # nested lists given replace the old ones
                changed.update(name for name, value in validated.items() if isinstance(value, list))
        before = getattr(self, "_audit_before", {})
        for obj in touched:
            old = before.get(obj.pk)
            if old is not None:
                new = _field_values(obj)
                changed.update(name for name, value in new.items() if old.get(name) != value)
        return sorted(changed)

    def audit_event(self, request, response) -> Event:
        replayed = getattr(self, "replayed_answer", None)
        if replayed is not None:
            return self._replay_event(response, replayed)
        touched = self._audit_touched()
        succeeded = response.status_code < 400
        changed = (
            self._audit_changes(touched) if succeeded and request.method not in SAFE_METHODS else []
        )
        object_ids = [self.audit_object_id(obj) for obj in touched]
        patient_ids = [self.audit_patient_id(obj) for obj in touched]
        if not object_ids and self.kwargs.get(self.lookup_url_kwarg or self.lookup_field):
            object_ids = [self.kwargs[self.lookup_url_kwarg or self.lookup_field]]
        if self.kwargs.get("patient_pk"):
            patient_ids.append(self.kwargs["patient_pk"])
        action = self.audit_action(request, changed)
        if getattr(request.user, "break_glass_grant", None) is not None:
            action = AuditAction.BREAK_GLASS_READ
        return Event(
            action=action,
            resource_type=self.audit_resource_type(),
            status_code=response.status_code,
            object_ids=object_ids,
            patient_ids=patient_ids,
            changed_fields=changed,
        )

    def _replay_event(self, response, answer: dict) -> Event:
        """An answer given again for an Idempotency-Key (idempotency.replay): nothing was
        written, the caller read the object of the first answer once more."""
        object_id = answer.get("id")
        if self.audit_patient_attr == "pk":
            patient_id = object_id
        else:
            patient_id = answer.get(self.audit_patient_attr.removesuffix("_id"))
        return Event(
            action=AuditAction.READ,
            resource_type=self.audit_resource_type(),
            status_code=response.status_code,
            object_ids=[object_id] if object_id else [],
            patient_ids=[patient_id] if patient_id else [],
            changed_fields=[],
        )

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method != "OPTIONS" and not getattr(self, "swagger_fake_view", False):
            record(request, self.audit_event(request, response))
        return response
