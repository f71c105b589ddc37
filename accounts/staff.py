"""Staff management for clinic admins."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.mfa import mfa_disable
from api.error_codes import ApiCode
from api.errors import CONFLICT_RESPONSE, Conflict
from api.permissions import ClinicSettingsPermission, IsClinicAdmin
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from clinics import services
from clinics.error_codes import ClinicCode
from clinics.filters import PractitionerFilter, StaffFilter
from clinics.models import Clinic, User
from clinics.request_user import request_user
from clinics.selectors import own_clinic, practitioner_directory, staff_list
from clinics.serializers import (
    ClinicSerializer,
    PractitionerSerializer,
    StaffCreateSerializer,
    StaffSerializer,
)
from idempotency.replay import IdempotentPostMixin


@extend_schema_view(
    list=extend_schema(summary="List the staff of your clinic"),
    retrieve=extend_schema(summary="Get one staff member"),
    create=extend_schema(summary="Create a staff account", responses={201: StaffSerializer}),
    partial_update=extend_schema(
        summary="Change a staff member's names, email or role",
        responses={200: StaffSerializer, 409: CONFLICT_RESPONSE},
    ),
)
class StaffViewSet(
    IdempotentPostMixin,
    AuditedViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Staff accounts of the caller's clinic; clinic admins only."""

    error_codes = {
        ("create", "partial_update"): (
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.INVALID_NULLABLE,
            ApiCode.UNIQUE,
        ),
        ("deactivate", "partial_update"): (ClinicCode.LAST_CLINIC_ADMIN,),
        "create": (
            ApiCode.PASSWORD_ENTIRELY_NUMERIC,
            ApiCode.PASSWORD_TOO_COMMON,
            ApiCode.PASSWORD_TOO_PERSONAL,
            ApiCode.PASSWORD_TOO_SHORT,
            ApiCode.PASSWORD_TOO_SIMILAR,
            ApiCode.PASSWORD_TOO_WEAK,
        ),
        "deactivate": (ClinicCode.SELF_DEACTIVATION,),
        "mfa_reset": (ClinicCode.SELF_MFA_RESET,),
    }

    permission_classes = [IsClinicAdmin]
    queryset = User.objects.none()  # for schema introspection; requests use the selector
    serializer_class = StaffSerializer
    filterset_class = StaffFilter
    ordering_fields = ["username", "last_name", "date_joined"]
    ordering = ["username"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    audit_resource = "staff"
    audit_patient_attr = ""
    audit_actions = {
        "deactivate": AuditAction.DEACTIVATE,
        "reactivate": AuditAction.REACTIVATE,
        "unlock": AuditAction.UNLOCK,
        "mfa_reset": AuditAction.MFA_DISABLE,
    }

    def audit_action(self, request, changed: list[str]) -> str:
        if self.action == "partial_update" and "role" in changed:
            return AuditAction.ROLE_CHANGE
        return super().audit_action(request, changed)

    def get_queryset(self):
        return staff_list(user=request_user(self.request))

    def get_serializer_class(self):
        return StaffCreateSerializer if self.action == "create" else StaffSerializer

    def perform_create(self, serializer) -> None:
        serializer.instance = services.staff_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.staff_update(
            user=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        summary="Deactivate a staff member (they can no longer log in)",
        request=None,
        responses={200: StaffSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        user = services.staff_deactivate(user=self.get_object(), by=request_user(request))
        return Response(StaffSerializer(user).data)

    @extend_schema(
        summary="Reactivate a staff member", request=None, responses={200: StaffSerializer}
    )
    @action(detail=True, methods=["post"])
    def reactivate(self, request: Request, pk: str | None = None) -> Response:
        user = services.staff_reactivate(user=self.get_object())
        return Response(StaffSerializer(user).data)

    @extend_schema(
        summary="Unlock an account locked after repeated failed logins",
        description="The staff member may log in again at once instead of after the cool-off.",
        request=None,
        responses={200: StaffSerializer},
    )
    @action(detail=True, methods=["post"])
    def unlock(self, request: Request, pk: str | None = None) -> Response:
        user = services.staff_unlock(user=self.get_object())
        self.audit_changed("failed_logins")
        return Response(StaffSerializer(user).data)

    @extend_schema(
        summary="Turn off a staff member's second factor (a lost phone)",
        description="Removes their authenticator and recovery codes. If the clinic requires a "
        "second factor of their role, they set up a new one at their next login.",
        request=None,
        responses={200: StaffSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="mfa-reset")
    def mfa_reset(self, request: Request, pk: str | None = None) -> Response:
        user = self.get_object()
        if user.pk == request_user(request).pk:
            # Else a stolen admin token alone could take the admin's second factor away.
            raise Conflict(
                "Turn your own second factor off at POST /api/v1/auth/mfa/disable.",
                code=ClinicCode.SELF_MFA_RESET,
            )
        mfa_disable(user)
        user.mfa_enabled = False  # the list's annotation, read before the reset
        self.audit_changed("mfa_enabled")
        return Response(StaffSerializer(user).data)


class OwnClinicView(generics.RetrieveUpdateAPIView):
    def get_object(self) -> Clinic:
        clinics = own_clinic(user=request_user(self.request))
        if self.request.method not in SAFE_METHODS:
            clinics = clinics.select_for_update()
        return clinics.get()


@extend_schema_view(
    get=extend_schema(summary="Your clinic and its security settings"),
    patch=extend_schema(summary="Change your clinic's security settings (clinic admins)"),
)
class ClinicView(AuditedViewMixin, OwnClinicView):
    """The caller's own clinic."""

    permission_classes = [ClinicSettingsPermission]
    serializer_class = ClinicSerializer
    queryset = Clinic.objects.none()
    http_method_names = ["get", "patch", "head", "options"]
    audit_resource = "clinic"
    audit_patient_attr = ""

    # What AuditedViewMixin names a viewset's action; a view's follows from its method (the
    # stubs know the action only as a viewset's attribute).
    @property
    def action(self) -> str:  # type: ignore[override]
        return "retrieve" if self.request.method in SAFE_METHODS else "partial_update"


@extend_schema_view(
    list=extend_schema(
        summary="The clinic's practitioners: names and colours for the calendar",
        description="Every active staff member of your clinic with a display name, role and "
        "calendar colour, so that any role can put names on the calendar's chiropractor ids. "
        "No other staff field is shown.",
        tags=["staff"],
    )
)
class PractitionerViewSet(AuditedViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = User.objects.none()  # for schema introspection; requests use the selector
    serializer_class = PractitionerSerializer
    filterset_class = PractitionerFilter
    ordering_fields = ["username", "last_name"]
    ordering = ["username"]
    audit_resource = "staff"
    audit_patient_attr = ""

    def get_queryset(self):
        return practitioner_directory(user=request_user(self.request))
