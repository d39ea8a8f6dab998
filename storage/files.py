"""Content-addressed evidence files under DTI_DATA_DIR/evidence/.

A file's name is the SHA-256 of its bytes (`ab/cd/abcd…`), never anything a person sent: a user's
file name is kept in the database for display only. Writes go to a temporary file that is fsynced
and renamed, so a crash leaves either the whole file or nothing; the same content is stored once.

`EvidenceStore` is both the interface the bot uses and the local-disk store, the default and the
fastest; `storage.s3.S3EvidenceStore` keeps the same files in an S3-compatible bucket (for replicas
on several machines). Its methods are blocking: callers on the event loop run them in a thread.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

_KEY = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredFile:
    key: str
    size: int
    created: bool  # False when the same content was already there


@dataclass
class VerifyReport:
    checked: int = 0
    missing: list[str] = field(default_factory=list)
    corrupt: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not self.corrupt


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path_for(self, key: str) -> Path:
        if not _KEY.match(key):
            raise ValueError("not a content key")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> StoredFile:
        return self.put_stream([data])

    def put_stream(self, chunks: Iterable[bytes]) -> StoredFile:
        tmp_dir = self.root / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            key = digest.hexdigest()
            final = self.path_for(key)
            if final.exists():
                os.unlink(tmp_name)
                return StoredFile(key, size, created=False)
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            _fsync_dir(final.parent)
            return StoredFile(key, size, created=True)
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def open(self, key: str) -> BinaryIO:
        return self.path_for(key).open("rb")

    def read(self, key: str) -> bytes:
        return self.path_for(key).read_bytes()

    def hash_of(self, key: str) -> str | None:
        path = self.path_for(key)
        if not path.is_file():
            return None
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
        return digest.hexdigest()

    def verify(self, keys: Iterable[str], on_item: Callable[[], None] | None = None) -> VerifyReport:
        """Re-hash every file named by `keys` and list the missing and corrupt ones."""
        report = VerifyReport()
        for key in dict.fromkeys(keys):
            if on_item is not None:
                on_item()
            report.checked += 1
            actual = self.hash_of(key)
            if actual is None:
                report.missing.append(key)
            elif actual != key:
                report.corrupt.append(key)
        return report


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
