"""Where each signed audit seal is also kept, outside PostgreSQL, written once and never replaced.

The database's owner can rewrite the audit trail and its seals alike; a copy of every seal in a
store they cannot rewrite is what lets a verifier notice. `AUDIT_SEAL_STORE` chooses the store:
`s3://bucket/prefix` an S3-compatible bucket with Object Lock (production), a path or a `file://`
URL a directory (development and tests). A seal's name is
`<prefix>/<clinic_key>/<number, 12 digits>.json`, so that listing order is numeric order.
"""

import base64
import functools
import hashlib
import os
import re
import uuid
from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SEAL_NAME = re.compile(r"^(\d{12})\.json$")


class SealConflict(Exception):
    """A different document is already stored under that clinic and number."""


# What a store that cannot be reached or written raises, besides a conflict: the sealer waits
# for it (audit.sealing) rather than failing its other clinics.
STORE_FAULTS: tuple[type[Exception], ...] = (SealConflict, OSError, BotoCoreError, ClientError)


def seal_name(number: int) -> str:
    return f"{number:012d}.json"


def _checked(clinic_key: str, number: int | None = None) -> None:
    """A clinic key is a UUID as text (lower case), so that it can never climb out of the
    store's folder; numbers start at 1 and fit the 12 digits of a name."""
    if str(uuid.UUID(clinic_key)) != clinic_key:
        raise ValueError(f"Not a clinic key (a UUID in lower case): {clinic_key!r}")
    if number is not None and not 1 <= number < 10**12:
        raise ValueError(f"A seal number runs from 1 to 10**12 - 1, not {number}.")


class SealStore(ABC):
    """Append-only: `put` writes a seal once; the same bytes again are a no-op, a retried
    sealer's; different bytes raise SealConflict and leave the first document."""

    @abstractmethod
    def put(self, clinic_key: str, number: int, document: bytes) -> None: ...

    @abstractmethod
    def get(self, clinic_key: str, number: int) -> bytes | None: ...

    @abstractmethod
    def numbers(self, clinic_key: str, *, after: int = 0) -> list[int]:
        """The seal numbers stored for that clinic, ascending, those above `after` only."""

    @abstractmethod
    def clinic_keys(self) -> list[str]:
        """The clinics that have seals, sorted."""


class DirectorySealStore(SealStore):
    """Seals as read-only files. A seal is written in full and flushed under a temporary name,
    then hard-linked to its own: the link is atomic and fails when the name exists, so a
    half-written seal is never seen and of two writers exactly one places its file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, clinic_key: str, number: int, document: bytes) -> None:
        _checked(clinic_key, number)
        folder = self.root / clinic_key
        folder.mkdir(parents=True, exist_ok=True)
        final = folder / seal_name(number)
        temporary = folder / f".{final.name}.{uuid.uuid4().hex}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(document)
                file.flush()
                os.fchmod(file.fileno(), 0o444)  # whatever the umask
                os.fsync(file.fileno())
            try:
                os.link(temporary, final)
            except FileExistsError:
                if final.read_bytes() != document:
                    raise SealConflict(f"{final} already holds another seal.") from None
                return
        finally:
            temporary.unlink(missing_ok=True)
        for written in (folder, self.root):  # the new names survive a crash too
            _fsync_folder(written)

    def get(self, clinic_key: str, number: int) -> bytes | None:
        _checked(clinic_key, number)
        try:
            return (self.root / clinic_key / seal_name(number)).read_bytes()
        except FileNotFoundError:
            return None

    def numbers(self, clinic_key: str, *, after: int = 0) -> list[int]:
        _checked(clinic_key)
        folder = self.root / clinic_key
        if not folder.is_dir():
            return []
        found = (SEAL_NAME.match(path.name) for path in folder.iterdir())
        return sorted(n for match in found if match and (n := int(match[1])) > after)

    def clinic_keys(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            path.name
            for path in self.root.iterdir()
            if path.is_dir() and any(SEAL_NAME.match(seal.name) for seal in path.iterdir())
        )


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _error_code(error: ClientError) -> str:
    code: str = error.response.get("Error", {}).get("Code", "")
    return code


class S3SealStore(SealStore):
    """Seals as objects in a bucket with Object Lock: each is put with a retention (mode and
    date), so that nobody, in COMPLIANCE mode not even the account's root user, can delete or
    replace that version before the date.

    Write-once is a conditional put (`If-None-Match: *`, honoured by S3 since August 2024 and by
    moto): the server itself refuses a second object under the name, with no window between a
    check and the write. A server that answers NotImplemented to it is written to by
    head-then-put instead, comparing bytes; two sealers racing there could both write, and the
    bucket's versioning (which Object Lock requires) keeps both versions, locked.

    Object Lock still lets a DELETE without a version id add a delete marker: the locked seal
    stays but is hidden from `get` and `numbers`, and the name is free again. The sealer's
    credentials should therefore not hold `s3:DeleteObject`.
    """

    def __init__(
        self,
        *,
        client: Any,
        bucket: str,
        prefix: str,
        retention_days: int,
        lock_mode: str,
        conditional_writes: bool = True,
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.retention = timedelta(days=retention_days)
        self.lock_mode = lock_mode
        self.conditional_writes = conditional_writes
        self._lock_checked = False

    def _key(self, *parts: str) -> str:
        return "/".join(part for part in (self.prefix, *parts) if part)

    def _require_object_lock(self) -> None:
        """A bucket without Object Lock would take every seal and protect none: refused."""
        if self._lock_checked:
            return
        try:
            answer = self.client.get_object_lock_configuration(Bucket=self.bucket)
            enabled = answer["ObjectLockConfiguration"].get("ObjectLockEnabled") == "Enabled"
        except ClientError as error:
            if _error_code(error) != "ObjectLockConfigurationNotFoundError":
                raise
            enabled = False
        if not enabled:
            raise ImproperlyConfigured(
                f"The audit seal bucket {self.bucket!r} does not have Object Lock enabled; "
                "seals must go to a bucket created with Object Lock."
            )
        self._lock_checked = True

    def put(self, clinic_key: str, number: int, document: bytes) -> None:
        _checked(clinic_key, number)
        self._require_object_lock()
        key = self._key(clinic_key, seal_name(number))
        if self.conditional_writes:
            try:
                self._put_object(key, document, IfNoneMatch="*")
                return
            except ClientError as error:
                code = _error_code(error)
                if code == "PreconditionFailed":
                    self._same_or_conflict(key, document)
                    return
                # Anything else is raised, ConditionalRequestConflict (409) too: S3 answers it
                # while another write of this name is under way; the sealer's retry compares.
                if code != "NotImplemented":
                    raise
                self.conditional_writes = False
        if self._read(key) is not None:
            self._same_or_conflict(key, document)
            return
        self._put_object(key, document)

    def _put_object(self, key: str, document: bytes, **condition: str) -> None:
        # Object Lock puts must carry a body digest: Content-MD5 is what every S3-compatible
        # accepts; the SHA-256 checksum is what S3 checks and keeps with the object.
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=document,
            ContentType="application/json",
            ContentMD5=_content_md5(document),
            ChecksumAlgorithm="SHA256",
            ObjectLockMode=self.lock_mode,
            ObjectLockRetainUntilDate=(datetime.now(UTC) + self.retention).replace(microsecond=0),
            **condition,
        )

    def _same_or_conflict(self, key: str, document: bytes) -> None:
        if self._read(key) != document:
            raise SealConflict(f"s3://{self.bucket}/{key} already holds another seal.")

    def _read(self, key: str) -> bytes | None:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in {"NoSuchKey", "404"}:
                return None
            raise
        body: bytes = answer["Body"].read()
        return body

    def get(self, clinic_key: str, number: int) -> bytes | None:
        _checked(clinic_key, number)
        self._require_object_lock()
        return self._read(self._key(clinic_key, seal_name(number)))

    def numbers(self, clinic_key: str, *, after: int = 0) -> list[int]:
        _checked(clinic_key)
        self._require_object_lock()
        folder = self._key(clinic_key) + "/"
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=folder, StartAfter=folder + seal_name(max(after, 0))
        )
        found = (
            SEAL_NAME.match(item["Key"].removeprefix(folder))
            for page in pages
            for item in page.get("Contents", [])
        )
        return sorted(n for match in found if match and (n := int(match[1])) > after)

    def clinic_keys(self) -> list[str]:
        self._require_object_lock()
        root = self._key() + "/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=root, Delimiter="/"
        )
        return sorted(
            common["Prefix"].removeprefix(root).rstrip("/")
            for page in pages
            for common in page.get("CommonPrefixes", [])
        )


def _content_md5(document: bytes) -> str:
    return base64.b64encode(hashlib.md5(document, usedforsecurity=False).digest()).decode()


def s3_client() -> Any:
    """A client for the seal bucket: endpoint and region from settings, credentials from
    boto3's own chain (environment, shared files, instance or task role)."""
    endpoint: str = settings.AUDIT_SEAL_S3_ENDPOINT_URL
    return boto3.client(
        "s3",
        endpoint_url=endpoint or None,
        region_name=settings.AUDIT_SEAL_S3_REGION or None,
        config=Config(
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard"},
            # S3-compatible servers (MinIO, …) answer at their endpoint's own host name.
            s3={"addressing_style": "path" if endpoint else "auto"},
        ),
    )


def store_at(location: str) -> SealStore:
    """The store `location` names: `s3://bucket/prefix`, `file:///path` or a path (relative to
    the project)."""
    parts = urlsplit(location)
    if parts.scheme == "s3":
        if not parts.netloc:
            raise ImproperlyConfigured(f"AUDIT_SEAL_STORE names no bucket: {location!r}")
        return S3SealStore(
            client=s3_client(),
            bucket=parts.netloc,
            prefix=unquote(parts.path),
            retention_days=settings.AUDIT_SEAL_RETENTION_DAYS,
            lock_mode=settings.AUDIT_SEAL_LOCK_MODE,
        )
    if parts.scheme == "file":
        if parts.netloc not in {"", "localhost"}:
            raise ImproperlyConfigured(f"AUDIT_SEAL_STORE names another host: {location!r}")
        return DirectorySealStore(Path(unquote(parts.path)))
    if parts.scheme:
        raise ImproperlyConfigured(
            f"AUDIT_SEAL_STORE must be s3://, file:// or a path: {location!r}"
        )
    return DirectorySealStore(Path(settings.BASE_DIR) / location)


@functools.cache
def _store_of_process(pid: int, location: str) -> SealStore:
    return store_at(location)


def seal_store() -> SealStore:
    """The configured store, built once per process: a forked worker builds its own, as an S3
    client's connections may not be shared across a fork."""
    return _store_of_process(os.getpid(), settings.AUDIT_SEAL_STORE)
