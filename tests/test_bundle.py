"""Bundles: export → import reproduces the log; import is atomic, idempotent and safe."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings

import archive
from archive.bundle import export_bundle, import_bundle, read_bundle
from archive.errors import BundleError, ValidationError

from .builders import Builder, archive_bound_by_permissions, file_digest
from .generators import archive_batches
from .test_catalogue import _fill


def _rows(arc: archive.Archive) -> list[tuple]:
    return [(s.position, s.event_id, s.stream_id, s.stream_version, s.payload, s.hash, s.prev_hash)
            for s in arc.stored_events()]


@settings(max_examples=15)
@given(batches=archive_batches())
def test_export_then_import_reproduces_events_positions_and_hashes(tmp_path_factory, batches):
    work = tmp_path_factory.mktemp("roundtrip")
    with archive.open(work / "a.db") as original:
        _fill(original, batches)
        export_bundle(original, work / "bundle")
        expected = _rows(original)
        blobs = {k: original.source_bytes(k) for k in original.log.blob_ids()}
    with archive.open(work / "b.db") as copy:
        result = import_bundle(copy, work / "bundle")
        assert len(result.stored) == len(expected)
        assert _rows(copy) == expected
        assert {k: copy.source_bytes(k) for k in copy.log.blob_ids()} == blobs
        assert copy.verify().ok
        again = import_bundle(copy, work / "bundle")  # idempotent
        assert (len(again.stored), again.already_stored) == (0, len(expected))
        assert _rows(copy) == expected
    export_bundle(archive.open(work / "b.db"), work / "bundle2")
    assert (work / "bundle" / "events.jsonl").read_bytes() == (work / "bundle2" / "events.jsonl").read_bytes()


def test_reimporting_the_shipped_bundle_changes_nothing(bundle_copy, log_path):
    with archive.open(log_path) as arc:
        first = import_bundle(arc, bundle_copy)
        assert first.stored and arc.verify().ok
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        again = import_bundle(arc, bundle_copy)
    assert again.stored == () and again.already_stored == len(first.stored)
    assert file_digest(log_path) == before


def _lines(bundle: Path) -> list[str]:
    return (bundle / "events.jsonl").read_text(encoding="utf-8").splitlines()


def _write(bundle: Path, lines: list[str]) -> None:
    (bundle / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _claim_line(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if '"type":"ClaimRecorded"' in line)


def test_a_bad_line_names_file_line_and_field_and_appends_nothing(bundle_copy, log_path):
    lines = _lines(bundle_copy)
    index = _claim_line(lines)
    data = json.loads(lines[index])
    data["selector"]["exact"] = "Khrushchev was never here"
    lines[index] = json.dumps(data, ensure_ascii=False)
    _write(bundle_copy, lines)
    with archive.open(log_path) as arc:
        before = _rows(arc)
        with pytest.raises(ValidationError) as caught:
            import_bundle(arc, bundle_copy)
        assert _rows(arc) == before == []
        assert list(arc.log.blob_ids()) == []
    message = str(caught.value)
    assert f"events.jsonl:{index + 1}:" in message and "$.selector.exact" in message


def test_a_rejected_import_leaves_an_existing_log_byte_identical(bundle_copy, log_path, tmp_path):
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
    before = file_digest(log_path)
    build = Builder(seed="extra")
    entity = build.entity("newcomer")
    bad = build.name("nobody-at-all", "Nobody")
    (tmp_path / "more.jsonl").write_text(
        "\n".join(json.dumps(archive.codec.to_dict(e)) for e in (entity, bad)) + "\n", encoding="utf-8")
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match=r"more.jsonl:2: \$.entity_id: unknown entity"):
            import_bundle(arc, tmp_path / "more.jsonl")
    assert file_digest(log_path) == before


def test_a_source_file_that_does_not_match_its_id_is_refused(bundle_copy, log_path):
    target = next((bundle_copy / "sources").iterdir())
    target.write_bytes(target.read_bytes() + b" ")
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match="does not match the event's source_id"):
            import_bundle(arc, bundle_copy)


@pytest.mark.parametrize("filename", ["../outside.txt", "/etc/passwd", "..", "sub/dir.txt"])
def test_file_names_that_leave_the_bundle_are_refused(bundle_copy, filename):
    lines = _lines(bundle_copy)
    index = next(i for i, line in enumerate(lines) if '"type":"SourceRecorded"' in line)
    data = json.loads(lines[index])
    data["filename"] = filename
    lines[index] = json.dumps(data, ensure_ascii=False)
    _write(bundle_copy, lines)
    with pytest.raises(ValidationError, match=r"\$\.filename"):
        read_bundle(bundle_copy)


def test_a_symlink_leaving_the_bundle_is_refused(bundle_copy, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_bytes(b"not part of the bundle")
    target = next((bundle_copy / "sources").iterdir())
    target.unlink()
    os.symlink(outside, target)
    with pytest.raises(ValidationError, match="symbolic link"):
        read_bundle(bundle_copy)


def test_export_refuses_a_non_empty_directory(bundle_copy, log_path, tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "file").write_text("x")
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
        with pytest.raises(BundleError, match="not an empty directory"):
            export_bundle(arc, tmp_path / "busy")
    assert os.listdir(tmp_path / "busy") == ["file"]


@pytest.mark.parametrize("umask", [0o022, 0o002])
def test_an_exported_bundle_has_the_permissions_mkdir_gives(bundle_copy, log_path, tmp_path, umask):
    # The umask, not the 0o700 of a private temporary directory; an empty directory given keeps its own.
    given = tmp_path / "given"
    given.mkdir()
    given.chmod(0o750)
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
        previous = os.umask(umask)
        try:
            export_bundle(arc, tmp_path / "new")
            export_bundle(arc, given)
        finally:
            os.umask(previous)
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (tmp_path / "new", tmp_path / "new" / "sources",
                                                                      given)}
    assert modes == {"new": 0o777 & ~umask, "sources": 0o777 & ~umask, "given": 0o750}


def test_an_export_through_a_link_to_an_empty_directory_fills_the_directory_and_keeps_the_link(bundle_copy, log_path,
                                                                                                tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "link").symlink_to("empty")
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
        assert export_bundle(arc, tmp_path / "link") == arc.head().position
    assert os.readlink(tmp_path / "link") == "empty"
    assert (tmp_path / "empty" / "events.jsonl").read_bytes() == (bundle_copy / "events.jsonl").read_bytes()


def test_an_export_into_a_read_only_directory_names_the_directory(bundle_copy, log_path, tmp_path):
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
    locked = tmp_path / "locked"
    locked.mkdir()
    completed = archive_bound_by_permissions("export", log_path, locked / "bundle", read_only=(locked,))
    assert completed.returncode == 1
    assert completed.stderr == (f"Error: cannot create {locked / 'bundle'} in {locked} (Permission denied); nothing "
                                f"was written: make that directory writable, or export into another one\n")
    assert list(locked.iterdir()) == []


def test_not_a_bundle(tmp_path):
    with pytest.raises(BundleError, match="no events.jsonl"):
        read_bundle(tmp_path)
    with pytest.raises(BundleError, match="no such bundle"):
        read_bundle(tmp_path / "missing")
