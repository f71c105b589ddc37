"""Two production servers on one database answer as one: the app tier keeps no state that
matters in a process (lockout counts, idempotency keys and versions live in PostgreSQL)."""

import pytest
import requests
from knox.models import AuthToken

from api.roles import Role
from tests.conftest import FLUSHABLE_APPS
from tests.factories import PatientFactory, UserFactory

PASSWORD = "violet-anchor-mirror-93-sled"

pytestmark = [
    pytest.mark.system,  # two production servers
    pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS),
]


@pytest.fixture
def servers(start_server) -> list[str]:
    return [start_server(workers=2, LOGIN_THROTTLE_RATE="1000/min") for _ in range(2)]


@pytest.fixture
def desk(clinic, settings):
    # The servers hash as in production: the password is stored the same way.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return UserFactory(clinic=clinic, role=Role.FRONT_DESK, username="desk.two", password=PASSWORD)


def bearer(user) -> dict[str, str]:
    return {"Authorization": f"Bearer {AuthToken.objects.create(user)[1]}"}


def test_a_lockout_counted_on_one_server_holds_on_the_other(servers, desk):
    first, second = servers

    def login(base: str, password: str) -> int:
        return requests.post(
            f"{base}/api/v1/auth/login",
            json={"username": "desk.two", "password": password},
            timeout=30,
        ).status_code

    failures = [login(servers[n % 2], "wrong-password-123") for n in range(10)]

    assert failures == [400] * 10
    assert login(second, PASSWORD) == 400  # locked: answered as a wrong password
    assert login(first, PASSWORD) == 400


def test_an_idempotency_key_used_on_one_server_replays_on_the_other(servers, desk):
    first, second = servers
    headers = {**bearer(desk), "Idempotency-Key": "two-servers-1"}
    body = {
        "given_name": "Ada",
        "family_name": "Twoservers",
        "date_of_birth": "1980-01-01",
        "sex_at_birth": "female",
    }

    created = requests.post(f"{first}/api/v1/patients/", json=body, headers=headers, timeout=30)
    replayed = requests.post(f"{second}/api/v1/patients/", json=body, headers=headers, timeout=30)

    assert created.status_code == replayed.status_code == 201
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == created.json()


def test_an_etag_read_on_one_server_guards_a_write_on_the_other(servers, desk, clinic):
    first, second = servers
    patient = PatientFactory(clinic=clinic)
    headers = bearer(desk)
    url = f"/api/v1/patients/{patient.pk}/"

    etag = requests.get(f"{first}{url}", headers=headers, timeout=30).headers["ETag"]
    changed = requests.patch(
        f"{second}{url}",
        json={"occupation": "Carpenter"},
        headers={**headers, "If-Match": etag},
        timeout=30,
    )
    stale = requests.patch(
        f"{first}{url}",
        json={"occupation": "Welder"},
        headers={**headers, "If-Match": etag},
        timeout=30,
    )

    assert changed.status_code == 200
    assert stale.status_code == 412
    assert requests.get(f"{first}{url}", headers=headers, timeout=30).json()["occupation"] == (
        "Carpenter"
    )
