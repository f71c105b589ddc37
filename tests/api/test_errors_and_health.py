"""One error body for every status, and the health probe."""

import pytest
from django.db import connections
from django.urls import path
from rest_framework.views import APIView

LOGIN = "/api/v1/auth/login"


class ExplodingView(APIView):
    authentication_classes: list = []
    permission_classes: list = []

    def get(self, request):
        raise RuntimeError("boom")


urlpatterns = [path("explode", ExplodingView.as_view())]


def test_unknown_url_answers_404_in_the_error_shape(chiropractor_client, settings):
    settings.DEBUG = False

    response = chiropractor_client.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_front_desk_gets_403_in_the_error_shape(front_desk_client):
    response = front_desk_client.get("/api/v1/staff/")

    assert response.status_code == 403
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "permission_denied",
                "detail": "This action needs one of the roles: clinic_admin.",
                "attr": None,
            }
        ],
    }


def test_malformed_json_answers_400_parse_error(anonymous_client, db):
    response = anonymous_client.generic("POST", LOGIN, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["type"] == "client_error"
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_wrong_method_answers_405_in_the_error_shape(anonymous_client, db):
    response = anonymous_client.get(LOGIN)

    assert response.status_code == 405
    assert response.json()["errors"][0]["code"] == "method_not_allowed"


def test_unexpected_failure_answers_500_without_leaking_details(anonymous_client, settings, db):
    settings.ROOT_URLCONF = __name__
    anonymous_client.raise_request_exception = False

    response = anonymous_client.get("/explode")

    assert response.status_code == 500
    assert response.json() == {
        "type": "server_error",
        "errors": [{"code": "error", "detail": "Server Error (500)", "attr": None}],
    }


def test_healthz_answers_200_when_the_database_answers(anonymous_client, db):
    response = anonymous_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(anonymous_client, django_db_blocker):
    anonymous_client.raise_request_exception = False
    with django_db_blocker.unblock():
        connection = connections["default"]
        connection.close()
        original = dict(connection.settings_dict)
        connection.settings_dict.update(HOST="127.0.0.1", PORT="1")
        try:
            response = anonymous_client.get("/healthz")
        finally:
            connection.close()
            connection.settings_dict.clear()
            connection.settings_dict.update(original)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "type": "server_error",
        "errors": [
            {
                "code": "database_unavailable",
                "detail": "The database is not answering; retry shortly.",
                "attr": None,
            }
        ],
    }


@pytest.mark.django_db
def test_cors_allows_configured_front_end_origins(anonymous_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example-clinic.com"]

    response = anonymous_client.options(
        "/api/v1/auth/login",
        HTTP_ORIGIN="https://app.example-clinic.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )

    assert response["Access-Control-Allow-Origin"] == "https://app.example-clinic.com"


@pytest.mark.django_db
def test_cors_preflight_allows_if_match_for_optimistic_concurrency(anonymous_client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example-clinic.com"]

    response = anonymous_client.options(
        "/api/v1/patients/",
        HTTP_ORIGIN="https://app.example-clinic.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, content-type, if-match",
    )

    assert "if-match" in response["Access-Control-Allow-Headers"]


def test_api_answers_are_never_cached(chiropractor_client):
    assert chiropractor_client.get("/api/v1/auth/me")["Cache-Control"] == "no-store"


def test_ordering_by_an_unknown_field_is_refused(front_desk_client):
    response = front_desk_client.get("/api/v1/patients/", {"ordering": "ssn"})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "ordering"
    assert response.json()["errors"][0]["code"] == "invalid_ordering"
