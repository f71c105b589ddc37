from django.urls import path
from rest_framework.routers import SimpleRouter

from audit.views import AuditEventViewSet, AuditSealKeyView, AuditSealViewSet

app_name = "audit"

router = SimpleRouter(use_regex_path=False)
router.register("audit-events", AuditEventViewSet, basename="audit-event")
router.register("audit-seals", AuditSealViewSet, basename="audit-seal")

urlpatterns = [
    path("audit-seals/public-key/", AuditSealKeyView.as_view(), name="audit-seal-key"),
    *router.urls,
]
