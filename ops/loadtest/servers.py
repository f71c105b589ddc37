"""Production servers for the load test and `make serve`: gunicorn with production settings."""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.db import connection

from config.embedded_db import url_with_user

ROOT = Path(__file__).resolve().parents[2]
TICKS = os.sysconf("SC_CLK_TCK")


def through_port(url: str, port: int) -> str:
    """`url` sent to a local TCP port instead (the round-trip counter), without TLS."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    query = [p for p in parts.query.split("&") if p and not p.startswith(("host=", "sslmode="))]
    query += ["sslmode=disable", "gssencmode=disable"]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    return urlunsplit(parts._replace(netloc=netloc, query="&".join(query)))


def current_database_url() -> str:
    """The owner's URL of the database this process uses (under tests, the test database)."""
    url: str = settings.DATABASE_URL
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{connection.settings_dict['NAME']}"))


def production_environment(**overrides: str) -> dict[str, str]:
    """The environment of a production server on this machine's database: what is set in
    the environment wins; a local run gets a random secret key and local hosts."""
    owner = current_database_url()
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DATABASE_URL": owner,
        "DATABASE_APP_URL": os.environ.get("DATABASE_APP_URL")
        or url_with_user(owner, settings.DATABASE_APP_ROLE),
        "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(48),
        # The key this checkout's trail is written under, so that verify_audit reads it.
        "AUDIT_HMAC_KEY": os.environ.get("AUDIT_HMAC_KEY") or settings.AUDIT_HMAC_KEY,
        # This checkout's seal folder, unless a store is set in the environment.
        "AUDIT_SEAL_STORE": os.environ.get("AUDIT_SEAL_STORE") or settings.AUDIT_SEAL_STORE,
        # This checkout's seal key: its sealer signs what the servers' proofs are checked by.
        "AUDIT_SEAL_KEY": os.environ.get("AUDIT_SEAL_KEY") or settings.AUDIT_SEAL_KEY,
        "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS") or "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": os.environ.get("SECURE_SSL_REDIRECT", "false"),
    }
    environment.update(overrides)
    return environment


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class Server:
    """A gunicorn master and its workers, serving `app` on a free local port."""

    def __init__(self, app: str, *, workers: int, ready_path: str, **environment: str) -> None:
        self.port = free_port()
        env = production_environment(
            WEB_CONCURRENCY=str(workers),
            BIND=f"127.0.0.1:{self.port}",
            GUNICORN_MAX_REQUESTS="0",
            **environment,
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), app],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.workers = workers
        self._wait_until_ready(ready_path)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def _wait_until_ready(self, ready_path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                errors = self.process.stderr.read() if self.process.stderr is not None else ""
                raise RuntimeError(f"The server stopped: {errors[-2000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}{ready_path}", timeout=5)
                if len(self.worker_pids()) >= self.workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("The server did not answer within a minute.")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """User and system CPU time of the workers so far."""
        total = 0
        for pid in self.worker_pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / TICKS

    def worker_rss_mb(self) -> list[float]:
        sizes = []
        for pid in self.worker_pids():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
