"""The bad-input corpus: every bad input is refused clearly and loses nothing.

``tests/bad_inputs/`` holds more than a hundred small files (made by
``tests/bad_inputs/make.py``), each with the line and field its error must
name. Each is imported with the CLI into a log holding the shipped corpus:
the command must exit 1 with exactly one line naming ``file:line`` and the
field, no traceback, and the log file must be byte-for-byte as before.
A hypothesis test mutates valid events the same way, more broadly.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import archive
from archive.bundle import import_bundle
from archive.catalogue import rebuild
from archive.catalogue.schema import SCHEMA_VERSION
from archive.cli import cli
from archive.errors import ArchiveError

from .builders import file_digest
from .conftest import FIXTURE_BUNDLE

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bad") / "archive.db"
    with archive.open(path) as arc:
        import_bundle(arc, FIXTURE_BUNDLE)
    return path


def test_the_corpus_is_large_and_distinct():
    assert len(CASES) >= 100
    contents = [(CORPUS / c["file"]).read_bytes() for c in CASES]
    assert len(set(contents)) == len(contents)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_each_bad_input_is_refused_with_file_line_and_field(case, shipped_log, tmp_path):
    log = tmp_path / "archive.db"
    shutil.copy(shipped_log, log)
    before = file_digest(log)
    result = CliRunner().invoke(cli, ["import", str(log), str(CORPUS / case["file"])])
    output = result.output.strip()
    assert result.exit_code == 1, output
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    assert output.startswith(f"Error: {CORPUS / case['file']}:{case['line']}: {case['path']}: "), output
    assert case["contains"] in output, output
    assert file_digest(log) == before


def test_sql_and_html_in_names_are_stored_literally_and_never_executed(shipped_log, tmp_path):
    log, catalogue = tmp_path / "archive.db", tmp_path / "catalogue.db"
    shutil.copy(shipped_log, log)
    nasty = ["Robert'); DROP TABLE claims;--", "<script>alert('Hrușciov')</script>", '" OR 1=1 --', "x\\u0000y"]
    with archive.open(log) as arc:
        for number, name in enumerate(nasty):
            arc.record_name("khrushchev", name, language="en", curator="ana")
        arc.record_entity("bobby-tables", kind="person", label=nasty[0], curator="ana")
    assert CliRunner().invoke(cli, ["rebuild", str(log), str(catalogue)]).exit_code == 0
    conn = sqlite3.connect(catalogue)
    stored = {n for (n,) in conn.execute("SELECT name FROM entity_names WHERE entity_id = 'khrushchev'")}
    assert set(nasty) <= stored
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] > 0
    assert conn.execute("SELECT label FROM entities WHERE entity_id = 'bobby-tables'").fetchone() == (nasty[0],)


def _mutations():
    leaf = st.one_of(st.none(), st.booleans(), st.integers(-2, 10**7), st.text(max_size=20),
                     st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(),
                                                                          max_size=1))
    return st.tuples(st.sampled_from(["delete", "replace", "add", "perturb"]), st.integers(0, 10**6), leaf)


def _mutate(data: dict, kind: str, pick: int, value) -> dict:
    data = json.loads(json.dumps(data))
    paths = []

    def walk(node, trail):
        for key, child in node.items():
            paths.append(trail + [key])
            if isinstance(child, dict):
                walk(child, trail + [key])

    walk(data, [])
    path = paths[pick % len(paths)]
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    if kind == "delete":
        del parent[path[-1]]
    elif kind == "replace":
        parent[path[-1]] = value
    elif kind == "add":
        parent[f"x{pick % 7}"] = value
    elif isinstance(parent[path[-1]], str):
        text = parent[path[-1]]
        parent[path[-1]] = text[: pick % (len(text) + 1)] + "§" + text[pick % (len(text) + 1):]
    elif isinstance(parent[path[-1]], int):
        parent[path[-1]] = parent[path[-1]] + 1 + pick % 3
    return data


VALID = [json.loads(line) for line in (FIXTURE_BUNDLE / "events.jsonl").read_text(encoding="utf-8").splitlines()]


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(index=st.integers(0, len(VALID) - 1), mutation=_mutations())
def test_mutated_events_are_refused_cleanly_or_accepted_whole(shipped_log, tmp_path, index, mutation):
    """Any mutation of a valid event: an ArchiveError with a path and the log unchanged, or a clean append."""
    log = tmp_path / f"m{index}.db"
    shutil.copy(shipped_log, log)
    before = file_digest(log)
    data = _mutate(VALID[index], *mutation)
    data["event_id"] = data.get("event_id") if data.get("event_id") != VALID[index]["event_id"] else \
        "00000000-0000-4000-8000-999999999999"
    path = tmp_path / f"m{index}.jsonl"
    path.write_text(json.dumps(data, ensure_ascii=False) + "\n", encoding="utf-8")
    with archive.open(log) as arc:
        try:
            import_bundle(arc, path)
        except ArchiveError as error:
            assert str(error).startswith(f"{path}:1: $"), str(error)
            accepted = False
        else:
            accepted = True
        assert arc.verify().ok
    if not accepted:
        assert file_digest(log) == before
    log.unlink()


# -- files that are not what a command needs ---------------------------------------------------------------

#: (command, what the one line after "Error: " says); {text}, {damaged}, {pipe}, {log} and {out} are paths.
WRONG_FILES = [
    pytest.param(["timeline", "{text}", "khrushchev"],
                 "{text} is neither an archive event log nor a catalogue (file is not a database); give a log, or a "
                 "catalogue built from one with 'archive rebuild LOG CATALOGUE'", id="timeline of a text file"),
    pytest.param(["timeline", "{damaged}", "khrushchev"],
                 "{damaged} is damaged, or is not a catalogue of schema {schema} (no such table: main.claims); it was "
                 "left as it was: rebuild it with 'archive rebuild LOG {damaged}'",
                 id="timeline of a damaged catalogue"),
    pytest.param(["export-claims", "{damaged}", "{out}"],
                 "{damaged} is damaged, or is not a catalogue of schema {schema} (no such table: claims); it was left "
                 "as it was: rebuild it with 'archive rebuild LOG {damaged}'", id="export of a damaged catalogue"),
    pytest.param(["update", "{log}", "{damaged}"],
                 "{damaged} is damaged, or is not a catalogue of schema {schema} (missing: claims); it was left as it "
                 "was: rebuild it with 'archive rebuild {log} {damaged}'", id="update of a damaged catalogue"),
    pytest.param(["verify", "{log}", "--catalogue", "{log}"],
                 "{log} is not an archive catalogue (it is an archive event log); give the catalogue built from it, "
                 "or build one with 'archive rebuild {log} catalogue.db'", id="the log given as its own catalogue"),
    pytest.param(["timeline", "{pipe}", "khrushchev"],
                 "{pipe} is a named pipe, not an event log or a catalogue; give the file of one",
                 id="timeline of a pipe"),
    pytest.param(["update", "{log}", "{pipe}"],
                 "{pipe} is a named pipe, not an archive catalogue; give the catalogue's file, e.g. catalogue.db",
                 id="update of a pipe"),
    pytest.param(["export-claims", "{pipe}", "{out}"],
                 "{pipe} is a named pipe, not an archive catalogue; give the catalogue's file, e.g. catalogue.db",
                 id="export of a pipe"),
    pytest.param(["import", "{pipe}", str(FIXTURE_BUNDLE)],
                 "{pipe} is a named pipe, not an event log; give the log's file, e.g. archive.db",
                 id="import into a pipe"),
]


@pytest.mark.parametrize("command, message", WRONG_FILES)
def test_a_file_that_is_not_what_the_command_needs_is_named_and_left_as_it_was(shipped_log, tmp_path, command,
                                                                               message):
    log = tmp_path / "archive.db"
    shutil.copy(shipped_log, log)
    text = tmp_path / "notes.txt"
    text.write_text("Khrushchev was born in 1894.\n", encoding="utf-8")
    # A catalogue one event behind its log, with a table dropped by hand.
    damaged = tmp_path / "damaged.db"
    with archive.open(log, create=False) as arc:
        rebuild(arc.log, damaged, as_of=arc.head().position - 1)
    conn = sqlite3.connect(damaged)
    conn.execute("DROP TABLE claims")
    conn.close()
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    # Held open at both ends, so that code which opens the pipe (as the code before this test did) does not
    # wait for ever for a writer, and finds it empty.
    holder = os.open(pipe, os.O_RDWR | os.O_NONBLOCK)
    paths = {"text": text, "damaged": damaged, "pipe": pipe, "log": log, "out": tmp_path / "out.csv"}
    before = {path: file_digest(path) for path in (log, text, damaged)}
    try:
        result = CliRunner().invoke(cli, [part.format(**paths) for part in command])
    finally:
        os.close(holder)
    assert result.exit_code == 1
    assert result.output == f"Error: {message.format(**paths, schema=SCHEMA_VERSION)}\n"
    assert {path: file_digest(path) for path in (log, text, damaged)} == before
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode) and not (tmp_path / "out.csv").exists()
