from rest_framework.routers import SimpleRouter

from treatments.outcomes.views import PatientOutcomeViewSet

router = SimpleRouter(use_regex_path=False)
router.register(
    "patients/<uuid:patient_pk>/outcomes", PatientOutcomeViewSet, basename="patient-outcome"
)

urlpatterns = router.urls
