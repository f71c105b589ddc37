"""Starting and cancelling a clinic's bulk export."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from api.errors import DomainError
from clinics.models import User
from fhir_export.error_codes import ExportCode
from fhir_export.models import OPEN_STATUSES, BulkExport, ExportStatus
from fhir_export.tasks import run

# Seconds a client should wait before asking again about an export still being written.
POLL_SECONDS = 5


class ExportInProgress(DomainError):
    status_code = 429
    default_code = ExportCode.EXPORT_IN_PROGRESS
    default_detail = "This clinic's previous export is still being written; ask again later."


def export_start(
    *, user: User, types: list[str], since: datetime.datetime | None, request_url: str
) -> BulkExport:
    """The export queued for a worker, in the caller's transaction (no job without its row)."""
    try:
        with transaction.atomic():
            export = BulkExport.objects.create(
                clinic_id=user.staff_clinic_id,
                requested_by=user,
                request_url=request_url[:2000],
                types=types,
                since=since,
                transaction_time=timezone.now(),
            )
    except IntegrityError:
        raise ExportInProgress(retry_after=POLL_SECONDS) from None
    run.defer(export_id=str(export.id))
    return export


def export_cancel(*, export: BulkExport) -> BulkExport:
    """Cancelled: the worker stops after the type it is writing; the files go at the next
    expiry pass."""
    if export.status not in OPEN_STATUSES:
        return export
    export.status = ExportStatus.CANCELLED
    export.expires_at = timezone.now()
    export.save(update_fields=["status", "expires_at"])
    return export
