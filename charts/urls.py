from rest_framework.routers import SimpleRouter

from charts.views import VisitViewSet

app_name = "charts"

router = SimpleRouter(use_regex_path=False)
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = router.urls
