"""In development a front end on any local port may call the API from the browser; other
origins, and any origin in production unless configured, may not."""

import pytest
from rest_framework.test import APIClient


def preflight(origin: str):
    return APIClient().options(
        "/api/v1/patients/",
        HTTP_ORIGIN=origin,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin", ["http://localhost:5173", "http://127.0.0.1:3000", "http://localhost"]
)
def test_local_front_ends_may_call_the_api_in_development(origin):
    answer = preflight(origin)
    assert answer["Access-Control-Allow-Origin"] == origin
    assert "authorization" in answer["Access-Control-Allow-Headers"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "origin", ["https://localhost.evil.example", "http://localhost.evil.example:5173"]
)
def test_other_origins_may_not(origin):
    assert "Access-Control-Allow-Origin" not in preflight(origin)
