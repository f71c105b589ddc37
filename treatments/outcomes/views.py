"""A patient's outcome measures."""

from rest_framework import mixins, viewsets

from accounts.break_glass import BreakGlassReadMixin
from api.error_codes import ApiCode
from api.filters import FilterListsOnlyMixin
from api.permissions import OutcomePermission
from api.schema import documented
from audit.recording import AuditedViewMixin
from clinics.request_user import request_user
from idempotency.replay import IdempotentPostMixin
from patients.error_codes import PatientCode
from patients.views import NestedUnderPatientMixin
from treatments.outcomes import services
from treatments.outcomes.error_codes import OutcomeCode
from treatments.outcomes.filters import OutcomeFilter
from treatments.outcomes.models import OutcomeMeasure
from treatments.outcomes.selectors import outcome_list
from treatments.outcomes.serializers import OutcomeMeasureSerializer


@documented(
    OutcomeMeasureSerializer,
    versioned=False,
    list="A patient's outcome measures (NRS, ODI, NDI), oldest first",
    create="Record an outcome measure (the server scores it)",
    retrieve="Get one outcome measure",
    destroy="Mark an outcome measure entered in error (kept)",
)
class PatientOutcomeViewSet(
    IdempotentPostMixin,
    BreakGlassReadMixin,
    AuditedViewMixin,
    NestedUnderPatientMixin,
    FilterListsOnlyMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Outcome measures of one patient; chiropractors and clinic admins."""

    error_codes = {
        "create": (
            ApiCode.BLANK,
            ApiCode.FUTURE_DATE,
            ApiCode.INVALID_DATE,
            ApiCode.INVALID_DATETIME,
            ApiCode.ITEM_INVALID,
            ApiCode.NESTED_ARRAY_MISMATCH,
            ApiCode.UNIQUE_TOGETHER,
            OutcomeCode.UNSCORABLE,
            PatientCode.PATIENT_ARCHIVED,
        ),
        "destroy": (OutcomeCode.DERIVED_FROM_VISIT,),
    }

    permission_classes = [OutcomePermission]
    queryset = OutcomeMeasure.objects.none()
    serializer_class = OutcomeMeasureSerializer
    filterset_class = OutcomeFilter
    lookup_value_converter = "uuid"
    ordering_fields = ["measured_at"]
    ordering = ["measured_at"]
    audit_resource = "outcome_measure"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return outcome_list(user=request_user(self.request)).filter(patient=self.get_patient())

    def perform_create(self, serializer) -> None:
        serializer.instance = services.outcome_record(
            patient=self.get_patient(), by=request_user(self.request), **serializer.validated_data
        )

    def perform_destroy(self, instance: OutcomeMeasure) -> None:
        services.outcome_discard(outcome=instance)
