"""A clinic's webhook endpoints, each event's delivery to one of them, and every attempt."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models

from api.concurrency import VersionedModel
from tenancy.models import ClinicScopedModel


class EndpointStatus(models.TextChoices):
    ENABLED = "enabled", "Receiving events"
    FAILING = "failing", "An event's every retry failed; new events are still sent"
    DISABLED = "disabled", "Stopped: the receiver answered 410 Gone"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Waiting for its next attempt"
    SUCCEEDED = "succeeded", "The receiver answered 2xx"
    FAILED = "failed", "Every attempt of the retry schedule failed"


class WebhookEndpoint(ClinicScopedModel, VersionedModel):
    """Where a clinic wants its change events posted, signed with the endpoint's secret.

    `cursor` is the last feed number (ChangeEvent.seq) handed to this endpoint as deliveries:
    set to the feed's end at creation (a new endpoint gets no history) and moved by the
    fan-out pass in the transaction that inserts the deliveries, so no event is missed or
    handed out twice. Nothing is deleted: DELETE turns `is_active` off.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    event_types = ArrayField(models.CharField(max_length=65), default=list, blank=True)
    is_active = models.BooleanField(default=True)
    status = models.CharField(
        max_length=10, choices=EndpointStatus.choices, default=EndpointStatus.ENABLED
    )
    status_reason = models.CharField(max_length=500, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Signing keys (`whsec_…`): HMAC needs the key itself, so it is kept, never shown again.
    secret = models.CharField(max_length=100)
    previous_secret = models.CharField(max_length=100, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    cursor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "created_at"], name="webhook_endpoint_list_idx"),
            # The fan-out pass reads the endpoints that receive, across clinics.
            models.Index(
                fields=["id"],
                condition=models.Q(is_active=True) & ~models.Q(status="disabled"),
                name="webhook_endpoint_receiving_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(ClinicScopedModel):
    """One event for one endpoint: the exact body sent on every attempt and redelivery, and
    where it stands. The event is named, not referenced: events are purged after
    CHANGE_FEED_RETENTION_DAYS, deliveries are kept."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.PROTECT, related_name="deliveries", db_index=False
    )
    event_id = models.CharField(max_length=60)
    # The event's place in the feed: deliveries of one resource go out in this order. Null
    # for a test event, which orders nothing.
    event_seq = models.BigIntegerField(null=True)
    event_type = models.CharField(max_length=65)
    resource_type = models.CharField(max_length=32, blank=True)
    resource_id = models.UUIDField(null=True)
    payload = models.TextField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    # The attempt count when the current retry schedule began: a manual redelivery starts a
    # fresh schedule, while attempt numbers keep counting.
    retries_from = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True)
    last_status_code = models.PositiveSmallIntegerField(null=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            # The log, newest first, whole or by status.
            models.Index(
                fields=["clinic", "endpoint", "-created_at"], name="webhook_delivery_log_idx"
            ),
            models.Index(
                fields=["clinic", "endpoint", "status", "-created_at"],
                name="webhook_delivery_status_idx",
            ),
            # The worker's picks: what is due, and what of the same record is still before it.
            models.Index(
                fields=["endpoint", "next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_due_idx",
            ),
            models.Index(
                fields=["endpoint", "resource_id", "event_seq"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_order_idx",
            ),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="webhook_delivery_pending_idx",
            ),
        ]
        constraints = [
            # The fan-out hands an event to an endpoint once.
            models.UniqueConstraint(
                fields=["endpoint", "event_id"], name="webhook_delivery_once_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id}: {self.status}"


class WebhookAttempt(ClinicScopedModel):
    """One POST of a delivery: what the receiver answered and how long it took. Written when
    the attempt starts, so that an attempt cut short by a stopped worker is seen as such."""

    id = models.BigAutoField(primary_key=True)
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.PROTECT, related_name="attempt_log", db_index=False
    )
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True)
    latency_ms = models.PositiveIntegerField(null=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        indexes = [models.Index(fields=["delivery", "number"], name="webhook_attempt_idx")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"
