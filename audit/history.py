"""Record history: every version of a record, captured by database triggers
(django-pghistory), with who changed it, when, in which request and which fields."""

from typing import TYPE_CHECKING

from django.apps import apps
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.error_codes import ApiCode, Declared
from api.filters import PagingParametersOnly
from api.pagination import CursorPagination
from api.permissions import IsClinician

if TYPE_CHECKING:
    # Listed before AuditedViewMixin, it extends it (api.mixin_bases says why only for mypy).
    from audit.recording import AuditedViewMixin as _AuditedView
else:
    _AuditedView = object

# Bookkeeping columns of a history row and of the record, not part of what a reader compares.
HIDDEN_COLUMNS = frozenset(
    {
        "pgh_id",
        "pgh_created_at",
        "pgh_label",
        "pgh_obj",
        "pgh_context",
        "pgh_context_id",
        "clinic",
        "given_name_key",
        "family_name_key",
        "phone_digits_reversed",
    }
)

# Bookkeeping that changes with every version.
UNCOMPARED = frozenset({"version", "updated_at"})

VERSION_EXAMPLE = {
    "version": 3,
    "recorded_at": "2026-11-24T15:02:11.482Z",
    "change": "update",
    "user": "0b7c4d8e-51f1-4ad3-9b51-2c3cf0a2e6b1",
    "username": "dr.palmer",
    "role": "chiropractor",
    "request_id": "9d1f0c3e-7a5b-4d7e-8a53-2f7c0b6e9d11",
    "changed_fields": ["phone"],
    "values": {"given_name": "María", "family_name": "Schmidt", "phone": "+16175550188"},
}


@extend_schema_serializer(
    examples=[OpenApiExample("The front desk corrects a phone number", value=VERSION_EXAMPLE)]
)
class RecordVersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        help_text="The record's version number after this change (its `ETag` then)."
    )
    recorded_at = serializers.DateTimeField(help_text="When the change was committed (UTC).")
    change = serializers.ChoiceField(
        choices=[("insert", "Created"), ("update", "Changed")],
        help_text="`insert` for the first version, `update` for every later one.",
    )
    user = serializers.UUIDField(
        allow_null=True,
        help_text="Who made the change; null for changes made outside the API (maintenance).",
    )
    username = serializers.CharField(help_text="The username of who made the change.")
    role = serializers.CharField(help_text="Their role at the time.")
    request_id = serializers.UUIDField(
        allow_null=True,
        help_text="The API request that made the change; its audit event has the same id.",
    )
    changed_fields = serializers.ListField(
        child=serializers.CharField(),
        help_text="Fields that differ from the previous version (every field set, for the first).",
    )
    values = serializers.DictField(help_text="The record's fields as they were in this version.")


def _values(row) -> dict[str, object]:
    return {
        field.name: getattr(row, field.attname)
        for field in row._meta.concrete_fields
        if field.name not in HIDDEN_COLUMNS
    }


def versions(rows: list, previous) -> list[dict]:
    """Each history row as a version, compared with the one before it."""
    result: list[dict[str, object]] = []
    before = _values(previous) if previous is not None else None
    for row in rows:
        values = _values(row)
        if before is None:
            changed = [name for name, value in values.items() if value not in (None, "", [])]
        else:
            changed = [name for name, value in values.items() if before.get(name) != value]
        changed = [name for name in changed if name not in UNCOMPARED]
        context = row.pgh_context or {}
        result.append(
            {
                "version": values.get("version", len(result) + 1),
                "recorded_at": row.pgh_created_at,
                "change": row.pgh_label,
                "user": context.get("user"),
                "username": context.get("username", ""),
                "role": context.get("role", ""),
                "request_id": row.pgh_context_id,
                "changed_fields": sorted(changed),
                "values": values,
            }
        )
        before = values
    return result


class HistoryPagination(CursorPagination):
    ordering = "pgh_id"


class RecordHistoryMixin(_AuditedView):
    """Adds `GET …/{id}/history` to a viewset whose model is tracked by django-pghistory.
    Listed before AuditedViewMixin, it audits that read as `<resource>_history`."""

    history_model: str  # "app_label.ModelEvent"
    error_codes: Declared = {
        "history": (
            ApiCode.BLANK,
            ApiCode.UNKNOWN_PARAMETER,
        ),
    }

    def audit_resource_type(self) -> str:
        if self.action == "history":
            return f"{self.audit_resource}_history"
        return super().audit_resource_type()

    @extend_schema(
        summary="Every version of the record: who changed it, when, which fields",
        description=(
            "Oldest first, captured by the database itself, so changes made in bulk or by "
            "maintenance scripts are listed too. Chiropractors and clinic admins."
        ),
        responses={200: RecordVersionSerializer(many=True)},
        filters=False,
    )
    @action(
        detail=True,
        methods=["get"],
        permission_classes=[IsClinician],
        pagination_class=HistoryPagination,
        filter_backends=[],
    )
    def history(self, request: Request, *args, **kwargs) -> Response:
        record = self.get_object()
        model = apps.get_model(self.history_model)
        rows = PagingParametersOnly().filter_queryset(
            request, model.objects.filter(pgh_obj_id=record.pk).order_by("pgh_id"), self
        )
        page = self.paginate_queryset(rows) or []  # the action pages (HistoryPagination)
        previous = (
            model.objects.filter(pgh_obj_id=record.pk, pgh_id__lt=page[0].pgh_id)
            .order_by("-pgh_id")
            .first()
            if page
            else None
        )
        return self.get_paginated_response(
            RecordVersionSerializer(versions(page, previous), many=True).data
        )
