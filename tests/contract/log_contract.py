"""The contract every ``EventLog`` backend must pass.

A backend is an event log when it passes :class:`EventLogContract`. A test
module for a backend subclasses it (its name must start with ``Test``) and
provides two things:

``make_log`` (a pytest fixture)
    A factory. ``make_log()`` returns a fresh, empty log. ``make_log(name)``
    opens the storage called ``name`` — a second call with the same name gives
    a second handle on the *same* storage (another connection for a database;
    the same object for the in-memory log). The fixture closes what it opened.

``reopen(log)`` (a method)
    Closes ``log`` and returns a log over the same storage, as a new process
    would see it after a restart. A backend without persistence returns
    ``log`` itself.

The tests talk to logs through the :class:`~archive.log.EventLog` protocol
only, and compare with plain Python values, never with another backend.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from archive.errors import ArchiveError, ConcurrencyError, DuplicateEventError, ValidationError
from archive.log.base import GENESIS_HASH, EventLog, NewEvent, blob_id, chain_hash
from archive.verify import verify

from .support import Events, conflicting, entity_stream, snapshot


def assert_ok(log: EventLog) -> None:
    report = verify(log)
    assert report.ok, [str(p) for p in report.problems]


def assert_chain(log: EventLog) -> None:
    """Positions 1..n, each hash recomputes from its row and the previous row's hash."""
    prev = GENESIS_HASH
    events = list(log.read())
    for expected_position, event in enumerate(events, start=1):
        assert event.position == expected_position
        assert event.prev_hash == prev
        assert event.hash == chain_hash(event.position, event.stream_id, event.stream_version, prev, event.payload)
        prev = event.hash
    assert (log.head().position, log.head().hash) == (len(events), prev)


class EventLogContract:
    """Backend-agnostic tests; see the module docstring for what a subclass provides."""

    make_log: Callable[..., EventLog]  # a fixture in subclasses

    def reopen(self, log: EventLog) -> EventLog:  # pragma: no cover - subclasses override
        raise NotImplementedError

    # -- helpers ------------------------------------------------------------
    @pytest.fixture
    def events(self) -> Events:
        return Events()

    @pytest.fixture
    def filled(self, make_log, events):
        """A log of 8 events in four streams (a: 3, b: 2, c: 2, one source) and one blob.

        Returns the log and the ``NewEvent``s appended, in position order.
        """
        log = make_log()
        source, blobs = events.source(b"the first document\n")
        batches = [[events.entity("a"), events.entity("b"), events.name("a")],
                   [source, events.name("b"), events.name("a")],
                   [events.entity("c")],
                   [events.name("c")]]
        for batch in batches:
            log.append(batch, blobs=blobs if source in batch else None)
        return log, [event for batch in batches for event in batch]

    # -- an empty log -------------------------------------------------------
    def test_empty_log_has_genesis_head(self, make_log):
        head = make_log().head()
        assert (head.position, head.hash) == (0, GENESIS_HASH)

    def test_empty_log_holds_nothing(self, make_log):
        log = make_log()
        assert list(log.read()) == []
        assert list(log.read(after=0, upto=10)) == []
        assert log.read_stream("entity:x") == []
        assert log.stream_versions(["entity:x", "source:y"]) == {"entity:x": 0, "source:y": 0}
        assert log.get_events(["nope"]) == {}
        assert list(log.blob_ids()) == []
        assert log.get_blob(blob_id(b"")) is None
        assert log.has_blobs([blob_id(b"")]) == set()
        assert_ok(log)

    def test_empty_append_changes_nothing(self, make_log, events):
        log = make_log()
        log.append([events.entity("a")])
        before = snapshot(log)
        result = log.append([])
        assert (result.stored, result.already_stored) == ((), 0)
        assert snapshot(log) == before

    # -- positions, streams, fields ------------------------------------------
    def test_positions_run_from_one_without_gaps_across_batches(self, make_log, events):
        log = make_log()
        sizes = [1, 3, 2, 5, 1]
        for size in sizes:
            result = log.append([events.entity(f"e{events.counter}-{i}") for i in range(size)])
            assert len(result.stored) == size
        assert [e.position for e in log.read()] == list(range(1, sum(sizes) + 1))
        assert log.head().position == sum(sizes)

    def test_append_result_positions_continue_from_the_head(self, make_log, events):
        log = make_log()
        log.append([events.entity("a"), events.entity("b")])
        result = log.append([events.name("a"), events.name("b"), events.entity("c")])
        assert [e.position for e in result.stored] == [3, 4, 5]
        assert result.already_stored == 0
        assert list(result.stored) == list(log.read(after=2))

    def test_stream_versions_count_each_stream_from_one(self, make_log, events):
        log = make_log()
        order = ["a", "b", "a", "c", "a", "b"]
        log.append([events.in_stream(s, first=s not in order[:i]) for i, s in enumerate(order[:4])])
        log.append([events.in_stream(s, first=False) for s in order[4:]])
        assert [(e.stream_id, e.stream_version) for e in log.read()] == [
            ("entity:a", 1), ("entity:b", 1), ("entity:a", 2), ("entity:c", 1), ("entity:a", 3), ("entity:b", 2)]
        assert log.stream_versions(["entity:a", "entity:b", "entity:c", "entity:zzz"]) == {
            "entity:a": 3, "entity:b": 2, "entity:c": 1, "entity:zzz": 0}

    def test_stored_events_keep_what_was_appended(self, make_log, events):
        log = make_log()
        # non-ASCII, a line separator, and a NUL that canonical JSON writes as the escape \u0000
        batch = [events.entity("a"), events.name("a"),
                 events.name("b", "ü, ß, 汉字, \u2028, emoji 🦜, nul \x00.")]
        log.append(batch)
        stored = list(log.read())
        assert [(e.event_id, e.stream_id, e.type, e.version, e.payload) for e in stored] == [
            (n.event_id, n.stream_id, n.type, n.version, n.payload) for n in batch]
        assert all(type(e.payload) is bytes for e in stored)
        assert b"\\u0000" in stored[2].payload and "\u2028".encode() in stored[2].payload
        assert [e.type for e in stored] == ["EntityRecorded", "NameRecorded", "NameRecorded"]
        assert [e.version for e in stored] == [1, 2, 2]

    # -- reading ------------------------------------------------------------
    @pytest.mark.parametrize(
        ("after", "upto"),
        [(0, None), (0, 8), (0, 3), (2, None), (2, 5), (3, 4), (4, 4), (5, 3), (6, 8), (7, None), (8, None),
         (8, 9), (0, 100), (10, None), (0, 0), (0, 1)],
    )
    def test_read_returns_positions_after_up_to_inclusive_in_order(self, filled, after, upto):
        log, _ = filled
        positions = [e.position for e in log.read(after=after, upto=upto)]
        assert positions == [p for p in range(1, 9) if p > after and (upto is None or p <= upto)]

    def test_read_with_defaults_is_the_whole_log_in_position_order(self, filled):
        log, appended = filled
        stored = list(log.read())
        assert [e.event_id for e in stored] == [n.event_id for n in appended]
        assert stored == sorted(stored, key=lambda e: e.position)

    def test_read_stream_returns_one_stream_in_version_order(self, filled):
        log, appended = filled
        for stream in ("entity:a", "entity:b", "entity:c"):
            got = log.read_stream(stream)
            assert [e.stream_version for e in got] == list(range(1, len(got) + 1))
            assert [e.event_id for e in got] == [n.event_id for n in appended if n.stream_id == stream]
            assert got == [e for e in log.read() if e.stream_id == stream]
        assert [e.stream_version for e in log.read_stream("entity:a")] == [1, 2, 3]
        assert log.read_stream("entity:missing") == []

    def test_stream_versions_of_missing_streams_are_zero(self, filled):
        log, _ = filled
        assert log.stream_versions(["entity:missing", "entity:a", "entity:c", "x"]) == {
            "entity:missing": 0, "entity:a": 3, "entity:c": 2, "x": 0}
        assert log.stream_versions([]) == {}

    def test_get_events_finds_stored_ids_only(self, filled):
        log, appended = filled
        by_position = {e.event_id: e for e in log.read()}
        wanted = [appended[5].event_id, "not-an-id", appended[0].event_id, appended[5].event_id]
        assert log.get_events(wanted) == {i: by_position[i] for i in (appended[5].event_id, appended[0].event_id)}
        assert log.get_events([]) == {}
        assert log.get_events([n.event_id for n in appended]) == by_position

    # -- the hash chain -------------------------------------------------------
    def test_hash_chain_links_every_event_to_the_one_before(self, filled):
        log, _ = filled
        events = list(log.read())
        assert events[0].prev_hash == GENESIS_HASH
        assert_chain(log)
        assert len({e.hash for e in events}) == len(events)

    def test_head_is_the_last_position_and_its_hash(self, make_log, events):
        log = make_log()
        for n in range(3):
            result = log.append([events.entity(f"h{n}")])
            assert log.head().position == result.stored[-1].position == n + 1
            assert log.head().hash == result.stored[-1].hash

    # -- optimistic concurrency ---------------------------------------------
    def test_matching_expected_versions_append(self, filled, events):
        log, _ = filled
        result = log.append([events.name("a"), events.entity("new")],
                            expected_versions={"entity:a": 3, "entity:new": 0, "entity:b": 2})
        assert [(e.stream_id, e.stream_version) for e in result.stored] == [("entity:a", 4), ("entity:new", 1)]
        assert_ok(log)

    @pytest.mark.parametrize(
        ("stream", "expected", "actual"),
        [("entity:a", 2, 3), ("entity:a", 4, 3), ("entity:a", 0, 3), ("entity:b", 0, 2), ("entity:new", 1, 0),
         ("entity:c", 1, 2)],
    )
    def test_mismatched_expected_version_raises_and_stores_nothing(self, filled, events, stream, expected, actual):
        log, _ = filled
        before = snapshot(log)
        source, blobs = events.source(b"a document that must not be stored")
        batch = [events.name("a"), source, events.entity("other")]
        with pytest.raises(ConcurrencyError) as caught:
            log.append(batch, expected_versions={"entity:a": 3, stream: expected} if stream != "entity:a"
                       else {stream: expected}, blobs=blobs)
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (stream, expected, actual)
        assert isinstance(caught.value, ArchiveError)
        assert snapshot(log) == before
        assert log.get_events([n.event_id for n in batch]) == {}
        assert log.has_blobs(list(blobs)) == set()

    def test_expected_zero_means_the_stream_must_not_exist(self, make_log, events):
        log = make_log()
        log.append([events.entity("a")], expected_versions={"entity:a": 0})
        with pytest.raises(ConcurrencyError) as caught:
            log.append([events.name("a")], expected_versions={"entity:a": 0})
        assert (caught.value.expected, caught.value.actual) == (0, 1)
        assert log.stream_versions(["entity:a"]) == {"entity:a": 1}

    def test_expected_version_of_a_stream_outside_the_batch_is_checked(self, filled, events):
        log, _ = filled
        before = snapshot(log)
        with pytest.raises(ConcurrencyError) as caught:
            log.append([events.entity("z")], expected_versions={"entity:b": 1})
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == ("entity:b", 1, 2)
        assert snapshot(log) == before
        log.append([events.entity("z")], expected_versions={"entity:b": 2})
        assert log.head().position == before.head.position + 1

    def test_expected_versions_are_checked_for_an_empty_batch(self, filled):
        # appending nothing is how a caller asserts "these streams have not moved"
        log, _ = filled
        log.append([], expected_versions={"entity:a": 3, "entity:none": 0})
        with pytest.raises(ConcurrencyError):
            log.append([], expected_versions={"entity:a": 3, "entity:b": 1})
        content = b"a blob with a stale version"
        with pytest.raises(ConcurrencyError):
            log.append([], expected_versions={"entity:none": 1}, blobs={blob_id(content): content})
        assert log.has_blobs([blob_id(content)]) == set()

    # -- idempotency and duplicates -------------------------------------------
    def test_appending_the_same_events_again_stores_nothing(self, filled):
        log, appended = filled
        before = snapshot(log)
        result = log.append(appended[2:5])
        assert (result.stored, result.already_stored) == ((), 3)
        assert snapshot(log) == before

    def test_reappending_a_batch_with_its_blobs_is_harmless(self, make_log, events):
        log = make_log()
        source, blobs = events.source(b"\x00\x01binary\xff")
        batch = [source, events.entity("a")]
        log.append(batch, blobs=blobs, expected_versions={source.stream_id: 0})
        before = snapshot(log)
        result = log.append(batch, blobs=blobs)
        assert (result.stored, result.already_stored) == ((), 2)
        assert snapshot(log) == before

    def test_same_id_with_different_payload_raises_and_stores_nothing(self, filled, events):
        log, appended = filled
        before = snapshot(log)
        source, blobs = events.source(b"not to be stored")
        fresh = events.entity("fresh")
        with pytest.raises(DuplicateEventError) as caught:
            log.append([fresh, source, conflicting(appended[3])], blobs=blobs)
        assert caught.value.value == appended[3].event_id
        assert isinstance(caught.value, ValidationError)
        assert snapshot(log) == before
        assert log.get_events([fresh.event_id, source.event_id]) == {}

    def test_duplicate_inside_one_batch_with_different_payload_raises(self, make_log, events):
        log = make_log()
        log.append([events.entity("a")])
        before = snapshot(log)
        first = events.entity("b")
        with pytest.raises(DuplicateEventError):
            log.append([first, events.name("a"), conflicting(first)])
        assert snapshot(log) == before
        assert log.get_events([first.event_id]) == {}

    def test_duplicate_inside_one_batch_with_same_payload_is_stored_once(self, make_log, events):
        log = make_log()
        first = events.entity("b")
        result = log.append([first, events.name("b"), first])
        assert (len(result.stored), result.already_stored) == (2, 1)
        assert [e.event_id for e in log.read()].count(first.event_id) == 1
        assert log.stream_versions(["entity:b"]) == {"entity:b": 2}

    def test_batch_mixing_stored_and_new_events_stores_only_the_new(self, filled, events):
        log, appended = filled
        new = [events.name("a"), events.entity("d")]
        result = log.append([appended[1], new[0], appended[6], new[1]])
        assert result.already_stored == 2
        assert [(e.event_id, e.position) for e in result.stored] == [(new[0].event_id, 9), (new[1].event_id, 10)]
        assert [e.event_id for e in log.read()] == [n.event_id for n in appended + new]
        assert log.stream_versions(["entity:a"]) == {"entity:a": 4}
        assert_chain(log)

    def test_expected_versions_are_checked_even_when_everything_is_already_stored(self, filled):
        log, appended = filled
        before = snapshot(log)
        with pytest.raises(ConcurrencyError):
            log.append([appended[0]], expected_versions={"entity:a": 1})
        assert snapshot(log) == before

    # -- transactions ---------------------------------------------------------
    def test_appends_in_a_transaction_land_together(self, filled, events):
        log, appended = filled
        source, blobs = events.source(b"a document of the transaction")
        with log.transaction():
            first = log.append([events.entity("t"), events.name("a")])
            # reads inside the block see its own appends: head, ids, versions, streams
            assert log.head().position == 10
            assert log.stream_versions(["entity:a", "entity:t"]) == {"entity:a": 4, "entity:t": 1}
            assert set(log.get_events([e.event_id for e in first.stored])) == {e.event_id for e in first.stored}
            second = log.append([source, events.name("t")], blobs=blobs, expected_versions={"entity:t": 1})
            assert [e.stream_version for e in log.read_stream("entity:t")] == [1, 2]
            assert log.get_blob(source.stream_id.split(":", 1)[1]) == blobs[source.stream_id.split(":", 1)[1]]
        assert [e.position for e in first.stored + second.stored] == [9, 10, 11, 12]
        assert [e.event_id for e in log.read()][-4:] == [e.event_id for e in first.stored + second.stored]
        assert_chain(log)
        assert_ok(self.reopen(log))

    def test_two_appends_to_one_stream_in_a_transaction_get_consecutive_versions(self, make_log, events):
        # Nothing read between them: the second append must know the versions the first one gave.
        log = make_log()
        with log.transaction():
            log.append([events.entity("e1")])
            log.append([events.name("e1")])
            log.append([events.name("e1", "Hrușciov")])
        assert [(e.stream_id, e.stream_version) for e in log.read()] == [("entity:e1", 1), ("entity:e1", 2),
                                                                           ("entity:e1", 3)]
        assert_chain(log)

    def test_an_exception_in_a_transaction_stores_none_of_its_appends(self, filled, events):
        log, _ = filled
        before = snapshot(log)
        source, blobs = events.source(b"rolled back with the rest")
        with pytest.raises(KeyError):
            with log.transaction():
                log.append([events.entity("t")])
                log.append([source], blobs=blobs)
                raise KeyError("the caller gave up")
        assert snapshot(log) == before
        assert log.stream_versions(["entity:t"]) == {"entity:t": 0}
        assert log.has_blobs(list(blobs)) == set()
        # the log is usable afterwards, and its head and versions are read afresh
        result = log.append([events.entity("t")], expected_versions={"entity:t": 0})
        assert [e.position for e in result.stored] == [9]
        assert_chain(log)

    def test_a_failed_append_spoils_its_transaction_even_if_caught(self, filled, events):
        log, appended = filled
        before = snapshot(log)
        with pytest.raises(ArchiveError):
            with log.transaction():
                log.append([events.entity("t")])
                with pytest.raises(ConcurrencyError):
                    log.append([events.name("a")], expected_versions={"entity:a": 1})
                with pytest.raises(ArchiveError):  # no more appends in a spoilt transaction
                    log.append([events.entity("u")])
        assert snapshot(log) == before
        assert_chain(log)

    def test_a_nested_transaction_joins_the_outer_one(self, filled, events):
        log, _ = filled
        before = snapshot(log)
        with pytest.raises(RuntimeError):
            with log.transaction():
                with log.transaction():
                    log.append([events.entity("inner")])
                log.append([events.entity("outer")])
                raise RuntimeError("roll back both")
        assert snapshot(log) == before

    def test_a_second_handle_sees_a_transaction_only_when_it_commits(self, make_log, events):
        log = make_log("shared")
        other = make_log("shared")
        with log.transaction():
            log.append([events.entity("t")])
            if other is not log:  # separate connections: the write is not visible before COMMIT
                assert other.head().position == 0
        assert other.head().position == 1 and other.stream_versions(["entity:t"]) == {"entity:t": 1}

    # -- blobs ----------------------------------------------------------------
    def test_blobs_are_content_addressed(self, make_log, events):
        log = make_log()
        contents = [b"zebra", b"", b"\x00\xff binary", "Хрущёв".encode("utf-8"), b"apple" * 1000]
        log.append([], blobs={blob_id(c): c for c in contents[:2]})
        log.append([events.entity("a")], blobs={blob_id(c): c for c in contents[2:]})
        for content in contents:
            got = log.get_blob(blob_id(content))
            assert got == content and type(got) is bytes
        assert list(log.blob_ids()) == sorted(blob_id(c) for c in contents)
        assert log.get_blob(blob_id(b"never stored")) is None
        asked = [blob_id(contents[0]), blob_id(b"never stored"), blob_id(contents[3])]
        assert log.has_blobs(asked) == {blob_id(contents[0]), blob_id(contents[3])}

    def test_storing_a_blob_again_keeps_one_copy(self, make_log):
        log = make_log()
        content = b"same bytes"
        log.append([], blobs={blob_id(content): content})
        log.append([], blobs={blob_id(content): bytearray(content), blob_id(b"other"): b"other"})
        assert list(log.blob_ids()) == sorted([blob_id(content), blob_id(b"other")])
        assert log.get_blob(blob_id(content)) == content

    @pytest.mark.parametrize("bad", ["wrong id", "id of other bytes", "uppercase hex", "not bytes"])
    def test_blob_whose_id_is_not_its_sha256_is_refused(self, filled, events, bad):
        log, _ = filled
        before = snapshot(log)
        content = b"some content"
        claimed = {"wrong id": "sha256:" + "1" * 64, "id of other bytes": blob_id(b"other content"),
                   "uppercase hex": blob_id(content).upper().replace("SHA256", "sha256"),
                   "not bytes": blob_id(content)}[bad]
        good = b"a good blob in the same batch"
        blobs = {blob_id(good): good, claimed: content.decode() if bad == "not bytes" else content}
        with pytest.raises(ValidationError):
            log.append([events.entity("x")], blobs=blobs)
        assert snapshot(log) == before
        assert log.has_blobs([claimed, blob_id(good)]) == set()

    # -- atomicity and durability ---------------------------------------------
    def test_a_batch_failing_late_is_all_or_nothing(self, filled, events):
        # The last event of the batch cannot be stored by a backend with typed,
        # NOT NULL columns (type is None). Whatever the backend does, it must
        # not keep the first events of the batch without the last.
        log, _ = filled
        before = snapshot(log)
        good = [events.entity("x1"), events.entity("x2")]
        content = b"blob of a failing batch"
        bad = NewEvent(events.entity("x3").event_id, "entity:x3", None, 1, b"{}")  # type: ignore[arg-type]
        try:
            log.append(good + [bad], blobs={blob_id(content): content})
        except Exception:
            assert snapshot(log) == before
            assert log.get_events([e.event_id for e in good]) == {}
        else:
            assert log.head().position == before.head.position + 3
            assert log.has_blobs([blob_id(content)]) == {blob_id(content)}

    def test_a_payload_that_is_not_utf8_is_refused_whole(self, filled, events):
        # Payloads are canonical JSON, hence UTF-8; anything else is refused, with the good
        # events of the same batch.
        log, _ = filled
        before = snapshot(log)
        good = events.entity("y")
        bad = NewEvent(events.entity("z").event_id, "entity:z", "EntityRecorded", 1, b'{"label":"\xff\xfe"}')
        with pytest.raises(ValidationError, match="not UTF-8"):
            log.append([good, bad])
        assert snapshot(log) == before

    def test_a_bytearray_payload_is_copied(self, filled, events):
        log, _ = filled
        good = events.entity("copied")
        mutable = bytearray(good.payload)
        stored = log.append([NewEvent(good.event_id, good.stream_id, good.type, good.version, mutable)]).stored[0]
        mutable[0:1] = b"X"
        assert log.get_events([good.event_id])[good.event_id].payload == good.payload == stored.payload

    def test_everything_survives_reopening(self, filled, events):
        log, _ = filled
        log.append([events.name("b", "after a blob")], blobs={blob_id(b"two"): b"two"})
        before = snapshot(log)
        versions = log.stream_versions(["entity:a", "entity:b", "entity:c"])
        log = self.reopen(log)
        assert snapshot(log) == before
        assert [e.payload for e in log.read()] == [e.payload for e in before.events]
        assert log.stream_versions(["entity:a", "entity:b", "entity:c"]) == versions
        assert_ok(log)

    def test_a_reopened_log_continues_the_chain(self, filled, events):
        log, appended = filled
        log = self.reopen(log)
        result = log.append([events.name("a"), appended[0]], expected_versions={"entity:a": 3})
        assert ([e.position for e in result.stored], result.already_stored) == ([9], 1)
        assert log.stream_versions(["entity:a"]) == {"entity:a": 4}
        assert_chain(log)
        assert_ok(self.reopen(log))

    def test_a_second_handle_on_the_same_storage_sees_appends(self, make_log, events):
        first = make_log("shared")
        second = make_log("shared")
        first.append([events.entity("a")])
        assert [e.event_id for e in second.read()] == [e.event_id for e in first.read()]
        second.append([events.entity("b")], expected_versions={"entity:a": 1, "entity:b": 0})
        assert first.head() == second.head() and first.head().position == 2
        with pytest.raises(ConcurrencyError):
            first.append([events.name("b")], expected_versions={"entity:b": 0})
        assert second.head().position == 2
        assert_chain(first)

    def test_verify_is_ok_after_appends(self, filled, events):
        log, appended = filled
        assert_ok(log)
        log.append([events.name("c"), appended[0], events.entity("e")], expected_versions={"entity:c": 2})
        assert_ok(log)
        report = verify(log)
        assert (report.events, report.sources, report.head) == (10, 1, log.head())

    # -- the model-based test ---------------------------------------------------
    def test_behaves_like_a_list(self, make_log):
        reopen = self.reopen
        run_state_machine_as_test(lambda: LogMachine(make_log, reopen))


class LogMachine(RuleBasedStateMachine):
    """Drives a log with random appends and compares it with a plain-Python model.

    The model is the list of (event_id, stream_id, payload) the log must hold,
    in order, plus the blobs it must hold.
    """

    def __init__(self, make_log: Callable[..., EventLog], reopen: Callable[[EventLog], EventLog]):
        super().__init__()
        self.log = make_log()
        self._reopen = reopen
        self.events = Events("machine")
        self.model: list[tuple[str, str, bytes]] = []
        self.appended: list[NewEvent] = []
        self.blobs: dict[str, bytes] = {}
        self.reopened_at = 0

    def teardown(self) -> None:
        self.log.close()

    # -- helpers --
    def versions(self) -> Counter:
        return Counter(stream for _, stream, _ in self.model)

    def fresh_events(self, entities: list[int]) -> list[NewEvent]:
        versions = self.versions()
        batch = []
        for n in entities:
            stream = entity_stream(f"m{n}")
            batch.append(self.events.in_stream(f"m{n}", first=versions[stream] == 0))
            versions[stream] += 1
        return batch

    def record(self, stored: list[NewEvent]) -> None:
        self.appended.extend(stored)
        self.model.extend((e.event_id, e.stream_id, e.payload) for e in stored)

    # -- rules --
    @rule(entities=st.lists(st.integers(0, 4), min_size=1, max_size=5),
          content=st.none() | st.binary(max_size=16), check_versions=st.booleans())
    def append_new_events(self, entities, content, check_versions):
        batch = self.fresh_events(entities)
        blobs = None
        if content is not None:
            source, blobs = self.events.source(content)
            batch.insert(len(batch) // 2, source)
        expected = None
        if check_versions:
            versions = self.versions()
            expected = {e.stream_id: versions[e.stream_id] for e in batch}
        result = self.log.append(batch, expected_versions=expected, blobs=blobs)
        assert result.already_stored == 0
        assert [e.position for e in result.stored] == list(range(len(self.model) + 1, len(self.model) + len(batch) + 1))
        assert [e.event_id for e in result.stored] == [e.event_id for e in batch]
        self.record(batch)
        self.blobs.update(blobs or {})

    @precondition(lambda self: self.appended)
    @rule(data=st.data(), new_entities=st.lists(st.integers(0, 4), max_size=3))
    def reappend_stored_events(self, data, new_entities):
        again = data.draw(st.lists(st.sampled_from(self.appended), min_size=1, max_size=4,
                                   unique_by=lambda e: e.event_id))
        new = self.fresh_events(new_entities)
        batch = data.draw(st.permutations(again + new))
        result = self.log.append(batch)
        assert result.already_stored == len(again)
        expected_new = [e for e in batch if e in new]
        assert [e.event_id for e in result.stored] == [e.event_id for e in expected_new]
        self.record(expected_new)

    @precondition(lambda self: self.appended)
    @rule(data=st.data(), inside_batch=st.booleans(), new_entities=st.lists(st.integers(0, 4), max_size=3))
    def append_conflicting_duplicate(self, data, inside_batch, new_entities):
        new = self.fresh_events(new_entities)
        if inside_batch:
            original = self.events.entity("dup")
            batch = new + [original, conflicting(original)]
        else:
            original = data.draw(st.sampled_from(self.appended))
            batch = new + [conflicting(original)]
        batch = data.draw(st.permutations(batch))
        with pytest.raises(DuplicateEventError):
            self.log.append(batch)

    @rule(data=st.data(), entity=st.integers(0, 5), new_entities=st.lists(st.integers(0, 4), max_size=3),
          with_blob=st.booleans(), bad_blob=st.booleans())
    def append_a_rejected_batch(self, data, entity, new_entities, with_blob, bad_blob):
        """A wrong expected version, or a blob whose id is not its hash: refused, nothing stored."""
        batch = self.fresh_events(new_entities)
        if bad_blob:
            with pytest.raises(ValidationError):
                self.log.append(batch, blobs={blob_id(b"claimed"): b"actual"})
            return
        stream = entity_stream(f"m{entity}")
        actual = self.versions()[stream]
        expected = data.draw(st.integers(0, actual + 3).filter(lambda v: v != actual), label="expected")
        content = b"never stored %d" % len(self.model)
        blobs = {blob_id(content): content} if with_blob else None
        with pytest.raises(ConcurrencyError) as caught:
            self.log.append(batch, expected_versions={stream: expected}, blobs=blobs)
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (stream, expected, actual)

    @precondition(lambda self: self.reopened_at != len(self.model))
    @rule()
    def reopen(self):
        """Close and reopen (only after something changed, or this cheap rule would crowd out the others)."""
        self.log = self._reopen(self.log)
        self.reopened_at = len(self.model)

    # -- invariants --
    @invariant()
    def holds_exactly_the_model(self):
        stored = list(self.log.read())
        assert [e.position for e in stored] == list(range(1, len(self.model) + 1))
        assert [(e.event_id, e.stream_id, e.payload) for e in stored] == self.model
        head = self.log.head()
        assert head.position == len(self.model)
        assert head.hash == (stored[-1].hash if stored else GENESIS_HASH)

    @invariant()
    def stream_versions_count_events_per_stream(self):
        counts = self.versions()
        streams = sorted(counts) + ["entity:never"]
        assert self.log.stream_versions(streams) == {s: counts[s] for s in streams}

    @invariant()
    def holds_exactly_the_blobs(self):
        assert list(self.log.blob_ids()) == sorted(self.blobs)
        assert {key: self.log.get_blob(key) for key in self.blobs} == self.blobs

    @invariant()
    def verifies(self):
        assert_ok(self.log)
