from django.urls import path
from rest_framework.routers import SimpleRouter

from reference.views import (
    ExerciseViewSet,
    Icd10CodeView,
    Icd10SearchView,
    ListingViewSet,
    MuscleViewSet,
    SegmentViewSet,
    SoftTissueModalityViewSet,
    TechniqueViewSet,
)

app_name = "reference"

router = SimpleRouter(use_regex_path=False)
router.register("segments", SegmentViewSet, basename="segment")
router.register("listings", ListingViewSet, basename="listing")
router.register("techniques", TechniqueViewSet, basename="technique")
router.register(
    "soft-tissue-modalities", SoftTissueModalityViewSet, basename="soft-tissue-modality"
)
router.register("muscles", MuscleViewSet, basename="muscle")
router.register("exercises", ExerciseViewSet, basename="exercise")

urlpatterns = [
    path("icd10/", Icd10SearchView.as_view(), name="icd10-search"),
    path("icd10/<str:code>/", Icd10CodeView.as_view(), name="icd10-code"),
    *router.urls,
]
