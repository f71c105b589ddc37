"""Visits: logging, signing and amending, each answered with its coding."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.concurrency import IF_MATCH_PARAMETER
from api.error_codes import ApiCode
from api.errors import CONFLICT_RESPONSE, WRITE_ERRORS
from api.permissions import VisitDraftPermission, VisitPermission
from api.schema import documented
from audit.models import AuditAction
from billing.selectors import coded_visit_list
from charts import services
from charts.serializers import VisitSerializer
from clinics.error_codes import ClinicCode
from clinics.request_user import request_user
from patients.error_codes import PatientCode
from records.viewsets import ArchivableRecordViewSet
from treatments.visits import services as visits
from treatments.visits.error_codes import VisitCode
from treatments.visits.filters import VisitFilter
from treatments.visits.models import Visit
from treatments.visits.serializers import AmendmentSerializer


@documented(
    VisitSerializer,
    list="List visits",
    create="Log a visit (a draft until signed)",
    retrieve="Get a visit with its billing lines",
    update="Replace an unsigned visit (nested lists given replace the old ones)",
    partial_update="Change an unsigned visit (nested lists given replace the old ones)",
    destroy="Discard an unsigned visit (kept, marked entered in error)",
)
class VisitViewSet(ArchivableRecordViewSet):
    """Visits. Chiropractors log, sign and amend; clinic admins read; the front desk sees that a
    visit happened and its billing lines."""

    error_codes = {
        ("amendments", "create", "partial_update", "update"): (
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
        ),
        ("destroy", "partial_update", "sign", "update"): (
            VisitCode.VISIT_DISCARDED,
            VisitCode.VISIT_SIGNED,
        ),
        ("create", "partial_update", "update"): (
            ApiCode.FUTURE_DATE,
            ApiCode.IMMUTABLE,
            ApiCode.INVALID_NULLABLE,
            ClinicCode.NOT_CHIROPRACTOR,
            PatientCode.OTHER_PATIENT,
            PatientCode.PATIENT_ARCHIVED,
            VisitCode.BEFORE_PLAN_START,
            VisitCode.DUPLICATE_REGION,
            VisitCode.NOT_IN_PLAN,
            VisitCode.PLAN_NOT_ACTIVE,
        ),
        "amendments": (VisitCode.VISIT_NOT_SIGNED,),
    }

    permission_classes = [VisitPermission]
    queryset = Visit.objects.none()
    serializer_class = VisitSerializer
    filterset_class = VisitFilter
    ordering_fields = ["visit_at", "created_at"]
    ordering = ["-visit_at"]
    audit_resource = "visit"
    audit_actions = {"sign": AuditAction.SIGN, "amendments": AuditAction.AMEND}
    history_model = "treatments.VisitEvent"

    def get_permissions(self):
        if self.action in {"update", "partial_update", "destroy"}:
            return [VisitDraftPermission()]
        return super().get_permissions()

    def get_queryset(self):
        return coded_visit_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        user = request_user(self.request)
        visit = visits.visit_create(clinic=user.staff_clinic, by=user, **serializer.validated_data)
        serializer.instance = self.refreshed(visit)

    def perform_update(self, serializer) -> None:
        visit = visits.visit_update(
            visit=serializer.instance, by=request_user(self.request), **serializer.validated_data
        )
        serializer.instance = self.refreshed(visit)

    def perform_destroy(self, instance: Visit) -> None:
        visits.visit_discard(visit=instance, by=request_user(self.request))

    @extend_schema(
        summary="Sign the visit: it is locked from now on",
        request=None,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: VisitSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str | None = None) -> Response:
        visit = services.visit_sign(visit=self.get_object(), by=request_user(request))
        return Response(self.get_serializer(self.refreshed(visit)).data)

    @extend_schema(
        summary="Amend a signed visit (the original text is kept)",
        request=AmendmentSerializer,
        responses={201: AmendmentSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"], serializer_class=AmendmentSerializer)
    def amendments(self, request: Request, pk: str | None = None) -> Response:
        visit = self.get_object()
        serializer = AmendmentSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        amendment = visits.visit_amend(
            visit=visit, by=request_user(request), **serializer.validated_data
        )
        self.audit_changed("amendments")
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)
