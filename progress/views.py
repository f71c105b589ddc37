"""`GET /treatment-plans/{id}/progress/`: how a plan is going."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.permissions import IsClinician
from audit.recording import AuditedViewMixin
from clinics.request_user import request_user
from progress.selectors import plan_progress_list
from progress.serializers import PlanProgressSerializer
from progress.summary import plan_progress
from treatments.plans.models import TreatmentPlan
from treatments.plans.views import TreatmentPlanViewSet


class PlanProgressViewSet(AuditedViewMixin, viewsets.GenericViewSet):
    # A plan's progress, served here rather than by the plan's own viewset because it reads the
    # plan's visits, outcome measures, appointments and case, which stand above plans. A route
    # of the plan's, it is described (in the schema and to OPTIONS) and audited as the plan's
    # viewset is.
    __doc__ = TreatmentPlanViewSet.__doc__

    permission_classes = [IsClinician]
    queryset = TreatmentPlan.objects.none()
    lookup_value_converter = "uuid"
    filter_backends: list = []
    audit_resource = "treatment_plan"
    audit_resources = {"progress": "plan_progress"}

    def get_queryset(self):
        return plan_progress_list(user=request_user(self.request))

    @extend_schema(
        summary="How the plan is going: visits, re-examination, pain and disability, goals",
        responses={200: PlanProgressSerializer},
    )
    @action(detail=True, methods=["get"])
    def progress(self, request: Request, pk: str | None = None) -> Response:
        plan = self.get_object()
        progress = plan_progress(
            plan,
            clinic=request_user(request).staff_clinic,
            visits=list(zip(plan.visit_times, plan.reexamination_flags, strict=True)),
            appointments=list(
                zip(
                    plan.appointment_times,
                    plan.appointment_statuses,
                    plan.appointment_reexaminations,
                    strict=True,
                )
            ),
            case=plan.case,
        )
        return Response(PlanProgressSerializer(progress).data)
