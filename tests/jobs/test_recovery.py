"""A job whose worker died (its heartbeat stopped) runs again, and its lock is free again: a
periodic pass a killed worker was running does not stop for ever."""

import pytest
from django.core.cache import cache
from django.db import connection

from jobs.tasks import recover_stalled
from tests.conftest import FLUSHABLE_APPS
from tests.job_queue import queued
from tests.jobs.test_worker import run_until_empty


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_dead_workers_job_runs_again_with_its_lock(queue_app):
    @queue_app.task(name="tests.locked_pass", lock="tests.locked_pass")
    def locked_pass() -> None:
        cache.set("tests.locked_pass_ran", True)

    locked_pass.defer()
    with connection.cursor() as cursor:
        # A worker that took the job, then stopped beating five minutes ago.
        cursor.execute(
            "INSERT INTO procrastinate_workers (last_heartbeat) "
            "VALUES (now() - interval '5 minutes') RETURNING id"
        )
        dead = cursor.fetchone()[0]
        cursor.execute(
            "UPDATE procrastinate_jobs SET status = 'doing', worker_id = %s "
            "WHERE task_name = 'tests.locked_pass'",
            [dead],
        )
    assert ("tests.locked_pass", "doing") in queued()

    recover_stalled.defer(timestamp=0)
    run_until_empty(queue_app)

    assert cache.get("tests.locked_pass_ran") is True
    assert [
        job for job in queued() if job[0] in {"tests.locked_pass", "jobs.recover_stalled"}
    ] == []


def test_the_recovery_pass_is_periodic_and_takes_no_lock(queue_app):
    registered = queue_app.periodic_registry.periodic_tasks[
        "jobs.recover_stalled", "jobs.recover_stalled"
    ]

    assert registered.cron == "* * * * * */10"
    assert registered.task.lock is None
    assert registered.task.queueing_lock == "jobs.recover_stalled"
