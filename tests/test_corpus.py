"""The shipped corpus as a historian would check it (issue 6)."""

from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

import archive
from archive.bundle import import_bundle
from archive.catalogue import rebuild

from .conftest import FIXTURE_BUNDLE

BLOG = "sha256:72cdab1e08c257da9897389b60008a8a0bb0ef29d2ba977e773c5265125777e9"


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    work = tmp_path_factory.mktemp("corpus")
    with archive.open(work / "archive.db") as arc:
        import_bundle(arc, FIXTURE_BUNDLE)
        rebuild(arc.log, work / "catalogue.db")
    return work / "catalogue.db"


def _rows(path, sql, *args):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_the_conflicts_include_the_cuban_crisis_year_and_stalins_death(catalogue):
    rows = _rows(catalogue, "SELECT subject_id, predicate, date_edtf, other_date_edtf, source, other_source "
                            "FROM conflicts")
    pairs = {(s, p, frozenset((d1, d2))) for s, p, d1, d2, _, _ in rows}
    assert ("cuban-missile-crisis", "occurred", frozenset({"1961", "1962-10"})) in {
        (s, p, frozenset(d[:7] if d.startswith("1962") else d for d in ds)) for s, p, ds in pairs}
    assert ("stalin", "died", frozenset({"1953-03-01", "1953-03-05"})) in pairs
    # each disagreement is the blog against another source
    assert all(BLOG in (a, b) for (a, b) in _rows(catalogue, "SELECT a.source_id, b.source_id FROM conflicts c "
                                                             "JOIN claims a ON a.claim_id = c.claim_id "
                                                             "JOIN claims b ON b.claim_id = c.other_claim_id"))


def test_no_claim_conflicts_with_its_own_correction(catalogue):
    corrections = _rows(catalogue, "SELECT claim_id, superseded_by FROM claims WHERE superseded_by IS NOT NULL")
    assert corrections, "the corpus should carry at least one correction"
    pairs = set(_rows(catalogue, "SELECT claim_id, other_claim_id FROM conflicts"))
    for old, new in corrections:
        assert (old, new) not in pairs and (new, old) not in pairs


def test_the_corpus_exercises_the_lifecycle(catalogue):
    statuses = dict(_rows(catalogue, "SELECT status, count(*) FROM claims GROUP BY status"))
    assert statuses.get("retracted", 0) >= 1 and statuses.get("superseded", 0) >= 1
    assert _rows(catalogue, "SELECT count(*) FROM claims WHERE rank = 'deprecated' AND rank_reason LIKE 'spam%'")[0][0]
    assert _rows(catalogue, "SELECT merged_into FROM entities WHERE entity_id = 'krushchev'") == [("khrushchev",)]
    assert _rows(catalogue, "SELECT count(*) FROM conclusions")[0][0] >= 1
    assert _rows(catalogue, "SELECT count(*) FROM claims")[0][0] >= 100


def test_no_reader_comment_is_attributed_to_the_blogs_author(catalogue):
    text = _rows(catalogue, "SELECT text FROM sources WHERE source_id = ?", BLOG)[0][0]
    comments_start = text.index("November 4, 2013")  # the first reader comment's date line
    for claim_id, start, voice, speaker in _rows(
            catalogue, "SELECT claim_id, quote_start, voice, speaker FROM claims WHERE source_id = ?", BLOG):
        if start >= comments_start:
            assert voice == "reader" and speaker, claim_id
        else:
            assert voice == "author", claim_id
    assert _rows(catalogue, "SELECT count(*) FROM claims WHERE source_id = ? AND voice = 'reader'", BLOG)[0][0] >= 3


@pytest.mark.parametrize("query", ["Hrușciov", "Hrusciov", "Хрущёв", "Хрущев", "hrusciov", "Krushchev"])
def test_searching_any_spelling_finds_khrushchev(catalogue, query):
    db = sqlite_utils.Database(catalogue)
    found = {r["current_entity_id"] for r in db["entity_names"].search(query)}
    assert "khrushchev" in found


def test_every_quote_of_the_derived_text_is_in_its_text_not_the_original(catalogue):
    derived = _rows(catalogue, "SELECT source_id, text FROM sources WHERE derived_from IS NOT NULL")
    assert derived
    for source_id, text in derived:
        claims = _rows(catalogue, "SELECT quote, quote_start, quote_end FROM claims WHERE source_id = ?", source_id)
        assert claims
        for quote, start, end in claims:
            assert text[start:end] == quote


ROMANIAN = "sha256:f1a5f6fc0dd66534c4385feff4fc2213f8cdd7e5c836893b235fcbc3797ebedf"


def test_every_citation_quotes_its_source_at_its_offsets(catalogue):
    rows = _rows(catalogue, "SELECT citations.work_id, citations.quote, quote_start, quote_end, sources.text "
                            "FROM citations JOIN sources USING (source_id)")
    assert len(rows) == 30  # docs/corpus.md: 29 in the Romanian article, Freeze in the blog post
    for work_id, quote, start, end, text in rows:
        assert text[start:end] == quote, work_id


def test_every_isbn_and_issn_of_the_romanian_bibliography_is_a_cited_work(catalogue):
    import re

    text = _rows(catalogue, "SELECT text FROM sources WHERE source_id = ?", ROMANIAN)[0][0]
    printed = set(re.findall(r"IS[BS]N [0-9X-]{7,16}[0-9X]", text))
    assert len(printed) >= 10
    recorded = {identifier for (identifier,) in _rows(
        catalogue, "SELECT DISTINCT cited_works.identifier FROM cited_works JOIN citations USING (work_id) "
                   "WHERE citations.source_id = ? AND identifier IS NOT NULL", ROMANIAN)}
    assert recorded == printed
    # and each is the one printed in its own work's entry (the rest of the entry's line)
    for work_id, identifier, start in _rows(
            catalogue, "SELECT work_id, identifier, quote_start FROM cited_works JOIN citations USING (work_id) "
                       "WHERE citations.source_id = ? AND identifier IS NOT NULL", ROMANIAN):
        entry = text[start:].split("\n", 1)[0]
        assert re.findall(r"IS[BS]N [0-9X-]{7,16}[0-9X]", entry)[:1] == [identifier], work_id


def test_the_article_reports_taubman_from_his_biography(catalogue):
    """'001 reports that Taubman says …': a reported claim, its speaker, and the work it comes from."""
    rows = _rows(catalogue, "SELECT claims.voice, claims.speaker_id, cited_works.title, cited_works.author, "
                            "claims.source_id FROM claims JOIN cited_works ON cited_works.work_id = claims.cited_work_id "
                            "WHERE claims.speaker_id = 'taubman'")
    assert len(rows) == 5
    assert {r[:5] for r in rows} == {("reported", "taubman", "Khrushchev: The Man and His Era", "Taubman, William",
                                      ROMANIAN)}


def test_every_claim_that_names_a_work_comes_from_a_source_that_cites_it(catalogue):
    named = _rows(catalogue, "SELECT claim_id, source_id, cited_work_id FROM claims WHERE cited_work_id IS NOT NULL")
    assert {w for _, _, w in named} >= {"taubman-2003", "tompson-1995", "khrushchev-memoirs"}
    cites = set(_rows(catalogue, "SELECT source_id, work_id FROM citations"))
    for claim_id, source_id, work_id in named:
        assert (source_id, work_id) in cites, claim_id
    assert not _rows(catalogue, "SELECT claim_id FROM claims WHERE cited_work_id IS NOT NULL AND voice = 'reader'")


def test_the_blog_cites_freeze_and_none_of_its_claims_is_put_on_him(catalogue):
    assert _rows(catalogue, "SELECT work, author, published FROM citation_details WHERE source_id = ?", BLOG) == [
        ("Russia: A History", "Freeze, Gregory L.", "2009")]
    assert not _rows(catalogue, "SELECT claim_id FROM claims WHERE source_id = ? AND cited_work_id IS NOT NULL", BLOG)


def test_every_predicate_the_corpus_uses_is_in_the_vocabulary(catalogue):
    undocumented = _rows(catalogue, "SELECT DISTINCT predicate FROM claims "
                                    "WHERE predicate NOT IN (SELECT predicate FROM predicates) ORDER BY predicate")
    assert undocumented == []
