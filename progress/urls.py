from rest_framework.routers import SimpleRouter

from progress.views import PlanProgressViewSet

app_name = "progress"

router = SimpleRouter(use_regex_path=False)
# The plan's basename, so that the route keeps its name (`treatment-plan-progress`).
router.register("treatment-plans", PlanProgressViewSet, basename="treatment-plan")

urlpatterns = router.urls
