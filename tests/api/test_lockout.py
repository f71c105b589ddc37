"""Account lockout: repeated wrong passwords lock an account (shared by every worker, in the
database), a locked account is told exactly what a wrong password is told, and it unlocks
after the cool-off or when a clinic admin unlocks it."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

LOGIN = "/api/v1/auth/login"


def login(password: str, username: str = "dr.palmer"):
    # From a new address each time, as a spread-out attack: the per-address throttle never
    # trips, so only the account lock stands in the way.
    login.calls = getattr(login, "calls", 0) + 1
    client = APIClient(REMOTE_ADDR=f"198.51.100.{login.calls % 250 + 1}")
    return client.post(LOGIN, {"username": username, "password": password})


def fail_ten_times(username: str = "dr.palmer") -> None:
    for _ in range(10):
        assert login("not-the-password", username).status_code == 400


@pytest.mark.django_db
def test_ten_wrong_passwords_lock_the_account_and_the_lock_looks_like_a_wrong_password(
    chiropractor,
):
    wrong = login("not-the-password")
    fail_ten_times()

    locked = login(TEST_PASSWORD)

    assert locked.status_code == wrong.status_code == 400
    assert locked.json() == wrong.json()
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.username, event.clinic_id) == (
        "lockout",
        "dr.palmer",
        chiropractor.clinic_id,
    )


@pytest.mark.django_db
def test_nine_failures_then_the_right_password_get_in_and_reset_the_count(chiropractor):
    for _ in range(9):
        login("not-the-password")

    assert login(TEST_PASSWORD).status_code == 200
    assert login("not-the-password").status_code == 400
    assert login(TEST_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_lock_ends_after_the_cool_off(chiropractor, settings):
    fail_ten_times()
    assert login(TEST_PASSWORD).status_code == 400

    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)

    assert login(TEST_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_a_clinic_admin_unlocks_an_account_and_it_is_audited(
    chiropractor, clinic_admin_client, other_admin_client
):
    fail_ten_times()

    foreign = other_admin_client.post(f"/api/v1/staff/{chiropractor.id}/unlock/")
    unlocked = clinic_admin_client.post(f"/api/v1/staff/{chiropractor.id}/unlock/")

    assert foreign.status_code == 404
    assert unlocked.status_code == 200
    event = AuditEvent.objects.order_by("-id").first()
    assert (event.action, event.object_ids) == ("unlock", [str(chiropractor.id)])
    assert login(TEST_PASSWORD).status_code == 200


@pytest.mark.django_db
def test_locking_one_account_leaves_the_others_at_the_same_address(chiropractor, front_desk):
    fail_ten_times()

    assert login(TEST_PASSWORD, "desk.jane").status_code == 200


@pytest.mark.django_db
def test_the_admin_login_counts_toward_the_same_lock(chiropractor):
    admin = APIClient()
    for _ in range(10):
        admin.post(
            "/admin/login/?next=/admin/",
            {"username": "dr.palmer", "password": "not-the-password"},
            format="multipart",
        )

    assert login(TEST_PASSWORD).status_code == 400
    from_admin = AccessAttempt.objects.get(username="dr.palmer", ip_address="127.0.0.1")
    assert from_admin.failures_since_start == 10


@pytest.mark.django_db
def test_the_admin_login_shares_the_address_throttle_of_the_api_login(chiropractor):
    # Different accounts, so that no account lock gets in the way: only the address counts.
    admin = APIClient(REMOTE_ADDR="192.0.2.50")
    for n in range(5):
        admin.post(
            "/admin/login/?next=/admin/",
            {"username": f"nobody{n}", "password": "not-the-password"},
            format="multipart",
        )
    api = APIClient(REMOTE_ADDR="192.0.2.50")
    for n in range(5):
        api.post(LOGIN, {"username": f"nobody{n}", "password": "not-the-password"})

    refused = admin.post(
        "/admin/login/?next=/admin/",
        {"username": "dr.palmer", "password": TEST_PASSWORD},
        format="multipart",
    )
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert api.post(LOGIN, {"username": "dr.palmer", "password": TEST_PASSWORD}).status_code == 429
    assert login(TEST_PASSWORD).status_code == 200  # from another address


class CountingHasher(MD5PasswordHasher):
    """The test suite's hasher, counting how often a password is hashed."""

    hashed = 0

    def encode(self, password, salt):
        CountingHasher.hashed += 1
        return super().encode(password, salt)


@pytest.mark.django_db
def test_a_locked_account_hashes_the_password_as_a_wrong_password_does(chiropractor, settings):
    settings.PASSWORD_HASHERS = ["tests.api.test_lockout.CountingHasher"]

    def hashes_of(password: str, username: str = "dr.palmer") -> int:
        before = CountingHasher.hashed
        assert login(password, username).status_code == 400
        return CountingHasher.hashed - before

    wrong = hashes_of("not-the-password")
    unknown = hashes_of("not-the-password", username="nobody")
    fail_ten_times()
    locked = hashes_of(TEST_PASSWORD)

    assert wrong == unknown == locked == 1
