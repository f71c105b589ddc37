from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts.staff import ClinicView, PractitionerViewSet, StaffViewSet

app_name = "clinics"

router = SimpleRouter()
router.register("staff", StaffViewSet, basename="staff")
router.register("practitioners", PractitionerViewSet, basename="practitioner")

urlpatterns = [path("clinic/", ClinicView.as_view(), name="clinic"), *router.urls]
