"""A bulk export's request, its progress and its files (kept until they expire)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from tenancy.models import ClinicScopedModel


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Being written"
    COMPLETED = "completed", "Files ready"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled by the client"
    EXPIRED = "expired", "Files removed"


OPEN_STATUSES = (ExportStatus.QUEUED, ExportStatus.RUNNING)


class BulkExport(ClinicScopedModel):
    """One `$export` kick-off: what was asked, by whom, how far it is, until when its files
    may be downloaded."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    request_url = models.CharField(max_length=2000, help_text="The kick-off request's URL.")
    types = ArrayField(models.CharField(max_length=40), help_text="Resource types exported.")
    since = models.DateTimeField(null=True, blank=True, help_text="`_since`: changed after.")
    status = models.CharField(
        max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    progress = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    # The instant the export reads the records as of (the manifest's transactionTime).
    transaction_time = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "status"], name="bulk_export_status_idx")]
        constraints = [
            # One export at a time per clinic: a second kick-off waits (429) rather than
            # doubling the load of the first.
            models.UniqueConstraint(
                fields=["clinic"],
                condition=models.Q(status__in=["queued", "running"]),
                name="bulk_export_one_open_per_clinic",
            )
        ]


class BulkExportFile(ClinicScopedModel):
    """One NDJSON file of an export: at most FHIR_EXPORT_FILE_RESOURCES resources of one type."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    export = models.ForeignKey(BulkExport, on_delete=models.PROTECT, related_name="files")
    resource_type = models.CharField(max_length=40)
    part = models.PositiveIntegerField()
    count = models.PositiveIntegerField()
    content = models.TextField(help_text="NDJSON: one resource per line.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["export", "resource_type", "part"], name="bulk_export_file_unique_part"
            )
        ]
