"""The timeline view and ``archive timeline``."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile

import pytest
from click.testing import CliRunner
from hypothesis import given, settings

import archive
from archive.bundle import import_bundle
from archive.catalogue import rebuild
from archive.cli import cli
from archive.errors import UnknownReferenceError
from archive.timeline import timeline

from .builders import claim_position, damage_event
from .conftest import FIXTURE_BUNDLE
from .test_catalogue import _fill, archive_batches


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    work = tmp_path_factory.mktemp("timeline")
    with archive.open(work / "archive.db") as arc:
        import_bundle(arc, FIXTURE_BUNDLE)
        rebuild(arc.log, work / "catalogue.db")
    return work


def test_timeline_is_sorted_by_earliest_day_and_covers_every_dated_claim(shipped):
    label, rows = timeline(shipped / "catalogue.db", "khrushchev")
    conn = sqlite3.connect(shipped / "catalogue.db")
    dated = conn.execute("SELECT claim_id, date_earliest FROM claims WHERE subject_current_id = 'khrushchev'"
                         " AND date_earliest IS NOT NULL AND status = 'asserted'").fetchall()
    assert label == "Nikita Khrushchev"
    assert sorted(r["claim_id"] for r in rows) == sorted(c for c, _ in dated)
    earliest = dict(dated)
    order = [earliest[r["claim_id"]] for r in rows]
    assert order == sorted(order)


@pytest.mark.parametrize("name", ["khrushchev", "Nikita Khrushchev", "krushchev", "Никита Хрущёв", "Никита Хрущев",
                                  "NIKITA KHRUSHCHEV"])
def test_any_name_in_any_case_or_accent_finds_the_entity(shipped, name):
    assert timeline(shipped / "catalogue.db", name)[0] == "Nikita Khrushchev"


def test_a_whole_name_beats_a_partial_one_and_ambiguity_is_an_error(shipped):
    assert timeline(shipped / "catalogue.db", "Joseph Stalin")[0] == "Joseph Stalin"
    with pytest.raises(UnknownReferenceError, match="several entities"):
        timeline(shipped / "catalogue.db", "Academy")
    with pytest.raises(UnknownReferenceError, match="no entity"):
        timeline(shipped / "catalogue.db", "Napoleon")
    with pytest.raises(UnknownReferenceError, match=r"several entities: .* and \d+ more"):
        timeline(shipped / "catalogue.db", "a")  # in almost every name: the first ten, and how many else


@pytest.mark.parametrize("blank", ["", "  ", "\u0301"])
def test_a_blank_entity_is_asked_for_not_matched_against_every_name(shipped, blank):
    result = CliRunner().invoke(cli, ["timeline", str(shipped / "catalogue.db"), blank])
    assert result.exit_code == 1 and "ENTITY: give an entity id or name" in result.output
    assert "several entities" not in result.output and "Traceback" not in result.output


def test_the_log_and_the_catalogue_give_the_same_timeline(shipped):
    assert timeline(shipped / "archive.db", "khrushchev") == timeline(shipped / "catalogue.db", "khrushchev")


def test_the_command_prints_a_table(shipped):
    result = CliRunner().invoke(cli, ["timeline", str(shipped / "catalogue.db"), "Krushchev"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Nikita Khrushchev: ") and "date_as_written" in lines[1]
    assert "Um ano depois" in result.output


@settings(max_examples=10)
@given(batches=archive_batches())
def test_timeline_order_is_consistent_with_containment(tmp_path_factory, batches):
    """If one claim's date span contains another's, it does not sort after it."""
    work = tmp_path_factory.mktemp("order")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        rebuild(arc.log, work / "c.db")
    conn = sqlite3.connect(work / "c.db")
    rows = conn.execute("SELECT entity_id, date_earliest, date_latest FROM timeline").fetchall()
    assert len(rows) == conn.execute("SELECT count(*) FROM claims WHERE date_edtf IS NOT NULL AND status = 'asserted'").fetchone()[0]
    for (entity_a, lo_a, hi_a), (entity_b, lo_b, hi_b) in zip(rows, rows[1:]):
        if entity_a != entity_b:
            continue
        assert (lo_a, hi_a) <= (lo_b, hi_b)
        # A span that strictly contains another starts no later, so it is listed first.
        assert not (lo_b < lo_a and hi_a <= hi_b)


@pytest.mark.parametrize("change, said", [
    (lambda data: {**data, "note": {"a": 1}}, "it is not a valid event ($.note: expected a string, got dict)"),
    (lambda data: {**data, "subject_id": "nobody"},
     "its bytes do not match its hash (one of them was changed after it was stored)"),
], ids=["a note SQLite cannot store", "a subject never recorded"])
def test_the_timeline_of_a_damaged_log_names_the_event_and_leaves_nothing_behind(shipped, tmp_path, monkeypatch,
                                                                                 change, said):
    log = tmp_path / "archive.db"
    shutil.copyfile(shipped / "archive.db", log)
    at = claim_position(log, "s000-c01")
    damage_event(log, at, change)
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))  # where the throwaway catalogue is built
    with pytest.raises(archive.DamagedLogError) as caught:
        timeline(log, "khrushchev")
    assert str(caught.value) == f"position {at}: {said}: the log is damaged; run 'archive verify {log}' to see what " \
                                f"else is wrong"
    assert list(work.iterdir()) == []
    result = CliRunner().invoke(cli, ["timeline", str(log), "khrushchev"])
    assert result.exit_code == 1 and result.output == f"Error: {caught.value}\n"


def test_a_catalogue_with_broken_bookkeeping_is_named_as_such_not_as_some_other_file(shipped, tmp_path):
    """A timeline that fails on a catalogue whose _catalogue row is gone says so, not 'neither a log nor a catalogue'."""
    catalogue = tmp_path / "catalogue.db"
    shutil.copy(shipped / "catalogue.db", catalogue)
    conn = sqlite3.connect(catalogue)
    conn.executescript("DROP VIEW timeline; DELETE FROM _catalogue;")
    conn.close()
    result = CliRunner().invoke(cli, ["timeline", str(catalogue), "khrushchev"])
    assert result.exit_code == 1
    assert "bookkeeping row (_catalogue) is missing" in result.output and "neither" not in result.output
