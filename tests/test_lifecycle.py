"""Curators change their minds, sources disagree: lifecycle, merges, conflicts, time travel (issue 4)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import archive
from archive.catalogue import rebuild, update
from archive.errors import UnknownReferenceError, ValidationError

from .builders import Builder, catalogue_content, file_digest
from .generators import archive_batches
from .test_catalogue import _fill

TEXT = ("After Stalin’s death on March 1, 1953 a power struggle ensued. Stalin died on 5 March 1953. "
        "The Cuban Missile Crisis in 1961 and the crisis of October 1962.")


@pytest.fixture
def world(log_path: Path):
    """Two sources (one derived), three people, claims that disagree."""
    build = Builder()
    blog, blog_blobs = build.source(TEXT, filename="blog.txt", title="Blog")
    other_text = "Stalin died on 5 March 1953 in Kuntsevo. The crisis of October 1962."
    article, article_blobs = build.source(other_text, filename="article.txt", title="Article")
    copy, copy_blobs = build.source(other_text + " ", filename="article-clean.txt", title="Article (clean)",
                                    derived_from=article.source_id)
    events = [
        blog, article, copy,
        build.entity("stalin"), build.entity("stalin-2"), build.entity("crisis", kind="event", label="Cuban crisis"),
        build.claim("blog-death", subject_id="stalin", predicate="died", source=blog, text=TEXT,
                    quote="March 1, 1953", edtf="1953-03-01"),
        build.claim("article-death", subject_id="stalin", predicate="died", source=article, text=other_text,
                    quote="5 March 1953", edtf="1953-03-05"),
        build.claim("copy-death", subject_id="stalin", predicate="died", source=copy, text=other_text + " ",
                    quote="5 March 1953", edtf="1953-03-05"),
        build.claim("blog-crisis", subject_id="crisis", predicate="occurred", source=blog, text=TEXT,
                    quote="The Cuban Missile Crisis in 1961", edtf="1961"),
        build.claim("article-crisis", subject_id="crisis", predicate="occurred", source=article, text=other_text,
                    quote="The crisis of October 1962", edtf="1962-10"),
    ]
    with archive.open(log_path) as arc:
        arc.append(events, blobs={**blog_blobs, **article_blobs, **copy_blobs})
    return build, blog, article


def _rows(catalogue: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(catalogue)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


def test_conflicts_show_the_two_disagreements_both_ways(world, log_path, catalogue_path):
    with archive.open(log_path) as arc:
        rebuild(arc.log, catalogue_path)
    pairs = _rows(catalogue_path, "SELECT claim_id, other_claim_id, disagreement FROM conflicts")
    assert set(pairs) == {
        ("blog-death", "article-death", "dates cannot overlap"), ("article-death", "blog-death", "dates cannot overlap"),
        ("blog-death", "copy-death", "dates cannot overlap"), ("copy-death", "blog-death", "dates cannot overlap"),
        ("blog-crisis", "article-crisis", "dates cannot overlap"),
        ("article-crisis", "blog-crisis", "dates cannot overlap"),
    }


def test_a_derived_text_corroborates_as_its_original(world, log_path, catalogue_path):
    with archive.open(log_path) as arc:
        rebuild(arc.log, catalogue_path)
    counts = dict(_rows(catalogue_path, "SELECT claim_id, sources FROM corroboration"))
    # article and its cleaned copy are one original source; the blog disagrees on the day.
    assert counts["article-death"] == 1 and counts["copy-death"] == 1 and counts["blog-death"] == 1


def test_a_vaguer_date_does_not_corroborate_a_precise_one_but_is_corroborated_by_it(world, log_path,
                                                                                   catalogue_path):
    build, blog, article = world
    other_text = "Stalin died on 5 March 1953 in Kuntsevo. The crisis of October 1962."
    with archive.open(log_path) as arc:
        # the article also says, elsewhere, only the year
        arc.append([build.claim("article-year", subject_id="stalin", predicate="died", source=article,
                                text=other_text, quote="1953", edtf="1953")])
        rebuild(arc.log, catalogue_path)
    support = {claim: (sources, set(supporting.split(","))) for claim, sources, supporting in _rows(
        catalogue_path, "SELECT claim_id, sources, supporting_claims FROM corroboration")}
    # "1953" is true of both days, so it cannot back either day against the other
    assert support["blog-death"] == (1, {"blog-death"})
    assert support["article-death"] == (1, {"article-death", "copy-death"})
    # while each day says at least "1953": both sources back the year
    assert support["article-year"] == (2, {"article-year", "article-death", "copy-death", "blog-death"})


def test_a_claim_that_names_no_object_is_silent_on_it_not_in_conflict(world, log_path, catalogue_path):
    build, blog, article = world
    other_text = "Stalin died on 5 March 1953 in Kuntsevo. The crisis of October 1962."
    with archive.open(log_path) as arc:
        arc.append([build.entity("kuntsevo", kind="place"), build.entity("moscow", kind="place"),
                    build.claim("blog-died-where", subject_id="stalin", predicate="died", source=blog, text=TEXT,
                                quote="Stalin died on 5 March 1953", edtf="1953-03-05", object_id="moscow"),
                    build.claim("article-died-where", subject_id="stalin", predicate="died", source=article,
                                text=other_text, quote="in Kuntsevo", edtf="1953-03-05", object_id="kuntsevo")])
        rebuild(arc.log, catalogue_path)
    pairs = set(_rows(catalogue_path, "SELECT claim_id, other_claim_id, disagreement FROM conflicts "
                                      "WHERE claim_id < other_claim_id"))
    # The two places conflict. The article's and its copy's 5 March without a place do not conflict with
    # the blog's 5 March in Moscow: they are silent on the place. The 1 March claim conflicts as before.
    assert pairs == {("article-died-where", "blog-died-where", "different values"),
                     ("article-death", "blog-death", "dates cannot overlap"),
                     ("blog-death", "copy-death", "dates cannot overlap"),
                     ("article-died-where", "blog-death", "dates cannot overlap"),
                     ("article-crisis", "blog-crisis", "dates cannot overlap")}
    support = dict(_rows(catalogue_path, "SELECT claim_id, supporting_claims FROM corroboration"))
    # a claim with a place says at least as much as one without: it backs it, not the other way round
    assert set(support["article-death"].split(",")) == {"article-death", "copy-death", "article-died-where",
                                                        "blog-died-where"}
    assert set(support["blog-died-where"].split(",")) == {"blog-died-where"}


def test_retracted_and_deprecated_claims_leave_conflicts_but_stay_browsable(world, log_path, catalogue_path):
    with archive.open(log_path) as arc:
        arc.retract("blog-crisis", reason="mis-keyed", curator="ana")
        arc.assess("blog-death", rank="deprecated", reason="contradicted by the article", curator="ana")
        rebuild(arc.log, catalogue_path)
    assert _rows(catalogue_path, "SELECT * FROM conflicts") == []
    assert _rows(catalogue_path, "SELECT claim_id, status, rank FROM claims WHERE claim_id IN "
                                 "('blog-crisis', 'blog-death') ORDER BY claim_id") == [
        ("blog-crisis", "retracted", "normal"), ("blog-death", "asserted", "deprecated")]
    history = _rows(catalogue_path, "SELECT claim_id, event_type, summary, reason FROM claim_history "
                                    "WHERE claim_id = 'blog-death' ORDER BY position")
    assert history == [("blog-death", "ClaimRecorded", "recorded", None),
                       ("blog-death", "ClaimAssessed", "assessed deprecated", "contradicted by the article")]


def test_a_correction_supersedes_and_never_conflicts_with_its_claim(world, log_path, catalogue_path):
    with archive.open(log_path) as arc:
        correction = arc.correct("blog-crisis", reason="the year was mis-keyed", curator="ana",
                                 date=archive.ClaimDate(as_written="1962", edtf="1962"))
        rebuild(arc.log, catalogue_path)
    assert _rows(catalogue_path, "SELECT status, superseded_by FROM claims WHERE claim_id = 'blog-crisis'") == [
        ("superseded", correction.claim_id)]
    conflicting = {c for row in _rows(catalogue_path, "SELECT claim_id, other_claim_id FROM conflicts") for c in row}
    assert "blog-crisis" not in conflicting and correction.claim_id not in conflicting
    assert _rows(catalogue_path, f"SELECT summary FROM claim_history WHERE claim_id = '{correction.claim_id}'"
                                 " ORDER BY position") == [("recorded",), ("supersedes blog-crisis",)]


@pytest.mark.parametrize("events, error, path, fragment", [
    (lambda b: [b.retract("blog-death"), b.retract("blog-death")], ValidationError, "$.claim_id", "already retracted"),
    (lambda b: [b.retract("nope")], UnknownReferenceError, "$.claim_id", "unknown claim"),
    (lambda b: [b.assess("nope", "preferred")], UnknownReferenceError, "$.claim_id", "unknown claim"),
    (lambda b: [b.assess("blog-death", "excellent")], ValidationError, "$.rank", "unknown rank"),
    (lambda b: [b.supersede("blog-death", "blog-crisis")], ValidationError, "$.by_claim_id", "the correction is about"),
    (lambda b: [b.supersede("blog-death", "blog-death")], ValidationError, "$.by_claim_id", "itself"),
    (lambda b: [b.retract("article-death"), b.supersede("copy-death", "article-death")], ValidationError,
     "$.by_claim_id", "the correction is itself retracted"),
    (lambda b: [b.supersede("article-death", "blog-death"), b.supersede("copy-death", "article-death")],
     ValidationError, "$.by_claim_id", "the correction is itself superseded"),
    (lambda b: [b.merge("stalin", "stalin")], ValidationError, "$.into_id", "into itself"),
    (lambda b: [b.merge("stalin", "stalin-2"), b.merge("stalin-2", "stalin")], ValidationError, "$.into_id", "cycle"),
    (lambda b: [b.merge("stalin", "stalin-2"), b.merge("stalin-2", "crisis"), b.merge("crisis", "stalin")],
     ValidationError, "$.into_id", "cycle"),
    (lambda b: [b.merge("stalin", "stalin-2"), b.merge("stalin", "crisis")], ValidationError, "$.entity_id",
     "already merged into stalin-2"),
    (lambda b: [b.split("stalin")], ValidationError, "$.entity_id", "nothing to split"),
    (lambda b: [b.conclusion("k", subject_id="stalin", rests_on=[])], ValidationError, "$.rests_on", "at least one"),
    (lambda b: [b.conclusion("k", subject_id="stalin", rests_on=["blog-death", "gone"])], UnknownReferenceError,
     "$.rests_on[1]", "unknown claim"),
])
def test_lifecycle_rules(world, log_path, events, error, path, fragment):
    build, _, _ = world
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        with pytest.raises(error) as caught:
            arc.append(events(build))
    assert caught.value.path == path and fragment in str(caught.value)
    assert file_digest(log_path) == before


def test_merge_chains_resolve_and_a_split_restores_the_earlier_view(world, log_path, tmp_path):
    build, _, _ = world
    with archive.open(log_path) as arc:
        arc.append([build.name("stalin-2", "Iosif Stalin"), build.entity("stalin-3")])
        rebuild(arc.log, tmp_path / "before.db")
        arc.append([build.merge("stalin-2", "stalin-3"), build.merge("stalin", "stalin-2")])
        rebuild(arc.log, tmp_path / "merged.db")
        arc.append([build.split("stalin"), build.split("stalin-2")])
        rebuild(arc.log, tmp_path / "split.db")
    merged = tmp_path / "merged.db"
    assert _rows(merged, "SELECT entity_id, current_id FROM entities WHERE entity_id LIKE 'stalin%' ORDER BY 1") == [
        ("stalin", "stalin-3"), ("stalin-2", "stalin-3"), ("stalin-3", "stalin-3")]
    assert {r[0] for r in _rows(merged, "SELECT subject_current_id FROM claims WHERE predicate = 'died'")} == {"stalin-3"}
    assert _rows(merged, "SELECT current_entity_id FROM entity_names") == [("stalin-3",)]
    before, after = catalogue_content(tmp_path / "before.db"), catalogue_content(tmp_path / "split.db")
    for name in ("_catalogue", "claim_history"):
        before.pop(name), after.pop(name)
    assert before == after


def test_an_update_finds_merges_an_earlier_update_wrote(world, log_path, tmp_path):
    """An update reads an entity's merge from the catalogue when it meets it, not every merge up front:
    each step below is one update, and after each the catalogue is the one a rebuild makes."""
    build, blog, _ = world
    steps = [
        [build.entity("stalin-3"), build.merge("stalin-2", "stalin-3")],
        [build.merge("stalin", "stalin-2")],  # stalin's chain runs through a merge the catalogue holds
        [build.claim("late", subject_id="stalin", predicate="died", source=blog, text=TEXT,
                     quote="March 1, 1953", edtf="1953-03-01"),  # a claim about an id merged an update ago
         build.name("stalin", "Stalin")],
        [build.entity("stalin-4"), build.merge("stalin-3", "stalin-4")],  # re-points a subtree read back
        [build.split("stalin-2"), build.claim("later", subject_id="stalin", predicate="died", source=blog,
                                              text=TEXT, quote="March 1, 1953", edtf="1953-03-01")],
    ]
    with archive.open(log_path) as arc:
        rebuild(arc.log, tmp_path / "updated.db")
        for number, events in enumerate(steps):
            arc.append(events)
            update(arc.log, tmp_path / "updated.db")
            rebuild(arc.log, tmp_path / f"rebuilt-{number}.db")
            assert catalogue_content(tmp_path / "updated.db") == catalogue_content(tmp_path / f"rebuilt-{number}.db")
    assert {r[0] for r in _rows(tmp_path / "updated.db",
                                "SELECT subject_current_id FROM claims WHERE claim_id IN ('late', 'later')")} == {"stalin-2"}


@settings(max_examples=25)
@given(batches=archive_batches(max_batches=5, max_events=10))
def test_any_lifecycle_sequence_gives_the_same_catalogue_by_rebuild_and_by_update(tmp_path_factory, batches):
    work = tmp_path_factory.mktemp("lifecycle")
    with archive.open(work / "log.db") as arc:
        update(arc.log, work / "incremental.db")  # from an empty catalogue
        for events, blobs in batches:
            arc.append(events, blobs=blobs)
            update(arc.log, work / "incremental.db")
        rebuild(arc.log, work / "full.db")
    assert catalogue_content(work / "incremental.db") == catalogue_content(work / "full.db")


def _what_the_views_should_hold(catalogue: Path) -> tuple[set, dict]:
    """The conflicts and corroboration the documented rules give, worked out in Python from the tables."""
    single = {p for (p,) in _rows(catalogue, "SELECT predicate FROM predicates WHERE single_valued = 1")}
    claims = {}
    for claim_id, subject, predicate, obj, literal, earliest, latest, status, rank, original in _rows(catalogue, """
            SELECT claim_id, subject_current_id, predicate, object_current_id, object_literal, date_earliest,
                   date_latest, status, rank, original_source_id
            FROM claims JOIN sources USING (source_id)"""):
        if status == "asserted" and rank != "deprecated":  # standing
            value = obj if obj is not None else literal
            claims[claim_id] = (subject, predicate, value, None if earliest is None else (earliest, latest), original)
    conflicts = set()
    corroboration = {}
    for a, (subject, predicate, value, dates, original) in claims.items():
        supporters = []
        for b, (subject_b, predicate_b, value_b, dates_b, original_b) in claims.items():
            if (subject_b, predicate_b) != (subject, predicate):
                continue
            # b corroborates a when it says at least as much: a's value (if any) and a date within a's (if any)
            if (value is None or value_b == value) and (
                    dates is None or (dates_b is not None and dates[0] <= dates_b[0] and dates_b[1] <= dates[1])):
                supporters.append((b, original_b))
            if b == a or original_b == original or predicate not in single:
                continue
            if value is not None and value_b is not None and value != value_b:
                conflicts.add((a, b, "different values"))
            elif dates is not None and dates_b is not None and (dates[1] < dates_b[0] or dates_b[1] < dates[0]):
                conflicts.add((a, b, "dates cannot overlap"))
        corroboration[a] = (len({o for _, o in supporters}), len(supporters), {c for c, _ in supporters})
    return conflicts, corroboration


#: Dates nested in and overlapping one another, so that claims often agree, disagree and say more or less.
_DISPUTED_DATES = [None, "1953", "1953-03", "1953-03-01", "1953-03-05", "1952/1954", "1953-03-01/1953-03-05",
                   "1950~", "1961"]


@st.composite
def disputed_claims(draw) -> tuple[list, dict]:
    """Claims of three sources (one a copy of another) about two people, often about the same thing."""
    build = Builder(seed="disputed")
    texts = ["Stalin died on 5 March 1953 in Kuntsevo.", "After Stalin's death on March 1, 1953.", "A copy."]
    first, first_blobs = build.source(texts[0], filename="a.txt")
    second, second_blobs = build.source(texts[1], filename="b.txt")
    copy, copy_blobs = build.source(texts[2], filename="c.txt", derived_from=first.source_id)
    sources = [(first, texts[0]), (second, texts[1]), (copy, texts[2])]
    events = [first, second, copy] + [build.entity(e) for e in ("p1", "p2", "kuntsevo", "moscow")]
    claims = []
    for number in range(draw(st.integers(2, 14))):
        source, text = draw(st.sampled_from(sources))
        claims.append(f"c{number}")
        events.append(build.claim(
            f"c{number}", subject_id=draw(st.sampled_from(["p1", "p2"])), source=source, text=text, quote=text,
            predicate=draw(st.sampled_from(["died", "born", "held_office"])),
            object_id=draw(st.sampled_from([None, None, "kuntsevo", "moscow"])),
            edtf=draw(st.sampled_from(_DISPUTED_DATES))))
    for claim_id in draw(st.lists(st.sampled_from(claims), unique=True, max_size=3)):
        events.append(build.retract(claim_id))
    for claim_id in draw(st.lists(st.sampled_from(claims), unique=True, max_size=3)):
        events.append(build.assess(claim_id, draw(st.sampled_from(["deprecated", "preferred"]))))
    if draw(st.booleans()):
        events.append(build.merge("p2", "p1"))
    return events, {**first_blobs, **second_blobs, **copy_blobs}


@settings(max_examples=40)
@given(disputed=disputed_claims())
def test_conflicts_and_corroboration_hold_what_their_rules_say(tmp_path_factory, disputed):
    work = tmp_path_factory.mktemp("conflicts")
    events, blobs = disputed
    with archive.open(work / "log.db") as arc:
        arc.append(events, blobs=blobs)
        rebuild(arc.log, work / "c.db")
    conflicts, corroboration = _what_the_views_should_hold(work / "c.db")
    pairs = set(_rows(work / "c.db", "SELECT claim_id, other_claim_id, disagreement FROM conflicts"))
    assert pairs == conflicts
    assert {(b, a) for a, b, _ in pairs} == {(a, b) for a, b, _ in pairs}  # symmetric
    assert {claim: (sources, claims, set(supporting.split(","))) for claim, sources, claims, supporting in _rows(
        work / "c.db", "SELECT claim_id, sources, claims, supporting_claims FROM corroboration")} == corroboration


@settings(max_examples=25)
@given(batches=archive_batches(max_batches=5, max_events=10))
def test_conflicts_and_corroboration_hold_what_their_rules_say_in_any_archive(tmp_path_factory, batches):
    work = tmp_path_factory.mktemp("conflicts-any")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        rebuild(arc.log, work / "c.db")
    conflicts, corroboration = _what_the_views_should_hold(work / "c.db")
    assert set(_rows(work / "c.db", "SELECT claim_id, other_claim_id, disagreement FROM conflicts")) == conflicts
    assert {claim: (sources, claims, set(supporting.split(","))) for claim, sources, claims, supporting in _rows(
        work / "c.db", "SELECT claim_id, sources, claims, supporting_claims FROM corroboration")} == corroboration


@settings(max_examples=15)
@given(batches=archive_batches(max_batches=4, max_events=8))
def test_as_of_n_equals_a_rebuild_of_the_first_n_events(tmp_path_factory, batches):
    work = tmp_path_factory.mktemp("asof")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        head = arc.head().position
        for n in sorted({0, 1, head // 2, head}):
            rebuild(arc.log, work / f"as_of_{n}.db", as_of=n)
            with archive.open(work / f"prefix_{n}.db") as prefix:
                prefix.append(list(arc.events(upto=n)), blobs={k: arc.source_bytes(k) for k in arc.log.blob_ids()})
                rebuild(prefix.log, work / f"prefix_{n}_catalogue.db")
            assert file_digest(work / f"as_of_{n}.db") == file_digest(work / f"prefix_{n}_catalogue.db")


def test_a_derived_text_never_conflicts_with_its_original(world, log_path, catalogue_path):
    """Even when a curator normalised the same words differently, one original cannot disagree with itself."""
    build, blog, article = world
    with archive.open(log_path) as arc:
        arc.correct("copy-death", reason="normalised as the day after, to test", curator="ana",
                    date=archive.ClaimDate(as_written="5 March 1953", edtf="1953-03-06"))
        rebuild(arc.log, catalogue_path)
        correction = [c for c in arc.events() if isinstance(c, archive.ClaimRecorded)][-1].claim_id
    pairs = set(_rows(catalogue_path, "SELECT claim_id, other_claim_id FROM conflicts"))
    assert ("article-death", correction) not in pairs and (correction, "article-death") not in pairs
    assert ("blog-death", correction) in pairs  # but the blog still disagrees with it


@settings(max_examples=20)
@given(batches=archive_batches(max_batches=4, max_events=8), data=st.data())
def test_merging_then_splitting_restores_the_earlier_view(tmp_path_factory, batches, data):
    """For any archive and any two entities that may be merged: merge, split, and the catalogue reads as before
    (but for its bookkeeping row and the entities' own record of the round trip, which is history)."""
    work = tmp_path_factory.mktemp("roundtrip")
    build = Builder(seed="merge-split")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        arc.append([build.entity("m-a"), build.entity("m-b"), build.name("m-a", "Krushchev")])
        rebuild(arc.log, work / "before.db")
        current = dict(_rows(work / "before.db", "SELECT entity_id, current_id FROM entities"))
        free = sorted(e for e, c in current.items() if e == c and not _rows(
            work / "before.db", "SELECT 1 FROM entities WHERE merged_into IS NOT NULL AND entity_id = ?", e))
        entity_id = data.draw(st.sampled_from(free))
        into = data.draw(st.sampled_from([e for e in sorted(current) if current[e] != entity_id]))
        arc.append([build.merge(entity_id, into)])
        rebuild(arc.log, work / "merged.db")
        arc.append([build.split(entity_id)])
        rebuild(arc.log, work / "after.db")
    merged = dict(_rows(work / "merged.db", "SELECT entity_id, current_id FROM entities"))
    assert merged[entity_id] == merged[into] != entity_id
    before, after = catalogue_content(work / "before.db"), catalogue_content(work / "after.db")
    before.pop("_catalogue"), after.pop("_catalogue")
    assert before == after


# -- rules a mutation audit found untested --------------------------------------------------------------

_STALIN = "Stalin died on 5 March 1953 in Kuntsevo. He died in early March 1953, say others."


def test_a_copy_of_a_copy_counts_as_the_first_original(log_path, catalogue_path):
    build = Builder(seed="copies")
    first, first_blobs = build.source(_STALIN, filename="a.txt")
    copy, copy_blobs = build.source(_STALIN + " ", filename="b.txt", derived_from=first.source_id)
    copy_of_copy, more_blobs = build.source(_STALIN + "  ", filename="c.txt", derived_from=copy.source_id)
    with archive.open(log_path) as arc:
        arc.append([first, copy, copy_of_copy, build.entity("stalin"),
                    build.claim("x", subject_id="stalin", predicate="died", source=first, text=_STALIN,
                                quote="5 March 1953", edtf="1953-03-05"),
                    build.claim("y", subject_id="stalin", predicate="died", source=copy_of_copy,
                                text=_STALIN + "  ", quote="early March 1953", edtf="1953-03-10")],
                   blobs={**first_blobs, **copy_blobs, **more_blobs})
        rebuild(arc.log, catalogue_path)
    assert _rows(catalogue_path, "SELECT original_source_id FROM sources WHERE source_id = ?",
                 copy_of_copy.source_id) == [(first.source_id,)]
    assert _rows(catalogue_path, "SELECT * FROM conflicts") == []  # one original cannot disagree with itself


def test_a_merge_repoints_a_conclusions_object_by_update_and_by_rebuild(log_path, tmp_path):
    build = Builder(seed="conclusion-object")
    source, blobs = build.source(_STALIN)
    conclusion = attrs.evolve(build.conclusion("k", subject_id="stalin", rests_on=["c"], predicate="died_in"),
                              object_id="kuntsevo")
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("stalin"), build.entity("kuntsevo", kind="place"),
                    build.entity("dacha", kind="place", label="Near Dacha"),
                    build.claim("c", subject_id="stalin", predicate="died_in", object_id="kuntsevo", source=source,
                                text=_STALIN, quote="Kuntsevo"), conclusion], blobs=blobs)
        update(arc.log, tmp_path / "updated.db")
        arc.append([build.merge("kuntsevo", "dacha")])
        update(arc.log, tmp_path / "updated.db")
        rebuild(arc.log, tmp_path / "rebuilt.db")
    for name in ("updated.db", "rebuilt.db"):
        assert _rows(tmp_path / name, "SELECT object_current_id, object_label FROM conclusions") == [
            ("dacha", "Near Dacha")], name


def test_an_assessment_does_not_bring_a_retracted_claim_back(log_path):
    # Separate appends: the validator's remembered states, not the batch, must keep the claim retracted.
    build = Builder(seed="revive")
    source, blobs = build.source(_STALIN)
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("stalin"), build.entity("other"),
                    build.claim("x", subject_id="stalin", predicate="died", source=source, text=_STALIN,
                                quote="5 March 1953"),
                    build.claim("y", subject_id="stalin", predicate="died", source=source, text=_STALIN,
                                quote="early March 1953")], blobs=blobs)
        arc.append([build.retract("x")])
        arc.append([build.assess("x", "preferred")])
        for again in (build.retract("x"), build.supersede("x", "y")):
            with pytest.raises(ValidationError, match="already retracted"):
                arc.append([again])


def test_a_citation_of_more_words_from_the_same_place_is_another_citation(log_path):
    build = Builder(seed="citations")
    source, blobs = build.source(_STALIN)
    with archive.open(log_path) as arc:
        arc.append([source, build.work("w"), build.cite("w", source=source, text=_STALIN, quote="5 March"),
                    build.cite("w", source=source, text=_STALIN, quote="5 March 1953")], blobs=blobs)
        assert sum(1 for e in arc.events() if isinstance(e, archive.WorkCited)) == 2
