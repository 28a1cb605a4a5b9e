"""The command line: the issue's end-to-end flow, clean errors, help with examples."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import cli

from .builders import archive_bound_by_permissions, claim_position, damage_event, file_digest
from .conftest import FIXTURE_BUNDLE
from .test_sqlite_log import lifted_triggers


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_import_rebuild_update_verify(tmp_path):
    log, catalogue = tmp_path / "archive.db", tmp_path / "catalogue.db"
    result = run("import", log, FIXTURE_BUNDLE)
    assert result.exit_code == 0, result.output
    assert "imported" in result.output
    assert run("import", log, FIXTURE_BUNDLE).output.startswith("imported 0 event(s)")
    assert run("rebuild", log, catalogue).exit_code == 0
    first = file_digest(catalogue)
    assert run("rebuild", log, catalogue).exit_code == 0
    assert file_digest(catalogue) == first
    result = run("update", log, catalogue)
    assert result.exit_code == 0 and "up to date" in result.output
    assert file_digest(catalogue) == first
    result = run("verify", log)
    assert result.exit_code == 0 and result.output.startswith("ok:")


def _tamper(log: Path, position: int) -> None:
    """Change one byte of one event's payload behind the library's back, as an attacker would."""
    conn = sqlite3.connect(log, isolation_level=None)
    with lifted_triggers(conn):  # and put back, so that only the payload is wrong
        payload = conn.execute("SELECT payload FROM events WHERE position = ?", (position,)).fetchone()[0]
        index = payload.index("Khrushchev") if "Khrushchev" in payload else payload.index("curator")
        conn.execute("UPDATE events SET payload = ? WHERE position = ?",
                     (payload[:index] + "X" + payload[index + 1:], position))
    conn.close()


def test_verify_checks_a_kept_head_or_a_catalogues_head(tmp_path):
    log, backup, catalogue = tmp_path / "archive.db", tmp_path / "backup.db", tmp_path / "catalogue.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    printed = run("verify", log).output
    kept = printed.rsplit(" head ", 1)[1].strip()
    position, digest = kept.split(":")
    assert len(digest) == 64 and f"{position}:{digest}" == kept
    backup.write_bytes(log.read_bytes())
    assert run("retract", log, "s000-c40", "--reason", "twice", "--curator", "ana").exit_code == 0
    assert run("rebuild", log, catalogue).exit_code == 0
    result = run("verify", log, "--expect-head", kept)
    assert result.exit_code == 0 and f"the expected head at position {position} still there" in result.output
    again = result.output.rsplit(" head ", 1)[1].strip()  # the head, kept again after a check
    assert run("verify", log, "--expect-head", again).exit_code == 0 and again != kept
    assert run("verify", log, "--expect-head", kept[: len(position) + 17]).exit_code == 0
    before = file_digest(backup)
    result = CliRunner().invoke(cli, ["verify", str(backup), "--catalogue", str(catalogue)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"first at position {int(position) + 1}" in result.output
    assert "its last 1 event(s) are missing" in result.output
    assert file_digest(backup) == before  # verify only reads
    wrong = f"{position}:{'0' * 64}"
    result = CliRunner().invoke(cli, ["verify", str(log), "--expect-head", wrong])
    assert result.exit_code == 1 and f"first at position {position}" in result.output


@pytest.mark.parametrize("args, message", [
    (["--expect-head", "12:xyz"], "write POSITION:HASH"),
    (["--expect-head", "1:" + "a" * 64, "--catalogue", "c.db"], "not both"),
    (["--catalogue", "missing.db"], "no catalogue at missing.db"),
])
def test_verify_refuses_a_head_it_cannot_use(tmp_path, args, message):
    log = tmp_path / "archive.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    result = CliRunner().invoke(cli, ["verify", str(log), *args])
    assert result.exit_code == 2 if "--expect-head" in args else result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output


def test_verify_fails_and_names_the_position_after_tampering(tmp_path):
    log = tmp_path / "archive.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    _tamper(log, 7)
    result = CliRunner().invoke(cli, ["verify", str(log)])
    assert result.exit_code == 1
    assert "first at position 7" in result.output
    assert "Traceback" not in result.output


def test_the_database_refuses_updates_and_deletes(tmp_path):
    log = tmp_path / "archive.db"
    run("import", log, FIXTURE_BUNDLE)
    before = file_digest(log)
    conn = sqlite3.connect(log)
    for statement in ("UPDATE events SET curator = 'x'", "UPDATE events SET payload = '{}' WHERE position = 1",
                      "DELETE FROM events", "DELETE FROM sources", "UPDATE sources SET content = x'00'"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only|immutable|no such column"):
            conn.execute(statement)
    conn.close()
    assert file_digest(log) == before


def test_a_failed_import_into_a_new_log_leaves_no_file(tmp_path, bundle_copy):
    lines = (bundle_copy / "events.jsonl").read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace('"type":"', '"type":"Bogus')
    (bundle_copy / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["import", str(tmp_path / "new.db"), str(bundle_copy)])
    assert result.exit_code == 1
    assert "events.jsonl:4: $.type: unknown event type" in result.output
    assert list(tmp_path.glob("new.db*")) == []


@pytest.mark.parametrize("args, message", [
    (["verify", "missing.db"], "no event log at missing.db"),
    (["rebuild", "missing.db", "c.db"], "no event log at missing.db"),
])
def test_errors_are_one_clean_line(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}; create one with 'archive import missing.db BUNDLE'"


def test_opening_a_catalogue_as_a_log_is_a_clean_error(tmp_path):
    log, catalogue = tmp_path / "archive.db", tmp_path / "catalogue.db"
    run("import", log, FIXTURE_BUNDLE)
    run("rebuild", log, catalogue)
    result = CliRunner().invoke(cli, ["verify", str(catalogue)])
    assert result.exit_code == 1 and "is not an archive event log" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_python_dash_m_archive_reports_errors_without_traceback(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"type": "ClaimRecorded", "version": 1}\n\xff\xfe\n')
    completed = subprocess.run([sys.executable, "-m", "archive", "import", str(tmp_path / "a.db"), str(bad)],
                               capture_output=True, text=True)
    assert completed.returncode == 1
    assert completed.stderr.strip() == f"Error: {bad}:1: $.event_id: required field missing"
    assert "Traceback" not in completed.stderr


def test_every_command_has_an_example_in_its_help():
    for name, command in cli.commands.items():
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Example:" in result.output, name
        assert f"archive {name}" in result.output, name


@pytest.mark.parametrize("command", [
    ["rebuild", "{log}", "{log}"],
    ["rebuild", "{log}", "{copy}"],
    ["export-claims", "{catalogue}", "{log}"],
    ["export-annotations", "{log}", "{catalogue}"],
    ["metadata", "{catalogue}", "-o", "{log}"],
    ["export-claims", "{catalogue}", "{log}-wal"],
    ["rebuild", "{log}", "{log}-wal"],
])
def test_no_command_writes_over_a_log_or_a_catalogue_by_mistake(tmp_path, command):
    # One mistyped argument must not cost the event log (nor turn a catalogue into a CSV file).
    log, catalogue, copy = tmp_path / "archive.db", tmp_path / "catalogue.db", tmp_path / "copy-of-the-log.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    assert run("rebuild", log, catalogue).exit_code == 0
    copy.write_bytes(log.read_bytes())
    before = {path: file_digest(path) for path in (log, catalogue, copy)}
    args = [part.format(log=log, catalogue=catalogue, copy=copy) for part in command]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "nothing was written" in result.output and "Traceback" not in result.output
    assert {path: file_digest(path) for path in (log, catalogue, copy)} == before
    assert run("verify", log).exit_code == 0


def test_a_log_given_where_the_bundle_belongs_is_named_and_nothing_is_written(tmp_path):
    log = tmp_path / "archive.db"
    assert run("import", str(log), str(FIXTURE_BUNDLE)).exit_code == 0
    before = file_digest(log)
    result = run("import", str(tmp_path / "new.db"), str(log))  # the arguments the wrong way round
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is a SQLite database, not a bundle or an events file" in result.output
    assert "archive import LOG BUNDLE" in result.output
    assert file_digest(log) == before and not (tmp_path / "new.db").exists()
@pytest.mark.parametrize("locked", ["the file", "its directory"])
@pytest.mark.parametrize("command", ["retract", "import"])
def test_a_read_only_log_is_named_with_what_to_do(tmp_path, bundle_copy, locked, command):
    # The log holds the bundle's first 150 events (s000-c01 among them): the whole bundle has more to import.
    folder = tmp_path / "logs"
    folder.mkdir()
    log = folder / "archive.db"
    events = (bundle_copy / "events.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (bundle_copy / "events.jsonl").write_text("".join(events[:150]), encoding="utf-8")
    assert run("import", log, bundle_copy).exit_code == 0
    before = file_digest(log)
    args = (["retract", log, "s000-c01", "--reason", "a test", "--curator", "ana"] if command == "retract"
            else ["import", log, FIXTURE_BUNDLE])
    completed = archive_bound_by_permissions(*args, read_only=(log if locked == "the file" else folder,))
    assert completed.returncode == 1
    if locked == "the file":
        expected = (f"{log} is read-only, so nothing was written: make it writable (chmod u+w {log}), or work on a "
                    f"writable copy")
    else:
        expected = (f"{log} cannot be opened: its directory {folder} is read-only, and SQLite must create "
                    f"archive.db-wal and archive.db-shm beside the log to read or write it; nothing was written: make "
                    f"the directory writable (chmod u+w {folder}), or work on a copy of the log in a writable "
                    f"directory")
    assert completed.stderr == f"Error: {expected}\n"
    assert file_digest(log) == before


def test_a_new_log_in_a_read_only_directory_is_named_with_what_to_do(tmp_path):
    folder = tmp_path / "logs"
    folder.mkdir()
    completed = archive_bound_by_permissions("import", folder / "archive.db", FIXTURE_BUNDLE, read_only=(folder,))
    assert completed.returncode == 1
    assert completed.stderr == (f"Error: cannot create the event log {folder / 'archive.db'} (unable to open database "
                                f"file), so nothing was written: check that you may write in {folder}, or give a path "
                                f"in another directory\n")
    assert list(folder.iterdir()) == []


def test_commands_that_read_a_damaged_event_name_its_position_without_a_traceback(tmp_path):
    log, catalogue = tmp_path / "archive.db", tmp_path / "catalogue.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    assert run("rebuild", log, catalogue, "--as-of", "100").exit_code == 0
    conn = sqlite3.connect(log, isolation_level=None)
    with lifted_triggers(conn):
        conn.execute("UPDATE events SET payload = '[]' WHERE position = 200")
    conn.close()
    before = {path: file_digest(path) for path in (log, catalogue)}
    said = (f"Error: position 200: its payload is not an event's JSON object (with a type and a version): the log is "
            f"damaged; run 'archive verify {log}' to see what else is wrong")
    later = "2030-01-01T00:00:00Z"
    for command in (["rebuild", log, tmp_path / "c.db"], ["rebuild", log, tmp_path / "c.db", "--as-of", later],
                    ["update", log, catalogue], ["timeline", log, "khrushchev"],
                    ["export-annotations", log, tmp_path / "a.jsonl"], ["export", log, tmp_path / "bundle"],
                    ["import", log, FIXTURE_BUNDLE]):  # the import compares the events it brings with those stored
        result = CliRunner().invoke(cli, [str(a) for a in command])
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1, result.output
        assert result.output.startswith(said), (command, result.output)
    assert {path: file_digest(path) for path in (log, catalogue)} == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(("-wal", "-shm"))) == [
        "archive.db", "catalogue.db"]


def test_a_command_that_reads_a_damaged_claim_names_its_position_not_a_field_of_its_own(tmp_path):
    log = tmp_path / "archive.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    position = claim_position(log, "s000-c01")
    damage_event(log, position, lambda data: {**data, "note": {"a": 1}})
    before = file_digest(log)
    # A retraction checks the claim's stream: the damage there is the log's, not the retraction's.
    result = CliRunner().invoke(cli, ["retract", str(log), "s000-c01", "--reason", "r", "--curator", "ana"])
    assert result.exit_code == 1
    assert result.output == (f"Error: position {position}: it is not a valid event ($.note: expected a string, got "
                             f"dict): the log is damaged; run 'archive verify {log}' to see what else is wrong\n")
    assert file_digest(log) == before


@pytest.mark.parametrize("damage, said", [
    ("UPDATE _catalogue SET log_position = 'abc'", "its bookkeeping (_catalogue) gives log_position as 'abc'"),
    ("UPDATE _catalogue SET log_position = 592, log_head_hash = '123'",
     "its bookkeeping (_catalogue) gives log_head_hash as '123'"),
    ("UPDATE _catalogue SET log_position = -1", "its bookkeeping (_catalogue) gives log_position as -1"),
    ("UPDATE _catalogue SET log_position = x'00'", "its bookkeeping (_catalogue) gives log_position as b'\\x00'"),
    ("DELETE FROM _catalogue", "its bookkeeping row (_catalogue) is missing"),
])
def test_a_catalogue_with_damaged_bookkeeping_is_one_line_naming_both_files(tmp_path, damage, said):
    log, catalogue = tmp_path / "archive.db", tmp_path / "catalogue.db"
    assert run("import", log, FIXTURE_BUNDLE).exit_code == 0
    assert run("rebuild", log, catalogue).exit_code == 0
    conn = sqlite3.connect(catalogue)
    with conn:
        conn.execute(damage)
    conn.close()
    before = {path: file_digest(path) for path in (log, catalogue)}
    for command in (["update", log, catalogue], ["verify", log, "--catalogue", catalogue]):
        result = CliRunner().invoke(cli, [str(a) for a in command])
        assert result.exit_code == 1
        assert result.output == (f"Error: {catalogue} is damaged: {said}; rebuild it with 'archive rebuild {log} "
                                 f"{catalogue}'\n"), (command, result.output)
    assert {path: file_digest(path) for path in (log, catalogue)} == before
    assert run("rebuild", log, catalogue).exit_code == 0  # as it says
    assert run("verify", log, "--catalogue", catalogue).output.startswith("ok: ")
