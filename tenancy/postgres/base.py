"""Django's PostgreSQL backend with fewer round trips per request.

- A reused connection is checked without a round trip. Django's health check
  (`CONN_HEALTH_CHECKS`) sends `SELECT 1` before every request; an idle connection has nothing
  to read, and one the server closed (a restart, an idle timeout, a terminated backend) has
  its error or end-of-file waiting on the socket, so looking at the socket tells the same for
  free and a worker still reconnects after a database restart.
- A transaction's BEGIN travels with its first statement. psycopg stays in autocommit mode and
  this wrapper begins Django's transactions itself: with the statement that opens a request's
  context (`execute_first`, one simple-protocol query `BEGIN; …`), else in front of the first
  statement, as psycopg would.
- A transaction's last statement can travel with its COMMIT (`execute_at_commit`): the audit
  event of a request that succeeds is written in the COMMIT's round trip. If it fails, nothing
  of the transaction is committed.

Every statement still runs in the same transaction it would have run in: only the way they
travel changes. Nothing is kept between transactions, so a pooler in transaction mode
(PgBouncer) sees ordinary transactions.

It implements the hooks Django's backends implement (`_set_autocommit`, `_commit`,
`_rollback`) and wraps its cursor's `_execute`: seams declared in
tests/test_framework_seams.py, which fails when a Django upgrade changes them.
"""

import select
from typing import TYPE_CHECKING, Any

from django.db.backends.postgresql import base
from django.db.backends.utils import CursorDebugWrapper as DjangoCursorDebugWrapper
from django.db.backends.utils import CursorWrapper as DjangoCursorWrapper
from django.db.backends.utils import debug_transaction
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._at_commit: list[str] = []
        self._begin_travels = False

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            readable, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable

    # Transactions: psycopg stays in autocommit; Django's are begun and ended here.
    def _set_autocommit(self, autocommit: bool) -> None:
        self._at_commit = []
        if not self.connection.autocommit:
            with self.wrap_database_errors:
                self.connection.autocommit = True

    def _begin_sql(self) -> str:
        level = self.connection.isolation_level
        return "BEGIN" if level is None else f"BEGIN ISOLATION LEVEL {level.name.replace('_', ' ')}"

    def begin_if_pending(self) -> bool:
        """Begin Django's transaction now if it has not begun (no statement yet)."""
        if self.connection is None or self.get_autocommit() or self._begin_travels:
            return False
        if self.connection.info.transaction_status != TransactionStatus.IDLE:
            return False
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(self._begin_sql())
        return True

    def execute_first(self, cursor: DjangoCursorWrapper, sql: str, params: list) -> None:
        """Run `sql` as the first statement of the transaction, its BEGIN in the same round
        trip; as any statement when the transaction has already begun."""
        pending = (
            not self.get_autocommit()
            and self.connection.info.transaction_status == TransactionStatus.IDLE
        )
        if not pending or not hasattr(cursor.cursor, "mogrify"):
            cursor.execute(sql, params)
            return
        statement = cursor.cursor.mogrify(sql, params)
        self._begin_travels = True
        try:
            # One simple-protocol query; its first result is the BEGIN's.
            cursor.execute(f"{self._begin_sql()}; {statement}")
        finally:
            self._begin_travels = False
        cursor.nextset()

    def execute_at_commit(self, sql: str, params: list) -> None:
        """Run `sql` last in the transaction, in its COMMIT's round trip. At once when the
        transaction is not this connection's own (a savepoint of an enclosing one, as in
        tests) or there is none; never if the transaction rolls back."""
        with self.cursor() as cursor:
            deferred = (
                len(self.atomic_blocks) == 1
                and not self.needs_rollback
                and hasattr(cursor.cursor, "mogrify")
            )
            if not deferred:
                cursor.execute(sql, params)
                return
            self.begin_if_pending()
            self._at_commit.append(cursor.cursor.mogrify(sql, params))

    def _commit(self) -> None:
        statements, self._at_commit = self._at_commit, []
        if self.connection is None:
            return
        if self.connection.info.transaction_status == TransactionStatus.IDLE:
            return  # nothing was run: nothing to commit
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors:
            with self.connection.cursor() as cursor:
                cursor.execute("; ".join([*statements, "COMMIT"]))

    def _rollback(self) -> None:
        self._at_commit = []
        if self.connection is None:
            return
        if self.connection.info.transaction_status == TransactionStatus.IDLE:
            return
        with debug_transaction(self, "ROLLBACK"), self.wrap_database_errors:
            with self.connection.cursor() as cursor:
                cursor.execute("ROLLBACK")

    def make_cursor(self, cursor) -> DjangoCursorWrapper:
        return CursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor) -> DjangoCursorDebugWrapper:
        return CursorDebugWrapper(cursor, self)


if TYPE_CHECKING:

    class _CursorSeams(DjangoCursorWrapper):
        """What _BeginsTransactions relies on in Django's cursor wrapper (the stubs leave its
        private methods out; tests/test_framework_seams.py declares them)."""

        db: DatabaseWrapper

        def _execute(self, sql: str, params: Any, *ignored_wrapper_args: Any) -> Any: ...
        def _executemany(self, sql: str, param_list: Any, *ignored_wrapper_args: Any) -> Any: ...

else:
    _CursorSeams = object


class _BeginsTransactions(_CursorSeams):
    """Begins the connection's pending transaction before a statement."""

    def _execute(self, sql, params, *ignored_wrapper_args):
        self.db.begin_if_pending()
        return super()._execute(sql, params, *ignored_wrapper_args)

    def _executemany(self, sql, param_list, *ignored_wrapper_args):
        self.db.begin_if_pending()
        return super()._executemany(sql, param_list, *ignored_wrapper_args)


class CursorWrapper(_BeginsTransactions, DjangoCursorWrapper):
    pass


class CursorDebugWrapper(_BeginsTransactions, base.CursorDebugWrapper):
    pass
