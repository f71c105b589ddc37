"""Checking the audit trail (`manage.py verify_audit`).

Per clinic, from the last seal found intact (AuditCheckpoint) or from the first (`full`):
- each seal's hash and Ed25519 signature, its link to the seal before it, its numbering;
- its events: all there (none deleted), each matching its HMAC, together giving the seal's root;
- the copy outside the database (audit.seal_store): the same bytes, and no seal outside that the
  database has lost (a truncated trail);
- events numbered outside any seal; unsealed events, each matching its HMAC (an event the
  owner INSERTed has none that matches), and those left unsealed too long.

With a retention set (AUDIT_RETENTION_MONTHS), the months past it may have been dropped
(audit.partitions): a seal made before the retention horizon less RETENTION_MARGIN is checked
for its hash, signature, link and copy outside, not for its events. Retention drops a month only
once all its events are in such seals, so a dropped month is never reported missing, and an
event deleted from a month still kept is.
"""

import base64
import binascii
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.exceptions import InvalidSignature
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.merkle import root
from audit.models import AuditCheckpoint, AuditSeal
from audit.partitions import RETENTION_MARGIN, retention_horizon
from audit.row_hmac import SIGNED_FIELDS, matches
from audit.seal_format import (
    GENESIS,
    NO_CLINIC,
    chain_key,
    seal_document_bytes,
    seal_fields,
    seal_hash,
    seal_message,
)
from audit.seal_keys import key_id, public_key
from audit.seal_store import seal_store
from audit.sealed_events import COLUMNS, clinic_condition, seal_events

SEAL_PAGE = 500
EVENT_PAGE = 5000


@dataclass(frozen=True)
class Finding:
    clinic_id: str | None
    reason: str
    seal: int | None = None
    event_id: int | None = None

    def __str__(self) -> str:
        where = [f"clinic {self.clinic_id or 'none'}"]
        if self.seal is not None:
            where.append(f"seal {self.seal}")
        if self.event_id is not None:
            where.append(f"event {self.event_id}")
        return f"{', '.join(where)}: {self.reason}"


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    seals: int = 0
    events: int = 0
    unsealed: int = 0

    @property
    def intact(self) -> bool:
        return not self.findings


def verify(*, full: bool = False) -> Report:
    report = Report()
    horizon = retention_horizon()
    events_from = None if horizon is None else horizon - RETENTION_MARGIN
    for key in _chain_keys():
        _verify_chain(key, full=full, report=report, events_from=events_from)
    return report


def _clinic(key: str) -> str | None:
    return None if key == NO_CLINIC else key


def _chain_keys() -> list[str]:
    """Clinics with seals (in the database or outside it) or with unsealed events."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT clinic_id FROM audit_auditseal"
            " UNION SELECT DISTINCT clinic_id FROM audit_auditevent WHERE seq IS NULL"
        )
        keys = {chain_key(clinic_id) for (clinic_id,) in cursor.fetchall()}
    keys.update(seal_store().clinic_keys())
    return sorted(keys)


def _seals(clinic_id: str | None, after: int) -> Iterator[AuditSeal]:
    while True:
        page = list(
            AuditSeal.objects.filter(clinic_id=clinic_id, number__gt=after).order_by("number")[
                :SEAL_PAGE
            ]
        )
        yield from page
        if len(page) < SEAL_PAGE:
            return
        after = page[-1].number


def _verify_chain(key: str, *, full: bool, report: Report, events_from: datetime | None) -> None:
    clinic_id = _clinic(key)
    found = len(report.findings)
    checkpoint = None if full else AuditCheckpoint.objects.filter(chain_key=key).first()
    previous = None
    if checkpoint is not None:
        previous = AuditSeal.objects.filter(clinic_id=clinic_id, number=checkpoint.number).first()
        if previous is None or previous.hash != checkpoint.hash:
            report.findings.append(
                Finding(clinic_id, "the seal verified last is gone or changed", checkpoint.number)
            )
            previous = None  # read the chain again from its start
    last = previous
    for seal in _seals(clinic_id, after=last.number if last else 0):
        _verify_seal(seal, last, report, events_from)
        last = seal
    _verify_tail(key, clinic_id, last, report)
    if len(report.findings) == found and last is not None:
        AuditCheckpoint.objects.update_or_create(
            chain_key=key,
            defaults={"number": last.number, "hash": last.hash, "verified_at": timezone.now()},
        )


def _verify_seal(
    seal: AuditSeal, previous: AuditSeal | None, report: Report, events_from: datetime | None
) -> None:
    """`events_from`: a seal made before it may have had its events dropped by retention."""
    clinic_id = None if seal.clinic_id is None else str(seal.clinic_id)
    report.seals += 1

    def finding(reason: str, event_id: int | None = None) -> None:
        report.findings.append(Finding(clinic_id, reason, seal.number, event_id))

    expected_number = (previous.number if previous else 0) + 1
    if seal.number != expected_number:
        finding(f"seals {expected_number} to {seal.number - 1} are missing from the database")
    if seal.prev_hash != (previous.hash if previous else GENESIS):
        finding("it does not name the previous seal's hash")
    if previous is not None and seal.first_seq != previous.last_seq + 1:
        finding(f"events {previous.last_seq + 1} to {seal.first_seq - 1} are in no seal")
    message = seal_message(seal_fields(seal))
    if seal_hash(message) != seal.hash:
        finding("its content no longer matches its hash")
    if seal.key_id != key_id() or not _signed(message, seal.signature):
        finding("its signature does not verify under the audit seal key")
    if events_from is None or seal.sealed_at >= events_from:
        _verify_sealed_events(seal, report, finding)
    outside = seal_store().get(_key_of(seal), seal.number)
    if outside is None:
        finding("it is not in the store outside the database")
    elif outside != seal_document_bytes(seal):
        finding("it differs from its copy outside the database")


def _key_of(seal: AuditSeal) -> str:
    return chain_key(seal.clinic_id)


def _signed(message: bytes, signature: str) -> bool:
    try:
        public_key().verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def _verify_sealed_events(seal: AuditSeal, report: Report, finding) -> None:
    events = seal_events(seal)
    report.events += len(events)
    leaves = []
    expected = seal.first_seq
    for event in events:
        if event.seq != expected:
            what = (
                "is numbered twice" if event.seq < expected else f"events {expected}+ are missing"
            )
            finding(f"seq {event.seq} {what}", event.id)
            return
        expected += 1
        if not matches(event.content, event.hmac):
            finding("its content does not match its HMAC", event.id)
        leaves.append(event.leaf())
    if len(events) != seal.tree_size:
        finding(f"it seals {seal.tree_size} events; {len(events)} are in the database")
    elif root(leaves).hex() != seal.root:
        finding("its events no longer give its Merkle root")


def _verify_tail(key: str, clinic_id: str | None, last: AuditSeal | None, report: Report) -> None:
    number = last.number if last else 0
    beyond = seal_store().numbers(key, after=number)
    if beyond:
        report.findings.append(
            Finding(
                clinic_id,
                f"seals {beyond[0]} to {beyond[-1]} are outside the database but not in it",
                beyond[0],
            )
        )
    condition, params = clinic_condition(clinic_id)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, seq FROM audit_auditevent WHERE clinic_id {condition} AND seq > %s"
            " ORDER BY seq LIMIT 1",
            [*params, last.last_seq if last else 0],
        )
        row = cursor.fetchone()
    if row is not None:
        report.findings.append(Finding(clinic_id, f"seq {row[1]} is in no seal", None, row[0]))
    _verify_unsealed(clinic_id, condition, params, report)


def _verify_unsealed(
    clinic_id: str | None, condition: str, params: list[str], report: Report
) -> None:
    alert_before = timezone.now() - timedelta(seconds=settings.AUDIT_UNSEALED_ALERT_SECONDS)
    after, late, oldest = 0, 0, None
    with connection.cursor() as cursor:
        while True:
            cursor.execute(
                f"SELECT id, hmac, {COLUMNS} FROM audit_auditevent"
                f" WHERE clinic_id {condition} AND seq IS NULL AND id > %s ORDER BY id LIMIT %s",
                [*params, after, EVENT_PAGE],
            )
            rows = cursor.fetchall()
            for event_id, stored, *content in rows:
                event = dict(zip(SIGNED_FIELDS, content, strict=True))
                report.unsealed += 1
                if not matches(event, stored):
                    report.findings.append(
                        Finding(clinic_id, "its content does not match its HMAC", None, event_id)
                    )
                if event["occurred_at"] < alert_before:
                    late += 1
                    oldest = oldest or event_id
            if len(rows) < EVENT_PAGE:
                break
            after = rows[-1][0]
    if late:
        report.findings.append(
            Finding(
                clinic_id,
                f"{late} events have waited more than {settings.AUDIT_UNSEALED_ALERT_SECONDS} s"
                " to be sealed: is the sealer running?",
                None,
                oldest,
            )
        )
