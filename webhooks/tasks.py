"""The webhooks' jobs: the fan-out pass every WEBHOOK_FANOUT_INTERVAL_SECONDS, one delivery
run per endpoint with deliveries due, and the delivery log's hourly retention pass."""

import uuid

from django.conf import settings
from django.db import transaction
from procrastinate.contrib.django import app
from procrastinate.exceptions import AlreadyEnqueued

from jobs.periodic import periodic
from webhooks.delivery import deliver_due
from webhooks.fanout import endpoints_due, fan_out_all
from webhooks.retention import purge_expired_deliveries


@app.task(name="webhooks.deliver")
def deliver(endpoint_id: str) -> int:
    """Send the endpoint's due deliveries; how many were attempted."""
    return deliver_due(endpoint_id)


def defer_delivery(endpoint_id: uuid.UUID | str) -> None:
    """A delivery run for the endpoint, unless one is already waiting (its queueing lock)."""
    try:
        # A savepoint: a refused insert must not abort the caller's transaction.
        with transaction.atomic():
            deliver.configure(queueing_lock=f"webhooks.deliver:{endpoint_id}").defer(
                endpoint_id=str(endpoint_id)
            )
    except AlreadyEnqueued:
        pass


@periodic(name="webhooks.fan_out", seconds=settings.WEBHOOK_FANOUT_INTERVAL_SECONDS)
def fan_out(timestamp: int) -> int:
    """New events handed to the endpoints, and a delivery run deferred for each endpoint with
    deliveries due (new ones, retries whose time came, leases of stopped workers run out);
    how many deliveries were made. `timestamp` is the tick's, unused."""
    made = fan_out_all()
    for endpoint_id in endpoints_due():
        defer_delivery(endpoint_id)
    return made


@periodic(name="webhooks.retention", seconds=3600)
def retention(timestamp: int) -> int:
    """Finished deliveries past WEBHOOK_LOG_RETENTION_DAYS removed; how many."""
    return purge_expired_deliveries()
