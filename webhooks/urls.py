from rest_framework.routers import SimpleRouter

from webhooks.views import WebhookDeliveryViewSet, WebhookEndpointViewSet

app_name = "webhooks"

router = SimpleRouter(use_regex_path=False)
router.register("webhook-endpoints", WebhookEndpointViewSet, basename="webhook-endpoint")
router.register(
    "webhook-endpoints/<uuid:endpoint_pk>/deliveries",
    WebhookDeliveryViewSet,
    basename="webhook-delivery",
)

urlpatterns = router.urls
