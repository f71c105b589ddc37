from rest_framework.routers import SimpleRouter

from treatments.visits.views import VisitViewSet

router = SimpleRouter(use_regex_path=False)
router.register("visits", VisitViewSet, basename="visit")

urlpatterns = router.urls
