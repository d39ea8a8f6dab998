"""Evidence files in an S3-compatible store (moto's server stands in for MinIO) behave as on the
local disk: the same interface, the same content names, the same checks."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from bot.cli.common import evidence_store
from bot.settings import Settings
from storage.files import EvidenceStore
from storage.s3 import S3EvidenceStore, S3Location
from tests.ops.services import S3_KEY, S3_REGION, S3_SECRET, s3_client, s3_environment


@pytest.fixture
def bucket(s3_endpoint):
    name = f"dti-{uuid.uuid4().hex[:8]}"
    s3_client(s3_endpoint).create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["local", "s3"])
def any_store(request, tmp_path):
    if request.param == "local":
        return EvidenceStore(tmp_path / "evidence")
    endpoint = request.getfixturevalue("s3_endpoint")
    name = request.getfixturevalue("bucket")
    location = S3Location(name, "evidence", endpoint, S3_REGION, S3_KEY, S3_SECRET)
    return S3EvidenceStore(location, tmp_path / "tmp")


def test_a_file_is_stored_once_by_its_content_and_read_back_whole(any_store):
    data = b"%PDF-1.4 quyet dinh so 12/QD-UBND " * 1000
    first = any_store.put(data)
    again = any_store.put_stream([data[:10], data[10:]])
    assert first.key == hashlib.sha256(data).hexdigest() and first.created and first.size == len(data)
    assert again.key == first.key and not again.created
    assert any_store.exists(first.key) and any_store.read(first.key) == data
    with any_store.open(first.key) as fh:
        assert fh.read() == data
    assert any_store.hash_of(first.key) == first.key


def test_a_missing_file_is_absent_and_verify_names_the_missing_and_the_corrupt(any_store):
    good = any_store.put(b"good file")
    bad = any_store.put(b"file that will rot")
    absent = hashlib.sha256(b"never stored").hexdigest()
    assert not any_store.exists(absent) and any_store.hash_of(absent) is None
    with pytest.raises(FileNotFoundError):
        any_store.read(absent)
    if isinstance(any_store, S3EvidenceStore):
        any_store.client.put_object(Bucket=any_store.bucket, Key=any_store.object_key(bad.key), Body=b"rotten")
    else:
        any_store.path_for(bad.key).write_bytes(b"rotten")
    report = any_store.verify([good.key, bad.key, absent, good.key])
    assert report.checked == 3 and report.missing == [absent] and report.corrupt == [bad.key]


def test_objects_are_named_as_the_local_files_under_the_prefix(s3_endpoint, bucket, tmp_path):
    location = S3Location(bucket, "/tinh/evidence/", s3_endpoint, S3_REGION, S3_KEY, S3_SECRET)
    store = S3EvidenceStore(location, tmp_path / "tmp")
    stored = store.put(b"content")
    listed = s3_client(s3_endpoint).list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["Key"] for o in listed] == [f"tinh/evidence/{stored.key[:2]}/{stored.key[2:4]}/{stored.key}"]
    with pytest.raises(ValueError):
        store.exists("../../etc/passwd")


def test_the_settings_choose_the_bucket_and_the_local_folder_stays_the_default(s3_endpoint, bucket, tmp_path):
    local = evidence_store(Settings(data_dir=tmp_path))
    assert type(local) is EvidenceStore and local.root == tmp_path / "evidence"
    fields = {k.removeprefix("DTI_").lower(): v for k, v in s3_environment(s3_endpoint, bucket).items()}
    remote = evidence_store(Settings(data_dir=tmp_path, **fields))
    assert isinstance(remote, S3EvidenceStore) and remote.bucket == bucket and remote.prefix == "evidence/"
    key = remote.put(b"shared by the replicas").key
    assert not (tmp_path / "evidence").exists() and remote.read(key) == b"shared by the replicas"


def test_store_settings_without_a_bucket_are_refused_in_one_line():
    with pytest.raises(ValueError, match=r"evidence_bucket_missing.*DTI_EVIDENCE_ENDPOINT, DTI_EVIDENCE_ACCESS_KEY"):
        Settings(evidence_endpoint="http://minio:9000", evidence_access_key="dti")
