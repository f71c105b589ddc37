from rest_framework.routers import SimpleRouter

from treatments.progress.views import PlanProgressViewSet

router = SimpleRouter(use_regex_path=False)
# The plan's basename, so that the route keeps its name (`treatment-plan-progress`).
router.register("treatment-plans", PlanProgressViewSet, basename="treatment-plan")

urlpatterns = router.urls
