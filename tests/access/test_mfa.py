"""TOTP second factor: enrol, log in with a code computed here as an authenticator app would,
wrong codes refused and counted toward the lockout, recovery codes that work once, turned off
by the user or a clinic admin, and required per role by the clinic."""

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pyotp
import pytest
from axes.models import AccessAttempt
from rest_framework.test import APIClient

from accounts.models import RecoveryCode
from audit.models import AuditEvent
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD

LOGIN = "/api/v1/auth/login"
VERIFY = "/api/v1/auth/login/verify"


def authenticator_for(enrolment: dict) -> pyotp.TOTP:
    """What an authenticator app makes of the key URI (its QR code)."""
    uri = urlparse(enrolment["otpauth_uri"])
    params = {name: values[0] for name, values in parse_qs(uri.query).items()}
    assert uri.scheme == "otpauth" and uri.netloc == "totp"
    assert params["secret"] == enrolment["secret"]
    assert (params["algorithm"], params["digits"], params["period"]) == ("SHA1", "6", "30")
    return pyotp.TOTP(params["secret"], digits=6, interval=30)


def code_at(app: pyotp.TOTP, steps_from_now: int) -> str:
    # The server accepts one step either side, each step once: tests use the next ones.
    return app.at(time.time() + 30 * steps_from_now)


def a_new_address() -> str:
    # Each call from its own address, so that the per-address login throttle stays out of it.
    a_new_address.calls = getattr(a_new_address, "calls", 0) + 1
    return f"203.0.113.{a_new_address.calls % 250 + 1}"


def log_in(username: str = "dr.palmer", address: str | None = None):
    return APIClient(REMOTE_ADDR=address or a_new_address()).post(
        LOGIN, {"username": username, "password": TEST_PASSWORD}
    )


def verify(challenge: str, code: str, address: str | None = None):
    return APIClient(REMOTE_ADDR=address or a_new_address()).post(
        VERIFY, {"challenge": challenge, "code": code}
    )


def enrol(client: APIClient) -> tuple[pyotp.TOTP, list[str]]:
    started = client.post("/api/v1/auth/mfa/enrol", {"password": TEST_PASSWORD})
    assert started.status_code == 201, started.json()
    app = authenticator_for(started.json())
    assert started.json()["qr_svg"].startswith("<svg")
    confirmed = client.post("/api/v1/auth/mfa/confirm", {"code": code_at(app, 0)})
    assert confirmed.status_code == 200, confirmed.json()
    return app, confirmed.json()["recovery_codes"]


@pytest.mark.django_db
def test_enrol_then_login_needs_the_code_a_wrong_code_is_refused_and_a_recovery_code_works_once(
    chiropractor, time_machine
):
    client = client_for(chiropractor)
    assert client.get("/api/v1/auth/mfa").json() == {
        "enabled": False,
        "required": False,
        "recovery_codes_left": 0,
    }
    app, recovery_codes = enrol(client)
    assert len(recovery_codes) == 10 and len(set(recovery_codes)) == 10
    assert client.get("/api/v1/auth/mfa").json()["recovery_codes_left"] == 10

    # The password alone no longer gives a token.
    step_one = log_in()
    assert step_one.status_code == 202
    body = step_one.json()
    assert body["step"] == "verify" and body["enrolment"] is None and "token" not in body

    wrong = verify(body["challenge"], "000000" if code_at(app, 1) != "000000" else "111111")
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["code"] == "invalid_code"
    # django-otp waits a second after a wrong code before it checks the next.
    too_soon = verify(body["challenge"], code_at(app, 1))
    assert too_soon.status_code == 429 and int(too_soon["Retry-After"]) >= 1
    # The clock moves past the wait instead of the test sleeping through it.
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=1.1))

    right = verify(body["challenge"], code_at(app, 1))
    assert right.status_code == 200, right.json()
    assert AuditEvent.objects.filter(action="login").latest("id").changed_fields == []
    token = right.json()["token"]
    assert right.json()["recovery_codes"] == []
    me = APIClient(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json()["username"] == "dr.palmer"

    # A challenge works once, and a code once.
    assert verify(body["challenge"], code_at(app, 2)).status_code == 400
    assert verify(log_in().json()["challenge"], code_at(app, 1)).status_code == 400

    # A recovery code stands in for the authenticator, once.
    challenge = log_in().json()["challenge"]
    assert verify(challenge, recovery_codes[0].upper()).status_code == 200
    used = AuditEvent.objects.filter(action="login").latest("id")
    assert used.changed_fields == ["recovery_codes"]
    again = verify(log_in().json()["challenge"], recovery_codes[0])
    assert again.status_code == 400
    assert RecoveryCode.objects.filter(user=chiropractor, used_at__isnull=False).count() == 1

    actions = list(
        AuditEvent.objects.filter(user_id=chiropractor.pk)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[:3] == ["read", "mfa_enrol", "mfa_enable"]
    assert actions.count("mfa_challenge") == 4 and actions.count("login") == 2
    failed = AuditEvent.objects.filter(action="login_failed", username="dr.palmer")
    assert failed.count() == 5
    assert set(failed.values_list("resource_type", flat=True)) == {"session"}


@pytest.mark.django_db
def test_wrong_codes_count_toward_the_account_lockout(chiropractor):
    # Wrong recovery codes: wrong six-digit ones are slowed down first by django-otp (1, 2,
    # 4… seconds between tries), which the test above shows.
    enrol(client_for(chiropractor))
    bad = "guess-again"
    for attempt in range(10):
        challenge = log_in(address=f"198.51.100.{attempt + 1}").json()["challenge"]
        assert verify(challenge, bad, address=f"198.51.100.{attempt + 1}").status_code == 400

    # Locked: the password step is refused as a wrong password, and a right code is too.
    locked = log_in(address="198.51.100.77")
    assert locked.status_code == 400
    assert AuditEvent.objects.filter(action="lockout", username="dr.palmer").exists()


@pytest.mark.django_db
def test_a_forged_or_expired_challenge_is_refused(chiropractor, settings):
    app, _ = enrol(client_for(chiropractor))
    challenge = log_in().json()["challenge"]

    forged = verify(challenge[:-2] + "xx", code_at(app, 1))
    assert forged.status_code == 400
    assert forged.json()["errors"][0] == {
        "code": "invalid_challenge",
        "detail": "The challenge is not valid or has expired; log in again.",
        "attr": "challenge",
    }

    settings.MFA_CHALLENGE_SECONDS = -1
    assert verify(challenge, code_at(app, 1)).json()["errors"][0]["code"] == "invalid_challenge"


@pytest.mark.django_db
def test_a_clinic_that_requires_a_second_factor_enrols_its_staff_at_their_next_login(
    chiropractor, clinic_admin
):
    admin = client_for(clinic_admin)
    changed = admin.patch("/api/v1/clinic/", {"mfa_required_roles": ["chiropractor"]})
    assert changed.status_code == 200
    assert changed.json()["mfa_required_roles"] == ["chiropractor"]
    assert (
        client_for(chiropractor).patch("/api/v1/clinic/", {"mfa_required_roles": []}).status_code
        == 403
    )

    step_one = log_in()
    assert step_one.status_code == 202
    body = step_one.json()
    assert body["step"] == "enrol"
    app = authenticator_for(body["enrolment"])

    done = verify(body["challenge"], code_at(app, 0))
    assert done.status_code == 200, done.json()
    assert len(done.json()["recovery_codes"]) == 10
    enrolled = AuditEvent.objects.filter(action="login").latest("id")
    assert enrolled.changed_fields == ["mfa_enabled", "recovery_codes"]
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {done.json()['token']}")
    assert client.get("/api/v1/auth/mfa").json() == {
        "enabled": True,
        "required": True,
        "recovery_codes_left": 10,
    }

    # Required: the user may not turn it off; the next login asks for a code.
    refused = client.post(
        "/api/v1/auth/mfa/disable", {"password": TEST_PASSWORD, "code": code_at(app, 1)}
    )
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "mfa_required"
    assert log_in().json()["step"] == "verify"
    # Other roles are not asked.
    assert log_in("admin.alex").status_code == 200


@pytest.mark.django_db
def test_the_user_turns_it_off_with_their_password_and_an_admin_resets_it(
    chiropractor, clinic_admin
):
    client = client_for(chiropractor)
    app, _ = enrol(client)
    disable = "/api/v1/auth/mfa/disable"
    wrong = client.post(disable, {"password": "not-my-password", "code": code_at(app, 1)})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["attr"] == "password"
    no_code = client.post(disable, {"password": TEST_PASSWORD, "code": "guess-again"})
    assert no_code.status_code == 400 and no_code.json()["errors"][0]["attr"] == "code"
    # Both counted toward the lockout, as at login.
    assert AccessAttempt.objects.get(username="dr.palmer").failures_since_start == 2
    assert (
        client.post(disable, {"password": TEST_PASSWORD, "code": code_at(app, 1)}).status_code
        == 204
    )
    assert log_in().status_code == 200
    assert RecoveryCode.objects.filter(user=chiropractor, retired_at__isnull=True).count() == 0

    enrol(client)
    admin = client_for(clinic_admin)
    staff = admin.get(f"/api/v1/staff/{chiropractor.pk}/").json()
    assert staff["mfa_enabled"] is True
    reset = admin.post(f"/api/v1/staff/{chiropractor.pk}/mfa-reset/")
    assert reset.status_code == 200 and reset.json()["mfa_enabled"] is False
    assert log_in().status_code == 200
    event = AuditEvent.objects.filter(action="mfa_disable", user_id=clinic_admin.pk).get()
    assert event.resource_type == "staff" and event.object_ids == [str(chiropractor.pk)]
    # Not their own: a stolen admin token alone must not take the admin's factor away.
    own = admin.post(f"/api/v1/staff/{clinic_admin.pk}/mfa-reset/")
    assert own.status_code == 409 and own.json()["errors"][0]["code"] == "self_mfa_reset"


@pytest.mark.django_db
def test_new_recovery_codes_need_a_code_and_retire_the_old_ones(chiropractor):
    client = client_for(chiropractor)
    app, old_codes = enrol(client)
    assert (
        client.post("/api/v1/auth/mfa/recovery-codes", {"code": old_codes[0]}).status_code == 400
    )  # a recovery code cannot mint new ones

    renewed = client.post("/api/v1/auth/mfa/recovery-codes", {"code": code_at(app, 1)})
    assert renewed.status_code == 200
    new_codes = renewed.json()["recovery_codes"]
    assert verify(log_in().json()["challenge"], old_codes[1]).status_code == 400
    assert verify(log_in().json()["challenge"], new_codes[0]).status_code == 200


@pytest.mark.django_db
def test_enrolling_needs_the_password_and_a_second_one_while_on_is_refused(chiropractor):
    client = client_for(chiropractor)
    wrong = client.post("/api/v1/auth/mfa/enrol", {"password": "not-my-password"})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "invalid_credentials"
    enrol(client)
    again = client.post("/api/v1/auth/mfa/enrol", {"password": TEST_PASSWORD})
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "mfa_already_enabled"


@pytest.mark.django_db
def test_wrong_codes_on_the_signed_in_endpoints_are_counted_and_slowed(chiropractor, time_machine):
    client = client_for(chiropractor)
    app, _ = enrol(client)
    bad = "000000" if code_at(app, 1) != "000000" else "111111"
    renew = "/api/v1/auth/mfa/recovery-codes"

    assert client.post(renew, {"code": bad}).status_code == 400
    # The failure was kept (the answer did not roll it back): django-otp now waits.
    assert client.post(renew, {"code": code_at(app, 1)}).status_code == 429
    assert AccessAttempt.objects.get(username="dr.palmer").failures_since_start == 1
    # The clock moves past the wait instead of the test sleeping through it.
    time_machine.move_to(datetime.now(UTC) + timedelta(seconds=1.1))
    assert client.post(renew, {"code": code_at(app, 1).replace("", " ").strip()}).status_code == 200


@pytest.mark.django_db
def test_a_login_enrolment_confirms_only_the_authenticator_it_showed(chiropractor, clinic_admin):
    client_for(clinic_admin).patch("/api/v1/clinic/", {"mfa_required_roles": ["chiropractor"]})
    first = log_in().json()
    second = log_in().json()  # replaces the first, unconfirmed authenticator
    first_app = authenticator_for(first["enrolment"])
    second_app = authenticator_for(second["enrolment"])

    assert verify(first["challenge"], code_at(first_app, 0)).status_code == 400
    assert verify(first["challenge"], code_at(second_app, 0)).status_code == 400
    assert verify(second["challenge"], code_at(second_app, 0)).status_code == 200


@pytest.mark.django_db
def test_another_clinics_devices_are_invisible_to_the_api_role(chiropractor, other_admin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    enrol(client_for(chiropractor))
    other = client_for(other_admin)
    assert other.get("/api/v1/auth/mfa").json()["enabled"] is False
    assert other.post(f"/api/v1/staff/{chiropractor.pk}/mfa-reset/").status_code == 404
    assert TOTPDevice.objects.filter(user=chiropractor, confirmed=True).count() == 1
