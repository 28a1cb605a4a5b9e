"""Bundles: export → import reproduces the log; import is atomic, idempotent and safe."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

import archive
from archive.bundle import export_bundle, import_bundle, read_bundle
from archive.cli import cli
from archive.errors import BundleError, IntegrityError, ValidationError

from .builders import Builder, archive_bound_by_permissions, claim_position, damage_event, file_digest
from .conftest import FIXTURE_BUNDLE
from .test_sqlite_log import lifted_triggers
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


def _remove_event(log: Path, position: int) -> None:
    conn = sqlite3.connect(log, isolation_level=None)
    with lifted_triggers(conn):
        conn.execute("DELETE FROM events WHERE position = ?", (position,))
    conn.close()


def _change_document(log: Path, filename: str) -> str:
    conn = sqlite3.connect(log, isolation_level=None)
    with lifted_triggers(conn):
        source_id = next(s for (s,) in conn.execute("SELECT source_id FROM sources")
                         if (FIXTURE_BUNDLE / "sources" / filename).read_bytes() == conn.execute(
                             "SELECT content FROM sources WHERE source_id = ?", (s,)).fetchone()[0])
        conn.execute("UPDATE sources SET content = CAST(content || x'0a' AS BLOB) WHERE source_id = ?", (source_id,))
    conn.close()
    return source_id


#: (damage done to a copy of the shipped log, what the export says); the position or source is filled in.
DAMAGES = [
    pytest.param(lambda log: damage_event(log, 200, "[]") or 200,
                 "position {at}: its payload is not an event's JSON object (with a type and a version)",
                 id="a payload that is not an event"),
    pytest.param(lambda log: damage_event(log, 200, b"\xff\x00") or 200,
                 "position {at}: its payload is not JSON (Expecting value: line 1 column 1 (char 0))",
                 id="bytes that are not JSON"),
    pytest.param(lambda log: damage_event(log, at := claim_position(log, "s000-c01"),
                                          lambda data: {**data, "note": "Edited by hand."}) or at,
                 "position {at}: its bytes do not match its hash (one of them was changed after it was stored)",
                 id="a claim edited, still a valid event"),
    pytest.param(lambda log: _remove_event(log, 300) or 301,
                 "position {at}: the log skips from position 299 to it (an event was removed)", id="an event removed"),
    pytest.param(lambda log: _change_document(log, "000_86313e570668b3cd.txt"),
                 "source {at}: its document's bytes do not hash to its id (they were changed after they were stored)",
                 id="a document changed"),
]


@pytest.mark.parametrize("damage, said", DAMAGES)
def test_an_export_refuses_a_log_changed_behind_its_back_and_as_stored_rescues_it(bundle_copy, log_path, tmp_path,
                                                                                   damage, said):
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
    at = damage(log_path)
    before = file_digest(log_path)
    with archive.open(log_path, create=False) as arc:
        # Its bundle would hide the change: the import would give a changed event a hash of its own.
        with pytest.raises(IntegrityError) as caught:
            export_bundle(arc, tmp_path / "out")
        assert str(caught.value) == (said.format(at=at) + f": the log is damaged; run 'archive verify {log_path}' "
                                                          f"to see what else is wrong")
        assert not [p for p in tmp_path.iterdir() if "out" in p.name]  # nothing, not even a temporary directory
        count = export_bundle(arc, tmp_path / "rescued", as_stored=True)
    assert file_digest(log_path) == before
    rescued = (tmp_path / "rescued" / "events.jsonl").read_bytes().splitlines()
    assert count == len(rescued) and rescued == [row[0] for row in sqlite3.connect(log_path).execute(
        "SELECT CAST(payload AS BLOB) FROM events ORDER BY position")]


def test_a_rescued_bundle_is_imported_once_its_damaged_line_is_removed(bundle_copy, log_path, tmp_path):
    with archive.open(log_path) as arc:
        import_bundle(arc, bundle_copy)
    damage_event(log_path, 200, "{}")
    result = CliRunner().invoke(cli, ["export", str(log_path), str(tmp_path / "out")])
    assert result.exit_code == 1 and result.output == (
        f"Error: position 200: its payload is not an event's JSON object (with a type and a version): the log is "
        f"damaged; run 'archive verify {log_path}' to see what else is wrong; nothing was written: to rescue what is "
        f"sound, export it with --as-stored and repair or remove the lines the import refuses\n")
    assert not (tmp_path / "out").exists()
    assert CliRunner().invoke(cli, ["export", str(log_path), str(tmp_path / "out"), "--as-stored"]).exit_code == 0
    with archive.open(tmp_path / "new.db") as arc:
        with pytest.raises(ValidationError, match=r"events.jsonl:200: \$.type: the event has no type"):
            import_bundle(arc, tmp_path / "out")
    lines = _lines(tmp_path / "out")
    _write(tmp_path / "out", lines[:199] + lines[200:])
    with archive.open(tmp_path / "new.db") as arc:
        import_bundle(arc, tmp_path / "out")
        assert arc.head().position == len(lines) - 1 and arc.verify().ok


def test_a_line_too_long_to_be_an_event_is_refused_before_it_is_read_whole(bundle_copy, log_path, tmp_path,
                                                                          monkeypatch):
    lines = _lines(bundle_copy)[1:4]  # an entity and two of its names: no document needed
    limit = max(len(line.encode()) for line in lines)  # the longest of them still fits
    monkeypatch.setattr(archive.bundle, "MAX_LINE_BYTES", limit)
    events = tmp_path / "joined.jsonl"
    events.write_text("\n".join(lines) + "\n" + "x" * (limit + 1) + "\n", encoding="utf-8")
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match=r"joined.jsonl:4: \$: the line is longer than") as caught:
            import_bundle(arc, events)
        assert _rows(arc) == []
    assert "one event per line" in str(caught.value)
    events.write_text("\n".join(lines), encoding="utf-8")  # at the limit, and no final line break
    with archive.open(log_path) as arc:
        assert len(import_bundle(arc, events).stored) == 3
