"""The login throttle and the account lockout hold across the worker processes of a real
server (gunicorn, several workers), because their counts live in the shared database."""

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.db import connection

from clinics.models import Role
from tests.conftest import FLUSHABLE_APPS
from tests.factories import UserFactory

PASSWORD = "violet-anchor-mirror-93-sled"
WORKERS = 3


def database_url() -> str:
    """This test database, as the server's owner URL (its API role is derived from it): the
    configured URL (a TCP server or the embedded one's socket) naming the test database."""
    parts = urlsplit(settings.DATABASE_URL)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def start_server():
    servers = []

    def start(**env: str) -> str:
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "api.wsgi:application",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": database_url(), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        servers.append(server)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/healthz", timeout=10).status_code == 200:
                    return base
            except requests.RequestException:  # not listening yet, or still booting
                time.sleep(0.3)
        server.kill()
        raise AssertionError(f"the server did not start: {server.stderr.read()[-2000:]!r}")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)


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
