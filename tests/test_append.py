"""Appending through the Archive: validation, atomicity, idempotency, concurrency.

Every rejection must name the field and the bad value, and leave the log file
exactly as it was.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import archive
from archive.codec import to_dict
from archive.errors import (
    ConcurrencyError, DateError, DuplicateEventError, UnknownReferenceError, ValidationError,
)
from archive.model import ClaimDate, TextSelector
from archive.text import make_selector

from .builders import Builder, damage_event, file_digest

TEXT = "Em 1933, ele se tornou o segundo secretário do Comitê Regional de Moscou. Um ano depois, Kiev."


@pytest.fixture
def base(log_path: Path):
    """A log with one source, two entities and one claim; returns (builder, source)."""
    build = Builder()
    source, blobs = build.source(TEXT, language="pt")
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("khrushchev"), build.entity("moscow-second-secretary", kind="office"),
                    build.claim("c1", subject_id="khrushchev", source=source, text=TEXT, quote="Em 1933",
                                edtf="1933")], blobs=blobs)
    return build, source


def _claim(build, source, **changes):
    claim = build.claim("c-new", subject_id="khrushchev", source=source, text=TEXT,
                        quote="segundo secretário do Comitê Regional de Moscou", object_id="moscow-second-secretary",
                        edtf="1933")
    return attrs.evolve(claim, **changes)


BAD_CLAIMS = {
    "unknown subject": (dict(subject_id="nobody"), UnknownReferenceError, "$.subject_id", "nobody"),
    "unknown object": (dict(object_id="nowhere"), UnknownReferenceError, "$.object_id", "nowhere"),
    "unknown source": (dict(source_id="sha256:" + "0" * 64), UnknownReferenceError, "$.source_id", "0000"),
    "quote not in source": (dict(selector=TextSelector(exact="terceiro secretário", start=0, end=19)),
                            ValidationError, "$.selector.exact", "terceiro"),
    "quote at other offsets": (dict(selector=TextSelector(exact="Um ano depois", start=3, end=16)),
                               ValidationError, "$.selector.start", "it occurs at start = 74"),
    "offsets out of range": (dict(selector=TextSelector(exact="Kiev", start=500, end=504)),
                             ValidationError, "$.selector.start", "out of range"),
    "wrong prefix": (dict(selector=TextSelector(exact="Kiev", start=89, end=93, prefix="Paris, ")),
                     ValidationError, "$.selector.prefix", "Paris"),
    "impossible date": (dict(date=ClaimDate(as_written="30 Feb 1894", edtf="1894-02-30")),
                        DateError, "$.date.edtf", "1894-02-30"),
    "month 13": (dict(date=ClaimDate(as_written="1938", edtf="1938-13")), DateError, "$.date.edtf", "1938-13"),
    "bad predicate": (dict(predicate="Held Office"), ValidationError, "$.predicate", "Held Office"),
    "bad event id": (dict(event_id="not-a-uuid"), ValidationError, "$.event_id", "not-a-uuid"),
    "blank curator": (dict(curator="  "), ValidationError, "$.curator", "'  '"),
    "object and literal": (dict(object_literal="x"), ValidationError, "$.object_literal", "not both"),
    "claim id reused": (dict(claim_id="c1"), ValidationError, "$.claim_id", "already recorded"),
    "NUL in note": (dict(note="a\x00b"), ValidationError, "$.note", "control character"),
}


@pytest.mark.parametrize("case", sorted(BAD_CLAIMS))
def test_bad_claims_are_refused_with_path_and_value_and_change_nothing(base, log_path, case):
    changes, error, path, fragment = BAD_CLAIMS[case]
    build, source = base
    before = file_digest(log_path)
    good = build.entity("newcomer")
    with archive.open(log_path) as arc:
        with pytest.raises(error) as caught:
            arc.append([good, _claim(build, source, **changes)])  # the good event must not land either
    assert caught.value.path == path
    assert fragment in str(caught.value)
    assert "event #2 of the batch" in str(caught.value)
    assert file_digest(log_path) == before


def test_a_valid_claim_is_accepted(base, log_path):
    build, source = base
    with archive.open(log_path) as arc:
        result = arc.append([_claim(build, source)])
        assert [s.position for s in result.stored] == [5]


def test_events_may_refer_to_earlier_events_of_the_same_batch(log_path):
    build = Builder()
    source, blobs = build.source(TEXT)
    batch = [source, build.entity("k"), build.name("k", "Hrușciov", language="ro"),
             build.claim("c", subject_id="k", source=source, text=TEXT, quote="Kiev")]
    with archive.open(log_path) as arc:
        assert len(arc.append(batch, blobs=blobs).stored) == 4
        assert arc.verify().ok


def test_a_later_event_may_not_be_referred_to_earlier_in_the_batch(log_path):
    build = Builder()
    source, blobs = build.source(TEXT)
    with archive.open(log_path) as arc:
        with pytest.raises(UnknownReferenceError, match=r"event #2 of the batch: \$\.entity_id"):
            arc.append([source, build.name("k", "Hrușciov", language="ro"), build.entity("k")], blobs=blobs)
        assert arc.head().position == 0


def test_a_source_without_its_bytes_is_refused(log_path):
    build = Builder()
    source, _ = build.source(TEXT)
    with archive.open(log_path) as arc:
        with pytest.raises(UnknownReferenceError, match="bytes are not in the archive"):
            arc.append([source])


def test_a_source_whose_bytes_are_not_its_charset_is_refused(log_path):
    build = Builder()
    source, blobs = build.source(TEXT)
    content = "Хрущёв".encode("cp1251")
    from archive.log.base import blob_id
    source = attrs.evolve(source, source_id=blob_id(content))
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match=r"\$\.media_type: the source's bytes are not valid utf-8"):
            arc.append([source], blobs={source.source_id: content})



# Tags historians meet: old orthographies are registered variants (German of 1901, Petrine
# Russian), extended language subtags (Cantonese), and private use names what no registry does.
GOOD_TAGS = ["pt", "pt-BR", "sr-Latn", "es-419", "de-CH-1901", "de-1901", "ru-petr1708", "sl-rozaj-biske",
             "zh-yue-HK", "la-x-medieval", "en-a-bbb-x-a-ccc", "und", "EN-gb", "zh-abc-def-ghi-HK", "en-1-ab",
             "en-X-ab", "de-CH-x-a", "de-abcdefgh"]
BAD_TAGS = ["english!", "x-medieval", "i-klingon", "de-19", "de-CH-190", "en--GB", "en-GB-", "en-x", "en-a",
            "e", "ro-abcdefghi", "zh-abc-def-ghi-jkl", "en-a-b", "ab-CH-abcd", "de-x-abcdefghi", "en-a-abcdefghi",
            "de-CH\n"]


@pytest.mark.parametrize("tag", GOOD_TAGS)
def test_bcp47_tags_are_accepted_on_sources_and_names(log_path, tag):
    build = Builder()
    source, blobs = build.source(TEXT, language=tag)
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("khrushchev"), build.name("khrushchev", "Chruschtschow", language=tag)],
                   blobs=blobs)
        assert [e.language for e in arc.events() if hasattr(e, "language")] == [tag, tag]


@pytest.mark.parametrize("tag", BAD_TAGS)
def test_malformed_language_tags_are_refused_with_path_and_value(log_path, tag):
    build = Builder()
    with archive.open(log_path) as arc:
        arc.append([build.entity("khrushchev")])
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError) as caught:
            arc.append([build.name("khrushchev", "Chruschtschow", language=tag)])
    assert (caught.value.path, caught.value.value) == ("$.language", tag)
    assert file_digest(log_path) == before

def test_retrying_an_append_is_harmless(base, log_path):
    build, source = base
    claim = _claim(build, source)
    with archive.open(log_path) as arc:
        first = arc.append([claim])
        second = arc.append([claim])
        assert len(first.stored) == 1 and second.stored == () and second.already_stored == 1
        assert arc.head().position == 5


def test_same_event_id_with_other_content_is_refused(base, log_path):
    build, source = base
    claim = _claim(build, source)
    with archive.open(log_path) as arc:
        arc.append([claim])
        before = arc.head()
        with pytest.raises(DuplicateEventError, match=r"\$\.event_id"):
            arc.append([attrs.evolve(claim, note="changed my mind")])
        assert arc.head() == before


@settings(max_examples=20)
@given(index=st.integers(0, 3), text=st.text(min_size=1, max_size=30))
def test_any_rejected_batch_leaves_the_log_byte_identical(tmp_path_factory, index, text):
    """Whatever field of a claim is broken, in whichever place of the batch, the file does not change."""
    work = tmp_path_factory.mktemp("reject")
    build = Builder()
    source, blobs = build.source(TEXT)
    with archive.open(work / "log.db") as arc:
        arc.append([source, build.entity("k")], blobs=blobs)
    before = file_digest(work / "log.db")
    batch = [build.entity(f"e{i}") for i in range(3)]
    bad = build.claim("c", subject_id="k", source=source, text=TEXT, quote="Kiev")
    bad = attrs.evolve(bad, selector=attrs.evolve(bad.selector, exact=bad.selector.exact + text + "\u2603"))
    batch.insert(index, bad)
    with archive.open(work / "log.db") as arc:
        with pytest.raises(ValidationError):
            arc.append(batch)
    assert file_digest(work / "log.db") == before


def test_expected_version_conflict(base, log_path):
    build, source = base
    with archive.open(log_path) as arc:
        name = build.name("khrushchev", "Hrușciov", language="ro")
        with pytest.raises(ConcurrencyError) as caught:
            arc.append([name], expected_version=0)
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == ("entity:khrushchev", 0, 1)
        arc.append([name], expected_version=1)
        assert arc.log.stream_versions(["entity:khrushchev"]) == {"entity:khrushchev": 2}


def test_dicts_are_stored_as_written_and_upcast_on_read(log_path):
    build = Builder()
    entity = build.entity("k")
    old_name = {"type": "NameRecorded", "version": 1, "event_id": "7d3c2a59-2b9e-4c55-9d1e-1f7a3b8c9e01",
                "recorded_at": "2026-01-01T00:00:00Z", "curator": "tester", "entity_id": "k", "name": "Hrușciov",
                "lang": "ro"}
    with archive.open(log_path) as arc:
        arc.append([entity, old_name])
        stored = list(arc.stored_events())[-1]
        assert (stored.type, stored.version) == ("NameRecorded", 1)
        assert stored.data() == old_name
        name = list(arc.events())[-1]
        assert isinstance(name, archive.NameRecorded) and name.language == "ro"


def test_record_helpers_build_valid_selectors(log_path):
    with archive.open(log_path) as arc:
        source = arc.record_source(TEXT.encode(), title="t", language="pt", filename="t.txt", curator="me")
        arc.record_entity("k", kind="person", label="K", curator="me")
        claim = arc.record_claim(subject_id="k", predicate="visited", source_id=source.source_id, quote="Kiev",
                                 curator="me")
        assert TEXT[claim.selector.start:claim.selector.end] == "Kiev"
        assert claim.selector.prefix.endswith("Um ano depois, ")
        with pytest.raises(ValidationError, match=r"\$\.occurrence"):
            arc.claim(subject_id="k", predicate="visited", source_id=source.source_id, quote="Kiev", occurrence=2,
                      curator="me")
        assert to_dict(claim)["selector"]["exact"] == "Kiev"


# Texts over a tiny alphabet, so a quote often occurs several times, overlapping too ("aa" in "aaa").
_small_texts = st.text(alphabet="ab ", min_size=1, max_size=30)


@given(data=st.data(), text=_small_texts)
@settings(max_examples=300)
def test_a_quote_without_occurrence_must_be_unique_and_an_occurrence_picks_that_match(data, text):
    start = data.draw(st.integers(0, len(text) - 1), label="start")
    quote = text[start: data.draw(st.integers(start + 1, len(text)), label="end")]
    matches = [i for i in range(len(text)) if text.startswith(quote, i)]
    if len(matches) == 1:
        assert make_selector(text, quote).start == matches[0]
    else:
        with pytest.raises(ValidationError) as caught:
            make_selector(text, quote)
        assert caught.value.path == "$.selector.exact"
        assert f"occurs {len(matches)} times" in str(caught.value)
        assert f"occurrence=1 to {len(matches)}" in str(caught.value)
    for number, at in enumerate(matches, start=1):
        selector = make_selector(text, quote, occurrence=number)
        assert (selector.start, selector.end) == (at, at + len(quote))
    with pytest.raises(ValidationError, match=r"\$\.occurrence"):
        make_selector(text, quote, occurrence=len(matches) + 1)


def test_an_ambiguous_quote_is_refused_with_each_place_shown_and_nothing_recorded(log_path):
    text = "Kiev in 1938. Moscow in 1949. Kiev again in 1953."
    with archive.open(log_path) as arc:
        source = arc.record_source(text.encode(), title="t", language="en", filename="t.txt", curator="me")
        arc.record_entity("k", kind="person", label="K", curator="me")
        before = file_digest(log_path)
        with pytest.raises(ValidationError) as caught:
            arc.record_claim(subject_id="k", predicate="visited", source_id=source.source_id, quote="Kiev",
                             curator="me")
        message = str(caught.value)
        assert "occurs 2 times" in message
        assert "1 is [Kiev] in 1938. Moscow in 1949.…" in message
        assert "2 is …in 1938. Moscow in 1949. [Kiev] again in 1953." in message
        assert file_digest(log_path) == before
        second = arc.record_claim(subject_id="k", predicate="visited", source_id=source.source_id, quote="Kiev",
                                  occurrence=2, curator="me")
        assert second.selector.start == text.rindex("Kiev")
        unique = arc.record_claim(subject_id="k", predicate="visited", source_id=source.source_id,
                                  quote="Kiev again", curator="me")
        assert unique.selector.start == second.selector.start


def test_a_correction_keeps_its_claims_passage_when_matches_overlap(log_path):
    text = "aaa: a year of famine"
    with archive.open(log_path) as arc:
        source = arc.record_source(text.encode(), title="t", language="en", filename="t.txt", curator="me")
        arc.record_entity("k", kind="person", label="K", curator="me")
        # "aa" is at 0 and (overlapping) at 1: the second match is the claim's passage
        claim = arc.record_claim(subject_id="k", predicate="saw", source_id=source.source_id, quote="aa",
                                 occurrence=2, curator="me")
        assert claim.selector.start == 1
        correction = arc.correct(claim.claim_id, reason="the object was missing", curator="me",
                                 object_literal="famine")
        assert (correction.selector.start, correction.selector.exact) == (1, "aa")


def test_the_same_event_written_differently_is_already_present(log_path):
    given = {"type": "NameRecorded", "version": 2, "event_id": "b268a50d-1049-561c-9b85-ea82730885c2",
             "recorded_at": "2026-11-23T12:00:02+02:00", "curator": "ana", "entity_id": "k", "name": "K",
             "language": "en", "preferred": False}
    with archive.open(log_path) as arc:
        arc.record_entity("k", kind="person", label="K", curator="ana")
        assert len(arc.append([given]).stored) == 1
        before = file_digest(log_path)
        # the library's own writing of it: the default left out, the time in UTC
        canonical = to_dict(next(e for e in arc.events() if isinstance(e, archive.NameRecorded)))
        assert "preferred" not in canonical and canonical["recorded_at"] == "2026-11-23T10:00:02.000000Z"
        for again in (canonical, {**given, "recorded_at": "2026-11-23T10:00:02Z"}, given):
            result = arc.append([again])
            assert (len(result.stored), result.already_stored) == (0, 1)
        assert file_digest(log_path) == before
        for different in ({**given, "preferred": True}, {**given, "recorded_at": "2026-11-23T12:00:03+02:00"}):
            with pytest.raises(DuplicateEventError, match="different content"):
                arc.append([different])
        assert file_digest(log_path) == before


def test_an_error_deep_in_a_big_batch_names_its_index_each_time(log_path):
    # The places of a batch's events are made once per index and shared by every batch after.
    build = Builder()
    with archive.open(log_path) as arc:
        for size, bad in ((10, 7), (3000, 2500), (40, 39), (3000, 2999)):
            batch = [build.entity(f"e{size}-{i}") for i in range(size)]
            batch[bad] = attrs.evolve(batch[bad], entity_id="not an id!")
            with pytest.raises(ValidationError, match=rf"^event #{bad + 1} of the batch: \$\.entity_id"):
                arc.append(batch)
        assert arc.head().position == 0


def test_a_place_cannot_be_changed():
    from archive.errors import Place

    place = Place(index=3)
    with pytest.raises(AttributeError, match="cannot be changed"):
        place.index = 4
    assert str(place) == "event #4 of the batch"


def test_an_error_and_its_place_survive_copy_and_pickle():
    # An error raised in another process comes back pickled; a Place that cannot be set must still be rebuilt.
    import copy
    import pickle

    from archive.errors import Place

    error = ValidationError("not a valid claim id", path="$.claim_id", value="a b").at(Place("x.jsonl", 7))
    for clone in (copy.deepcopy(error), pickle.loads(pickle.dumps(error))):
        assert (str(clone), clone.path, str(clone.place)) == (str(error), "$.claim_id", "x.jsonl:7")


@pytest.mark.parametrize("as_dict", [False, True])
def test_text_with_a_lone_surrogate_is_refused_by_its_path_and_changes_nothing(log_path, as_dict):
    # json.loads lets "\ud800" through; such text cannot be written as UTF-8, so it cannot be stored.
    build = Builder()
    with archive.open(log_path) as arc:
        arc.append([build.entity("khrushchev")])
    before = file_digest(log_path)
    name = build.name("khrushchev", "Chrusch\ud800tschow")
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match="lone surrogate") as caught:
            arc.append([to_dict(name) if as_dict else name])
    assert (caught.value.path, str(caught.value.place)) == ("$.name", "event #1 of the batch")
    assert file_digest(log_path) == before


@pytest.mark.parametrize("field", ["label", "no_such_field"])
def test_a_value_nested_too_deep_to_print_is_still_refused_by_its_path(log_path, field):
    # Python's repr gives up on such a value; the error shows its first levels instead.
    deep: list = []
    node = deep
    for _ in range(100_000):
        node.append([])
        node = node[0]
    data = dict(to_dict(Builder().entity("odessa")), **{field: deep})
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match=r"\[\[\[") as caught:
            arc.append([data])
        assert caught.value.path == f"$.{field}" and arc.head().position == 0


@pytest.mark.parametrize(("changes", "path"), [
    ({"date": "1933"}, "$.date"),  # a string where a ClaimDate belongs
    ({"date": {"edtf": "1933"}}, "$.date"),
    ({"predicate": 5}, "$.predicate"),
    ({"selector": None}, "$.selector"),
    ({"recorded_at": datetime(2026, 1, 1)}, "$.recorded_at"),  # no timezone: the codec's own words
])
def test_an_event_object_with_a_wrongly_typed_field_is_refused_by_its_path(base, log_path, changes, path):
    # attrs does not check types: the archive does, as it does for dicts, and names the field.
    build, source = base
    claim = build.claim("c9", subject_id="khrushchev", source=source, text=TEXT, quote="Em 1933", edtf="1933")
    bad = attrs.evolve(claim, **changes)
    before = file_digest(log_path)
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError) as caught:
            arc.append([bad])
    assert (caught.value.path, str(caught.value.place)) == (path, "event #1 of the batch")
    assert file_digest(log_path) == before


@pytest.mark.parametrize(("events", "message"), [
    (None, "not a NoneType"), ("abc", "not a str"), ({"type": "EntityRecorded"}, "one event: put it in a list"),
    (42, "not a int"),
])
def test_append_names_what_it_takes_when_given_something_else(log_path, events, message):
    with archive.open(log_path) as arc:
        with pytest.raises(TypeError, match=message):
            arc.append(events)
        with pytest.raises(ValidationError, match=r"event #2 of the batch: \$: an event must be an event object"):
            arc.append([Builder().entity("odessa", kind="place"), 42])
        assert arc.head().position == 0


def test_a_log_in_a_missing_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="no directory .*nowhere to create the event log"):
        archive.open(tmp_path / "nowhere" / "archive.db")


def test_a_string_where_a_list_of_claims_belongs_is_not_split_into_letters(base, log_path):
    build, source = base
    conclusion = attrs.evolve(build.conclusion("k1", subject_id="khrushchev", rests_on=["c1"]), rests_on="c1")
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match=r"\$\.rests_on: expected tuple\[str, \.\.\.\], got str"):
            arc.append([conclusion])


def test_a_time_without_a_timezone_is_named_as_such(log_path):
    with archive.open(log_path) as arc:
        with pytest.raises(ValidationError, match=r"\$\.recorded_at: timestamp has no timezone"):
            arc.record_entity("odessa", kind="place", label="Odessa", curator="ana", recorded_at=datetime(2026, 1, 1))


def test_a_record_helpers_error_names_no_place_in_a_batch(log_path):
    # One event, made by the helper itself: "event #1 of the batch" would point at nothing the caller gave.
    with archive.open(log_path) as arc:
        arc.record_entity("k", kind="person", label="K", curator="me")
        before = file_digest(log_path)
        for attempt in (lambda: arc.retract("nope", reason="r", curator="me"),
                        lambda: arc.merge("k", into_id="k", reason="r", curator="me"),
                        lambda: arc.record_entity("k", kind="person", label="K", curator="me"),
                        lambda: arc.record_name("nobody", "X", language="en", curator="me")):
            with pytest.raises(ValidationError) as caught:
                attempt()
            assert caught.value.place is None and not str(caught.value).startswith("event #")
        assert file_digest(log_path) == before


@pytest.mark.parametrize("damaged_at, attempt", [
    # The source's stream: read for its media type (a new claim's quote) and for its text (a selector).
    (1, lambda arc, build, source, stored: arc.append([_claim(build, source)])),
    (1, lambda arc, build, source, stored: arc.selector(source.source_id, "Em 1933")),
    # The claim's stream: read to check a retraction, and to copy the claim for a correction.
    (4, lambda arc, build, source, stored: arc.retract("c1", reason="r", curator="ana")),
    (4, lambda arc, build, source, stored: arc.correct("c1", reason="r", curator="ana", quote="Um ano depois")),
    # The same event brought again (an import run twice), compared with the stored one.
    (4, lambda arc, build, source, stored: arc.append([stored])),
], ids=["a new claim", "a selector", "a retraction", "a correction", "the event again"])
def test_what_reads_a_stored_event_names_it_when_it_is_damaged_and_appends_nothing(base, log_path, damaged_at,
                                                                                  attempt):
    build, source = base
    with archive.open(log_path, create=False) as arc:
        stored = json.loads(next(iter(arc.stored_events(after=damaged_at - 1, upto=damaged_at))).payload)
    # media_type, which the first two read, and which every event's curator shares; not the claim's own fields.
    damage_event(log_path, damaged_at,
                 lambda data: {k: v for k, v in data.items() if k not in ("curator", "media_type")})
    before = file_digest(log_path)
    with archive.open(log_path, create=False) as arc:
        with pytest.raises(archive.DamagedLogError) as caught:
            attempt(arc, build, source, stored)
    # Not "$.curator: required field missing" as if the caller's event lacked it: the log's does.
    assert str(caught.value).startswith(f"position {damaged_at}: it is not a valid event ($.")
    assert str(caught.value).endswith(": required field missing): the log is damaged; run 'archive verify LOG' to "
                                      "see what else is wrong")
    assert file_digest(log_path) == before
