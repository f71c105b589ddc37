"""Patients for the front desk and clinicians; conditions for clinicians only."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.break_glass import BreakGlassReadMixin
from api.concurrency import IF_MATCH_PARAMETER, ETagMixin
from api.error_codes import ApiCode
from api.errors import WRITE_ERRORS
from api.filters import FilterListsOnlyMixin
from api.mixin_bases import ViewSetBase
from api.permissions import IsClinician
from api.schema import documented
from audit.history import RecordHistoryMixin
from audit.models import AuditAction
from audit.recording import AuditedViewMixin
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from patients import services
from patients.error_codes import PatientCode
from patients.filters import ConditionFilter, PatientFilter
from patients.models import LAST_VISIT_SORT_KEY, ONSET_SORT_KEY, Condition, Patient
from patients.selectors import condition_list, patient_list
from patients.serializers import ConditionSerializer, PatientSerializer


class NestedUnderPatientMixin(ViewSetBase):
    """For endpoints under /patients/{patient_pk}/: the patient, found in the caller's clinic."""

    def initial(self, request: Request, *args, **kwargs) -> None:
        super().initial(request, *args, **kwargs)
        self.get_patient()  # another clinic's patient is a 404 before any body is read

    def get_patient(self) -> Patient:
        if not hasattr(self, "_patient"):
            self._patient = get_object_or_404(
                patient_list(user=request_user(self.request)), pk=self.kwargs["patient_pk"]
            )
        return self._patient


@documented(
    PatientSerializer,
    list="List and search patients",
    create="Register a patient",
    retrieve="Get a patient (with its ETag)",
    update="Replace a patient's demographics",
    partial_update="Change some of a patient's demographics",
)
class PatientViewSet(
    IdempotentPostMixin,
    BreakGlassReadMixin,
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
    """Patients of the caller's clinic. Every role may use them; clinical fields are for clinicians."""

    error_codes = {
        ("create", "partial_update", "update"): (
            ApiCode.FUTURE_DATE,
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.MAX_VALUE,
            ApiCode.MIN_VALUE,
            ApiCode.UNIQUE,
            PatientCode.INVALID_PHONE,
            PatientCode.TOO_OLD,
            PatientCode.USE_DELETE_TO_ARCHIVE,
        ),
        ("partial_update", "update"): (PatientCode.PATIENT_ARCHIVED,),
        "restore": (PatientCode.PATIENT_NOT_ARCHIVED,),
    }

    queryset = Patient.objects.none()  # for schema introspection; requests use the selector
    serializer_class = PatientSerializer
    break_glass_patient_kwarg = "pk"
    filterset_class = PatientFilter
    lookup_value_converter = "uuid"
    ordering_fields = ["family_name", "given_name", "created_at", "last_visit_at"]
    ordering_aliases = {
        "family_name": "family_name_key",
        "given_name": "given_name_key",
        "last_visit_at": "last_visit_sort",
    }
    # Cursor pagination needs a non-null sort key: patients never seen sort as the oldest visit.
    ordering_annotations = {"last_visit_sort": LAST_VISIT_SORT_KEY}
    ordering = ["family_name", "given_name"]
    audit_resource = "patient"
    audit_patient_attr = "pk"
    audit_actions = {"restore": AuditAction.RESTORE}
    history_model = "patients.PatientEvent"

    def get_queryset(self):
        return patient_list(user=request_user(self.request))

    def perform_create(self, serializer) -> None:
        serializer.instance = services.patient_create(
            clinic=request_user(self.request).staff_clinic, **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.patient_update(
            patient=serializer.instance, **serializer.validated_data
        )

    @extend_schema(
        summary="Restore an archived patient",
        request=None,
        parameters=[IF_MATCH_PARAMETER],
        responses={200: PatientSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, pk: str | None = None) -> Response:
        patient = services.patient_restore(patient=self.get_object())
        return Response(self.get_serializer(patient).data)


class ConditionReads(ViewSetBase):
    """What both ways into conditions (one patient's, and across patients) share: clinicians
    only, the same filters and orderings, one audit resource and history."""

    permission_classes = [IsClinician]
    queryset = Condition.objects.none()
    serializer_class = ConditionSerializer
    filterset_class = ConditionFilter
    lookup_value_converter = "uuid"
    ordering_fields = ["created_at", "onset_date", "code"]
    ordering_aliases = {"onset_date": "onset_sort"}
    ordering_annotations = {"onset_sort": ONSET_SORT_KEY}
    ordering = ["-created_at"]
    audit_resource = "condition"
    history_model = "patients.ConditionEvent"


@documented(
    ConditionSerializer,
    list="List a patient's conditions",
    create="Record a condition (ICD-10-CM coded)",
    retrieve="Get one of a patient's conditions",
    update="Replace a condition",
    partial_update="Change a condition (e.g. resolve it)",
    destroy="Mark a condition as entered in error (nothing is deleted)",
)
class PatientConditionViewSet(
    ConditionReads,
    IdempotentPostMixin,
    BreakGlassReadMixin,
    RecordHistoryMixin,
    AuditedViewMixin,
    NestedUnderPatientMixin,
    FilterListsOnlyMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """One patient's conditions; chiropractors and clinic admins only."""

    error_codes = {
        ("create", "destroy", "partial_update", "update"): (PatientCode.PATIENT_ARCHIVED,),
        ("create", "partial_update", "update"): (
            ApiCode.FUTURE_DATE,
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            PatientCode.BEFORE_BIRTH,
            PatientCode.BEFORE_ONSET,
            PatientCode.LATERALITY_REQUIRED,
            PatientCode.NOT_BILLABLE,
            PatientCode.NOT_RESOLVED,
            PatientCode.UNKNOWN_CODE,
            PatientCode.USE_DELETE,
        ),
        ("partial_update", "update"): (PatientCode.ENTERED_IN_ERROR,),
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Condition.objects.none()
        return condition_list(user=request_user(self.request)).filter(patient=self.get_patient())

    def perform_create(self, serializer) -> None:
        serializer.instance = services.condition_record(
            patient=self.get_patient(), by=request_user(self.request), **serializer.validated_data
        )

    def perform_update(self, serializer) -> None:
        serializer.instance = services.condition_update(
            condition=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance: Condition) -> None:
        services.condition_mark_entered_in_error(condition=instance)


@documented(ConditionSerializer, list="List conditions across patients", retrieve="Get a condition")
class ConditionViewSet(
    ConditionReads,
    RecordHistoryMixin,
    AuditedViewMixin,
    FilterListsOnlyMixin,
    ETagMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Conditions of every patient of the clinic, to filter across patients; read-only."""

    def get_queryset(self):
        return condition_list(user=request_user(self.request))
