from rest_framework.routers import SimpleRouter

from treatments.plans.views import (
    GoalViewSet,
    PatientViewSet,
    PlannedAdjustmentViewSet,
    PlannedExerciseViewSet,
    PlannedSoftTissueViewSet,
    TreatmentPlanViewSet,
)

PLAN = "treatment-plans/<uuid:plan_pk>"

router = SimpleRouter(use_regex_path=False)
# Patients' own endpoints, with archiving (treatments.plans.views.PatientViewSet).
router.register("patients", PatientViewSet, basename="patient")
router.register("treatment-plans", TreatmentPlanViewSet, basename="treatment-plan")
router.register(f"{PLAN}/goals", GoalViewSet, basename="plan-goal")
router.register(f"{PLAN}/adjustments", PlannedAdjustmentViewSet, basename="plan-adjustment")
router.register(f"{PLAN}/soft-tissue", PlannedSoftTissueViewSet, basename="plan-soft-tissue")
router.register(f"{PLAN}/exercises", PlannedExerciseViewSet, basename="plan-exercise")

urlpatterns = router.urls
