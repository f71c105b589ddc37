from django.urls import path
from rest_framework.routers import SimpleRouter

from scheduling.feed_views import CalendarFeedDocumentView, CalendarFeedView
from scheduling.views import (
    AppointmentTypeViewSet,
    AppointmentViewSet,
    PlanScheduleView,
    ScheduleExceptionViewSet,
    WaitlistViewSet,
    WorkingHoursViewSet,
)

app_name = "scheduling"

router = SimpleRouter(use_regex_path=False)
router.register("appointment-types", AppointmentTypeViewSet, basename="appointment-type")
router.register("working-hours", WorkingHoursViewSet, basename="working-hours")
router.register("schedule-exceptions", ScheduleExceptionViewSet, basename="schedule-exception")
router.register("appointments", AppointmentViewSet, basename="appointment")
router.register("waitlist", WaitlistViewSet, basename="waitlist-entry")

urlpatterns = [
    path("calendar-feed/", CalendarFeedView.as_view(), name="calendar-feed"),
    path(
        "calendar-feeds/<str:secret>.ics",
        CalendarFeedDocumentView.as_view(),
        name="calendar-feed-document",
    ),
    path(
        "treatment-plans/<uuid:pk>/schedule/",
        PlanScheduleView.as_view(),
        name="treatment-plan-schedule",
    ),
    *router.urls,
]
