"""The webhooks' tests: endpoints registered over HTTP, events made by the REST API's writes,
delivered to a local receiver by the same functions the workers run."""

from collections.abc import Iterator

import pytest
from django.utils import timezone

from changes.numbering import number_all
from tests.webhooks.receiver import Receiver, running
from webhooks.delivery import deliver_due
from webhooks.fanout import fan_out_all
from webhooks.models import WebhookDelivery

ENDPOINTS = "/api/v1/webhook-endpoints/"

NEW_PATIENT = {
    "given_name": "Ada",
    "family_name": "Okafor",
    "date_of_birth": "1988-02-01",
    "sex_at_birth": "female",
}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with running(Receiver()) as started:
        yield started


def register(client, url: str, **fields) -> dict:
    response = client.post(ENDPOINTS, {"url": url, **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def pump(endpoint_id: str) -> int:
    """What the workers do in a second: number the feed, hand it out, send what is due."""
    number_all()
    fan_out_all()
    return deliver_due(endpoint_id)


def make_due(endpoint_id: str) -> None:
    """The clock moved on to the next retry (the test does not wait 5 s or 5 min)."""
    WebhookDelivery.objects.filter(endpoint_id=endpoint_id, status="pending").update(
        next_attempt_at=timezone.now()
    )
