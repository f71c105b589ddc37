from rest_framework.routers import SimpleRouter

from patients.access_log import PatientAccessLogViewSet
from patients.break_glass import BreakGlassViewSet
from patients.views import ConditionViewSet, PatientConditionViewSet

app_name = "patients"

# `patients/` and `patients/{id}/` are routed by treatments.plans.urls, whose viewset adds
# archiving (DELETE) to patients.views.PatientViewSet: a plan under way refuses it.
router = SimpleRouter(use_regex_path=False)
router.register(
    "patients/<uuid:patient_pk>/conditions", PatientConditionViewSet, basename="patient-condition"
)
router.register("conditions", ConditionViewSet, basename="condition")
router.register(
    "patients/<uuid:patient_pk>/access-log", PatientAccessLogViewSet, basename="patient-access-log"
)
router.register("break-glass", BreakGlassViewSet, basename="break-glass")

urlpatterns = router.urls
