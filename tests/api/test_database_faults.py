"""A database that fails, waits on a lock or does not answer costs a request a prompt 503 with
Retry-After in the one error shape: never a 500, never a hang, and the API recovers by itself."""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import requests
from django.db import connection
from knox.models import AuthToken

from api.health import connection_parameters, database_answers
from ops.loadtest.servers import current_database_url
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import PatientFactory
from tests.live_server import free_port


def assert_database_unavailable(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "server_error"
    assert [error["code"] for error in body["errors"]] == ["database_unavailable"]


@pytest.fixture
def row_locked_elsewhere(patient) -> Iterator[None]:
    """Another session holds the patient's row lock (a long transaction of another worker)."""
    other = psycopg.connect(**connection_parameters())
    other.execute("SELECT 1 FROM patients_patient WHERE id = %s FOR UPDATE", [patient.pk])
    yield
    other.rollback()
    other.close()


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_lock_wait_beyond_the_lock_timeout_answers_503(
    settings, chiropractor, patient, row_locked_elsewhere
):
    settings.DB_LOCK_TIMEOUT_MS = 300
    client = client_for(chiropractor)
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 200  # reads still go

    started = time.monotonic()
    response = client.patch(f"/api/v1/patients/{patient.pk}/", {"phone": "+1 617 555 0100"})

    assert_database_unavailable(response)
    assert time.monotonic() - started < 6  # the lock timeout, not the other session's end
    patient.refresh_from_db()
    assert patient.phone != "+16175550100"  # nothing written


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_statement_beyond_the_statement_timeout_answers_503_then_the_api_goes_on(
    settings, chiropractor, patient, row_locked_elsewhere
):
    settings.DB_STATEMENT_TIMEOUT_MS = 300
    settings.DB_LOCK_TIMEOUT_MS = 60_000
    client = client_for(chiropractor)

    assert_database_unavailable(
        client.patch(f"/api/v1/patients/{patient.pk}/", {"first_name": "Late"})
    )
    assert client.get(f"/api/v1/patients/{patient.pk}/").status_code == 200


@pytest.fixture
def frozen_database() -> Iterator[int]:
    """A port that accepts connections and never answers: a database stopped by SIGSTOP."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for peer in held:
        peer.close()
    listener.close()


@pytest.mark.system
def test_the_health_probe_answers_promptly_whatever_the_database_does(frozen_database):
    frozen = {**connection_parameters(), "host": "127.0.0.1", "port": frozen_database}

    started = time.monotonic()
    assert database_answers(1, frozen) is False
    assert time.monotonic() - started < 5  # the probe's timeout, not the database's
    assert database_answers(1) is True  # the real one


@pytest.mark.system
@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_server_whose_database_is_down_or_frozen_answers_503_in_bounded_time(
    start_server, frozen_database
):
    down = f"postgres://nobody@127.0.0.1:{free_port()}/nothing"
    frozen = f"postgres://nobody@127.0.0.1:{frozen_database}/nothing"
    for url in (down, frozen):
        # One worker, warmed up by the start's health probe: the times are the database's.
        base = start_server(workers=1, healthy=False, DATABASE_URL=url, DB_CONNECT_TIMEOUT="1")
        for path in ("/healthz", "/api/v1/patients/", "/api/v1/auth/login"):
            started = time.monotonic()
            if path.endswith("login"):
                response = requests.post(
                    f"{base}{path}", json={"username": "a@b", "password": "x"}, timeout=30
                )
            else:
                response = requests.get(
                    f"{base}{path}",
                    headers={"Authorization": "Bearer abc", "Origin": "http://localhost:5173"},
                    timeout=30,
                )
                # A browser front end can read the 503: CORS and the request id are kept.
                assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:5173"
            assert "X-Request-ID" in response.headers
            assert_database_unavailable(response)
            # libpq waits at least 2 s to connect, then the request gives up on the database:
            # seconds, where a frozen database used to hold it as long as it stayed frozen.
            assert time.monotonic() - started < 8, (url, path)


@pytest.mark.system
@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_api_recovers_by_itself_when_its_connections_are_cut(
    start_server, chiropractor, patient
):
    _, token = AuthToken.objects.create(chiropractor)
    headers = {"Authorization": f"Bearer {token}"}
    base = start_server(workers=2)
    url = f"{base}/api/v1/patients/{patient.pk}/"
    assert requests.get(url, headers=headers, timeout=30).status_code == 200

    with connection.cursor() as cursor:  # what a database restart does to every connection
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )

    statuses = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(6)]
    assert set(statuses) <= {200, 503}
    assert statuses[-2:] == [200, 200]


def test_503_is_documented_on_every_operation_with_retry_after():
    import yaml
    from django.conf import settings as django_settings

    schema = yaml.safe_load((django_settings.BASE_DIR / "openapi.yaml").read_text())
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict):
                continue
            response = operation["responses"].get("503")
            assert response is not None, f"{method} {path}"
            assert "database_unavailable" in response["x-error-codes"]
            assert "Retry-After" in response["headers"]


@pytest.fixture
def patient(clinic):  # committed, so that the server's workers and other sessions see it
    return PatientFactory(clinic=clinic)


def _hang_up(end: socket.socket) -> None:
    # shutdown() ends the connection even while another thread is blocked in recv() on it;
    # close() alone would wait for that thread, and the server would keep its session open.
    with contextlib.suppress(OSError):
        end.shutdown(socket.SHUT_RDWR)
    end.close()


class FreezableProxy:
    """A TCP proxy in front of the test database that can stop passing bytes while holding
    its connections open: what a server frozen by SIGSTOP looks like to an open connection
    (the kernel still accepts what is sent; nothing comes back)."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.passing = threading.Event()
        self.passing.set()
        self.stopped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _connect_upstream(self) -> socket.socket:
        host, port = self.upstream
        if host.startswith("/"):  # a Unix-domain socket's directory (the embedded server)
            upstream = socket.socket(socket.AF_UNIX)
            upstream.connect(f"{host}/.s.PGSQL.{port}")
            return upstream
        return socket.create_connection((host, port))

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client = self.listener.accept()[0]
            except OSError:
                continue
            upstream = self._connect_upstream()
            self.sockets += [client, upstream]
            for source, target in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while not self.stopped.is_set():
                data = source.recv(65536)
                if not data:
                    return
                while not self.passing.wait(0.2):
                    if self.stopped.is_set():
                        return
                target.sendall(data)
        except OSError:
            return
        finally:  # one side gone: so is the other, as with a real connection
            for end in (source, target):
                _hang_up(end)

    def close(self) -> None:
        self.stopped.set()
        self.passing.set()
        for held in [self.listener, *self.sockets]:
            _hang_up(held)


@pytest.fixture
def freezable_proxy() -> Iterator[FreezableProxy]:
    parameters = connection_parameters()
    proxy = FreezableProxy(
        parameters.get("host") or "127.0.0.1", int(parameters.get("port") or 5432)
    )
    yield proxy
    proxy.close()


@pytest.mark.system
@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_database_frozen_under_open_connections_answers_503_within_the_deadline(
    start_server, freezable_proxy, chiropractor, patient
):
    _, token = AuthToken.objects.create(chiropractor)
    headers = {"Authorization": f"Bearer {token}"}
    parts = urlsplit(current_database_url())
    through_proxy = urlunsplit(
        parts._replace(netloc=f"{parts.username}@127.0.0.1:{freezable_proxy.port}")
    )
    base = start_server(
        workers=1,
        DATABASE_URL=through_proxy,
        DB_STATEMENT_TIMEOUT_MS="1000",
        DB_REQUEST_TIMEOUT_MS="1500",
        DB_CONNECT_TIMEOUT="1",
    )
    url = f"{base}/api/v1/patients/{patient.pk}/"
    assert requests.get(url, headers=headers, timeout=30).status_code == 200  # connection kept

    freezable_proxy.passing.clear()
    started = time.monotonic()
    frozen = requests.get(url, headers=headers, timeout=30)
    waited = time.monotonic() - started
    freezable_proxy.passing.set()

    assert_database_unavailable(frozen)
    # The request's deadline (1.5 s), then the audit event's attempt to connect again (libpq
    # waits at least 2 s): seconds, where it used to hang as long as the database stayed frozen.
    assert waited < 5, waited
    statuses = [requests.get(url, headers=headers, timeout=30).status_code for _ in range(3)]
    assert statuses[-1] == 200, statuses
