"""The seal stores, each through the same cases: a folder, and an S3 bucket with Object Lock on a
real S3-compatible server (moto's, started here), written with conditional puts and with
head-then-put."""

import os
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.core.exceptions import ImproperlyConfigured
from moto.server import ThreadedMotoServer

from audit.seal_store import (
    DirectorySealStore,
    S3SealStore,
    SealConflict,
    SealStore,
    seal_store,
    store_at,
)

CLINIC = "6f1c1b8e-3c1a-4b7e-9a43-2d5c0f6a9b21"
OTHER_CLINIC = "0b7d5a52-8f0e-4c55-8d0b-5b1e2f3a4c6d"
NO_CLINIC = "00000000-0000-0000-0000-000000000000"
SEAL = b'{"clinic":"6f1c1b8e","number":1,"root":"5dc9da79","signature":"c2lnbmVk"}'
OTHER_SEAL = b'{"clinic":"6f1c1b8e","number":1,"root":"e3b0c442","signature":"b3RoZXI="}'
SIX_YEARS = 2192
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible server on a free local port, for this test worker."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3(s3_endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto's)
        config=Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture
def make_bucket(s3: Any) -> Callable[..., str]:
    def make(*, object_lock: bool = True) -> str:
        name = f"audit-seals-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=object_lock)
        return name

    return make


def s3_store(s3: Any, bucket: str, **options: Any) -> S3SealStore:
    return S3SealStore(
        client=s3,
        bucket=bucket,
        prefix="seals",
        retention_days=SIX_YEARS,
        lock_mode="COMPLIANCE",
        **options,
    )


@pytest.fixture(params=["directory", "s3", "s3-head-then-put"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> SealStore:
    if request.param == "directory":
        return DirectorySealStore(tmp_path / "seals")
    s3 = request.getfixturevalue("s3")
    bucket = request.getfixturevalue("make_bucket")()
    return s3_store(s3, bucket, conditional_writes=request.param == "s3")


def test_a_seal_reads_back_as_written(store):
    store.put(CLINIC, 1, SEAL)

    assert store.get(CLINIC, 1) == SEAL
    assert store.get(CLINIC, 2) is None
    assert store.get(OTHER_CLINIC, 1) is None


def test_writing_the_same_seal_again_changes_nothing(store):
    store.put(CLINIC, 1, SEAL)

    store.put(CLINIC, 1, SEAL)  # a retried sealer

    assert store.get(CLINIC, 1) == SEAL
    assert store.numbers(CLINIC) == [1]


def test_another_seal_under_a_taken_number_is_refused_and_the_first_kept(store):
    store.put(CLINIC, 1, SEAL)

    with pytest.raises(SealConflict):
        store.put(CLINIC, 1, OTHER_SEAL)

    assert store.get(CLINIC, 1) == SEAL


def test_numbers_are_ascending_and_start_after_the_one_given(store):
    for number in (10, 2, 1, 11, 100):
        store.put(CLINIC, number, SEAL)
    store.put(OTHER_CLINIC, 3, SEAL)

    assert store.numbers(CLINIC) == [1, 2, 10, 11, 100]
    assert store.numbers(CLINIC, after=2) == [10, 11, 100]
    assert store.numbers(CLINIC, after=100) == []
    assert store.numbers(OTHER_CLINIC) == [3]
    assert store.numbers(NO_CLINIC) == []


def test_clinic_keys_are_the_clinics_with_seals(store):
    assert store.clinic_keys() == []

    store.put(OTHER_CLINIC, 1, SEAL)
    store.put(NO_CLINIC, 1, SEAL)
    store.put(CLINIC, 1, SEAL)

    assert store.clinic_keys() == sorted([CLINIC, OTHER_CLINIC, NO_CLINIC])


@pytest.mark.parametrize(
    ("clinic_key", "number"),
    [("../../etc", 1), (CLINIC.upper(), 1), ("", 1), (CLINIC, 0), (CLINIC, 10**12)],
)
def test_a_key_that_is_no_clinic_or_a_number_out_of_range_is_refused(store, clinic_key, number):
    with pytest.raises(ValueError):
        store.put(clinic_key, number, SEAL)

    assert store.clinic_keys() == []


def test_a_seal_file_is_read_only_under_its_zero_padded_number(tmp_path):
    store = DirectorySealStore(tmp_path)

    store.put(CLINIC, 7, SEAL)

    path = tmp_path / CLINIC / "000000000007.json"
    assert path.read_bytes() == SEAL
    assert path.stat().st_mode & 0o777 == 0o444
    assert os.listdir(tmp_path / CLINIC) == ["000000000007.json"]  # no temporary file left
    if os.geteuid() != 0:  # root writes whatever the mode says
        with pytest.raises(PermissionError):
            path.write_bytes(OTHER_SEAL)


def test_of_writers_racing_for_one_seal_exactly_one_document_is_kept(tmp_path):
    store = DirectorySealStore(tmp_path)
    documents = [SEAL, OTHER_SEAL] * 8

    def write(document: bytes) -> bool:
        try:
            store.put(CLINIC, 1, document)
        except SealConflict:
            return False
        return True

    with ThreadPoolExecutor(max_workers=len(documents)) as pool:
        written = list(pool.map(write, documents))

    kept = store.get(CLINIC, 1)
    assert kept in {SEAL, OTHER_SEAL}
    assert written == [document == kept for document in documents]
    assert os.listdir(tmp_path / CLINIC) == ["000000000001.json"]


def test_a_sealed_object_is_locked_for_six_years_in_compliance_mode(s3, make_bucket, time_machine):
    now = datetime(2026, 11, 20, 10, 0, 0, tzinfo=UTC)
    time_machine.move_to(now, tick=False)
    bucket = make_bucket()

    s3_store(s3, bucket).put(CLINIC, 1, SEAL)

    head = s3.head_object(Bucket=bucket, Key=f"seals/{CLINIC}/000000000001.json")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] == now + timedelta(days=SIX_YEARS)
    assert head["ContentType"] == "application/json"


def test_the_server_refuses_to_delete_a_locked_seal(s3, make_bucket):
    bucket = make_bucket()
    s3_store(s3, bucket).put(CLINIC, 1, SEAL)
    key = f"seals/{CLINIC}/000000000001.json"
    version = s3.head_object(Bucket=bucket, Key=key)["VersionId"]

    for bypass in (False, True):  # COMPLIANCE: not even with the governance bypass
        with pytest.raises(ClientError) as refused:
            s3.delete_object(
                Bucket=bucket, Key=key, VersionId=version, BypassGovernanceRetention=bypass
            )
        assert refused.value.response["Error"]["Code"] == "AccessDenied"

    assert s3.get_object(Bucket=bucket, Key=key, VersionId=version)["Body"].read() == SEAL


def test_a_bucket_without_object_lock_is_refused_before_anything_is_written(s3, make_bucket):
    bucket = make_bucket(object_lock=False)
    store = s3_store(s3, bucket)

    with pytest.raises(ImproperlyConfigured, match="Object Lock"):
        store.put(CLINIC, 1, SEAL)
    with pytest.raises(ImproperlyConfigured, match="Object Lock"):
        store.numbers(CLINIC)

    assert s3.list_objects_v2(Bucket=bucket).get("Contents", []) == []


def test_the_configured_bucket_is_reached_with_the_settings(
    settings, monkeypatch, s3, s3_endpoint, make_bucket
):
    bucket = make_bucket()
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    settings.AUDIT_SEAL_S3_ENDPOINT_URL = s3_endpoint
    settings.AUDIT_SEAL_S3_REGION = "us-east-1"
    settings.AUDIT_SEAL_LOCK_MODE = "GOVERNANCE"
    settings.AUDIT_SEAL_RETENTION_DAYS = 30

    store = store_at(f"s3://{bucket}/trail/seals")
    store.put(NO_CLINIC, 1, SEAL)

    head = s3.head_object(Bucket=bucket, Key=f"trail/seals/{NO_CLINIC}/000000000001.json")
    assert head["ObjectLockMode"] == "GOVERNANCE"
    assert store.get(NO_CLINIC, 1) == SEAL
    assert store.clinic_keys() == [NO_CLINIC]


@pytest.mark.parametrize(
    ("location", "root"),
    [
        ("file:///var/lib/chiro/seals", Path("/var/lib/chiro/seals")),
        ("/var/lib/chiro/seals", Path("/var/lib/chiro/seals")),
        ("seals-here", Path(__file__).resolve().parents[2] / "seals-here"),
    ],
)
def test_a_path_or_file_url_names_a_folder(location, root):
    store = store_at(location)

    assert isinstance(store, DirectorySealStore)
    assert store.root == root


@pytest.mark.parametrize("location", ["s3:///no-bucket", "file://elsewhere/seals", "gs://b/p"])
def test_a_location_that_is_no_store_is_refused(location):
    with pytest.raises(ImproperlyConfigured):
        store_at(location)


def test_the_configured_store_is_built_once_per_process():
    assert seal_store() is seal_store()
    assert isinstance(seal_store(), DirectorySealStore)  # the tests' default: a folder
