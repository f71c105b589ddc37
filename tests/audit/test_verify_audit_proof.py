"""docs/verify_audit_proof.py, the auditor's offline check of an event's proof, against real
proofs (audit.merkle's trees, a fresh Ed25519 key): every leaf of small trees passes; any change
to the event, the path or the seal, another key, or a flipped byte of the file fails with a
one-line reason. Most cases run the script's `main` in this process; a few run it as auditors do."""

import base64
import hashlib
import json
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit import merkle

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "verify_audit_proof.py"
verify_main = runpy.run_path(str(SCRIPT))["main"]

CLINIC = "5d1c7c52-9a4e-4a8e-8f57-1b1f0b7f2c11"
FIRST_SEQ = 973
KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()


def canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)


def event(seq: int) -> dict:
    return {
        "id": 100 + seq,
        "seq": seq,
        "clinic_id": CLINIC,
        "occurred_at": f"2026-12-04T15:06:{seq % 60:02d}.123456Z",
        "user_id": "0b6f7e0e-3f0c-4d55-9a55-8f8a3c2a6f10",
        "username": "dr.demo@demo",
        "role": "chiropractor",
        "client_ip": "127.0.0.1",
        "user_agent": "Mozilla/5.0 (Macintosh) Safari/605.1.15 — clinic desk",
        "request_id": None,
        "method": "GET",
        "path": f"/api/v1/patients/{seq}/",
        "action": "read",
        "resource_type": "patient",
        "object_ids": [str(seq)],
        "patient_ids": [str(seq)],
        "status_code": 200,
        "changed_fields": [],
    }


def sign(seal: dict, key: Ed25519PrivateKey = KEY) -> dict:
    """The seal with key_id, signature and hash made for its other fields under `key`."""
    raw = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    unsigned = {k: v for k, v in seal.items() if k not in ("signature", "hash")}
    unsigned["key_id"] = hashlib.sha256(raw).hexdigest()
    message = canonical(unsigned)
    signature = base64.b64encode(key.sign(message)).decode()
    return {**unsigned, "signature": signature, "hash": hashlib.sha256(message).hexdigest()}


def make_proof(size: int, index: int) -> dict:
    events = [event(FIRST_SEQ + i) for i in range(size)]
    leaves = [merkle.leaf_hash(canonical(e)) for e in events]
    seal = {
        "clinic_id": CLINIC,
        "number": 12,
        "first_seq": FIRST_SEQ,
        "last_seq": FIRST_SEQ + size - 1,
        "tree_size": size,
        "root": merkle.root(leaves).hex(),
        "prev_hash": hashlib.sha256(b"seal 11").hexdigest(),
        "sealed_at": "2026-12-04T15:06:48.000000Z",
    }
    return {
        "event": events[index],
        "leaf_index": index,
        "inclusion_path": [h.hex() for h in merkle.inclusion_proof(index, leaves)],
        "seal": sign(seal),
    }


@pytest.fixture
def run(tmp_path, capsys):
    """Verify a proof (a dict, or the file's bytes) under a key: (exit status, stdout, stderr)."""

    def run(proof: dict | bytes, key: bytes = pem(KEY)) -> tuple[int, str, str]:
        document = proof if isinstance(proof, bytes) else json.dumps(proof, indent=2).encode()
        (tmp_path / "proof.json").write_bytes(document)
        (tmp_path / "key.pem").write_bytes(key)
        status = verify_main([str(tmp_path / "proof.json"), str(tmp_path / "key.pem")])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def assert_refused(result: tuple[int, str, str]) -> None:
    status, out, err = result
    assert status == 1
    assert out == ""
    assert err.startswith("Not verified: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_every_leaf_of_trees_up_to_17_is_verified(run):
    for size in range(1, 18):
        for index in range(size):
            status, out, err = run(make_proof(size, index))
            assert (status, err) == (0, ""), (size, index, err)
            assert out.startswith(f"Event {100 + FIRST_SEQ + index} (clinic {CLINIC}, ")


def changed(value: object) -> object:
    """A realistic edit of a value of each type the event holds."""
    if value is None:
        return "3f0c0b6f-7e0e-4d55-9a55-8f8a3c2a6f10"
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("0" if value[-1] != "0" else "1")
    assert isinstance(value, list)
    return [*value, "6a0e"] if not value else [changed(value[0]), *value[1:]]


@pytest.mark.parametrize("name", list(event(FIRST_SEQ)))
def test_a_changed_event_field_is_refused(run, name):
    proof = make_proof(9, 4)
    proof["event"][name] = changed(proof["event"][name])
    assert_refused(run(proof))


def test_an_added_event_field_is_refused(run):
    proof = make_proof(9, 4)
    proof["event"]["note"] = "added"
    assert_refused(run(proof))


def test_a_removed_event_field_is_refused(run):
    proof = make_proof(9, 4)
    del proof["event"]["username"]
    assert_refused(run(proof))


def test_another_leaf_index_is_refused(run):
    for size, index in [(9, 4), (8, 7), (1, 0), (17, 16)]:
        proof = make_proof(size, index)
        for other in {index - 1, index + 1, size, -1} - {index}:
            assert_refused(run({**proof, "leaf_index": other}))


def test_a_changed_dropped_or_added_path_entry_is_refused(run):
    proof = make_proof(13, 5)
    path = proof["inclusion_path"]
    for position, entry in enumerate(path):
        other = ("1" if entry[7] == "0" else "0").join((entry[:7], entry[8:]))
        for edit in (other, entry.upper(), entry[:-1], entry + "0"):
            assert_refused(
                run({**proof, "inclusion_path": [*path[:position], edit, *path[position + 1 :]]})
            )
        assert_refused(run({**proof, "inclusion_path": path[:position] + path[position + 1 :]}))
    for added in (path + [path[0]], [path[0], *path]):
        assert_refused(run({**proof, "inclusion_path": added}))


@pytest.mark.parametrize(
    "name",
    [
        "clinic_id",
        "number",
        "first_seq",
        "last_seq",
        "tree_size",
        "root",
        "prev_hash",
        "sealed_at",
        "key_id",
        "hash",
        "signature",
    ],
)
def test_a_changed_seal_field_is_refused(run, name):
    proof = make_proof(9, 4)
    seal = proof["seal"]
    if name == "signature":
        signature = bytearray(base64.b64decode(seal["signature"]))
        signature[10] ^= 1
        seal[name] = base64.b64encode(signature).decode()
    else:
        seal[name] = changed(seal[name])
    assert_refused(run(proof))


def test_a_seal_resigned_consistently_with_other_fields_is_still_refused(run):
    """The seal's numbers, re-signed, no longer match the event and the path."""
    proof = make_proof(9, 4)
    for name in ("first_seq", "last_seq", "tree_size", "root", "clinic_id"):
        seal = {**proof["seal"], name: changed(proof["seal"][name])}
        assert_refused(run({**proof, "seal": sign(seal)}))


def test_a_seal_signed_by_another_key_is_refused(run):
    proof = make_proof(9, 4)
    resigned = {**proof, "seal": sign(proof["seal"], OTHER_KEY)}
    assert run(resigned, pem(OTHER_KEY))[0] == 0
    assert_refused(run(resigned))
    assert_refused(run(proof, pem(OTHER_KEY)))


def test_a_key_that_is_not_an_ed25519_public_key_is_refused(run):
    p256 = generate_private_key(SECP256R1()).public_key()
    assert_refused(
        run(make_proof(9, 4), p256.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    )
    assert_refused(
        run(make_proof(9, 4), b"-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n")
    )


def test_every_flipped_byte_of_the_file_is_refused(run):
    document = json.dumps(make_proof(11, 6), indent=2, ensure_ascii=False).encode()
    assert run(document)[0] == 0
    for offset in range(len(document)):
        flipped = bytearray(document)
        flipped[offset] ^= 1
        assert_refused(run(bytes(flipped)))
        flipped[offset] ^= 0x80
        assert_refused(run(bytes(flipped)))


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"not json",
        b"[]",
        b'{"event": {}}',
        b"\xff\xfe{}",
        b"[" * 100_000,
        json.dumps({"event": "x", "leaf_index": 0, "inclusion_path": [], "seal": {}}).encode(),
    ],
)
def test_a_file_that_is_not_a_proof_is_refused(run, document):
    assert_refused(run(document))


@pytest.mark.parametrize(
    "edit",
    [
        lambda p: p.pop("seal"),
        lambda p: p.update(leaf_index=True),
        lambda p: p.update(leaf_index=4.0),
        lambda p: p.update(inclusion_path="00"),
        lambda p: p.update(inclusion_path=[1, 2]),
        lambda p: p["event"].update(id="123"),
        lambda p: p["event"].update(seq=None),
        lambda p: p["event"].update(occurred_at="\ud800"),
        lambda p: p["seal"].update(tree_size=float("nan")),
        lambda p: p["seal"].update(signature="not base64!"),
        lambda p: p["seal"].update(signature=p["seal"]["signature"].rstrip("=")),
        lambda p: p["seal"].pop("prev_hash"),
    ],
)
def test_a_proof_with_a_missing_field_or_a_wrong_type_is_refused(run, edit):
    proof = make_proof(9, 4)
    edit(proof)
    assert_refused(run(proof))


def test_a_repeated_key_is_refused(run):
    document = json.dumps(make_proof(9, 4)).encode()
    assert_refused(run(document.replace(b'"leaf_index": 4', b'"leaf_index": 4, "leaf_index": 4')))


def run_script(*args: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)], capture_output=True, text=True, check=False
    )


def test_the_script_run_as_an_auditor_does(tmp_path):
    proof, key = tmp_path / "proof.json", tmp_path / "key.pem"
    key.write_bytes(pem(KEY))
    document = make_proof(28, 4)
    proof.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = run_script(proof, key)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"Event {100 + FIRST_SEQ + 4} (clinic {CLINIC}, seq {FIRST_SEQ + 4}) is in seal 12 "
        f"(seqs {FIRST_SEQ}-{FIRST_SEQ + 27}, root {document['seal']['root']}), signed by key "
        f"{document['seal']['key_id']}; the seal's hash is {document['seal']['hash']}\n"
    )

    document["event"]["status_code"] = 403
    proof.write_text(json.dumps(document), encoding="utf-8")
    tampered = run_script(proof, key)
    assert tampered.returncode == 1
    assert (
        tampered.stderr
        == "Not verified: the event and its inclusion path do not lead to seal.root\n"
    )

    proof.write_bytes(b'{"event": ')
    broken = run_script(proof, key)
    assert broken.returncode == 1 and broken.stderr.startswith(
        "Not verified: the proof is not UTF-8 JSON"
    )
    assert "Traceback" not in broken.stderr

    missing = run_script(tmp_path / "absent.json", key)
    assert missing.returncode == 1 and missing.stderr.startswith("Not verified: cannot read ")
