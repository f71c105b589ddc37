"""Sending an endpoint's due deliveries, one endpoint at a time across every worker.

A run holds a session-level advisory lock on the endpoint (released by PostgreSQL if the
worker dies, unlike a job lock a killed worker leaves held). It takes the next due delivery in
feed order, skipping a record that has an earlier delivery still pending (order per record),
and commits a lease before sending: one attempt more, and the next attempt pushed past the
send's longest time, so that a worker killed mid-send leaves the delivery due again and the
next run sends it with the same `webhook-id` (at least once). The POST goes out of any
transaction; its outcome is recorded after: 2xx delivered; 410 disables the endpoint; anything
else waits for the schedule's next attempt (webhooks.schedule), and once it is spent the
delivery failed and the endpoint is marked failing, with the reason its admin reads.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from webhooks.addresses import AddressRefused, IPAddress, Target, vet_url
from webhooks.models import (
    DeliveryStatus,
    EndpointStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.schedule import delay_after
from webhooks.signing import signed_headers

# Deliveries one run sends at most; the fan-out pass defers another run for what is left.
RUN_MAX = 100
EXCERPT_CHARS = 500
# An attempt's lease: longer than a send can take (connect, write and read each bounded by
# the timeout), so that only a dead worker's attempt is sent again.
LEASE_MARGIN = timedelta(seconds=5)
INTERRUPTED = "The attempt was cut short (the worker stopped); it is sent again."

TRY_LOCK = "SELECT pg_try_advisory_lock(hashtextextended(%s, 0))"
UNLOCK = "SELECT pg_advisory_unlock(hashtextextended(%s, 0))"

# The next due delivery, in feed order; a delivery waits while an earlier one of its record is
# pending (a test event names no record and waits for none).
NEXT_DUE = """
SELECT d.id FROM webhooks_webhookdelivery d
 WHERE d.endpoint_id = %(endpoint)s AND d.status = 'pending' AND d.next_attempt_at <= %(now)s
   AND NOT EXISTS (
       SELECT 1 FROM webhooks_webhookdelivery e
        WHERE e.endpoint_id = d.endpoint_id AND e.status = 'pending'
          AND e.resource_id = d.resource_id AND e.event_seq < d.event_seq)
 ORDER BY d.event_seq NULLS FIRST, d.created_at
 LIMIT 1
 FOR UPDATE OF d
"""


@dataclass
class Outcome:
    """What one POST came to."""

    status_code: int | None = None
    latency_ms: int | None = None
    excerpt: str = ""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def deliver_due(endpoint_id: uuid.UUID | str) -> int:
    """Send the endpoint's due deliveries (at most RUN_MAX); how many were attempted. 0 when
    another worker is sending to the endpoint."""
    key = f"webhooks.endpoint:{endpoint_id}"
    with connection.cursor() as cursor:
        cursor.execute(TRY_LOCK, [key])
        row = cursor.fetchone()
    if not row or not row[0]:
        return 0
    try:
        sent = 0
        while sent < RUN_MAX:
            leased = lease_next(endpoint_id)
            if leased is None:
                break
            endpoint, delivery, attempt = leased
            outcome = post(endpoint, delivery)
            record(delivery.pk, attempt.pk, outcome)
            sent += 1
        return sent
    finally:
        with connection.cursor() as cursor:
            cursor.execute(UNLOCK, [key])


def lease_next(
    endpoint_id: uuid.UUID | str,
) -> tuple[WebhookEndpoint, WebhookDelivery, WebhookAttempt] | None:
    """The next due delivery, leased for one attempt (committed before it is sent)."""
    now = timezone.now()
    with transaction.atomic():
        endpoint = (
            WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True)
            .exclude(status=EndpointStatus.DISABLED)
            .first()
        )
        if endpoint is None:
            return None
        with connection.cursor() as cursor:
            cursor.execute(NEXT_DUE, {"endpoint": endpoint.pk, "now": now})
            row = cursor.fetchone()
        if row is None:
            return None
        delivery = WebhookDelivery.objects.get(pk=row[0])
        delivery.attempts += 1
        delivery.next_attempt_at = now + lease_time()
        delivery.save(update_fields=["attempts", "next_attempt_at"])
        attempt = WebhookAttempt.objects.create(
            clinic_id=delivery.clinic_id,
            delivery=delivery,
            number=delivery.attempts,
            started_at=now,
            error=INTERRUPTED,
        )
    return endpoint, delivery, attempt


def lease_time() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS * 3) + LEASE_MARGIN


def secrets_in_use(endpoint: WebhookEndpoint, at: datetime) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    kept = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and kept is not None and kept > at:
        return [endpoint.secret, endpoint.previous_secret]
    return [endpoint.secret]


def post(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Outcome:
    """POST the delivery's body, signed, to the address vetted now (not the one vetted at
    registration: DNS may have changed since), with no redirect followed."""
    try:
        target = vet_url(endpoint.url)
    except AddressRefused as refused:
        return Outcome(error=str(refused)[:EXCERPT_CHARS])
    at = timezone.now()
    headers = signed_headers(
        message_id=delivery.event_id,
        payload=delivery.payload,
        secrets_in_use=secrets_in_use(endpoint, at),
        at=at,
    )
    started = time.monotonic()
    outcome = Outcome()
    # Each vetted address in turn, while the connection itself is refused (a host named for
    # IPv6 and IPv4 that listens on one of them).
    for address in target.addresses:
        try:
            return _post_to(address, target, headers, delivery.payload, started)
        except httpx.ConnectError as error:
            outcome = Outcome(
                latency_ms=_elapsed_ms(started),
                error=f"ConnectError: {error} ({address})"[:EXCERPT_CHARS],
            )
    return outcome


def _post_to(
    address: IPAddress, target: Target, headers: dict[str, str], payload: str, started: float
) -> Outcome:
    literal = f"[{address}]" if address.version == 6 else str(address)
    default_port = {"https": 443, "http": 80}[target.scheme]
    host = target.host if target.port == default_port else f"{target.host}:{target.port}"
    # Connected to the vetted address; TLS still names (SNI) and verifies the URL's host.
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    url = f"{target.scheme}://{literal}:{target.port}{target.target}"
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client,
            client.stream(
                "POST",
                url,
                content=payload.encode(),
                headers={**headers, "host": host},
                extensions=extensions,
            ) as response,
        ):
            excerpt = _excerpt(response)
            return Outcome(
                status_code=response.status_code,
                latency_ms=_elapsed_ms(started),
                excerpt=excerpt,
            )
    except httpx.TimeoutException:
        return Outcome(
            latency_ms=_elapsed_ms(started), error=f"No answer within {timeout:g} s (timeout)."
        )
    except httpx.ConnectError:
        raise
    except httpx.HTTPError as error:
        return Outcome(
            latency_ms=_elapsed_ms(started),
            error=f"{type(error).__name__}: {error}"[:EXCERPT_CHARS],
        )


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _excerpt(response: httpx.Response) -> str:
    """The first EXCERPT_CHARS characters of the answer; the rest is not read."""
    read = b""
    for chunk in response.iter_bytes():
        read += chunk
        if len(read) >= EXCERPT_CHARS * 4:
            break
    return read.decode("utf-8", errors="replace")[:EXCERPT_CHARS]


def record(delivery_id: uuid.UUID, attempt_id: int, outcome: Outcome) -> WebhookDelivery:
    """The attempt's outcome, the delivery's next step and the endpoint's status, together."""
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
        WebhookAttempt.objects.filter(pk=attempt_id).update(
            status_code=outcome.status_code,
            latency_ms=outcome.latency_ms,
            response_excerpt=outcome.excerpt,
            error=outcome.error,
        )
        delivery.last_status_code = outcome.status_code
        delivery.last_error = outcome.error
        answer = f"HTTP {outcome.status_code}" if outcome.status_code is not None else outcome.error
        if outcome.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            if endpoint.status == EndpointStatus.FAILING:
                _set_status(endpoint, EndpointStatus.ENABLED, "", now)
        elif outcome.status_code == 410:
            # Kept pending: if the admin enables the endpoint again, it goes first.
            delivery.next_attempt_at = now
            _set_status(
                endpoint,
                EndpointStatus.DISABLED,
                f"The receiver answered 410 Gone to {delivery.event_id} at "
                f"{now.isoformat(timespec='seconds')}: no more events are sent until the "
                "endpoint is enabled again.",
                now,
            )
        else:
            delay = delay_after(delivery.attempts - delivery.retries_from)
            if delay is None:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                _set_status(
                    endpoint,
                    EndpointStatus.FAILING,
                    f"{delivery.event_id} ({delivery.event_type}) failed "
                    f"{delivery.attempts - delivery.retries_from} attempts over the retry "
                    f"schedule; the last: {answer}"[:500],
                    now,
                )
            else:
                delivery.next_attempt_at = now + delay
        delivery.save(
            update_fields=[
                "status",
                "delivered_at",
                "next_attempt_at",
                "last_status_code",
                "last_error",
            ]
        )
    return delivery


def _set_status(endpoint: WebhookEndpoint, status: str, reason: str, now: datetime) -> None:
    endpoint.status = status
    endpoint.status_reason = reason
    endpoint.status_changed_at = now
    endpoint.save(update_fields=["status", "status_reason", "status_changed_at", "updated_at"])
