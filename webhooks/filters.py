"""What the delivery log may be narrowed to (served by webhook_delivery_status_idx)."""

import django_filters

from webhooks.models import DeliveryStatus, WebhookDelivery


class WebhookDeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=DeliveryStatus.choices, help_text="Only deliveries in this status."
    )

    class Meta:
        model = WebhookDelivery
        fields = ["status"]
