"""`make run`'s command: the development server and a worker that runs jobs and seals the audit
trail every second, and no worker left behind however the command ends."""

import os
import re
import signal
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings
from procrastinate.contrib.django import app as queue

from audit.models import AuditEvent
from ops.loadtest.servers import current_database_url, free_port
from tests.conftest import FLUSHABLE_APPS
from tests.job_queue import queued

pytestmark = pytest.mark.system  # it starts `make run`'s processes

REMOVE_OLD_JOBS = "builtin:procrastinate.builtin_tasks.remove_old_jobs"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that has exited but is not yet reaped by its parent is a zombie: gone too.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def until(condition, seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def healthy(base: str) -> bool:
    try:
        return requests.get(f"{base}/healthz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
@pytest.mark.parametrize("stop", ["ctrl-c", "sigkill"])
def test_make_runs_command_serves_runs_jobs_seals_and_leaves_no_worker(
    stop, empty_queue, tmp_path, chiropractor_client, patient
):
    port = free_port()
    output = tmp_path / "output"
    with output.open("w") as out:
        command = subprocess.Popen(
            [sys.executable, "manage.py", "run_with_worker", f"127.0.0.1:{port}"],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": current_database_url(),
                "AUDIT_SEAL_STORE": str(settings.AUDIT_SEAL_STORE),
            },
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as under a terminal
        )
    try:
        assert until(lambda: healthy(f"http://127.0.0.1:{port}")), output.read_text()
        queue.configure_task(REMOVE_OLD_JOBS).defer(max_hours=24)
        # Run, and deleted as it succeeded (a failed job is kept).
        ran = until(lambda: all(task != REMOVE_OLD_JOBS for task, _ in queued()))
        assert ran, output.read_text()
        # The sealer, deferred by the worker every second, seals a request's events.
        assert chiropractor_client.get(f"/api/v1/patients/{patient.id}/").status_code == 200
        events = AuditEvent.objects.filter(clinic_id=patient.clinic_id)
        assert until(lambda: events.exists() and not events.filter(seq__isnull=True).exists())
        children = {
            name: int(pid)
            for name, pid in re.findall(
                r"^(worker|server): .* \(pid (\d+)\)$", output.read_text(), re.M
            )
        }
        assert set(children) == {"worker", "server"}

        if stop == "ctrl-c":
            os.killpg(command.pid, signal.SIGINT)
            assert command.wait(timeout=60) == 0
        else:
            command.kill()
            command.wait(timeout=10)

        assert until(lambda: not any(alive(pid) for pid in children.values()), 30)
        assert not healthy(f"http://127.0.0.1:{port}")
    finally:
        if command.poll() is None:
            os.killpg(command.pid, signal.SIGKILL)
            command.wait()
