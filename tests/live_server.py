"""A real production server (gunicorn, several workers) for the tests where the process
boundary matters: counts shared between workers, database faults, a generated client."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest
import requests
from django.conf import settings

from ops.loadtest.servers import current_database_url, free_port


@pytest.fixture
def start_server(request: pytest.FixtureRequest) -> Iterator[Callable[..., str]]:
    """`start_server(workers=3, healthy=True, development=False, **env)` → the base URL of a
    gunicorn server (or, with `development`, of `make run`'s runserver) on this test database
    (or `DATABASE_URL` in env). With `healthy`, it waits for /healthz to
    answer 200; otherwise for any answer at all (a server whose database is down)."""
    if request.node.get_closest_marker("system") is None:
        pytest.fail("A test that starts a server is a system test: mark it @pytest.mark.system.")
    servers: list[subprocess.Popen] = []

    def start(workers: int = 3, healthy: bool = True, development: bool = False, **env: str) -> str:
        port = free_port()
        command = (
            # `make run`'s server: Django's development server, a thread per connection.
            ["manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
            if development
            else ["-m", "gunicorn", "config.wsgi:application"]
            + ["--workers", str(workers), "--bind", f"127.0.0.1:{port}"]
        )
        server = subprocess.Popen(
            [sys.executable, *command],
            cwd=settings.BASE_DIR,
            env={**os.environ, "DATABASE_URL": current_database_url(), **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        servers.append(server)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status = requests.get(f"{base}/healthz", timeout=10).status_code
            except requests.RequestException:  # not listening yet, or still booting
                time.sleep(0.3)
                continue
            if status == 200 or not healthy:
                return base
            time.sleep(0.3)
        server.kill()
        raise AssertionError(f"the server did not start: {server.stderr.read()[-2000:]!r}")

    yield start
    for server in servers:
        server.terminate()
        server.wait(timeout=30)
