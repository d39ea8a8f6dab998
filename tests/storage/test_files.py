"""The evidence store: content-addressed, atomic, deduplicated, verifiable."""

import os

import pytest

from storage.files import EvidenceStore


def test_the_same_content_is_stored_once_under_its_hash(store):
    first = store.put(b"quyet dinh so 12")
    second = store.put(b"quyet dinh so 12")
    assert first.key == second.key and first.created and not second.created
    assert store.read(first.key) == b"quyet dinh so 12"
    files = [p for p in store.root.rglob("*") if p.is_file()]
    assert files == [store.path_for(first.key)]


def test_a_file_name_from_a_person_never_becomes_a_path(store):
    for hostile in ("../../etc/passwd", "a/b", "", "ABC", "0" * 63):
        with pytest.raises(ValueError):
            store.path_for(hostile)


def test_a_failed_write_leaves_no_partial_file(store):
    def chunks():
        yield b"first part"
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.put_stream(chunks())
    assert [p for p in store.root.rglob("*") if p.is_file()] == []


def test_verify_lists_missing_and_corrupt_files(store):
    good, damaged, gone = store.put(b"good"), store.put(b"damaged"), store.put(b"gone")
    store.path_for(damaged.key).write_bytes(b"tampered")
    os.unlink(store.path_for(gone.key))
    report = store.verify([good.key, damaged.key, gone.key])
    assert report.checked == 3 and report.missing == [gone.key] and report.corrupt == [damaged.key]
    assert not report.ok


def test_streams_are_hashed_as_they_are_written(tmp_path):
    store = EvidenceStore(tmp_path)
    stored = store.put_stream([b"a" * 1000, b"b" * 1000])
    assert stored.size == 2000 and store.hash_of(stored.key) == stored.key
