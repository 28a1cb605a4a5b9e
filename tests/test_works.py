"""Cited works: sources without bytes, their citations, and claims that name them.

Every refusal must name the field and the bad value and leave the log file
byte for byte as it was; what is accepted must reach the catalogue.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import pytest

import archive
from archive.catalogue import rebuild
from archive.errors import DateError, UnknownReferenceError, ValidationError
from archive.model import TextSelector

from .builders import Builder, file_digest

TEXT = ("Biograful William Taubman sugerează că Hrușciov se simțea mai aproape de menșevici. "
        "Bibliografie: Taubman, William (2003), Khrushchev: The Man and His Era.")
OTHER = "A second text that cites nothing."
ENTRY = "Taubman, William (2003), Khrushchev: The Man and His Era"
ENTRY_AT = f"{TEXT.index(ENTRY)}-{TEXT.index(ENTRY) + len(ENTRY)}"


@pytest.fixture
def base(log_path: Path):
    """A log with two sources, an entity, a work and one citation of it in the first source."""
    build = Builder()
    source, blobs = build.source(TEXT, language="ro")
    other, more = build.source(OTHER, filename="other.txt")
    with archive.open(log_path) as arc:
        arc.append([source, other, build.entity("khrushchev"), build.work("taubman-2003", published="2003"),
                    build.cite("taubman-2003", source=source, text=TEXT,
                               quote="Taubman, William (2003), Khrushchev: The Man and His Era")],
                   blobs={**blobs, **more})
    return build, source, other


def _reported(build, source, **changes):
    claim = build.claim("c-taubman", subject_id="khrushchev", source=source, text=TEXT,
                        quote="Hrușciov se simțea mai aproape de menșevici", predicate="sympathised_with",
                        voice="reported", speaker="William Taubman", cited_work_id="taubman-2003")
    return attrs.evolve(claim, **changes)


def test_a_claim_names_the_work_its_source_cites_and_the_catalogue_shows_it(base, log_path, tmp_path):
    build, source, _ = base
    with archive.open(log_path) as arc:
        arc.append([_reported(build, source)])
        rebuild(arc.log, tmp_path / "catalogue.db")
    conn = sqlite3.connect(tmp_path / "catalogue.db")
    assert conn.execute("SELECT cited_work, speaker, voice FROM claim_details WHERE claim_id = 'c-taubman'"
                        ).fetchall() == [("A cited book", "William Taubman", "reported")]
    assert conn.execute("SELECT work_id, quote, claims FROM citation_details").fetchall() == [
        ("taubman-2003", "Taubman, William (2003), Khrushchev: The Man and His Era", 1)]
    assert conn.execute("SELECT published, published_earliest FROM cited_works").fetchall() == [
        ("2003", "2003-01-01")]
    assert conn.execute("SELECT summary FROM claim_history WHERE claim_id = 'c-taubman'").fetchall() == [
        ("recorded (reported: William Taubman), citing taubman-2003",)]


def test_a_citation_and_the_claim_that_needs_it_can_land_in_one_batch(log_path):
    build = Builder()
    source, blobs = build.source(TEXT)
    cite = build.cite("taubman-2003", source=source, text=TEXT, quote="Taubman, William (2003)")
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("khrushchev"), build.work("taubman-2003"), cite,
                    _reported(build, source)], blobs=blobs)
        assert [e.TYPE for e in arc.events()][-2:] == ["WorkCited", "ClaimRecorded"]


BAD = {
    "claim names an unknown work": (
        lambda build, source, other: [_reported(build, source, cited_work_id="tompson-1995")],
        UnknownReferenceError, "$.cited_work_id", "tompson-1995"),
    "claim names a work its source does not cite": (
        lambda build, source, other: [_reported(build, other, selector=TextSelector(
            exact="cites nothing", start=19, end=32))],
        UnknownReferenceError, "$.cited_work_id", "taubman-2003"),
    "a reader's comment names a work": (
        lambda build, source, other: [_reported(build, source, voice="reader")],
        ValidationError, "$.cited_work_id", "taubman-2003"),
    "the work is recorded twice": (
        lambda build, source, other: [build.work("taubman-2003")],
        ValidationError, "$.work_id", "taubman-2003"),
    "a work of an unknown kind": (
        lambda build, source, other: [attrs.evolve(build.work("w2"), kind="pamphlet")],
        ValidationError, "$.kind", "pamphlet"),
    "an impossible publication date": (
        lambda build, source, other: [build.work("w2", published="2003-02-30")],
        DateError, "$.published", "2003-02-30"),
    "a bad language tag": (
        lambda build, source, other: [attrs.evolve(build.work("w2"), language="english!")],
        ValidationError, "$.language", "english!"),
    "a blank title": (
        lambda build, source, other: [attrs.evolve(build.work("w2"), title="  ")],
        ValidationError, "$.title", "  "),
    "a citation of an unknown work": (
        lambda build, source, other: [build.cite("nobody-1900", source=source, text=TEXT, quote="Bibliografie")],
        UnknownReferenceError, "$.work_id", "nobody-1900"),
    "a citation in an unknown source": (
        lambda build, source, other: [attrs.evolve(build.cite("taubman-2003", source=source, text=TEXT,
                                                              quote="Bibliografie"), source_id="sha256:" + "0" * 64)],
        UnknownReferenceError, "$.source_id", "0000"),
    "a citation whose words are not in the source": (
        lambda build, source, other: [attrs.evolve(build.cite("taubman-2003", source=source, text=TEXT,
                                                              quote="Bibliografie"),
                                                   selector=TextSelector(exact="Tompson, William", start=0, end=16))],
        ValidationError, "$.selector.exact", "Tompson"),
    "the same citation twice": (
        lambda build, source, other: [build.cite("taubman-2003", source=source, text=TEXT,
                                                 quote="Taubman, William (2003), Khrushchev: The Man and His Era")],
        ValidationError, "$.selector", ENTRY_AT),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_works_and_citations_are_refused_and_leave_the_log_as_it_was(base, log_path, case):
    make, error, path, shown = BAD[case]
    build, source, other = base
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        head = arc.head()
        with pytest.raises(error) as info:
            arc.append(make(build, source, other))
        assert arc.head() == head
    assert info.value.path == path
    assert shown in str(info.value)
    assert file_digest(log_path) == before


def test_a_correction_keeps_the_cited_work(base, log_path):
    build, source, _ = base
    with archive.open(log_path) as arc:
        arc.append([_reported(build, source)])
        correction = arc.correct("c-taubman", reason="the speaker's full name", curator="ana",
                                 new_claim_id="c-taubman-2", speaker="Biograful William Taubman")
        assert correction.cited_work_id == "taubman-2003"
        assert correction.speaker == "Biograful William Taubman"


def test_citation_details_counts_only_the_citing_sources_own_claims(log_path, catalogue_path):
    # Two sources cite the same work; only the first attributes a claim to it.
    text = "Stalin died on 5 March 1953 in Kuntsevo, as Taubman tells it."
    build = Builder(seed="two-citers")
    first, first_blobs = build.source(text, filename="1.txt")
    second, second_blobs = build.source(text + " ", filename="2.txt")
    with archive.open(log_path) as arc:
        arc.append([first, second, build.entity("stalin"), build.work("w"),
                    build.cite("w", source=first, text=text, quote="Taubman"),
                    build.cite("w", source=second, text=text + " ", quote="Taubman"),
                    build.claim("x", subject_id="stalin", predicate="died", source=first, text=text,
                                quote="5 March 1953", voice="reported", speaker="Taubman", cited_work_id="w")],
                   blobs={**first_blobs, **second_blobs})
        rebuild(arc.log, catalogue_path)
    conn = sqlite3.connect(catalogue_path)
    try:
        counts = dict(conn.execute("SELECT source_id, claims FROM citation_details").fetchall())
    finally:
        conn.close()
    assert counts == {first.source_id: 1, second.source_id: 0}
