"""A bulk export's run in a job worker: each resource type read as of the kick-off, under the
clinic's row-level security, written as NDJSON files of a bounded size."""

import logging
from datetime import timedelta

import orjson
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fhir_api.kinds import ResourceKind
from fhir_api.registry import KINDS_BY_NAME
from fhir_export.models import BulkExport, BulkExportFile, ExportStatus
from tenancy.job_context import open_clinic_context

logger = logging.getLogger(__name__)

READ_CHUNK = 1000  # rows per statement


def run_export(export_id: str) -> str:
    """Write the export's files; what it ended as (an export cancelled meanwhile stops)."""
    with transaction.atomic():
        export = (
            BulkExport.objects.select_for_update().select_related("requested_by").get(pk=export_id)
        )
        if export.status != ExportStatus.QUEUED:
            return export.status
        export.status = ExportStatus.RUNNING
        export.save(update_fields=["status"])
    try:
        for number, name in enumerate(export.types, start=1):
            with transaction.atomic():
                open_clinic_context(export.clinic_id)
                _write_type(export, KINDS_BY_NAME[name])
            if not _progress(export, f"{number} of {len(export.types)} resource types written"):
                return ExportStatus.CANCELLED
    except Exception as error:
        logger.exception("Bulk export %s failed", export_id)
        _finish(export, ExportStatus.FAILED, error=f"{type(error).__name__}: the export failed.")
        return ExportStatus.FAILED
    _finish(export, ExportStatus.COMPLETED)
    return ExportStatus.COMPLETED


def _rows(export: BulkExport, kind: ResourceKind):
    rows = kind.rows(export.requested_by)
    changed = kind.last_updated
    if changed:
        rows = rows.filter(**{f"{changed}__lte": export.transaction_time})
        if export.since is not None:
            rows = rows.filter(**{f"{changed}__gt": export.since})
    return rows.order_by("pk")


def _write_type(export: BulkExport, kind: ResourceKind) -> None:
    rows = _rows(export, kind)
    lines: list[bytes] = []
    part = 0
    last = None
    while True:
        chunk = list((rows if last is None else rows.filter(pk__gt=last))[:READ_CHUNK])
        for row in chunk:
            lines.append(orjson.dumps(kind.resource(row)))
            if len(lines) == settings.FHIR_EXPORT_FILE_RESOURCES:
                part += 1
                _save_file(export, kind, part, lines)
                lines = []
        if len(chunk) < READ_CHUNK:
            break
        last = chunk[-1].pk
    if lines:
        _save_file(export, kind, part + 1, lines)


def _save_file(export: BulkExport, kind: ResourceKind, part: int, lines: list[bytes]) -> None:
    BulkExportFile.objects.create(
        clinic_id=export.clinic_id,
        export=export,
        resource_type=kind.name,
        part=part,
        count=len(lines),
        content=(b"\n".join(lines) + b"\n").decode(),
    )


def _progress(export: BulkExport, text: str) -> bool:
    """Note how far the export is; False when the client cancelled it meanwhile."""
    with transaction.atomic():
        updated = BulkExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
            progress=text
        )
    return updated == 1


def _finish(export: BulkExport, status: str, *, error: str = "") -> None:
    now = timezone.now()
    BulkExport.objects.filter(pk=export.pk, status=ExportStatus.RUNNING).update(
        status=status,
        error=error,
        finished_at=now,
        expires_at=now + timedelta(hours=settings.FHIR_EXPORT_HOURS),
    )


def expire_exports() -> int:
    """Remove the files of exports past their expiry (and of failed or cancelled ones); how
    many exports were expired. Run by the owner: the API role may not delete."""
    now = timezone.now()
    with transaction.atomic():
        ended = list(
            BulkExport.objects.select_for_update(skip_locked=True)
            .filter(expires_at__lte=now)
            .exclude(status=ExportStatus.EXPIRED)
            .values_list("pk", flat=True)
        )
        BulkExportFile.objects.filter(export_id__in=ended).delete()
        BulkExport.objects.filter(pk__in=ended).update(status=ExportStatus.EXPIRED)
    return len(ended)
