"""Reads of a clinic's webhook endpoints and their deliveries (the caller's clinic only)."""

from django.db.models import Prefetch, QuerySet

from clinics.models import User
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


def endpoint_list(*, user: User) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.for_clinic(user.staff_clinic_id).defer(
        "secret", "previous_secret"
    )


def delivery_list(*, user: User, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    attempts = WebhookAttempt.objects.order_by("number")
    return (
        WebhookDelivery.objects.for_clinic(user.staff_clinic_id)
        .filter(endpoint=endpoint)
        .defer("payload")
        .prefetch_related(Prefetch("attempt_log", queryset=attempts))
    )
