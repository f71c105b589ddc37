"""Requests started together from threads, each on its own database connection."""

import threading
from collections.abc import Callable

from django.db import connection


def at_once(work: Callable[[int], int], count: int) -> list[int]:
    """Run `work(n)` for n in 0..count-1 in threads that start together; their statuses."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(n: int) -> None:
        try:
            barrier.wait()
            statuses.append(work(n))
        except BaseException as error:  # reported in the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    return statuses
