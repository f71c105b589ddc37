from rest_framework.routers import SimpleRouter

from changes.views import ChangeEventViewSet

app_name = "changes"

router = SimpleRouter(use_regex_path=False)
router.register("events", ChangeEventViewSet, basename="change-event")

urlpatterns = router.urls
