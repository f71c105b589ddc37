"""`make faults`: the API under database restarts, a killed worker and a frozen database.

Starts its own PostgreSQL in a temporary folder and the production server (gunicorn,
gunicorn.conf.py) on it, then runs a bounded write load — patients created by concurrent
clients, each write retried with its own Idempotency-Key until acknowledged — while it:
restarts the database three times in immediate mode, kills a worker with SIGKILL, and freezes
every database process with SIGSTOP for 10 s. It prints writes attempted, acknowledged and
found afterwards (found must equal acknowledged: nothing acknowledged is lost, nothing is
written twice), every status seen (503 only, never 500), the longest wait of any request, and
how long the API took to answer writes again after each fault. Exits 1 if a check fails.

    make faults                      # WRITERS=8 FAULT_SECONDS=60 by default
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg
import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "violet-anchor-mirror-93-sled"
sys.path.insert(0, str(ROOT))


@dataclass
class Run:
    base: str
    token: str
    marker: str
    attempted: int = 0
    acknowledged: int = 0
    statuses: Counter = field(default_factory=Counter)
    longest_wait: float = 0.0
    successes: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    give_up_at: float = float("inf")

    def note(self, outcome: str | int, waited: float) -> None:
        with self.lock:
            self.statuses[outcome] += 1
            self.longest_wait = max(self.longest_wait, waited)
            if outcome == 201:
                self.successes.append(time.monotonic())


def start_database(folder: Path) -> tuple[str, Path]:
    from config.embedded_db import embedded_database_url

    data = folder / "pgdata"
    return embedded_database_url(data), data


def pg_ctl(data: Path, *arguments: str) -> None:
    # pgserver makes a function per PostgreSQL program when imported (setattr).
    from pgserver._commands import pg_ctl as run_pg_ctl  # type: ignore[attr-defined]

    user = "pgserver" if os.geteuid() == 0 else None
    run_pg_ctl(["-w", *arguments], pgdata=data, user=user)


def database_processes(data: Path) -> list[psutil.Process]:
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data)
    if info is None:
        raise RuntimeError(f"No database server runs in {data}.")
    postmaster = psutil.Process(info.pid)
    return [postmaster, *postmaster.children(recursive=True)]


def manage(url: str, *arguments: str) -> str:
    environment = {**os.environ, "DATABASE_URL": url, "DJANGO_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {arguments[0]} failed: {result.stderr[-1500:]}")
    return result.stdout


def start_server(url: str) -> tuple[subprocess.Popen, str]:
    from ops.loadtest.servers import free_port

    port = free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": url,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "4",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "config.wsgi:application"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                return server, base
        except requests.RequestException:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("the server did not start")


def write_patients(run: Run, stop: threading.Event, writer: int) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {run.token}"
    number = 0
    while not stop.is_set():
        number += 1
        body = {
            "given_name": "Drill",
            "family_name": f"{run.marker}-{writer}-{number}",
            "date_of_birth": "1980-01-01",
            "sex_at_birth": "female",
        }
        key = str(uuid.uuid4())
        with run.lock:
            run.attempted += 1
        # Retried with the same key until acknowledged: a lost answer never means a lost or a
        # doubled write. A minute after the drill ends, a write still refused is given up.
        while not (stop.is_set() and time.monotonic() > run.give_up_at):
            started = time.monotonic()
            try:
                response = session.post(
                    f"{run.base}/api/v1/patients/",
                    json=body,
                    headers={"Idempotency-Key": key},
                    timeout=60,
                )
                outcome: str | int = response.status_code
            except requests.RequestException as error:
                outcome = f"no answer ({type(error).__name__})"
            run.note(outcome, time.monotonic() - started)
            if outcome == 201:
                with run.lock:
                    run.acknowledged += 1
                break
            time.sleep(0.2)


def worker_timeout() -> float:
    connect = int(os.environ.get("DB_CONNECT_TIMEOUT", 3))
    statement = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", 10_000)) / 1000
    return float(os.environ.get("GUNICORN_TIMEOUT", connect + statement + 10))


def recovery_after(run: Run, moment: float) -> float | None:
    later = [at for at in run.successes if at > moment]
    return min(later) - moment if later else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=int(os.environ.get("WRITERS", 8)))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("FAULT_SECONDS", 60)))
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="chiro-faults-") as folder:
        url, data = start_database(Path(folder))
        print(f"database: a fresh PostgreSQL in a temporary folder ({data.name})")
        manage(url, "migrate", "--no-input")
        manage(
            url,
            "create_clinic",
            "Fault Drill",
            "--slug",
            "drill",
            "--admin",
            "admin",
            "--password",
            PASSWORD,
        )
        server, base = start_server(url)
        try:
            login = requests.post(
                f"{base}/api/v1/auth/login",
                json={"username": "admin@drill", "password": PASSWORD},
                timeout=30,
            )
            login.raise_for_status()
            run = Run(base=base, token=login.json()["token"], marker=f"Fault{uuid.uuid4().hex[:8]}")
            stop = threading.Event()
            writers = [
                threading.Thread(target=write_patients, args=(run, stop, n))
                for n in range(options.writers)
            ]
            for writer in writers:
                writer.start()
            faults: list[tuple[str, float]] = []
            step = options.seconds / 7
            for number in range(3):
                time.sleep(step)
                pg_ctl(data, "-m", "immediate", "restart")
                faults.append((f"database restart {number + 1} (immediate)", time.monotonic()))
            time.sleep(step)
            worker = psutil.Process(server.pid).children()[0]
            worker.send_signal(signal.SIGKILL)
            faults.append(("worker killed (SIGKILL)", time.monotonic()))
            time.sleep(step)
            frozen = database_processes(data)
            for process in frozen:
                process.suspend()
            time.sleep(10)
            for process in frozen:
                process.resume()
            faults.append(("database frozen 10 s (SIGSTOP), then resumed", time.monotonic()))
            time.sleep(step)
            run.give_up_at = time.monotonic() + 60
            stop.set()
            for writer in writers:
                writer.join()
        finally:
            server.terminate()
            server.wait(timeout=60)
        with psycopg.connect(url) as connection:
            row = connection.execute(
                "SELECT count(*) FROM patients_patient WHERE family_name LIKE %s",
                [f"{run.marker}-%"],
            ).fetchone()
            found = row[0] if row is not None else 0
        pg_ctl(data, "-m", "fast", "stop")

    print(f"writes attempted:    {run.attempted}")
    print(f"acknowledged:        {run.acknowledged}")
    print(f"found afterwards:    {found}")
    print(
        "answers seen:        "
        + ", ".join(f"{k}: {v}" for k, v in sorted(run.statuses.items(), key=str))
    )
    print(
        f"longest wait:        {run.longest_wait:.2f} s (worker timeout {worker_timeout():.0f} s)"
    )
    for name, moment in faults:
        recovered = recovery_after(run, moment)
        shown = f"{recovered:.2f} s" if recovered is not None else "never"
        print(f"writes again after {name}: {shown}")
    failures = []
    if found != run.acknowledged:
        failures.append("found afterwards differs from acknowledged")
    if any(isinstance(k, int) and k >= 500 and k != 503 for k in run.statuses):
        failures.append("a status other than 503 among the server errors")
    unfinished = run.attempted - run.acknowledged
    if unfinished:
        failures.append(f"{unfinished} writes never acknowledged")
    # A request waits at most for the database to come back, and never past the worker
    # timeout (gunicorn.conf.py), which lies above every timeout of the database connection.
    if run.longest_wait >= worker_timeout():
        failures.append(f"a request waited {run.longest_wait:.1f} s, past the worker timeout")
    for failure in failures:
        print(f"FAILED: {failure}")
    print("OK" if not failures else "")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
