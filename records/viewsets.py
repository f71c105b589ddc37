"""The viewsets of the records a clinic keeps, built one way.

Every such resource answers the same rules: a POST retried with its Idempotency-Key replays
its first answer, every call leaves one audit event, the record's history can be read, filters
apply to lists only, writes are guarded by ETag and If-Match, and ids in paths are UUIDs. A
viewset names its permissions, queryset, serializer, audit resource and history model, and
calls its app's services in `perform_create`, `perform_update` and `perform_destroy`.
Viewsets that differ list their own mixins: patients, their conditions and outcome measures
(break-glass reads must run around these rules), a plan's items (no history, no filters),
staff, and the read-only or document endpoints (progress, coding, statements).
"""

from django.db.models import Model
from rest_framework import mixins, viewsets

from api.concurrency import ETagMixin
from api.filters import FilterListsOnlyMixin
from audit.history import RecordHistoryMixin
from audit.recording import AuditedViewMixin
from idempotency.replay import IdempotentPostMixin


class RecordViewSet(
    IdempotentPostMixin,
    RecordHistoryMixin,
    AuditedViewMixin,
    FilterListsOnlyMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, create, read and change a clinic's records (no DELETE: see ArchivableRecordViewSet)."""

    lookup_value_converter = "uuid"

    def refreshed(self, record: Model) -> Model:
        """The record re-read with everything its representation shows (what the list reads)."""
        refreshed: Model = self.get_queryset().get(pk=record.pk)
        return refreshed


class ArchivableRecordViewSet(RecordViewSet, mixins.DestroyModelMixin):
    """A RecordViewSet whose DELETE archives or discards the record; nothing is deleted (the
    viewset's `perform_destroy` calls the service that says how)."""
