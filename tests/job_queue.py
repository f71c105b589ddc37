"""The project's queue with the tests' own tasks on it, taken off after each test, and the
queue's tables left empty."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from procrastinate import App
from procrastinate.contrib.django import app as project_app


def queued() -> list[tuple[str, str]]:
    """The jobs in the queue, oldest first: (task name, status)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, status FROM procrastinate_jobs ORDER BY id")
        return list(cursor.fetchall())


@pytest.fixture
def empty_queue(django_db_blocker):
    """The queue's tables are not Django's to flush (procrastinate's models are unmanaged)."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM procrastinate_periodic_defers; DELETE FROM procrastinate_jobs; "
            "DELETE FROM procrastinate_workers"
        )


@pytest.fixture
def queue_app(empty_queue) -> Iterator[App]:
    """The project's queue (it defers through Django's connection, as a serving process does);
    the tasks a test registers are taken off after it. Not a throwaway App: each App made in a
    process registers procrastinate's built-in tasks again, renaming them for all."""
    tasks = dict(project_app.tasks)
    periodic = dict(project_app.periodic_registry.periodic_tasks)
    yield project_app
    for registry, before in [
        (project_app.tasks, tasks),
        (project_app.periodic_registry.periodic_tasks, periodic),
    ]:
        registry.clear()
        registry.update(before)


@contextmanager
def as_worker(app: App) -> Iterator[App]:
    """`app` connected as `manage.py procrastinate worker` connects: the connector
    procrastinate's Django app builds from DATABASES (here, the test database, as the owner)."""
    # A job's Django connection (one per worker thread) is closed when the job ends, not kept
    # for CONN_MAX_AGE: the threads outlive the test, and the test database is dropped.
    shared = connections.settings[DEFAULT_DB_ALIAS]
    kept_for = shared["CONN_MAX_AGE"]
    shared["CONN_MAX_AGE"] = 0
    try:
        with app.replace_connector(project_app.connector.get_worker_connector()) as worker_app:
            yield worker_app
    finally:
        shared["CONN_MAX_AGE"] = kept_for
