"""The fan-out pass: each receiving endpoint's share of its clinic's numbered feed becomes
deliveries.

Per endpoint, in one transaction: the endpoint's row locked (SKIP LOCKED: passes on several
workers share the endpoints, none waits), the events after its cursor read in feed order, a
delivery inserted for each event of a type it subscribes to, and the cursor moved past every
event read. The cursor and the deliveries commit together, so no event is missed nor handed
out twice.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from changes.models import ChangeEvent, FeedHorizon
from changes.serializers import event_id
from webhooks.models import DeliveryStatus, EndpointStatus, WebhookDelivery, WebhookEndpoint
from webhooks.signing import event_payload


def receiving_endpoints() -> list[uuid.UUID]:
    """Receiving endpoints whose clinic's feed has gone past their cursor: a pass over a quiet
    deployment reads this one statement."""
    feed_end = FeedHorizon.objects.filter(clinic_id=OuterRef("clinic_id")).values("last_seq")
    return list(
        WebhookEndpoint.objects.filter(is_active=True)
        .exclude(status=EndpointStatus.DISABLED)
        .filter(cursor__lt=Subquery(feed_end[:1]))
        .values_list("id", flat=True)
    )


def fan_out_all() -> int:
    """One pass over every receiving endpoint; how many deliveries it made."""
    made = 0
    for endpoint_id in receiving_endpoints():
        while True:
            count, read = fan_out(endpoint_id)
            made += count
            if read < settings.WEBHOOK_BATCH_MAX:
                break
    return made


def fan_out(endpoint_id: uuid.UUID) -> tuple[int, int]:
    """One batch of the endpoint's events: (deliveries made, events read); (0, 0) when another
    pass holds the endpoint or it no longer receives."""
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.select_for_update(skip_locked=True)
            .filter(pk=endpoint_id, is_active=True)
            .exclude(status=EndpointStatus.DISABLED)
            .only("id", "clinic_id", "cursor", "event_types")
            .first()
        )
        if endpoint is None:
            return 0, 0
        events = list(
            ChangeEvent.objects.filter(
                clinic_id=endpoint.clinic_id, seq__gt=endpoint.cursor
            ).order_by("seq")[: settings.WEBHOOK_BATCH_MAX]
        )
        if not events:
            return 0, 0
        now = timezone.now()
        wanted = set(endpoint.event_types)
        deliveries = [
            _delivery(endpoint, event, now)
            for event in events
            if not wanted or event.type in wanted
        ]
        WebhookDelivery.objects.bulk_create(deliveries)
        # A plain UPDATE: the cursor is the pass's bookkeeping, not a change of the endpoint
        # its admin made (its version, the ETag, stays).
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(cursor=events[-1].seq)
        return len(deliveries), len(events)


def _delivery(endpoint: WebhookEndpoint, event: ChangeEvent, now: datetime) -> WebhookDelivery:
    return WebhookDelivery(
        clinic_id=endpoint.clinic_id,
        endpoint=endpoint,
        event_id=event_id(event),
        event_seq=event.seq,
        event_type=event.type,
        resource_type=event.resource_type,
        resource_id=event.resource_id,
        payload=event_payload(event),
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
    )


def endpoints_due(now: datetime | None = None) -> list[uuid.UUID]:
    """Receiving endpoints with a delivery due now."""
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING,
            next_attempt_at__lte=now or timezone.now(),
            endpoint__is_active=True,
        )
        .exclude(endpoint__status=EndpointStatus.DISABLED)
        .values_list("endpoint_id", flat=True)
        .distinct()
    )
