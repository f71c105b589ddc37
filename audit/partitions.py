"""The audit table's monthly partitions: made ahead of time, and dropped past the retention
horizon when a retention is set (`manage.py audit_partitions`, daily).

`audit_auditevent` is partitioned by range of `occurred_at` (migration 0007), one partition a
calendar month in UTC, `audit_auditevent_y2026m12`, and a DEFAULT partition that takes an event
of a month without one, so that no event is ever refused. Row triggers (the append-only guard)
are cloned by PostgreSQL to every partition; TRUNCATE triggers are not, so each partition is
given its own.

A month is made only while the DEFAULT partition holds none of its events: PostgreSQL would
have to move them out, which takes deleting them from the DEFAULT, and nothing deletes events.
Such a month is left to the DEFAULT, logged as an error (its events are still read, sealed and
verified there; only retention cannot drop them). Made two months ahead daily, a month reaches
the DEFAULT only when this job has stopped for two months, or from a writer whose clock is far
off.

Retention (AUDIT_RETENTION_MONTHS, unset: keep every event) drops a month's partition whole,
once the month ended before the horizon (the first day of the month that many months ago) and
every event in it is in a seal made before the horizon less RETENTION_MARGIN; a month with an
unsealed or late-sealed event waits. The seals stay: `verify_audit` checks the chain and the
signatures of seals made before that same point, and not their events (audit.integrity).
"""

import logging
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from psycopg import sql

logger = logging.getLogger(__name__)

TABLE = "audit_auditevent"
DEFAULT_PARTITION = "audit_auditevent_default"
NAME = re.compile(r"^audit_auditevent_y(\d{4})m(\d{2})$")

# HIPAA keeps documentation six years from its creation: 45 CFR 164.316(b)(2)(i).
HIPAA_MONTHS = 72

# How long after the horizon a seal may have been made and still count as made before it:
# the writers' clocks and the sealer's may differ, and an event may wait to be sealed.
RETENTION_MARGIN = timedelta(days=1)

# One upkeep at a time (pg_advisory_xact_lock(namespace, key)); the sealer's namespace.
LOCK = (0x61756474, 1)

# Waiting for a lock on the table holds up every insert queued behind: give up instead, and
# try again the next day.
LOCK_TIMEOUT = "5s"


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime | date) -> "Month":
        if isinstance(moment, datetime):
            moment = moment.astimezone(UTC)
        return cls(moment.year, moment.month)

    def plus(self, months: int) -> "Month":
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    @property
    def name(self) -> str:
        return f"{TABLE}_y{self.year:04d}m{self.month:02d}"

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        return self.plus(1).start


def create_partition(month: Month) -> bool:
    """Make the month's partition unless it exists; False (and an error logged) when the
    DEFAULT partition holds events of that month."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [month.name])
        if cursor.fetchone()[0]:
            return True
        cursor.execute(
            sql.SQL(
                "SELECT EXISTS (SELECT 1 FROM {} WHERE occurred_at >= %s AND occurred_at < %s)"
            ).format(sql.Identifier(DEFAULT_PARTITION)),
            [month.start, month.end],
        )
        if cursor.fetchone()[0]:
            logger.error(
                "Audit partition %s not made: the DEFAULT partition holds events of that month, "
                "which stay there (read, sealed and verified as any other, never dropped by "
                "retention).",
                month.name,
            )
            return False
        partition = sql.Identifier(month.name)
        cursor.execute(
            sql.SQL("CREATE TABLE {} PARTITION OF {} FOR VALUES FROM ({}) TO ({})").format(
                partition,
                sql.Identifier(TABLE),
                sql.Literal(month.start.isoformat()),
                sql.Literal(month.end.isoformat()),
            )
        )
        cursor.execute(
            sql.SQL(
                "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {}"
                " FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
            ).format(partition)
        )
    logger.info("Audit partition %s made.", month.name)
    return True


def ensure_partitions(months_ahead: int = 2) -> list[str]:
    """Make this month's partition and the next `months_ahead` months' (those missing); the
    names of the months that are there afterwards. Idempotent."""
    this_month = Month.of(timezone.now())
    with transaction.atomic():
        _lock()
        return [
            month.name
            for month in (this_month.plus(n) for n in range(months_ahead + 1))
            if create_partition(month)
        ]


def retention_horizon() -> datetime | None:
    """The first instant the trail keeps (the first of the month AUDIT_RETENTION_MONTHS
    months ago, UTC); None when every event is kept."""
    months = settings.AUDIT_RETENTION_MONTHS
    if months is None:
        return None
    if months < HIPAA_MONTHS and not settings.AUDIT_RETENTION_BELOW_HIPAA:
        raise ImproperlyConfigured(
            f"AUDIT_RETENTION_MONTHS={months} keeps the audit trail less than the six years "
            f"HIPAA asks ({HIPAA_MONTHS} months); set AUDIT_RETENTION_BELOW_HIPAA=true to mean it."
        )
    return Month.of(timezone.now()).plus(-months).start


def drop_expired_partitions() -> list[str]:
    """Detach and drop every month's partition past the retention horizon whose events are all
    sealed before it (see the module's docstring); the names dropped."""
    horizon = retention_horizon()
    if horizon is None:
        return []
    dropped = []
    with transaction.atomic(), connection.cursor() as cursor:
        _lock()
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        for name in _month_partitions(cursor):
            month = _month_of(name)
            if month.end > horizon:
                continue
            reason = _kept_because(cursor, name, horizon - RETENTION_MARGIN)
            if reason:
                logger.warning("Audit partition %s is past retention but kept: %s.", name, reason)
                continue
            partition = sql.Identifier(name)
            cursor.execute(
                sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(
                    sql.Identifier(TABLE), partition
                )
            )
            cursor.execute(sql.SQL("DROP TABLE {}").format(partition))
            logger.info("Audit partition %s dropped (retention).", name)
            dropped.append(name)
    return dropped


def _lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", list(LOCK))


def _month_partitions(cursor) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
        " WHERE i.inhparent = %s::regclass ORDER BY c.relname",
        [TABLE],
    )
    return [name for (name,) in cursor.fetchall() if NAME.match(name)]


def _month_of(name: str) -> Month:
    found = NAME.match(name)
    assert found is not None
    return Month(int(found[1]), int(found[2]))


# Per clinic, the partition's last numbered event and the seal that holds it (seals are made
# in order, so the last event's seal is the partition's latest).
LATEST_SEAL = """
SELECT e.clinic_id, e.seq, s.sealed_at
  FROM (SELECT clinic_id, max(seq) AS seq FROM {partition} GROUP BY clinic_id) AS e
  LEFT JOIN LATERAL (
        SELECT sealed_at FROM audit_auditseal s
         WHERE s.clinic_id IS NOT DISTINCT FROM e.clinic_id
           AND e.seq BETWEEN s.first_seq AND s.last_seq
         LIMIT 1) AS s ON true
 WHERE s.sealed_at IS NULL OR s.sealed_at >= %s
 LIMIT 1
"""


def _kept_because(cursor, name: str, sealed_before: datetime) -> str | None:
    partition = sql.Identifier(name)
    cursor.execute(sql.SQL("SELECT EXISTS (SELECT 1 FROM {} WHERE seq IS NULL)").format(partition))
    if cursor.fetchone()[0]:
        return "some of its events are not sealed yet"
    cursor.execute(sql.SQL(LATEST_SEAL).format(partition=partition), [sealed_before])
    row = cursor.fetchone()
    if row is None:
        return None
    clinic_id, seq, sealed_at = row
    if sealed_at is None:
        return f"event {seq} of clinic {clinic_id or 'none'} is in no seal"
    return f"event {seq} of clinic {clinic_id or 'none'} was sealed at {sealed_at:%Y-%m-%d %H:%M}"
