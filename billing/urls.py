from rest_framework.routers import SimpleRouter

from billing.views import (
    CoverageViewSet,
    FeeScheduleViewSet,
    InsuranceCaseViewSet,
    PatientStatementViewSet,
    VisitBillingViewSet,
)

app_name = "billing"

router = SimpleRouter(use_regex_path=False)
router.register("coverages", CoverageViewSet, basename="coverage")
router.register("cases", InsuranceCaseViewSet, basename="case")
router.register("fee-schedule", FeeScheduleViewSet, basename="fee")
router.register("visits", VisitBillingViewSet, basename="visit-billing")
router.register("patients", PatientStatementViewSet, basename="patient-statement")

urlpatterns = router.urls
