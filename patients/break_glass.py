"""Break-glass grants' endpoints (the grants themselves, and reading under one, are
accounts.break_glass): served here, where the patient a grant opens is known."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import break_glass
from accounts.error_codes import AccessCode
from accounts.filters import BreakGlassFilter
from accounts.models import BreakGlassGrant
from api.errors import CONFLICT_RESPONSE
from api.permissions import OpensBreakGlass
from api.serializers import ClinicScopedPrimaryKeyField, StrictModelSerializer
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from clinics.models import User
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from patients.models import Patient


class GrantHolderSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role"]
        read_only_fields = fields
        extra_kwargs = {
            "id": {"help_text": "The staff member's identifier."},
            "first_name": {"help_text": "Given name."},
            "last_name": {"help_text": "Family name."},
            "role": {"help_text": "Their role in the clinic."},
        }


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Front desk in an emergency",
            value={
                "patient": "3f0c2a9e-5b7d-4e1f-9a8b-6c5d4e3f2a1b",
                "reason": "Patient collapsed in the waiting room; paramedics ask for diagnoses.",
                "minutes": 60,
            },
            request_only=True,
        ),
        OpenApiExample(
            "An active grant",
            value={
                "id": "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d",
                "patient": "3f0c2a9e-5b7d-4e1f-9a8b-6c5d4e3f2a1b",
                "user": {
                    "id": "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091",
                    "username": "desk.demo@demo",
                    "first_name": "Fiona",
                    "last_name": "Desk",
                    "role": "front_desk",
                },
                "reason": "Patient collapsed in the waiting room; paramedics ask for diagnoses.",
                "granted_at": "2026-11-26T09:00:00Z",
                "expires_at": "2026-11-26T10:00:00Z",
                "ended_at": None,
                "active": True,
            },
            response_only=True,
        ),
    ]
)
class BreakGlassGrantSerializer(StrictModelSerializer):
    patient = ClinicScopedPrimaryKeyField(
        queryset=Patient.objects.all(),
        pk_field=serializers.UUIDField(),
        help_text="The patient whose clinical record is opened.",
    )
    reason = serializers.CharField(
        min_length=10,
        max_length=1000,
        help_text="Why the record has to be opened (kept with the grant and shown to admins).",
    )
    minutes = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=5,
        max_value=settings.BREAK_GLASS_MAX_MINUTES,
        help_text=f"How long the grant lasts; default {settings.BREAK_GLASS_MINUTES}.",
    )
    user = GrantHolderSerializer(read_only=True, help_text="Who opened the record.")
    active = serializers.SerializerMethodField(help_text="Whether the grant still works.")

    class Meta:
        model = BreakGlassGrant
        fields = [
            "id",
            "patient",
            "user",
            "reason",
            "minutes",
            "granted_at",
            "expires_at",
            "ended_at",
            "active",
        ]
        read_only_fields = ["id", "granted_at", "expires_at", "ended_at"]
        extra_kwargs = {
            "id": {"help_text": "The grant's identifier."},
            "granted_at": {"help_text": "When the record was opened."},
            "expires_at": {"help_text": "When the grant stops working."},
            "ended_at": {"help_text": "When the grant was ended early, if it was."},
        }

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_active(self, grant: BreakGlassGrant) -> bool:
        return grant.ended_at is None and grant.expires_at > timezone.now()


@extend_schema_view(
    list=extend_schema(
        summary="List break-glass grants (clinic admins: all of the clinic; others: their own)"
    ),
    retrieve=extend_schema(summary="Get a break-glass grant"),
    create=extend_schema(
        summary="Open a patient's clinical record in an emergency (break-glass)",
        description="For roles that do not read clinical records (the front desk). For the "
        "grant's time, the patient's own endpoints (`/patients/{id}/`, its conditions, outcome "
        "measures and history) answer as they answer a clinician, read-only. The grant, and "
        "every read under it, is audited; clinic admins see every grant.",
        responses={201: BreakGlassGrantSerializer, 409: CONFLICT_RESPONSE},
    ),
)
class BreakGlassViewSet(
    IdempotentPostMixin,
    AuditedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    error_codes = {
        "create": (AccessCode.BREAK_GLASS_NOT_NEEDED,),
        "end": (AccessCode.BREAK_GLASS_ENDED,),
    }
    serializer_class = BreakGlassGrantSerializer
    queryset = BreakGlassGrant.objects.none()
    filterset_class = BreakGlassFilter
    lookup_value_converter = "uuid"
    ordering_fields = ["granted_at"]
    ordering = ["-granted_at"]
    audit_resource = "break_glass_grant"
    audit_actions = {"create": AuditAction.BREAK_GLASS, "end": AuditAction.BREAK_GLASS_END}

    def get_permissions(self):
        if self.action == "create":
            return [OpensBreakGlass()]
        return super().get_permissions()

    def get_queryset(self):
        return break_glass.grants(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        data = serializer.validated_data
        serializer.instance = break_glass.grant_open(
            user=request_user(self.request),
            patient=data["patient"],
            reason=data["reason"],
            minutes=data.get("minutes"),
        )

    @extend_schema(
        summary="End a break-glass grant before it expires",
        request=None,
        responses={200: BreakGlassGrantSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, pk: str | None = None) -> Response:
        with transaction.atomic():
            grant = break_glass.grant_end(grant=self.get_object(), by=request_user(request))
        return Response(self.get_serializer(grant).data)
