"""Periodic tasks: their cron line for a period in seconds, and one pass at a time however
late a pass runs (procrastinate's own SQL, driven tick by tick)."""

import asyncio

import croniter
import pytest
from procrastinate import exceptions
from procrastinate.jobs import Status
from procrastinate.periodic import PeriodicDeferrer

from jobs.periodic import cron_every, periodic
from tests.conftest import FLUSHABLE_APPS
from tests.job_queue import as_worker, queued

EVERY = [
    (1, "* * * * * */1"),
    (5, "* * * * * */5"),
    (30, "* * * * * */30"),
    (60, "*/1 * * * *"),
    (300, "*/5 * * * *"),
    (1800, "*/30 * * * *"),
    (3600, "0 */1 * * *"),
    (6 * 3600, "0 */6 * * *"),
    (12 * 3600, "0 */12 * * *"),
]


@pytest.mark.parametrize(("seconds", "cron"), EVERY)
def test_a_period_is_its_cron_line(seconds, cron):
    assert cron_every(seconds) == cron


@pytest.mark.parametrize(("seconds", "_"), EVERY)
def test_the_ticks_of_a_period_are_that_far_apart(seconds, _):
    ticks = croniter.croniter(cron_every(seconds), 1_800_000_000.5)
    first, *rest = [ticks.get_next(float) for _ in range(4)]

    assert [b - a for a, b in zip([first, *rest], rest, strict=False)] == [seconds] * 3


@pytest.mark.parametrize("seconds", [0, -1, 7, 45, 90, 7 * 60, 3600 * 5, 86_400])
def test_a_period_with_uneven_ticks_is_refused(seconds):
    with pytest.raises(ValueError, match="divide"):
        cron_every(seconds)


def test_a_periodic_task_is_registered_one_pass_at_a_time(queue_app):
    @periodic(name="tests.pass", seconds=5, app=queue_app)
    def one_pass(timestamp: int) -> None: ...

    registered = queue_app.periodic_registry.periodic_tasks["tests.pass", "tests.pass"]
    assert registered.cron == "* * * * * */5"
    assert (registered.task.lock, registered.task.queueing_lock) == ("tests.pass", "tests.pass")


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_pass_still_running_leaves_one_waiting_and_the_later_ticks_skipped(queue_app):
    @periodic(name="tests.slow_pass", seconds=1, app=queue_app)
    def slow_pass(timestamp: int) -> None: ...

    task = queue_app.periodic_registry.periodic_tasks["tests.slow_pass", "tests.slow_pass"]
    seen = {}

    async def waiting_and_running() -> list[tuple[str, str]]:
        rows = await worker_app.connector.execute_query_all_async(
            "SELECT task_name, status::text FROM procrastinate_jobs ORDER BY id"
        )
        return [(row["task_name"], row["status"]) for row in rows]

    async def ticks() -> None:
        deferrer = PeriodicDeferrer(registry=queue_app.periodic_registry)
        worker = await manager.register_worker()

        async def tick(at: int) -> None:
            await deferrer.defer_jobs([(task, at)])

        await tick(1_800_000_000)
        await tick(1_800_000_001)  # the first is still waiting: skipped
        seen["one waiting"] = await waiting_and_running()
        first = await manager.fetch_job(queues=None, worker_id=worker)
        await tick(1_800_000_002)  # the first is running: one waits behind it
        await tick(1_800_000_003)  # …and no more
        await tick(1_800_000_004)
        seen["one running, one waiting"] = await waiting_and_running()
        seen["second while the first runs"] = await manager.fetch_job(None, worker_id=worker)
        assert first is not None
        await manager.finish_job(first, status=Status.SUCCEEDED, delete_job=True)
        second = await manager.fetch_job(queues=None, worker_id=worker)
        seen["after the first"] = second and second.task_kwargs["timestamp"]

    async def run() -> None:
        async with worker_app.open_async():
            await ticks()

    with as_worker(queue_app) as worker_app:
        manager = worker_app.job_manager
        asyncio.run(run())

    assert seen == {
        "one waiting": [("tests.slow_pass", "todo")],
        "one running, one waiting": [("tests.slow_pass", "doing"), ("tests.slow_pass", "todo")],
        "second while the first runs": None,
        "after the first": 1_800_000_002,
    }


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_deferring_a_second_waiting_pass_is_refused(queue_app):
    @periodic(name="tests.pass", seconds=1, app=queue_app)
    def one_pass(timestamp: int) -> None: ...

    one_pass.defer(timestamp=1)
    with pytest.raises(exceptions.AlreadyEnqueued):
        one_pass.defer(timestamp=2)

    assert queued() == [("tests.pass", "todo")]
