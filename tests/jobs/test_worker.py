"""A real worker runs what a serving process defers: in this process on the connection
`manage.py procrastinate worker` builds, and as that command, as the owner."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from procrastinate.contrib.django import app as project_app

from ops.loadtest.servers import current_database_url
from tests.conftest import FLUSHABLE_APPS
from tests.job_queue import as_worker, queued


def run_until_empty(app) -> None:
    with as_worker(app) as worker_app:
        worker_app.run_worker(wait=False, install_signal_handlers=False, listen_notify=False)


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_worker_runs_a_deferred_job_and_deletes_it_once_it_succeeded(queue_app):
    @queue_app.task(name="tests.remember")
    def remember(value: str) -> None:
        cache.set("tests.remembered", value)

    remember.defer(value="adjusted C5")
    assert queued() == [("tests.remember", "todo")]

    run_until_empty(queue_app)

    assert cache.get("tests.remembered") == "adjusted C5"
    assert queued() == []


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_failed_job_is_kept(queue_app):
    @queue_app.task(name="tests.refuse")
    def refuse() -> None:
        raise RuntimeError("no")

    refuse.defer()
    run_until_empty(queue_app)

    assert queued() == [("tests.refuse", "failed")]


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_the_worker_command_works_as_the_owner_whatever_the_environment(empty_queue):
    project_app.configure_task("builtin:procrastinate.builtin_tasks.remove_old_jobs").defer(
        max_hours=24
    )
    assert queued() == [("builtin:procrastinate.builtin_tasks.remove_old_jobs", "todo")]

    worker = subprocess.run(
        [sys.executable, "manage.py", "procrastinate", "worker", "--one-shot"],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": current_database_url(),
            "SERVE_AS_APP_ROLE": "true",
            "JOB_LOG_LEVEL": "INFO",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )

    # The API role may not fetch a job: the worker ran it, and deleted it as it succeeded.
    assert worker.returncode == 0, worker.stderr
    assert "Starting job builtin:procrastinate.builtin_tasks.remove_old_jobs" in worker.stderr
    # A worker defers, as it starts, each periodic task that ticked in the last 10 minutes
    # (a minute's always has): one deferred after its last look for work may still wait.
    periodic = {task.task.name for task in project_app.periodic_registry.periodic_tasks.values()}
    assert [(name, status) for name, status in queued() if name not in periodic] == []
