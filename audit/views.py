"""The audit trail for clinic admins (a patient's access log is served by patients.access_log)."""

import base64
import csv
import io
from typing import cast

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.error_codes import ApiCode
from api.permissions import IsClinicAdmin
from api.renderers import OrjsonRenderer
from audit.error_codes import AuditCode
from audit.filters import AuditEventFilter
from audit.models import AuditAction, AuditEvent, AuditSeal
from audit.proofs import event_proof
from audit.recording import AuditedViewMixin
from audit.seal_keys import key_id, public_key_pem, public_key_raw
from audit.seal_serializers import AuditProofSerializer, AuditSealKeySerializer, AuditSealSerializer
from audit.selectors import audit_event_list, audit_seal_list
from audit.serializers import AuditEventSerializer
from clinics.request_user import request_user

EXPORT_MAX_ROWS = 10_000


class ErrorsAsJsonNegotiation(BaseContentNegotiation):
    """The export answers CSV whatever the client accepts; its errors answer in the API's one
    JSON error shape (DRF's documented "ignore the client" negotiation)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


def csv_document(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(AuditEventSerializer.Meta.fields))
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                name: ";".join(map(str, value)) if isinstance(value, list) else value
                for name, value in row.items()
            }
        )
    return out.getvalue()


class AuditTrailMixin(AuditedViewMixin):
    serializer_class = AuditEventSerializer
    queryset = AuditEvent.objects.none()
    filterset_class = AuditEventFilter
    ordering_fields = ["occurred_at"]
    # Ids grow with time: "by time" is by id, which every index of the trail ends with.
    ordering_aliases = {"occurred_at": "id"}
    ordering = ["-id"]


@extend_schema_view(
    list=extend_schema(
        summary="The clinic's audit trail: who read or changed what, when, from where",
        description="Newest first. Reading the trail is itself recorded.",
    )
)
class AuditEventViewSet(AuditTrailMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Every audited request of the clinic; clinic admins only."""

    error_codes = {
        "proof": (AuditCode.AUDIT_EVENT_UNSEALED, AuditCode.AUDIT_SEAL_BROKEN),
        "export": (
            ApiCode.BLANK,
            ApiCode.INVALID_ORDERING,
            ApiCode.UNKNOWN_PARAMETER,
            AuditCode.EXPORT_TOO_LARGE,
        ),
    }

    permission_classes = [IsClinicAdmin]
    audit_resource = "audit_event"
    audit_patient_attr = ""
    audit_actions = {"export": AuditAction.EXPORT}

    def get_queryset(self):
        return audit_event_list(user=request_user(self.request))

    @extend_schema(
        operation_id="audit_events_proof",
        summary="Prove an event is in the clinic's signed trail (Merkle inclusion proof)",
        description=(
            "The event as its Merkle leaf, its RFC 9162 inclusion path and the Ed25519-signed "
            "seal of its batch. Save the answer and check it offline, with no access to the "
            "API or the database: `python docs/verify_audit_proof.py PROOF.json "
            "PUBLIC_KEY.pem` (the key: `GET /api/v1/audit-seals/public-key/`). An event is "
            "sealed within a second or so; before that the answer is 409 "
            "`audit_event_unsealed` with `Retry-After`."
        ),
        responses={200: AuditProofSerializer},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def proof(self, request: Request, pk: str | None = None) -> Response:
        proof = event_proof(event=self.get_object())
        return Response(AuditProofSerializer(proof).data)

    @extend_schema(
        operation_id="audit_events_export",
        filters=True,
        summary="Export the audit trail as CSV (the filters of the list apply)",
        description=(
            f"At most {EXPORT_MAX_ROWS:,} events, newest first; a larger selection answers 400 "
            "`export_too_large`: narrow it with `occurred_after`/`occurred_before`. List "
            "columns (ids, changed fields) are joined with `;`."
        ),
        responses={
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR,
                description="CSV with a header row; the columns of an audit event.",
            )
        },
    )
    @action(
        detail=False,
        methods=["get"],
        renderer_classes=[OrjsonRenderer],
        content_negotiation_class=ErrorsAsJsonNegotiation,
    )
    def export(self, request: Request) -> HttpResponse:
        events = list(
            self.filter_queryset(self.get_queryset()).order_by("-id")[: EXPORT_MAX_ROWS + 1]
        )
        if len(events) > EXPORT_MAX_ROWS:
            raise ValidationError(
                {
                    "occurred_after": [
                        ErrorDetail(
                            f"More than {EXPORT_MAX_ROWS:,} events match; narrow the time range.",
                            code=AuditCode.EXPORT_TOO_LARGE,
                        )
                    ]
                }
            )
        # many=True: DRF answers a list of rows (the stubs type one serializer's data).
        rows = cast(list[dict], AuditEventSerializer(events, many=True).data)
        document = csv_document(rows)
        response = HttpResponse(document, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-events.csv"'
        return response


@extend_schema_view(
    list=extend_schema(
        summary="The clinic's audit seals: its trail in signed batches, newest first",
        description=(
            "Each seal signs one batch of the clinic's events (`first_seq`..`last_seq`) under "
            "its Merkle root and names the previous seal's hash, so the seals form one chain. "
            "Each is also kept outside the database, in an append-only store. Reading them is "
            "recorded."
        ),
    )
)
class AuditSealViewSet(AuditedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The clinic's seals; clinic admins only."""

    permission_classes = [IsClinicAdmin]
    serializer_class = AuditSealSerializer
    queryset = AuditSeal.objects.none()
    ordering_fields = ["number"]
    ordering = ["-number"]
    audit_resource = "audit_seal"
    audit_patient_attr = ""

    def get_queryset(self):
        return audit_seal_list(user=request_user(self.request))


class AuditSealKeyView(APIView):
    """The public half of the key that signs seals: public, no patient data, not recorded."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="audit_seals_public_key",
        summary="The public key that verifies audit seals (no token needed)",
        description=(
            "Seals are signed with Ed25519; the private key is kept out of the database. "
            "Anyone may fetch this key to check a proof offline "
            "(`docs/verify_audit_proof.py`). Touches no patient data and is not recorded."
        ),
        auth=[],
        responses={200: AuditSealKeySerializer},
    )
    def get(self, request: Request) -> Response:
        key = {
            "algorithm": "Ed25519",
            "key_id": key_id(),
            "public_key": base64.b64encode(public_key_raw()).decode(),
            "public_key_pem": public_key_pem(),
        }
        return Response(AuditSealKeySerializer(key).data)
