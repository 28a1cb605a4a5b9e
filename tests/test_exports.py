"""Exports for exchange: Web Annotations from the log, the claims table from the catalogue; and docs/api.md."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import archive
from archive.annotations import ANNOTATION_CONTEXT, CLAIM_COLUMNS, annotations, claim_rows, statement
from archive.bundle import export_bundle
from archive.catalogue import rebuild
from archive.cli import cli
from archive.log.base import chain_hash

from .builders import archive_bound_by_permissions, claim_position, damage_event, file_digest
from .conftest import FIXTURE_BUNDLE, ROOT
from .test_sqlite_log import lifted_triggers

URN_OR_URL = r"^(urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+|https?://\S+)$"
#: The motivations the Web Annotation vocabulary defines.
MOTIVATIONS = ["assessing", "bookmarking", "classifying", "commenting", "describing", "editing", "highlighting",
               "identifying", "linking", "moderating", "questioning", "replying", "tagging"]

#: The parts of the W3C Web Annotation Data Model an annotation of ours must satisfy: the required
#: @context, id, type and target; the selector types with their required fields.
ANNOTATION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["@context", "id", "type", "target"],
    "properties": {
        "@context": {"oneOf": [
            {"const": ANNOTATION_CONTEXT},
            {"type": "array", "contains": {"const": ANNOTATION_CONTEXT}, "minItems": 2},
        ]},
        "id": {"type": "string", "pattern": URN_OR_URL},
        "type": {"oneOf": [{"const": "Annotation"}, {"type": "array", "contains": {"const": "Annotation"}}]},
        "motivation": {"enum": MOTIVATIONS},
        "created": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"},
        "modified": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"},
        "creator": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string",
                                                                                   "minLength": 1}}},
        "body": {
            "type": "object",
            "required": ["type", "value"],
            "properties": {"type": {"const": "TextualBody"}, "value": {"type": "string", "minLength": 1},
                           "purpose": {"enum": MOTIVATIONS}, "format": {"const": "text/plain"}},
        },
        "target": {
            "type": "object",
            "required": ["source", "selector"],
            "properties": {
                "type": {"const": "SpecificResource"},
                "source": {"type": "string", "pattern": URN_OR_URL},
                "selector": {
                    "type": "array",
                    "minItems": 2,
                    "items": {"oneOf": [
                        {"type": "object", "required": ["type", "exact"], "additionalProperties": False,
                         "properties": {"type": {"const": "TextQuoteSelector"},
                                        "exact": {"type": "string", "minLength": 1},
                                        "prefix": {"type": "string"}, "suffix": {"type": "string"}}},
                        {"type": "object", "required": ["type", "start", "end"], "additionalProperties": False,
                         "properties": {"type": {"const": "TextPositionSelector"},
                                        "start": {"type": "integer", "minimum": 0},
                                        "end": {"type": "integer", "minimum": 0}}},
                    ]},
                },
            },
        },
    },
}
VALIDATOR = Draft202012Validator(ANNOTATION_SCHEMA)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The shipped corpus as a log and a catalogue (read only: tests that change it make a copy)."""
    work = tmp_path_factory.mktemp("corpus")
    assert run("import", work / "archive.db", FIXTURE_BUNDLE).exit_code == 0
    assert run("rebuild", work / "archive.db", work / "catalogue.db").exit_code == 0
    return work


def _copy(corpus: Path, tmp_path: Path) -> Path:
    target = tmp_path / "archive.db"
    shutil.copyfile(corpus / "archive.db", target)
    return target


def _items(document: dict) -> list[dict]:
    return document["first"]["items"] if document.get("first") else []


def _export(log: Path, out: Path) -> dict:
    result = run("export-annotations", log, out)
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def _catalogue_claims(path: Path) -> dict[str, dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return {row["claim_id"]: dict(row) for row in conn.execute("SELECT * FROM claims")}
    finally:
        conn.close()


# -- Web Annotations ----------------------------------------------------------------------------------


def test_the_schema_rejects_what_the_model_forbids():
    good = {"@context": ANNOTATION_CONTEXT, "id": "urn:uuid:0b4c3f0e-0000-4000-8000-000000000000",
            "type": "Annotation", "target": {"source": "urn:sha256:ab", "selector": [
                {"type": "TextQuoteSelector", "exact": "x"}, {"type": "TextPositionSelector", "start": 0, "end": 1}]}}
    assert VALIDATOR.is_valid(good)
    broken = [
        {k: v for k, v in good.items() if k != "target"},
        {k: v for k, v in good.items() if k != "@context"},
        {**good, "@context": ["http://example.org/other.jsonld", {}]},
        {**good, "type": "Note"},
        {**good, "id": "s000-c24"},
        {**good, "target": {"source": "urn:sha256:ab", "selector": [
            {"type": "TextQuoteSelector"}, {"type": "TextPositionSelector", "start": 0, "end": 1}]}},
        {**good, "target": {"source": "urn:sha256:ab", "selector": [
            {"type": "TextQuoteSelector", "exact": "x"}, {"type": "TextPositionSelector", "start": "0", "end": 1}]}},
        {**good, "motivation": "believing"},
    ]
    for annotation in broken:
        assert not VALIDATOR.is_valid(annotation), annotation


def test_every_claim_of_the_corpus_is_a_valid_annotation_of_its_exact_words(corpus, tmp_path):
    document = _export(corpus / "archive.db", tmp_path / "claims.jsonld")
    assert document["type"] == "AnnotationCollection" and document["@context"][0] == ANNOTATION_CONTEXT
    items = _items(document)
    assert document["total"] == len(items) == len(_catalogue_claims(corpus / "catalogue.db")) > 0
    assert document["first"]["type"] == "AnnotationPage" and document["first"]["partOf"] == document["id"]
    with archive.open(corpus / "archive.db", create=False) as arc:
        recorded = {e.claim_id: e for e in arc.events() if isinstance(e, archive.ClaimRecorded)}
        texts = {source_id: arc.source_text(source_id) for source_id in {e.source_id for e in recorded.values()}}
    assert len({a["id"] for a in items}) == len(items)
    for annotation in items:
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in VALIDATOR.iter_errors(annotation)]
        assert not errors, (annotation["id"], errors)
        claim = annotation["body"]["archive:claim"]
        event = recorded[claim["claim_id"]]
        assert annotation["id"] == f"urn:uuid:{event.event_id}"
        assert annotation["creator"] == {"name": event.curator}
        assert datetime.fromisoformat(annotation["created"]) == event.recorded_at
        target = annotation["target"]
        assert target["source"] == "urn:" + event.source_id  # the corpus has no origin URLs
        quote, position = target["selector"]
        text = texts[event.source_id]
        assert text[position["start"]:position["end"]] == quote["exact"] == event.selector.exact
        assert text[:position["start"]].endswith(quote.get("prefix", ""))
        assert text[position["end"]:].startswith(quote.get("suffix", ""))
        assert quote.get("prefix", "") == event.selector.prefix and quote.get("suffix", "") == event.selector.suffix
        assert annotation["body"]["value"] == statement(claim)


def test_the_1938_appointment_reads_as_a_statement(corpus):
    with archive.open(corpus / "archive.db", create=False) as arc:
        items = {a["body"]["archive:claim"]["claim_id"]: a for a in _items(annotations(arc.log))}
    body = items["s000-c24"]["body"]
    assert body["value"] == ("Nikita Khrushchev — held office — First Secretary of the Communist Party of Ukraine"
                             " — 1938 (as written: “Um ano depois”)")
    claim = body["archive:claim"]
    assert (claim["subject_id"], claim["predicate"], claim["object_id"]) == (
        "khrushchev", "held_office", "first-secretary-communist-party-of-ukraine")
    assert claim["date"] == {"as_written": "Um ano depois", "edtf": "1938", "calendar": "gregorian",
                             "original": None}
    assert (claim["status"], claim["rank"]) == ("asserted", "normal")


def test_a_claim_taken_from_a_cited_work_names_the_work_in_both_exports(corpus, tmp_path):
    with archive.open(corpus / "archive.db", create=False) as arc:
        items = {a["body"]["archive:claim"]["claim_id"]: a for a in _items(annotations(arc.log))}
    body = items["s001-c29"]["body"]
    assert body["value"] == ("Nikita Khrushchev — sympathised with — the Mensheviks — according to William Taubman, "
                             "in “Khrushchev: The Man and His Era”")
    assert (body["archive:claim"]["cited_work_id"], body["archive:claim"]["cited_work_title"]) == (
        "taubman-2003", "Khrushchev: The Man and His Era")
    rows = {row["claim_id"]: row for row in claim_rows(corpus / "catalogue.db")}
    assert (rows["s001-c29"]["cited_work"], rows["s001-c29"]["cited_work_id"]) == (
        "Khrushchev: The Man and His Era", "taubman-2003")
    assert (rows["s000-c24"]["cited_work"], rows["s000-c24"]["cited_work_id"]) == (None, None)


def test_the_export_is_byte_identical_sorted_and_independent_of_when_it_was_made(corpus, tmp_path):
    first, second = tmp_path / "a.jsonld", tmp_path / "b.jsonld"
    _export(corpus / "archive.db", first)
    _export(corpus / "archive.db", second)
    assert first.read_bytes() == second.read_bytes()
    other_log = tmp_path / "other.db"
    assert run("import", other_log, FIXTURE_BUNDLE).exit_code == 0
    third = tmp_path / "c.jsonld"
    _export(other_log, third)
    assert third.read_bytes() == first.read_bytes()
    ids = [a["body"]["archive:claim"]["claim_id"] for a in _items(json.loads(first.read_text(encoding="utf-8")))]
    assert ids == sorted(ids)
    assert first.read_bytes().endswith(b"\n") and not first.read_bytes().startswith(b"\xef\xbb\xbf")
    assert run("export-annotations", corpus / "archive.db", "-").output == first.read_text(encoding="utf-8")


def test_status_and_rank_in_the_annotations_agree_with_the_catalogue(corpus, tmp_path):
    log = _copy(corpus, tmp_path)
    with archive.open(log, create=False) as arc:
        arc.retract("s000-c41", reason="recorded twice", curator="ana")
        arc.assess("s000-c22", rank="deprecated", reason="repeats s000-c20", curator="ana")
        arc.assess("s000-c20", rank="preferred", reason="the clearer passage", curator="ana")
        arc.correct("s000-c01", date=archive.ClaimDate(as_written="Em 1925", edtf="1925-XX"), reason="normalise",
                    curator="ana", new_claim_id="s000-c01-corrected")
        arc.merge("kaganovich", into_id="stalin", reason="to see what the export does", curator="ana")
        rebuild(arc.log, tmp_path / "catalogue.db")
    document = _export(log, tmp_path / "claims.jsonld")
    expected = _catalogue_claims(tmp_path / "catalogue.db")
    items = {a["body"]["archive:claim"]["claim_id"]: a for a in _items(document)}
    assert set(items) == set(expected)
    for claim_id, annotation in items.items():
        claim, row = annotation["body"]["archive:claim"], expected[claim_id]
        assert (claim["status"], claim["superseded_by"], claim["rank"], claim["rank_reason"]) == (
            row["status"], row["superseded_by"], row["rank"], row["rank_reason"]), claim_id
        assert ("modified" in annotation) == (len(claim["history"]) > 1), claim_id
    assert items["s000-c41"]["body"]["value"].endswith("[retracted]")
    assert items["s000-c41"]["body"]["archive:claim"]["status_reason"] == "recorded twice"
    assert items["s000-c01"]["body"]["value"].endswith("[superseded by s000-c01-corrected]")
    assert items["s000-c22"]["body"]["value"].endswith("[deprecated]")
    assert [h["event_type"] for h in items["s000-c01"]["body"]["archive:claim"]["history"]] == [
        "ClaimRecorded", "ClaimSuperseded"]
    # Merges are the catalogue's later identification; the annotation keeps the entity the curator named.
    assert expected["s000-c02"]["subject_current_id"] == "stalin"
    assert items["s000-c02"]["body"]["archive:claim"]["subject_id"] == "kaganovich"
    assert items["s000-c02"]["body"]["value"].startswith("Lazar Kaganovich — ")


def test_a_source_with_an_origin_url_is_targeted_by_its_url_with_the_stored_copy_cached(tmp_path):
    page = "Nikita Khrushchev was sent to Kiev in 1938 as first secretary.".encode("utf-8")
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    with archive.open(tmp_path / "archive.db") as arc:
        web = arc.record_source(page, title="A web page", language="en", filename="page.txt", curator="ana",
                                origin_url="https://example.org/khrushchev", recorded_at=when)
        local = arc.record_source(b"Khrushchev, 1938.", title="A note", language="en", filename="note.txt",
                                  curator="ana", recorded_at=when)
        arc.record_entity("khrushchev", kind="person", label="Nikita Khrushchev", curator="ana", recorded_at=when)
        arc.record_claim(subject_id="khrushchev", predicate="sent_to", object_literal="Kiev", claim_id="web-1",
                         source_id=web.source_id, quote="sent to Kiev", curator="ana", recorded_at=when)
        arc.record_claim(subject_id="khrushchev", predicate="mentioned", claim_id="local-1", curator="bea",
                         source_id=local.source_id, quote="Khrushchev", recorded_at=when)
        document = annotations(arc.log)
    local_item, web_item = _items(document)  # sorted by claim id
    assert local_item["body"]["archive:claim"]["claim_id"] == "local-1"
    assert web_item["target"]["source"] == "https://example.org/khrushchev"
    assert web_item["target"]["state"] == {"type": "TimeState", "cached": "urn:" + web.source_id}
    assert local_item["target"]["source"] == "urn:" + local.source_id and "state" not in local_item["target"]
    assert local_item["target"]["selector"][0] == {"type": "TextQuoteSelector", "exact": "Khrushchev",
                                                   "suffix": ", 1938."}  # no empty prefix
    assert local_item["creator"] == {"name": "bea"} and local_item["created"] == "2026-01-02T03:04:05.000000Z"
    assert web_item["body"]["value"] == "Nikita Khrushchev — sent to — Kiev"
    for item in (web_item, local_item):
        assert VALIDATOR.is_valid(item)


def test_an_empty_log_gives_an_empty_collection(tmp_path):
    with archive.open(tmp_path / "empty.db") as arc:
        document = annotations(arc.log)
    assert document["total"] == 0 and "first" not in document
    assert document["type"] == "AnnotationCollection"


def test_export_annotations_refuses_a_catalogue_cleanly(corpus, tmp_path):
    result = CliRunner().invoke(cli, ["export-annotations", str(corpus / "catalogue.db"), str(tmp_path / "x.jsonld")])
    assert result.exit_code == 1
    assert result.output.startswith("Error:") and "Traceback" not in result.output
    assert not (tmp_path / "x.jsonld").exists()


# -- the claims table -------------------------------------------------------------------------------------


def test_export_claims_csv_is_one_row_per_claim_without_bom_and_deterministic(corpus, tmp_path):
    out = tmp_path / "claims.csv"
    result = run("export-claims", corpus / "catalogue.db", out)
    assert result.exit_code == 0, result.output
    assert result.output == f"exported {len(_catalogue_claims(corpus / 'catalogue.db'))} claim(s) to {out} as CSV\n"
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == [name for name, _, _ in CLAIM_COLUMNS]
    expected = _catalogue_claims(corpus / "catalogue.db")
    assert sorted(r[0] for r in rows[1:]) == sorted(expected)
    by_id = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    appointment = by_id["s000-c24"]
    assert (appointment["subject"], appointment["predicate"], appointment["object"], appointment["date_edtf"],
            appointment["source"], appointment["speaker"]) == (
        "Nikita Khrushchev", "held_office", "First Secretary of the Communist Party of Ukraine", "1938",
        "Carreira política sob Stalin", "")
    assert int(appointment["quote_start"]) == expected["s000-c24"]["quote_start"]
    again = tmp_path / "again.csv"
    run("export-claims", corpus / "catalogue.db", again, "--format", "csv")
    assert again.read_bytes() == data


def test_export_claims_json_has_the_same_rows_as_csv(corpus, tmp_path):
    run("export-claims", corpus / "catalogue.db", tmp_path / "claims.csv")
    result = run("export-claims", corpus / "catalogue.db", tmp_path / "claims.json")  # format from the suffix
    assert result.output.endswith("as JSON\n")
    rows = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))
    table = list(csv.DictReader(io.StringIO((tmp_path / "claims.csv").read_text(encoding="utf-8"), newline="")))
    assert [r["claim_id"] for r in rows] == [r["claim_id"] for r in table]
    for from_json, from_csv in zip(rows, table):
        assert list(from_json) == list(from_csv)
        assert {k: "" if v is None else str(v) for k, v in from_json.items()} == from_csv
    assert isinstance(rows[0]["quote_start"], int)
    assert run("export-claims", corpus / "catalogue.db", "-", "--format", "json").output == (
        tmp_path / "claims.json").read_text(encoding="utf-8")


def test_export_claims_shows_the_catalogue_view_after_merges_and_retractions(corpus, tmp_path):
    log = _copy(corpus, tmp_path)
    with archive.open(log, create=False) as arc:
        arc.retract("s000-c41", reason="recorded twice", curator="ana")
        arc.merge("kaganovich", into_id="stalin", reason="to see what the export does", curator="ana")
        rebuild(arc.log, tmp_path / "catalogue.db")
    rows = {r["claim_id"]: r for r in claim_rows(tmp_path / "catalogue.db")}
    assert rows["s000-c41"]["status"] == "retracted"
    assert (rows["s000-c02"]["subject"], rows["s000-c02"]["subject_id"]) == ("Joseph Stalin", "stalin")


def test_export_claims_refuses_a_log_cleanly(corpus, tmp_path):
    result = CliRunner().invoke(cli, ["export-claims", str(corpus / "archive.db"), str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert "is not an archive catalogue" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.csv").exists()


# -- where an export goes: links, pipes, devices, directories -------------------------------------------------


def _claims_csv(corpus: Path) -> bytes:
    return run("export-claims", corpus / "catalogue.db", "-").stdout_bytes


def test_an_export_through_a_link_replaces_the_file_it_leads_to_and_keeps_the_link(corpus, tmp_path):
    earlier = tmp_path / "claims.csv"
    earlier.write_text("an earlier export\n", encoding="utf-8")
    (tmp_path / "latest.csv").symlink_to("claims.csv")
    (tmp_path / "next.csv").symlink_to("fresh.csv")  # leads to no file yet: the export makes it
    for link in ("latest.csv", "next.csv"):
        result = run("export-claims", corpus / "catalogue.db", tmp_path / link)
        assert result.exit_code == 0, result.output
    assert os.readlink(tmp_path / "latest.csv") == "claims.csv" and os.readlink(tmp_path / "next.csv") == "fresh.csv"
    assert earlier.read_bytes() == (tmp_path / "fresh.csv").read_bytes() == _claims_csv(corpus)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv", "fresh.csv", "latest.csv", "next.csv"]


def test_an_export_into_a_named_pipe_is_streamed_into_it_and_leaves_it_a_pipe(corpus, tmp_path):
    pipe = tmp_path / "claims.pipe"
    os.mkfifo(pipe)
    # The test holds both ends, so that the export's open does not wait for a reader, and the reader
    # sees the end only when the test lets go of its own writing end, whatever the export did.
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    writer = os.open(pipe, os.O_WRONLY)
    os.set_blocking(reader, True)
    received: list[bytes] = []

    def drain() -> None:
        with open(reader, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=drain)
    thread.start()
    try:
        result = run("export-claims", corpus / "catalogue.db", pipe)
    finally:
        os.close(writer)
        thread.join()
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert received == [_claims_csv(corpus)]


def _null_device(path: Path, how: str, minor: int = 3) -> None:
    """A character device at ``path``: a link to /dev/null, or a node of its own (1, minor: null, 7: full)."""
    if how == "a link to /dev/null":
        path.symlink_to(os.devnull)  # /dev/null itself is never named: the code before the fix renamed over it
        return
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, minor))  # Linux's null (1, 3) and full (1, 7)
    except (PermissionError, AttributeError):
        pytest.skip("making a device node needs root on Linux")


@pytest.mark.parametrize("how", ["a link to /dev/null", "a device node of its own"])
def test_an_export_into_a_character_device_is_written_into_and_leaves_it_a_device(corpus, tmp_path, how):
    out = tmp_path / "null"
    _null_device(out, how)
    before = os.lstat(out)
    result = run("export-annotations", corpus / "archive.db", out)
    assert result.exit_code == 0 and result.output.startswith("exported ")
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)


def test_an_export_into_a_full_device_fails_and_says_so(corpus, tmp_path):
    full = tmp_path / "full"
    _null_device(full, "a device node of its own", minor=7)
    result = CliRunner().invoke(cli, ["export-claims", str(corpus / "catalogue.db"), str(full)])
    assert result.exit_code == 1
    assert result.output == (f"Error: writing into {full}, a character device, failed (No space left on device): "
                             f"check that it can take the export, or give a file's path\n")
    assert stat.S_ISCHR(os.lstat(full).st_mode)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="process descriptors as links are Linux's /proc")
def test_an_export_to_a_descriptor_of_standard_output_is_standard_output(corpus, tmp_path):
    # Written as '-' is: appended where standard output goes (here `>> collected`), no line of our own.
    link = tmp_path / "out"
    link.symlink_to("/proc/self/fd/1")
    collected = tmp_path / "collected"
    collected.write_bytes(b"before\n")
    with open(collected, "ab") as stdout:
        completed = subprocess.run([sys.executable, "-m", "archive", "export-claims", str(corpus / "catalogue.db"),
                                    str(link)], stdout=stdout, stderr=subprocess.PIPE)
    assert completed.returncode == 0, completed.stderr
    assert collected.read_bytes() == b"before\n" + _claims_csv(corpus)
    assert os.readlink(link) == "/proc/self/fd/1"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="process descriptors as links are Linux's /proc")
def test_an_export_to_a_descriptor_of_another_file_is_refused(corpus, tmp_path):
    # /dev/stderr sent to a file: its name is the process's, not a file the export could replace.
    link = tmp_path / "err"
    link.symlink_to("/proc/self/fd/2")
    errors = tmp_path / "errors.txt"
    with open(errors, "ab") as stderr:
        completed = subprocess.run([sys.executable, "-m", "archive", "export-claims", str(corpus / "catalogue.db"),
                                    str(link)], stdout=subprocess.PIPE, stderr=stderr)
    assert completed.returncode == 1 and completed.stdout == b""
    assert errors.read_text(encoding="utf-8") == (
        f"Error: {link} is a file descriptor of a running process, not a file's name; nothing was written: "
        f"give the file's own path, or - for standard output\n")
    assert os.readlink(link) == "/proc/self/fd/2"


def test_an_export_into_a_missing_directory_names_the_directory(corpus, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["export-claims", str(corpus / "catalogue.db"), "nowhere/claims.csv"])
    assert result.exit_code == 1
    assert result.output == ("Error: there is no directory nowhere to write nowhere/claims.csv in; nothing was "
                             "written: create the directory first, or give another path\n")
    assert list(tmp_path.iterdir()) == []


def test_an_export_into_a_read_only_directory_names_the_directory_not_a_temporary_file(corpus, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    completed = archive_bound_by_permissions("export-claims", corpus / "catalogue.db", locked / "claims.csv",
                                             read_only=(locked,))
    assert completed.returncode == 1
    assert completed.stderr == (f"Error: cannot write {locked / 'claims.csv'} (Permission denied) in {locked}; "
                                f"nothing was written: check that the directory is writable and has room, or give "
                                f"a path in another one\n")
    assert list(locked.iterdir()) == []


# -- the API reference --------------------------------------------------------------------------------------


def test_every_public_name_is_in_the_api_reference():
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in archive.__all__ if f"`{name}" not in page and f"archive.{name}" not in page]
    assert not missing, f"docs/api.md does not mention {missing}"


def test_every_public_archive_method_is_in_the_api_reference():
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    methods = [name for name in dir(archive.Archive) if not name.startswith("_")]
    missing = [name for name in methods if f"`{name}(" not in page and f".{name}(" not in page]
    assert not missing, f"docs/api.md does not show Archive methods {missing}"


@pytest.mark.parametrize("change, said", [
    (lambda data: {**data, "note": "Edited by hand."},
     "its bytes do not match its hash (one of them was changed after it was stored)"),
    (lambda data: {**data, "predicate": 5}, "it is not a valid event ($.predicate: expected a string, got int)"),
    (lambda data: {**data, "claim_id": 7}, "it is not a valid event ($.claim_id: expected a string, got int)"),
    (lambda data: {k: v for k, v in data.items() if k != "selector"},
     "it is not a valid event ($.selector: required field missing)"),
    ('{"type": "NameRecorded", "version": 2}',
     "its payload is NameRecorded version 2, where the log's row says ClaimRecorded version 3"),
], ids=["a note edited", "a predicate that is a number", "a claim id that is a number", "no selector",
        "another type's event"])
def test_the_annotation_export_names_a_damaged_claim_by_its_position_and_writes_nothing(corpus, tmp_path, change,
                                                                                         said):
    log = _copy(corpus, tmp_path)
    at = claim_position(log, "s000-c01")
    damage_event(log, at, change)
    before = file_digest(log)
    with archive.open(log, create=False) as arc, pytest.raises(archive.DamagedLogError) as caught:
        annotations(arc.log)
    assert str(caught.value) == f"position {at}: {said}: the log is damaged; run 'archive verify {log}' to see what " \
                                f"else is wrong"
    result = run("export-annotations", log, tmp_path / "a.jsonld")
    assert result.exit_code == 1 and result.output == f"Error: {caught.value}\n"
    assert not (tmp_path / "a.jsonld").exists() and file_digest(log) == before


def test_the_annotation_export_refuses_a_claim_recorded_twice_even_with_its_hash_recomputed(corpus, tmp_path):
    # A forger who recomputes the hash (verify cannot tell, but a kept head can) still cannot slip a copy of
    # one claim's event in the place of another's: the annotation would silently replace the first.
    log = _copy(corpus, tmp_path)
    first, second = claim_position(log, "s000-c01"), claim_position(log, "s000-c02")
    conn = sqlite3.connect(log, isolation_level=None)
    with lifted_triggers(conn):
        payload = conn.execute("SELECT payload FROM events WHERE position = ?", (first,)).fetchone()[0]
        row = conn.execute("SELECT stream_id, stream_version, prev_hash FROM events WHERE position = ?",
                           (second,)).fetchone()
        forged = chain_hash(second, row[0], row[1], row[2], payload.encode("utf-8"))
        conn.execute("UPDATE events SET payload = ?, hash = ? WHERE position = ?", (payload, forged, second))
    conn.close()
    with archive.open(log, create=False) as arc, pytest.raises(archive.DamagedLogError) as caught:
        annotations(arc.log)
    assert caught.value.position == second and "the claim 's000-c01' is recorded twice" in str(caught.value)


def _rehash(conn: sqlite3.Connection, position: int, payload: str) -> None:
    """Give the event at ``position`` a new payload and the hash that goes with it (as a forger would)."""
    stream_id, version, prev_hash = conn.execute(
        "SELECT stream_id, stream_version, prev_hash FROM events WHERE position = ?", (position,)).fetchone()
    forged = chain_hash(position, stream_id, version, prev_hash, payload.encode("utf-8"))
    conn.execute("UPDATE events SET payload = ?, hash = ? WHERE position = ?", (payload, forged, position))


@pytest.mark.parametrize("tampering", ["a retraction removed", "a retraction's reason rewritten, its hash recomputed"])
def test_the_annotation_export_refuses_what_the_bundle_export_refuses(corpus, tmp_path, tampering):
    # Each event's own hash holds in both cases; only the chain (positions, prev_hash) shows the change. An
    # annotation export that checked the events one at a time would show the retracted claim as asserted,
    # or the curator saying what they did not.
    log = _copy(corpus, tmp_path)
    conn = sqlite3.connect(log, isolation_level=None)
    at, payload = conn.execute("SELECT position, payload FROM events WHERE type = 'ClaimRetracted' "
                               "ORDER BY position LIMIT 1").fetchone()
    assert at < conn.execute("SELECT MAX(position) FROM events").fetchone()[0]  # not the last: the chain shows it
    with lifted_triggers(conn):
        if tampering == "a retraction removed":
            conn.execute("DELETE FROM events WHERE position = ?", (at,))
        else:
            _rehash(conn, at, payload.replace('"reason":"', '"reason":"Not ', 1))
    conn.close()
    before = file_digest(log)
    with archive.open(log, create=False) as arc:
        with pytest.raises(archive.DamagedLogError) as exported:
            export_bundle(arc, tmp_path / "bundle")
        with pytest.raises(archive.DamagedLogError) as annotated:
            annotations(arc.log)
    assert str(annotated.value) == str(exported.value) and annotated.value.position == at + 1
    result = run("export-annotations", log, tmp_path / "a.jsonld")
    assert result.exit_code == 1 and result.output == f"Error: {annotated.value}\n"
    assert not (tmp_path / "a.jsonld").exists() and file_digest(log) == before
