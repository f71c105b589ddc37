"""What a clinic admin does with webhook endpoints: register, change, deactivate, enable,
rotate the secret, send a test event, redeliver an event."""

import uuid
from datetime import timedelta
from typing import Unpack

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.errors import Conflict, field_error
from changes.selectors import feed_horizon
from clinics.models import Clinic
from webhooks.addresses import AddressRefused, vet_url
from webhooks.error_codes import WebhookCode
from webhooks.inputs import EndpointFields
from webhooks.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.signing import TEST_EVENT_TYPE, new_secret, test_payload
from webhooks.tasks import deliver


def _check_url(url: str) -> None:
    try:
        vet_url(url)
    except AddressRefused as refused:
        raise field_error("url", str(refused), refused.code) from None


def endpoint_create(*, clinic: Clinic, **fields: Unpack[EndpointFields]) -> WebhookEndpoint:
    """A new endpoint with a new secret; it receives the events after the feed's present end
    (no history). `url` is required (the serializer's)."""
    _check_url(fields["url"])
    return WebhookEndpoint.objects.create(
        clinic=clinic,
        secret=new_secret(),
        cursor=feed_horizon(clinic_id=clinic.pk).last_seq,
        **fields,
    )


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, **changes: Unpack[EndpointFields]
) -> WebhookEndpoint:
    """Changed; `is_active` set to true also enables an endpoint that was disabled (410) or
    failing, and its pending deliveries resume."""
    if "url" in changes and changes["url"] != endpoint.url:
        _check_url(changes["url"])
    for field, value in changes.items():
        setattr(endpoint, field, value)
    if changes.get("is_active") is True and endpoint.status != EndpointStatus.ENABLED:
        _enabled(endpoint)
    endpoint.save()
    return endpoint


def _enabled(endpoint: WebhookEndpoint) -> None:
    endpoint.is_active = True
    endpoint.status = EndpointStatus.ENABLED
    endpoint.status_reason = ""
    endpoint.status_changed_at = timezone.now()


def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Active and enabled again: sending resumes where it stopped (the events the feed still
    keeps, after the deliveries left pending)."""
    if endpoint.is_active and endpoint.status == EndpointStatus.ENABLED:
        return endpoint
    _enabled(endpoint)
    endpoint.save()
    return endpoint


def endpoint_deactivate(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """What DELETE does: no more events are sent; the endpoint and its log are kept."""
    if endpoint.is_active:
        endpoint.is_active = False
        endpoint.save(update_fields=["is_active", "updated_at"])
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> tuple[WebhookEndpoint, str]:
    """A new secret, answered once; the old one keeps signing beside it (both signatures are
    sent) for WEBHOOK_SECRET_OVERLAP_HOURS. A second rotation within that time ends the
    oldest secret's overlap at once."""
    secret = new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(
        hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = secret
    endpoint.save()
    return endpoint, secret


def _ensure_receiving(endpoint: WebhookEndpoint) -> None:
    if not endpoint.is_active or endpoint.status == EndpointStatus.DISABLED:
        raise Conflict(
            "The endpoint is not receiving events: enable it first.",
            code=WebhookCode.ENDPOINT_INACTIVE,
        )


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` event, delivered at once through the same path as the feed's."""
    _ensure_receiving(endpoint)
    now = timezone.now()
    message_id = f"evt_test_{uuid.uuid4().hex}"
    delivery = WebhookDelivery.objects.create(
        clinic_id=endpoint.clinic_id,
        endpoint=endpoint,
        event_id=message_id,
        event_type=TEST_EVENT_TYPE,
        payload=test_payload(message_id, now),
        next_attempt_at=now,
    )
    _send_soon(endpoint)
    return delivery


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Sent again, the same body with the same `webhook-id`, on a fresh retry schedule."""
    _ensure_receiving(delivery.endpoint)
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict(
            "This delivery is still waiting for its next attempt.",
            code=WebhookCode.DELIVERY_PENDING,
        )
    delivery.status = DeliveryStatus.PENDING
    delivery.retries_from = delivery.attempts
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "retries_from", "next_attempt_at"])
    _send_soon(delivery.endpoint)
    return delivery


def _send_soon(endpoint: WebhookEndpoint) -> None:
    """A delivery run for the endpoint, in the caller's transaction. Without the queueing lock
    the fan-out pass uses: the API role may not read the queue, so a refused insert could not
    be told from another error. A run that finds another sending returns at once."""
    deliver.defer(endpoint_id=str(endpoint.pk))
