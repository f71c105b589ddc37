"""The change feed's tests: what the REST API's writes put in the feed, read over HTTP."""

import pytest

from changes.numbering import number_all
from tests.fhir_api.conftest import active_plan, amendment, signed_visit  # noqa: F401
from tests.scheduling.conftest import (  # noqa: F401
    adjustment_type,
    booking,
    booking_day,
    working_week,
)

EVENTS = "/api/v1/events/"


def feed(client, **query) -> dict:
    """The feed's page after numbering what has committed (as the worker's pass does)."""
    number_all()
    response = client.get(EVENTS, query)
    assert response.status_code == 200, response.json()
    return response.json()


def types(page: dict) -> list[str]:
    return [event["type"] for event in page["results"]]


@pytest.fixture
def start(clinic_admin_client) -> str:
    """The feed's end before the test's own writes (fixtures' writes are events too)."""
    return feed(clinic_admin_client)["next_cursor"]
