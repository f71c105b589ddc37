"""Bulk Data export (v2) endpoints: the kick-off, its status and manifest, and its files.

`GET /fhir/R4/Group/{clinic id}/$export` (clinic admins) queues the export and answers 202
with `Content-Location`, the status URL; polling it answers 202 with `X-Progress` and
`Retry-After` while a worker writes, then 200 with the manifest; `DELETE` cancels. Each file
is downloaded with the same bearer token until the export expires (FHIR_EXPORT_HOURS), when
its files are removed. Every call leaves an audit event.
"""

from django.db.models import Prefetch
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response

from api.errors import DomainError
from api.permissions import IsClinicAdmin
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from clinics.request_user import request_user
from fhir_api.media import NdjsonRenderer
from fhir_api.registry import KINDS
from fhir_api.resources.elements import instant
from fhir_api.views import FhirViewMixin, UuidIdMixin, fhir_base
from fhir_export.error_codes import ExportCode
from fhir_export.models import BulkExport, BulkExportFile, ExportStatus
from fhir_export.parameters import check_parameters, export_since, export_types
from fhir_export.services import POLL_SECONDS, export_cancel, export_start

EXPORTED = [kind for kind in KINDS if kind.exported]
MANIFEST = {
    "type": "object",
    "description": "The Bulk Data manifest: where each NDJSON file is, and what it holds.",
    "properties": {
        "transactionTime": {"type": "string", "description": "The records are as of then."},
        "request": {"type": "string", "description": "The kick-off request's URL."},
        "requiresAccessToken": {
            "type": "boolean",
            "description": "Always true: download with the same bearer token.",
        },
        "output": {
            "type": "array",
            "description": "One entry per file: resource type, URL, how many resources.",
            "items": {"type": "object", "additionalProperties": True},
        },
        "error": {
            "type": "array",
            "description": "Files of OperationOutcomes (none: a failed export answers 500).",
            "items": {"type": "object", "additionalProperties": True},
        },
    },
    "required": ["transactionTime", "request", "requiresAccessToken", "output", "error"],
}


class ExportFailed(DomainError):
    status_code = 500
    default_code = ExportCode.EXPORT_FAILED
    default_detail = "The export failed; start a new one."


def status_url(request: Request, export: BulkExport) -> str:
    return f"{fhir_base(request)}/bulk-status/{export.id}"


class ExportKickoffViewSet(FhirViewMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """Bulk export of the clinic (its Group of patients): clinic admins."""

    permission_classes = [IsClinicAdmin]
    queryset = BulkExport.objects.none()
    filter_backends: list = []
    pagination_class = None
    lookup_url_kwarg = "id"
    audit_resource = "fhir_export"
    audit_actions = {"export": AuditAction.EXPORT}
    error_codes = {
        "export": (
            ExportCode.UNKNOWN_TYPE,
            ExportCode.UNSUPPORTED_OUTPUT_FORMAT,
            ExportCode.UNSUPPORTED_EXPORT_PARAMETER,
            ExportCode.INVALID_SINCE,
            ExportCode.EXPORT_IN_PROGRESS,
        )
    }

    @extend_schema(
        operation_id="fhir_group_export",
        extensions={"x-fhir-operation": "$export"},
        summary="Start a bulk export of the clinic's records (NDJSON, asynchronous)",
        description="The group is the clinic: its id is the clinic's. Answers 202 with "
        "`Content-Location`, the URL to poll. `_type` (comma-separated) chooses resource types "
        f"({', '.join(kind.name for kind in EXPORTED)}); `_since` keeps resources changed after "
        "an instant. One export runs at a time per clinic (429 while one is queued or running).",
        parameters=[
            OpenApiParameter("_type", OpenApiTypes.STR, description="Resource types, by commas."),
            OpenApiParameter("_since", OpenApiTypes.DATETIME, description="Changed after this."),
            OpenApiParameter(
                "_outputFormat",
                OpenApiTypes.STR,
                description="`application/fhir+ndjson` (the only format written).",
            ),
        ],
        request=None,
        responses={
            202: OpenApiResponse(
                description="Queued; poll the URL in `Content-Location`.",
                response=None,
            )
        },
        tags=["FHIR"],
    )
    @action(detail=True, methods=["get"], url_path=r"\$export")
    def export(self, request: Request, id: str | None = None) -> Response:
        user = request_user(request)
        if id != str(user.clinic_id):
            raise NotFound("No group of this clinic has this id (a clinic's group is its id).")
        check_parameters(request.query_params)
        export = export_start(
            user=user,
            types=export_types(request.query_params.get("_type"), EXPORTED),
            since=export_since(request.query_params.get("_since")),
            request_url=request.build_absolute_uri(),
        )
        self.audit_touched(export)
        return Response(
            status=status.HTTP_202_ACCEPTED,
            headers={"Content-Location": status_url(request, export)},
        )


class ExportStatusViewSet(FhirViewMixin, UuidIdMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """An export's progress, then its manifest; DELETE cancels it. Clinic admins."""

    permission_classes = [IsClinicAdmin]
    queryset = BulkExport.objects.none()
    filter_backends: list = []
    audit_resource = "fhir_export"
    error_codes = {"retrieve": (ExportCode.EXPORT_FAILED,)}

    def get_queryset(self):
        files = BulkExportFile.objects.defer("content").order_by("resource_type", "part")
        return (
            BulkExport.objects.for_clinic(request_user(self.request).clinic_id)
            .exclude(status__in=[ExportStatus.CANCELLED, ExportStatus.EXPIRED])
            .prefetch_related(Prefetch("files", queryset=files))
        )

    @extend_schema(
        operation_id="fhir_export_status",
        summary="How far an export is; its manifest once written",
        request=None,
        responses={
            200: OpenApiResponse(MANIFEST, description="Written: the manifest."),
            202: OpenApiResponse(
                description="Still being written: `X-Progress` says how far; ask again after "
                "`Retry-After` seconds."
            ),
        },
        tags=["FHIR"],
    )
    def retrieve(self, request: Request, id: str | None = None) -> Response:
        export = self.get_object()
        if export.status == ExportStatus.FAILED:
            raise ExportFailed(export.error or None)
        if export.status != ExportStatus.COMPLETED:
            return Response(
                status=status.HTTP_202_ACCEPTED,
                headers={
                    "X-Progress": export.progress or export.get_status_display(),
                    "Retry-After": str(POLL_SECONDS),
                },
            )
        base = fhir_base(request)
        manifest = {
            "transactionTime": instant(export.transaction_time),
            "request": export.request_url,
            "requiresAccessToken": True,
            "output": [
                {
                    "type": file.resource_type,
                    "url": f"{base}/bulk-files/{file.id}",
                    "count": file.count,
                }
                for file in export.files.all()
            ],
            "error": [],
        }
        headers = {"Expires": http_date(export.expires_at.timestamp())} if export.expires_at else {}
        return Response(manifest, headers=headers)

    @extend_schema(
        operation_id="fhir_export_cancel",
        summary="Cancel an export (its files are removed)",
        request=None,
        responses={202: OpenApiResponse(description="Cancelled.")},
        tags=["FHIR"],
    )
    def destroy(self, request: Request, id: str | None = None) -> Response:
        export_cancel(export=self.get_object())
        return Response(status=status.HTTP_202_ACCEPTED)


class ExportFileViewSet(FhirViewMixin, UuidIdMixin, AuditedViewMixin, viewsets.GenericViewSet):
    """One NDJSON file of a written export, with the same token, until it expires."""

    permission_classes = [IsClinicAdmin]
    renderer_classes = [NdjsonRenderer]
    queryset = BulkExportFile.objects.none()
    filter_backends: list = []
    audit_resource = "fhir_export_file"
    audit_actions = {"retrieve": AuditAction.EXPORT}

    def get_queryset(self):
        return BulkExportFile.objects.for_clinic(request_user(self.request).clinic_id).filter(
            export__status=ExportStatus.COMPLETED
        )

    @extend_schema(
        operation_id="fhir_export_file",
        summary="Download one file of an export (NDJSON: one resource per line)",
        request=None,
        responses={200: OpenApiResponse(OpenApiTypes.STR, description="FHIR resources, NDJSON.")},
        tags=["FHIR"],
    )
    def retrieve(self, request: Request, id: str | None = None) -> Response:
        return Response(self.get_object().content.encode())
