"""A request's wait on the database is bounded on the client's side too.

`statement_timeout` and `lock_timeout` are enforced by the server; a server that stops
answering altogether (frozen by SIGSTOP, a stalled disk, a proxy or network that holds the
connection open and passes nothing) enforces neither, and the kernel still acknowledges the
bytes sent, so TCP keepalives and `tcp_user_timeout` (set in the settings for a peer that is
gone) do not fire either. Each request therefore has a deadline, DB_REQUEST_TIMEOUT_MS: past
it, a watchdog thread shuts the request's database socket down. The request's blocked read
returns at once, psycopg raises an operational error, and the request answers 503
`database_unavailable` (api.database_faults) instead of hanging until the worker is killed.
"""

import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.http import HttpRequest, HttpResponse


def shut_down_socket(wrapper: BaseDatabaseWrapper) -> None:
    """End the wrapper's connection under whoever is reading it (another thread, blocked)."""
    connection = wrapper.connection  # psycopg's, or None when it never connected
    if connection is None or connection.closed:
        return
    duplicate = socket.socket(fileno=os.dup(connection.fileno()))
    try:
        # shutdown() acts on the socket itself, not on the descriptor: the reader wakes.
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the peer
    finally:
        duplicate.close()


class Watchdog:
    """One thread per process holding the armed deadlines; started on first use, so that a
    forked server worker starts its own."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._armed: dict[int, BaseDatabaseWrapper] = {}
        self._queue: list[tuple[float, int]] = []
        self._fired: set[int] = set()
        self._tokens = itertools.count()
        self._owner_pid = 0

    def arm(self, wrapper: BaseDatabaseWrapper, seconds: float) -> int:
        with self._lock:
            if self._owner_pid != os.getpid():
                self._owner_pid = os.getpid()
                self._armed.clear()
                self._queue.clear()
                self._fired.clear()
                threading.Thread(target=self._run, name="database-deadline", daemon=True).start()
            token = next(self._tokens)
            self._armed[token] = wrapper
            heapq.heappush(self._queue, (time.monotonic() + seconds, token))
            self._lock.notify()
            return token

    def disarm(self, token: int) -> bool:
        """Forget the deadline; True when it had already fired."""
        with self._lock:
            self._armed.pop(token, None)
            if token in self._fired:
                self._fired.discard(token)
                return True
            return False

    def _run(self) -> None:
        with self._lock:
            while True:
                while self._queue and self._queue[0][1] not in self._armed:
                    heapq.heappop(self._queue)  # disarmed in time
                if not self._queue:
                    self._lock.wait()
                    continue
                due, token = self._queue[0]
                now = time.monotonic()
                if due > now:
                    self._lock.wait(due - now)
                    continue
                heapq.heappop(self._queue)
                # Under the lock: a request that disarms has its connection left alone.
                shut_down_socket(self._armed.pop(token))
                self._fired.add(token)


WATCHDOG = Watchdog()


class DatabaseDeadlineMiddleware:
    """Arms the request's deadline on its database connection, disarms it with the answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wrapper = connections["default"]
        token = WATCHDOG.arm(wrapper, settings.DB_REQUEST_TIMEOUT_MS / 1000)
        try:
            return self.get_response(request)
        finally:
            if WATCHDOG.disarm(token):
                wrapper.close()  # its socket was shut down: the next request connects afresh
