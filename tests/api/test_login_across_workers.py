"""The login throttle and the account lockout hold across the worker processes of a real
server (gunicorn, several workers), because their counts live in the shared database."""

import pytest
import requests

from api.roles import Role
from tests.conftest import FLUSHABLE_APPS
from tests.factories import UserFactory

pytestmark = pytest.mark.system  # production servers

PASSWORD = "violet-anchor-mirror-93-sled"


def attempts(base: str, passwords: list[str]) -> list[int]:
    # A new connection each time, so that the workers take turns.
    return [
        requests.post(
            f"{base}/api/v1/auth/login",
            json={"username": "dr.workers", "password": password},
            headers={"Connection": "close"},
            timeout=30,
        ).status_code
        for password in passwords
    ]


@pytest.fixture
def staff_member(clinic, settings):
    # The server hashes as in production: the password is stored the same way.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return UserFactory(
        clinic=clinic, role=Role.CHIROPRACTOR, username="dr.workers", password=PASSWORD
    )


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_login_throttle_counts_across_workers(start_server, staff_member):
    base = start_server(LOGIN_THROTTLE_RATE="10/min")

    codes = attempts(base, ["wrong-password-123"] * 10 + [PASSWORD])

    assert codes == [400] * 10 + [429]


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_account_lockout_counts_across_workers(start_server, staff_member):
    base = start_server(LOGIN_THROTTLE_RATE="1000/min")

    codes = attempts(base, ["wrong-password-123"] * 10 + [PASSWORD])

    assert codes == [400] * 11


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_admin_login_is_throttled_across_workers_too(start_server, staff_member):
    # The operators' process (the Django admin, served as the owner) with several workers.
    base = start_server(LOGIN_THROTTLE_RATE="10/min", SERVE_AS_APP_ROLE="false")
    session = requests.Session()
    session.get(f"{base}/admin/login/", timeout=30)
    form = {"username": "dr.workers", "csrfmiddlewaretoken": session.cookies["csrftoken"]}

    codes = [
        session.post(
            f"{base}/admin/login/?next=/admin/",
            data={**form, "password": password},
            headers={"Connection": "close", "Referer": f"{base}/admin/login/"},
            allow_redirects=False,
            timeout=30,
        ).status_code
        for password in ["wrong-password-123"] * 10 + [PASSWORD]
    ]

    assert codes == [200] * 10 + [429]  # the form again for each wrong password, then refused
