from rest_framework.routers import SimpleRouter

from reminders.views import AppointmentReminderViewSet

app_name = "reminders"

router = SimpleRouter(use_regex_path=False)
router.register(
    "appointment-reminders", AppointmentReminderViewSet, basename="appointment-reminder"
)

urlpatterns = router.urls
