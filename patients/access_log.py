"""A patient's access log: who looked at or changed the record, from the audit trail."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets

from api.permissions import IsClinician
from audit.selectors import patient_access_log
from audit.views import AuditTrailMixin
from clinics.request_user import request_user
from patients.views import NestedUnderPatientMixin


@extend_schema_view(
    list=extend_schema(
        summary="Who looked at or changed this patient's record, when, and what they did",
        description="Newest first, from the audit trail. Reading it is itself recorded.",
    )
)
class PatientAccessLogViewSet(
    AuditTrailMixin, NestedUnderPatientMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """One patient's entries of the audit trail; chiropractors and clinic admins."""

    permission_classes = [IsClinician]
    audit_resource = "access_log"
    audit_patient_attr = ""

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return patient_access_log(user=request_user(self.request), patient_id=self.get_patient().pk)

    def audit_event(self, request, response):
        event = super().audit_event(request, response)
        event.object_ids = []  # the rows read are events, named by the patient they concern
        return event
