"""Evidence files in an S3-compatible object store (MinIO, Ceph, a cloud's S3), for webhook replicas
on several machines: the same interface as the local store (storage.files.EvidenceStore), the same
content-addressed names (`<prefix>ab/cd/abcd…`), so `aws s3 sync <DTI_DATA_DIR>/evidence/
s3://bucket/<prefix> --exclude 'tmp/*'` moves an installation's files over as they are.

An object appears whole or not at all, so a crash mid-upload leaves nothing behind; the same content
is stored once (a HEAD before the PUT). boto3 is blocking: every caller runs these methods in a
thread (`asyncio.to_thread`), as it already does for the local store. The client is made once and
shared by those threads (boto3 clients are thread-safe).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from storage.files import CHUNK, EvidenceStore, StoredFile

SPOOL_IN_MEMORY = 8 << 20  # uploads up to this size are hashed and sent from memory


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None  # MinIO: http://minio:9000; None: AWS
    region: str | None = None
    access_key: str | None = None  # None: boto3's own chain (AWS_* variables, an instance role)
    secret_key: str | None = field(default=None, repr=False)  # never in a log or a traceback


class S3EvidenceStore(EvidenceStore):
    """The evidence store on S3. `root` is a local folder for nothing but temporary files."""

    def __init__(self, location: S3Location, root: Path, client: Any = None) -> None:
        super().__init__(root)
        self.location = location
        self.bucket = location.bucket
        self.prefix = location.prefix.strip("/") + "/" if location.prefix.strip("/") else ""
        self.client = client if client is not None else make_client(location)

    def object_key(self, key: str) -> str:
        self.path_for(key)  # refuses anything that is not a content key
        return f"{self.prefix}{key[:2]}/{key[2:4]}/{key}"

    def put_stream(self, chunks: Iterable[bytes]) -> StoredFile:
        digest = hashlib.sha256()
        size = 0
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=self._tmp_dir()) as spool:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                spool.write(chunk)
            key = digest.hexdigest()
            if self.exists(key):
                return StoredFile(key, size, created=False)
            spool.seek(0)
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.object_key(key),
                Body=spool,
                ContentLength=size,
                ContentType="application/octet-stream",
            )
        return StoredFile(key, size, created=True)

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=self.object_key(key))
        except Exception as exc:
            if _not_found(exc):
                return False
            raise
        return True

    def open(self, key: str) -> BinaryIO:
        """A seekable local copy (the export writes it into a zip). FileNotFoundError when missing."""
        copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, dir=self._tmp_dir())  # noqa: SIM115 (returned)
        try:
            for chunk in self._chunks(key):
                copy.write(chunk)
            copy.seek(0)
        except BaseException:
            copy.close()
            raise
        return cast(BinaryIO, copy)

    def read(self, key: str) -> bytes:
        return b"".join(self._chunks(key))

    def hash_of(self, key: str) -> str | None:
        digest = hashlib.sha256()
        try:
            for chunk in self._chunks(key):
                digest.update(chunk)
        except FileNotFoundError:
            return None
        return digest.hexdigest()

    def _chunks(self, key: str) -> Iterable[bytes]:
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.object_key(key))["Body"]
        except Exception as exc:
            if _not_found(exc):
                raise FileNotFoundError(key) from None
            raise
        try:
            while chunk := body.read(CHUNK):
                yield chunk
        finally:
            body.close()

    def _tmp_dir(self) -> Path:
        folder = self.root / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        return folder


def make_client(location: S3Location) -> Any:
    import boto3  # heavy: only when the S3 store is configured
    from botocore.config import Config

    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=32,
        # MinIO and most self-hosted stores want bucket names in the path, not in the host name.
        s3={"addressing_style": "path" if location.endpoint_url else "auto"},
    )
    return boto3.client(
        "s3",
        endpoint_url=location.endpoint_url or None,
        region_name=location.region or None,
        aws_access_key_id=location.access_key or None,
        aws_secret_access_key=location.secret_key or None,
        config=config,
    )


def _not_found(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    code = str(response.get("Error", {}).get("Code", ""))
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("404", "NoSuchKey", "NotFound") or status == 404


def bucket_reachable(store: S3EvidenceStore) -> None:
    """Raises (botocore's error) when the bucket cannot be reached with these credentials."""
    store.client.head_bucket(Bucket=store.bucket)
