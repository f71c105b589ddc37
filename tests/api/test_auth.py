from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from knox.models import AuthToken

from api.permissions import capabilities_of
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD

LOGIN = "/api/v1/auth/login"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def test_login_returns_a_bearer_token_that_opens_the_api(anonymous_client, chiropractor):
    response = anonymous_client.post(LOGIN, {"username": "dr.palmer", "password": TEST_PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["user"]["username"] == "dr.palmer"
    assert body["user"]["role"] == "chiropractor"
    assert body["user"]["clinic"]["name"] == "Back in Line Chiropractic"
    assert body["expiry"]
    anonymous_client.credentials(HTTP_AUTHORIZATION=f"Bearer {body['token']}")
    assert anonymous_client.get(ME).status_code == 200


def test_tokens_are_stored_as_digests_only(anonymous_client, chiropractor):
    token = anonymous_client.post(
        LOGIN, {"username": "dr.palmer", "password": TEST_PASSWORD}
    ).json()["token"]

    stored = AuthToken.objects.get(user=chiropractor)
    assert stored.digest != token
    assert token not in stored.digest
    assert len(stored.digest) == 128  # SHA-512 hex


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "dr.palmer", "password": "wrong-password-123"},
        {"username": "nobody", "password": TEST_PASSWORD},
    ],
)
def test_login_with_bad_credentials_is_refused_without_saying_which(
    anonymous_client, chiropractor, payload
):
    response = anonymous_client.post(LOGIN, payload)

    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [
            {
                "code": "invalid_credentials",
                "detail": "Unable to log in with the username and password given.",
                "attr": "non_field_errors",
            }
        ],
    }
    assert not AuthToken.objects.exists()


def test_deactivated_staff_cannot_log_in(anonymous_client, chiropractor):
    chiropractor.is_active = False
    chiropractor.save()

    response = anonymous_client.post(LOGIN, {"username": "dr.palmer", "password": TEST_PASSWORD})

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "invalid_credentials"


def test_staff_of_a_deactivated_clinic_cannot_log_in(anonymous_client, chiropractor, clinic):
    clinic.is_active = False
    clinic.save()

    response = anonymous_client.post(LOGIN, {"username": "dr.palmer", "password": TEST_PASSWORD})

    assert response.status_code == 400


def test_login_names_missing_and_unknown_fields(anonymous_client, db):
    response = anonymous_client.post(LOGIN, {"username": "dr.palmer", "pasword": "x"})

    assert response.status_code == 400
    errors = {(e["attr"], e["code"]) for e in response.json()["errors"]}
    assert errors == {("pasword", "unknown_field")}

    response = anonymous_client.post(LOGIN, {"username": "dr.palmer"})
    assert {(e["attr"], e["code"]) for e in response.json()["errors"]} == {("password", "required")}


def test_login_is_throttled_with_429_and_retry_after(anonymous_client, chiropractor):
    for _ in range(10):
        anonymous_client.post(LOGIN, {"username": "dr.palmer", "password": "wrong-password-123"})

    response = anonymous_client.post(LOGIN, {"username": "dr.palmer", "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert response.json()["type"] == "client_error"
    assert response.json()["errors"][0]["code"] == "throttled"
    assert int(response["Retry-After"]) > 0


def test_me_returns_user_clinic_and_role(front_desk_client, front_desk, clinic):
    response = front_desk_client.get(ME)

    assert response.status_code == 200
    assert response.json() == {
        "id": str(front_desk.id),
        "username": "desk.jane",
        "first_name": front_desk.first_name,
        "last_name": front_desk.last_name,
        "email": "desk.jane@example.com",
        "role": "front_desk",
        "clinic": {
            "id": str(clinic.id),
            "name": clinic.name,
            "slug": clinic.slug,
            "time_zone": "America/New_York",
        },
        "capabilities": capabilities_of("front_desk"),
    }
    assert response.json()["capabilities"]["patients"] == {"read": True, "write": True}
    assert response.json()["capabilities"]["conditions"] == {"read": False, "write": False}


def test_logout_revokes_the_token(chiropractor):
    client = client_for(chiropractor)

    assert client.post(LOGOUT).status_code == 204

    response = client.get(ME)
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"
    assert not AuthToken.objects.filter(user=chiropractor).exists()


def test_logout_leaves_the_users_other_devices_logged_in(chiropractor):
    tablet, laptop = client_for(chiropractor), client_for(chiropractor)

    tablet.post(LOGOUT)

    assert laptop.get(ME).status_code == 200


def test_token_expires_after_the_idle_time(chiropractor):
    client = client_for(chiropractor)
    AuthToken.objects.filter(user=chiropractor).update(expiry=timezone.now() - timedelta(seconds=1))

    response = client.get(ME)

    assert response.status_code == 401
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "authentication_failed", "detail": "Invalid token.", "attr": None}],
    }


def test_use_extends_the_idle_expiry(chiropractor):
    client = client_for(chiropractor)
    soon = timezone.now() + timedelta(minutes=2)
    AuthToken.objects.filter(user=chiropractor).update(expiry=soon)

    assert client.get(ME).status_code == 200

    renewed = AuthToken.objects.get(user=chiropractor).expiry
    assert renewed > soon + timedelta(minutes=20)


def test_a_token_in_use_outlives_a_one_minute_idle_window(chiropractor, settings):
    """With TOKEN_IDLE_MINUTES=1 the refresh interval shrinks with the window (6 s), so a token
    used every 40 s is extended each time instead of lapsing."""
    idle = timedelta(minutes=1)
    settings.REST_KNOX = {
        **settings.REST_KNOX,
        "TOKEN_TTL": idle,
        "MIN_REFRESH_INTERVAL": min(60, int(idle.total_seconds()) // 10),
    }
    client = client_for(chiropractor)
    used_40_seconds_ago = timezone.now() + idle - timedelta(seconds=40)
    AuthToken.objects.filter(user=chiropractor).update(expiry=used_40_seconds_ago)

    assert client.get(ME).status_code == 200

    renewed = AuthToken.objects.get(user=chiropractor).expiry
    assert renewed > used_40_seconds_ago + timedelta(seconds=30)


def test_token_expires_after_its_absolute_lifetime_however_much_it_is_used(chiropractor):
    client = client_for(chiropractor)
    lifetime = settings.REST_KNOX["AUTO_REFRESH_MAX_TTL"]
    now = timezone.now()
    # In constant use for almost its whole lifetime: one minute of it is left.
    AuthToken.objects.filter(user=chiropractor).update(
        created=now - lifetime + timedelta(minutes=1), expiry=now + timedelta(minutes=5)
    )
    assert client.get(ME).status_code == 200

    # Two minutes later the lifetime is over, although the idle expiry is still ahead.
    AuthToken.objects.filter(user=chiropractor).update(
        created=now - lifetime - timedelta(minutes=1), expiry=now + timedelta(minutes=5)
    )
    assert client.get(ME).status_code == 401


def test_request_without_token_gets_401_with_bearer_challenge(anonymous_client, db):
    response = anonymous_client.get(ME)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "not_authenticated",
                "detail": "Authentication credentials were not provided.",
                "attr": None,
            }
        ],
    }


def test_malformed_authorization_header_gets_401(anonymous_client, db):
    anonymous_client.credentials(HTTP_AUTHORIZATION="Bearer")

    assert anonymous_client.get(ME).status_code == 401


@pytest.mark.parametrize(
    "header", [b"Bearer \xc3\xa9", b"Bearer abc\x00def", b"Bearer not-a-hex-token"]
)
def test_a_malformed_token_gets_401_not_500(anonymous_client, db, header):
    response = anonymous_client.get(ME, HTTP_AUTHORIZATION=header.decode("latin-1"))

    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "authentication_failed"


def test_a_forged_forwarded_for_header_does_not_dodge_the_login_throttle(
    anonymous_client, chiropractor
):
    for n in range(10):
        anonymous_client.post(
            LOGIN,
            {"username": "dr.palmer", "password": "wrong-password-123"},
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )

    response = anonymous_client.post(
        LOGIN,
        {"username": "dr.palmer", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )

    assert response.status_code == 429


# One GET per resource of the capabilities: allowed exactly when /me says `read`.
READ_PROBES = {
    "patients": "/api/v1/patients/",
    "conditions": "/api/v1/conditions/",
    "treatment_plans": "/api/v1/treatment-plans/",
    "plan_items": "/api/v1/treatment-plans/{uuid}/goals/",
    "visits": "/api/v1/visits/",
    "outcome_measures": "/api/v1/patients/{uuid}/outcomes/",
    "record_history": "/api/v1/patients/{uuid}/history/",
    "staff": "/api/v1/staff/",
    "audit_events": "/api/v1/audit-events/",
    "clinic_settings": "/api/v1/clinic/",
    "break_glass": "/api/v1/break-glass/",
    "reference": "/api/v1/reference/segments/",
    "appointment_types": "/api/v1/appointment-types/",
    "schedules": "/api/v1/working-hours/",
    "appointments": "/api/v1/appointments/",
    "appointment_reminders": "/api/v1/appointment-reminders/",
    "coverage": "/api/v1/coverages/",
    "fee_schedule": "/api/v1/fee-schedule/",
    "billing": "/api/v1/visits/{uuid}/claim/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["chiropractor", "front_desk", "clinic_admin"])
def test_capabilities_say_what_the_server_allows(role, clinic):
    import uuid

    from tests.conftest import client_for
    from tests.factories import UserFactory

    client = client_for(UserFactory(clinic=clinic, role=role))
    capabilities = client.get("/api/v1/auth/me").json()["capabilities"]

    assert set(READ_PROBES) == set(capabilities) - {"clinical_fields"}
    for resource, path in READ_PROBES.items():
        answer = client.get(path.format(uuid=uuid.uuid4()))
        assert (answer.status_code != 403) == capabilities[resource]["read"], (role, resource)
