"""Correcting a source's or a cited work's description: SourceDescriptionCorrected, WorkDescriptionCorrected,
Archive.correct_source and correct_work, `archive correct-source` and `correct-work`.

The recorded event and the bytes never change; the catalogue, the annotations and
``Archive.source_description`` show the description with every correction applied,
and ``source_corrections`` lists each change. Every refusal names the field and the
bad value and leaves the log file byte for byte as it was.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import given, settings

import archive
from archive.annotations import annotations_json
from archive.catalogue import rebuild
from archive.cli import cli
from archive.errors import DateError, UnknownReferenceError, ValidationError
from archive.model import DESCRIPTION_FIELDS

from .builders import Builder, file_digest
from .generators import archive_batches
from .test_catalogue import _fill

TEXT = "The Rise of Khrushchev. Copyright 2007-2017 Alex Chubarov."


@pytest.fixture
def base(log_path: Path):
    """A log with one source (no author, no publication date) and a claim in it."""
    build = Builder()
    source, blobs = build.source(TEXT, title="The Rise of Krushchev", language="en")
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("khrushchev"),
                    build.claim("c1", subject_id="khrushchev", source=source, text=TEXT, quote="Rise of Khrushchev")],
                   blobs=blobs)
    return build, source


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_correction_reaches_the_catalogue_the_annotations_and_the_api_and_the_record_stays(base, log_path,
                                                                                            tmp_path):
    build, source = base
    with archive.open(log_path) as arc:
        first = arc.correct_source(source.source_id, reason="a typo in the title", curator="ana",
                                   title="The Rise of Khrushchev", author="Chubarov, Alex", published="2007/2017")
        second = arc.correct_source(source.source_id, reason="the footer gives the site's years, not the page's",
                                    curator="ana", cleared=["published"])
        assert arc.source(source.source_id) == source  # as recorded
        described = arc.source_description(source.source_id)
        assert (described.title, described.author, described.published) == (
            "The Rise of Khrushchev", "Chubarov, Alex", None)
        assert attrs.evolve(described, title=source.title, author=None) == source  # nothing else changed
        rebuild(arc.log, tmp_path / "catalogue.db")
        exported = annotations_json(arc.log)
    assert _rows(tmp_path / "catalogue.db", "SELECT title, author, published FROM sources") == [
        ("The Rise of Khrushchev", "Chubarov, Alex", None)]
    assert _rows(tmp_path / "catalogue.db",
                 "SELECT field, previous_value, value, event_id FROM source_corrections ORDER BY position, field") == [
        ("author", None, "Chubarov, Alex", first.event_id),
        ("published", None, "2007/2017", first.event_id),
        ("title", "The Rise of Krushchev", "The Rise of Khrushchev", first.event_id),
        ("published", "2007/2017", None, second.event_id),
    ]
    assert _rows(tmp_path / "catalogue.db", "SELECT rowid FROM sources_fts WHERE sources_fts MATCH 'Khrushchev'")
    assert "The Rise of Khrushchev" in exported and "Krushchev" not in exported


#: name -> (changes, cleared, error, path, what the message shows)
BAD = {
    "a source never recorded": (dict(source_id="sha256:" + "0" * 64, title="X"), (), UnknownReferenceError,
                                "$.source_id", "000000"),
    "no change at all": ({}, (), ValidationError, "$", "changes nothing"),
    "the value it already has": (dict(title="The Rise of Krushchev"), (), ValidationError, "$.title",
                                 "already 'The Rise of Krushchev'"),
    "removing a field it does not have": ({}, ("author",), ValidationError, "$.cleared[0]", "no author to remove"),
    "removing the title": ({}, ("title",), ValidationError, "$.cleared[0]", "a source must keep its title and language"),
    "a field that is not a description's": ({}, ("media_type",), ValidationError, "$.cleared[0]", "media_type"),
    "a field removed twice": (dict(author="A"), ("note", "note"), ValidationError, "$.cleared[1]", "named twice"),
    "a field given and removed": (dict(author="A"), ("author",), ValidationError, "$.cleared[0]",
                                  "both given a new value and removed"),
    "a blank author": (dict(author="  "), (), ValidationError, "$.author", "blank"),
    "a language that is no tag": (dict(language="Portuguese!"), (), ValidationError, "$.language", "Portuguese!"),
    "an impossible publication day": (dict(published="2013-02-30"), (), DateError, "$.published", "2013-02-30"),
    "a title with a line break": (dict(title="The Rise\nof Khrushchev"), (), ValidationError, "$.title",
                                  "line break"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_corrections_are_refused_by_field_and_leave_the_log_as_it_was(base, log_path, case):
    changes, cleared, error, path, shown = BAD[case]
    build, source = base
    event = build.correct_source(**{"source_id": source.source_id, **changes}, cleared=cleared)
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        head = arc.head()
        with pytest.raises(error) as info:
            arc.append([build.entity("bystander"), event])
        assert arc.head() == head
    assert info.value.path == path
    assert shown in str(info.value)
    assert file_digest(log_path) == before


def test_correct_source_names_what_it_cannot_change(base, log_path):
    build, source = base
    with archive.open(log_path) as arc:
        with pytest.raises(TypeError, match="cannot change media_type; it corrects title, language"):
            arc.correct_source(source.source_id, reason="r", curator="ana", media_type="text/html")


def test_the_cli_corrects_and_refuses_cleanly(base, log_path):
    build, source = base
    runner = CliRunner()
    done = runner.invoke(cli, ["correct-source", str(log_path), source.source_id, "--title", "The Rise of Khrushchev",
                               "--clear", "note", "--reason", "typo", "--curator", "ana"])
    assert done.exit_code == 1 and "no note to remove" in done.output and "$.cleared[0]" in done.output
    done = runner.invoke(cli, ["correct-source", str(log_path), source.source_id, "--title", "The Rise of Khrushchev",
                               "--published", "2007/2017", "--reason", "typo", "--curator", "ana"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith(f"corrected title, published of {source.source_id} (event ")
    with archive.open(log_path) as arc:
        assert arc.source_description(source.source_id).title == "The Rise of Khrushchev"


@settings(max_examples=20)
@given(batches=archive_batches(max_batches=5, max_events=10))
def test_the_catalogue_shows_each_source_as_its_corrections_in_log_order_leave_it(tmp_path_factory, batches):
    """The projection (SQL rows) against the model's fold (corrected_description), on any archive."""
    work = tmp_path_factory.mktemp("described")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        rebuild(arc.log, work / "catalogue.db")
        expected = {}
        changes = 0
        for event in arc.events():
            if isinstance(event, archive.SourceRecorded):
                described = arc.source_description(event.source_id)
                expected[event.source_id] = tuple(getattr(described, name) for name in DESCRIPTION_FIELDS)
            elif isinstance(event, archive.SourceDescriptionCorrected):
                changes += len(event.changes())
    rows = _rows(work / "catalogue.db", f"SELECT source_id, {', '.join(DESCRIPTION_FIELDS)} FROM sources")
    assert {row[0]: row[1:] for row in rows} == expected
    assert _rows(work / "catalogue.db", "SELECT COUNT(*) FROM source_corrections") == [(changes,)]
    # Each change starts from what the one before it left (or the record), field by field.
    last: dict[tuple[str, str], object] = {}
    for source_id, field, previous, value in _rows(
            work / "catalogue.db", "SELECT source_id, field, previous_value, value FROM source_corrections "
                                  "ORDER BY position, field"):
        if (source_id, field) in last:
            assert previous == last[(source_id, field)]
        assert previous != value
        last[(source_id, field)] = value


# -- cited works: WorkDescriptionCorrected, Archive.correct_work, `archive correct-work` -----------------------


@pytest.fixture
def with_work(base, log_path: Path):
    """The base log with a work its source cites, and a claim resting on it."""
    build, source = base
    with archive.open(log_path) as arc:
        arc.append([build.work("chubarov", title="The Rise of Krushchev", published="2007"),
                    build.cite("chubarov", source=source, text=TEXT, quote="Copyright 2007-2017 Alex Chubarov"),
                    build.claim("c2", subject_id="khrushchev", source=source, text=TEXT, quote="Rise of Khrushchev",
                                voice="reported", speaker="Alex Chubarov", cited_work_id="chubarov")])
    return build, source


def test_a_work_correction_reaches_the_catalogue_its_sort_key_the_annotations_and_the_api(with_work, log_path,
                                                                                         tmp_path):
    build, source = with_work
    with archive.open(log_path) as arc:
        event = arc.correct_work("chubarov", reason="the page's own heading", curator="ana",
                                 title="The Rise of Khrushchev", published="2017", cleared=[])
        assert arc.work_description("chubarov").title == "The Rise of Khrushchev"
        assert arc.work_description("nobody") is None
        arc.correct_work("chubarov", reason="the page gives no date of its own", curator="ana",
                         cleared=["published"])
        rebuild(arc.log, tmp_path / "catalogue.db")
        exported = annotations_json(arc.log)
    assert _rows(tmp_path / "catalogue.db", "SELECT title, published, published_earliest FROM cited_works") == [
        ("The Rise of Khrushchev", None, None)]
    assert _rows(tmp_path / "catalogue.db",
                 "SELECT field, previous_value, value, event_id FROM work_corrections ORDER BY position, field")[:2] == [
        ("published", "2007", "2017", event.event_id), ("title", "The Rise of Krushchev", "The Rise of Khrushchev",
                                                        event.event_id)]
    assert _rows(tmp_path / "catalogue.db", "SELECT work FROM citation_details") == [("The Rise of Khrushchev",)]
    assert '"cited_work_title": "The Rise of Khrushchev"' in exported  # claim c2's cited work, as corrected
    assert '"cited_work_title": "The Rise of Krushchev"' not in exported


def test_a_work_sort_key_follows_a_corrected_date_in_an_update_too(with_work, log_path, tmp_path):
    with archive.open(log_path) as arc:
        rebuild(arc.log, tmp_path / "catalogue.db")
        arc.correct_work("chubarov", reason="copyright line", curator="ana", published="2007/2017")
        archive.catalogue.update(arc.log, tmp_path / "catalogue.db")
    assert _rows(tmp_path / "catalogue.db", "SELECT published, published_earliest FROM cited_works") == [
        ("2007/2017", "2007-01-01")]


WORK_BAD = {
    "a work never recorded": (dict(work_id="nobody-1900", title="X"), (), UnknownReferenceError, "$.work_id",
                              "nobody-1900"),
    "no change at all": ({}, (), ValidationError, "$", "changes nothing"),
    "the title it already has": (dict(title="The Rise of Krushchev"), (), ValidationError, "$.title",
                                 "the work's title is already"),
    "removing the kind": ({}, ("kind",), ValidationError, "$.cleared[0]", "a work must keep its title and kind"),
    "an unknown kind": (dict(kind="pamphlet"), (), ValidationError, "$.kind", "unknown work kind"),
    "removing an author it does not have": ({}, ("author",), ValidationError, "$.cleared[0]",
                                            "the work has no author to remove"),
    "an impossible date": (dict(published="2007-02-30"), (), DateError, "$.published", "2007-02-30"),
}


@pytest.mark.parametrize("case", sorted(WORK_BAD))
def test_bad_work_corrections_are_refused_by_field_and_leave_the_log_as_it_was(with_work, log_path, case):
    changes, cleared, error, path, shown = WORK_BAD[case]
    build, source = with_work
    event = build.correct_work(**{"work_id": "chubarov", **changes}, cleared=cleared)
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        with pytest.raises(error) as info:
            arc.append([build.entity("bystander"), event])
    assert info.value.path == path
    assert shown in str(info.value)
    assert file_digest(log_path) == before


def test_the_cli_corrects_a_work(with_work, log_path):
    done = CliRunner().invoke(cli, ["correct-work", str(log_path), "chubarov", "--kind", "web page", "--identifier",
                                    "https://www.allrussias.com/", "--reason", "a web page", "--curator", "ana"])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("corrected kind, identifier of chubarov (event ")
    with archive.open(log_path) as arc:
        assert (arc.work_description("chubarov").kind, arc.work_description("chubarov").identifier) == (
            "web page", "https://www.allrussias.com/")
