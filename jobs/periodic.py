"""Periodic tasks: deferred by the workers every so many seconds, one pass at a time.

The workers defer each periodic task once per tick of its cron line, whichever worker comes
first (procrastinate's `procrastinate_periodic_defers` table decides). A task registered here
carries its name as both its `queueing_lock` (at most one job waiting) and its `lock` (at most
one job running): a pass still running when the next ticks leaves one job waiting behind it,
and the ticks after that are skipped until it starts, so a slow pass never piles jobs up.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from procrastinate.blueprints import Blueprint
from procrastinate.contrib.django import app as project_app
from procrastinate.tasks import Task

R = TypeVar("R")


def cron_every(seconds: int) -> str:
    """The cron line of a period of `seconds`: procrastinate's cron takes a sixth column for
    seconds. The period is seconds that divide a minute, minutes that divide an hour or hours
    that divide a day, so that the ticks are even."""
    for unit, per_next, template in (
        (1, 60, "* * * * * */{}"),
        (60, 60, "*/{} * * * *"),
        (3600, 24, "0 */{} * * *"),
    ):
        count, rest = divmod(seconds, unit)
        if seconds > 0 and rest == 0 and count < per_next and per_next % count == 0:
            return template.format(count)
    raise ValueError(
        f"A periodic task's period must be seconds that divide a minute, minutes that divide an hour or hours that divide a day, not {seconds} s."
    )


def periodic(
    *, name: str, seconds: int, app: Blueprint = project_app
) -> Callable[[Callable[..., R]], Task[Any, R, Any]]:
    """Register the decorated function as the task `name` of `app` (the project's queue),
    deferred every `seconds` with the tick's Unix time as its `timestamp` argument, one pass at
    a time."""

    def register(function: Callable[..., R]) -> Task[Any, R, Any]:
        task = app.task(name=name, lock=name, queueing_lock=name)(function)
        app.periodic(cron=cron_every(seconds), periodic_id=name)(task)
        return task

    return register
