from rest_framework.routers import SimpleRouter

from audit.views import AuditEventViewSet, PatientAccessLogViewSet

app_name = "audit"

router = SimpleRouter(use_regex_path=False)
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register(
    "patients/<uuid:patient_pk>/access-log", PatientAccessLogViewSet, basename="patient-access-log"
)

urlpatterns = router.urls
