from rest_framework.routers import SimpleRouter

from clinics.views import StaffViewSet

app_name = "clinics"

router = SimpleRouter()
router.register("staff", StaffViewSet, basename="staff")

urlpatterns = router.urls
