from rest_framework.routers import SimpleRouter

from treatments.views import (
    GoalViewSet,
    PlannedAdjustmentViewSet,
    PlannedExerciseViewSet,
    PlannedSoftTissueViewSet,
    TreatmentPlanViewSet,
)
from treatments.visit_views import PatientOutcomeViewSet, VisitViewSet

app_name = "treatments"

PLAN = "treatment-plans/<uuid:plan_pk>"

router = SimpleRouter(use_regex_path=False)
router.register("treatment-plans", TreatmentPlanViewSet, basename="treatment-plan")
router.register(f"{PLAN}/goals", GoalViewSet, basename="plan-goal")
router.register(f"{PLAN}/adjustments", PlannedAdjustmentViewSet, basename="plan-adjustment")
router.register(f"{PLAN}/soft-tissue", PlannedSoftTissueViewSet, basename="plan-soft-tissue")
router.register(f"{PLAN}/exercises", PlannedExerciseViewSet, basename="plan-exercise")
router.register("visits", VisitViewSet, basename="visit")
router.register(
    "patients/<uuid:patient_pk>/outcomes", PatientOutcomeViewSet, basename="patient-outcome"
)

urlpatterns = router.urls
