"""The sealer and verify_audit: events appended without a lock are numbered into signed seals,
copied out of the database; every kind of tampering an owner could try is named."""

import base64
import os
import signal
import subprocess
import sys
import threading
import time

import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from api.health import connection_parameters
from audit import sealing
from audit.integrity import verify
from audit.merkle import leaf_hash, root
from audit.models import AuditEvent, AuditSeal
from audit.seal_format import (
    GENESIS,
    chain_key,
    seal_document_bytes,
    seal_fields,
    seal_hash,
    seal_message,
)
from audit.seal_keys import key_id
from audit.seal_store import seal_store
from ops.loadtest.servers import current_database_url
from tests.conftest import FLUSHABLE_APPS, client_for
from tests.factories import PatientFactory, UserFactory


def read(client, patient, times: int = 1) -> None:
    for _ in range(times):
        assert client.get(f"/api/v1/patients/{patient.id}/").status_code == 200


def clinic_events(clinic_id) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(clinic_id=clinic_id).order_by("id"))


def tamper(*statements: str) -> None:
    """What an attacker with the owner's password could still do: switch the triggers off."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        cursor.execute("ALTER TABLE audit_auditseal DISABLE TRIGGER audit_seal_append_only")
        for statement in statements:
            cursor.execute(statement)
        cursor.execute("ALTER TABLE audit_auditseal ENABLE TRIGGER audit_seal_append_only")
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_append_only")


def findings() -> list[str]:
    return [str(finding) for finding in verify(full=True).findings]


def findings_of(clinic) -> list[str]:
    """A committing test's clinic only: the trail keeps other such tests' events and seals,
    whose copies were in their own folders."""
    return [str(f) for f in verify(full=True).findings if f.clinic_id == str(clinic.id)]


@pytest.mark.django_db
def test_an_event_is_appended_unnumbered_and_sealed_by_the_next_pass(chiropractor_client, patient):
    read(chiropractor_client, patient, 3)
    assert [e.seq for e in clinic_events(patient.clinic_id)] == [None, None, None]

    sealed = sealing.seal_all()

    events = clinic_events(patient.clinic_id)
    seal = AuditSeal.objects.get(clinic_id=patient.clinic_id)
    assert sealed == 3
    assert [e.seq for e in events] == [1, 2, 3]
    assert (seal.number, seal.first_seq, seal.last_seq, seal.tree_size) == (1, 1, 3, 3)
    assert seal.prev_hash == GENESIS
    assert seal.key_id == key_id()


@pytest.mark.django_db
def test_a_seal_is_signed_chained_and_copied_out_of_the_database(chiropractor_client, patient):
    read(chiropractor_client, patient, 2)
    sealing.seal_all()
    read(chiropractor_client, patient, 3)
    sealing.seal_all()

    first, second = AuditSeal.objects.filter(clinic_id=patient.clinic_id).order_by("number")
    key = chiropractor_client.get("/api/v1/audit-seals/public-key/").json()
    public = Ed25519PublicKey.from_public_bytes(base64.b64decode(key["public_key"]))
    public.verify(base64.b64decode(second.signature), seal_message(seal_fields(second)))
    assert (second.number, second.first_seq, second.last_seq) == (2, 3, 5)
    assert second.prev_hash == first.hash
    assert seal_store().get(chain_key(patient.clinic_id), 2) == seal_document_bytes(second)
    assert seal_store().numbers(chain_key(patient.clinic_id)) == [1, 2]


@pytest.mark.django_db
def test_clinics_are_sealed_apart(chiropractor_client, other_admin_client, patient):
    read(chiropractor_client, patient, 2)
    assert other_admin_client.get("/api/v1/audit-events/").status_code == 200

    sealing.seal_all()

    seals = {seal.clinic_id: seal.tree_size for seal in AuditSeal.objects.all()}
    assert seals[patient.clinic_id] == 2
    assert len(seals) == 2


@pytest.mark.django_db
def test_a_busy_second_is_sealed_in_batches_of_the_largest_size(
    chiropractor_client, patient, settings
):
    settings.AUDIT_SEAL_BATCH_MAX = 2
    read(chiropractor_client, patient, 5)

    assert sealing.seal_all() == 5

    sizes = list(
        AuditSeal.objects.filter(clinic_id=patient.clinic_id)
        .order_by("number")
        .values_list("tree_size", flat=True)
    )
    assert sizes == [2, 2, 1]
    assert verify().intact


@pytest.mark.django_db
def test_another_sealer_holding_the_clinic_makes_this_one_skip_it(chiropractor_client, patient):
    read(chiropractor_client, patient)
    key = chain_key(patient.clinic_id)
    with psycopg.connect(**connection_parameters()) as other:
        other.execute("SELECT pg_advisory_lock(%s, hashtext(%s))", [sealing.LOCK_NAMESPACE, key])

        assert sealing.seal_clinic(patient.clinic_id) == 0
        other.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [sealing.LOCK_NAMESPACE, key])

    assert sealing.seal_clinic(patient.clinic_id) == 1


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_an_event_that_commits_late_is_in_the_next_batch(clinic):
    patient = PatientFactory(clinic=clinic)
    client = client_for(UserFactory(clinic=clinic))
    with psycopg.connect(**connection_parameters()) as late:
        # Its id is taken first; it commits after later events were sealed.
        late.execute(
            "SELECT audit_append(%s, now(), NULL, 'dr.late', 'chiropractor', NULL, '', NULL,"
            " 'GET', '/late/', 'read', 'patient', '{}', '{}', 200, '{}', %s)",
            [clinic.id, "0" * 64],
        )
        read(client, patient, 2)
        sealing.seal_all()
        late.commit()
    sealing.seal_all()

    events = clinic_events(clinic.id)
    late_event = next(e for e in events if e.path == "/late/")
    assert late_event.id == min(e.id for e in events)
    assert late_event.seq == max(e.seq for e in events)
    assert sorted(e.seq for e in events) == list(range(1, len(events) + 1))


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_concurrent_requests_and_sealers_give_one_contiguous_numbering(clinic):
    patient = PatientFactory(clinic=clinic)
    users = [UserFactory(clinic=clinic) for _ in range(4)]
    errors: list[BaseException] = []
    done = threading.Event()

    def read_many(user) -> None:
        try:
            client = client_for(user)
            read(client, patient, 10)
        except BaseException as error:  # reported below, in the main thread
            errors.append(error)
        finally:
            connection.close()

    def seal_until_done() -> None:
        try:
            while not done.is_set():
                sealing.seal_all()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    readers = [threading.Thread(target=read_many, args=(user,)) for user in users]
    sealers = [threading.Thread(target=seal_until_done) for _ in range(2)]
    for thread in [*readers, *sealers]:
        thread.start()
    for thread in readers:
        thread.join()
    done.set()
    for thread in sealers:
        thread.join()
    sealing.seal_all()

    assert errors == []
    seqs = sorted(e.seq for e in clinic_events(clinic.id))
    assert seqs == list(range(1, len(seqs) + 1))
    assert len(seqs) >= 40
    assert findings_of(clinic) == []


@pytest.mark.django_db(transaction=True, available_apps=FLUSHABLE_APPS)
def test_a_sealer_killed_mid_seal_leaves_nothing_half_sealed(clinic, tmp_path):
    patient = PatientFactory(clinic=clinic)
    read(client_for(UserFactory(clinic=clinic)), patient, 3)
    first = clinic_events(clinic.id)[0]
    environment = {
        **os.environ,
        "DATABASE_URL": current_database_url(),
        "AUDIT_SEAL_STORE": str(settings.AUDIT_SEAL_STORE),
        "AUDIT_KEY_DIR": str(settings.AUDIT_KEY_DIR),
    }
    with psycopg.connect(**connection_parameters()) as blocker:
        # The sealer numbers its batch and waits on this row lock; it is killed there.
        blocker.execute("SELECT 1 FROM audit_auditevent WHERE id = %s FOR UPDATE", [first.id])
        sealer = subprocess.Popen(
            [sys.executable, "manage.py", "seal_audit"],
            cwd=settings.BASE_DIR,
            env=environment,
        )
        _wait_for_lock_wait()
        sealer.send_signal(signal.SIGKILL)
        sealer.wait()
    # The killed sealer's session ends when it notices its client gone.
    _wait_for_no_sealer_session()

    assert [e.seq for e in clinic_events(clinic.id)] == [None, None, None]
    assert not AuditSeal.objects.filter(clinic_id=clinic.id).exists()
    assert sealing.seal_all() == 3
    assert findings_of(clinic) == []


def _wait_for_lock_wait() -> None:
    # Its own session: a transaction sees pg_stat_activity as it was when it first looked.
    with psycopg.connect(**connection_parameters(), autocommit=True) as probe:
        for _ in range(300):
            waiting = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND query LIKE '%UPDATE audit_auditevent%'"
            ).fetchone()[0]
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the sealer never reached its numbering")


def _wait_for_no_sealer_session() -> None:
    with psycopg.connect(**connection_parameters(), autocommit=True) as probe:
        for _ in range(300):
            alive = probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%%UPDATE audit_auditevent%%'"
                " AND pid <> pg_backend_pid()"
            ).fetchone()[0]
            if not alive:
                return
            time.sleep(0.05)
    raise AssertionError("the killed sealer's session is still there")


# Tampering, as the owner could: each is named by verify_audit.


@pytest.fixture
def sealed_trail(chiropractor_client, patient):
    for _ in range(2):
        read(chiropractor_client, patient, 3)
        sealing.seal_all()
    call_command("verify_audit")
    return clinic_events(patient.clinic_id)


@pytest.mark.django_db
def test_an_untouched_trail_verifies(sealed_trail, capsys):
    call_command("verify_audit", "--full")

    assert "Audit trail intact: 2 seals, 6 sealed events" in capsys.readouterr().out


@pytest.mark.django_db
def test_an_edited_sealed_event_is_named(sealed_trail):
    event = sealed_trail[4]
    tamper(f"UPDATE audit_auditevent SET username = 'someone.else' WHERE id = {event.id}")

    assert f"event {event.id}: its content does not match its HMAC" in " ".join(findings())
    assert any("no longer give its Merkle root" in text for text in findings())
    with pytest.raises(CommandError, match="Audit trail broken"):
        call_command("verify_audit", "--full")


@pytest.mark.django_db
def test_a_deleted_sealed_event_is_named(sealed_trail):
    tamper(f"DELETE FROM audit_auditevent WHERE id = {sealed_trail[1].id}")

    assert any("seal 1" in text and "missing" in text for text in findings())


@pytest.mark.django_db
def test_a_rewritten_seal_is_named(sealed_trail, patient):
    seal = AuditSeal.objects.get(clinic_id=patient.clinic_id, number=1)
    # The owner recomputes the seal's hash over a root of their choosing; they cannot sign it.
    seal.root = root([leaf_hash(b"forged")]).hex()
    seal.hash = seal_hash(seal_message(seal_fields(seal)))
    tamper(
        f"UPDATE audit_auditseal SET root = '{seal.root}', hash = '{seal.hash}'"
        f" WHERE id = {seal.id}"
    )

    texts = findings()
    assert any("seal 1: its signature does not verify" in text for text in texts)
    assert any("seal 1: it differs from its copy outside the database" in text for text in texts)


@pytest.mark.django_db
def test_a_truncated_tail_is_named(sealed_trail, patient):
    tamper(
        f"DELETE FROM audit_auditevent WHERE clinic_id = '{patient.clinic_id}' AND seq > 3",
        f"DELETE FROM audit_auditseal WHERE clinic_id = '{patient.clinic_id}' AND number = 2",
    )

    assert any("seals 2 to 2 are outside the database but not in it" in text for text in findings())


@pytest.mark.django_db
def test_a_seal_dropped_from_the_database_but_kept_outside_is_named(sealed_trail, patient):
    tamper(f"DELETE FROM audit_auditseal WHERE clinic_id = '{patient.clinic_id}' AND number = 1")

    texts = findings()
    assert any("seal 2: seals 1 to 1 are missing from the database" in text for text in texts)


@pytest.mark.django_db
def test_an_event_the_owner_inserts_is_named_sealed_or_not(sealed_trail, patient):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (clinic_id, occurred_at, username, role, user_agent,"
            " method, path, action, resource_type, object_ids, patient_ids, status_code,"
            " changed_fields, hmac) VALUES (%s, now(), 'dr.nobody', 'chiropractor', '', 'GET',"
            " '/api/v1/patients/', 'list', 'patient', '{}', '{}', 200, '{}', %s)",
            [patient.clinic_id, "0" * 64],
        )
    forged = AuditEvent.objects.latest("id")

    assert f"event {forged.id}: its content does not match its HMAC" in " ".join(findings())
    sealing.seal_all()  # the sealer cannot tell; the verifier can
    assert f"seal 3, event {forged.id}: its content does not match" in " ".join(findings())


@pytest.mark.django_db
def test_events_left_unsealed_too_long_are_reported(chiropractor_client, patient, settings):
    read(chiropractor_client, patient)
    tamper("UPDATE audit_auditevent SET occurred_at = occurred_at - interval '2 minutes'")
    settings.AUDIT_UNSEALED_ALERT_SECONDS = 60

    assert any("waited more than 60 s to be sealed" in text for text in findings())


@pytest.mark.django_db
def test_verify_starts_from_the_last_intact_seal_unless_full(sealed_trail, patient):
    event = sealed_trail[0]
    tamper(f"UPDATE audit_auditevent SET username = 'someone.else' WHERE id = {event.id}")

    assert verify().intact  # seals 1 and 2 were verified before the edit
    assert not verify(full=True).intact
