"""New ids are time-ordered UUIDs (version 7): valid, unique, and increasing in the order they were made."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

import archive
from archive import ids
from archive.validation import _CANONICAL_UUID

MS = st.integers(min_value=0, max_value=(1 << 48) - 1)
COUNTER = st.integers(min_value=0, max_value=(1 << 12) - 1)
RANDOM = st.integers(min_value=0, max_value=(1 << 64) - 1)


@given(MS, COUNTER, RANDOM)
def test_a_time_ordered_uuid_carries_its_fields(unix_ms, counter, random_bits):
    text = ids.time_ordered_uuid(unix_ms, counter, random_bits)
    value = uuid.UUID(text)
    assert str(value) == text and _CANONICAL_UUID.fullmatch(text)
    assert value.version == 7 and value.variant == uuid.RFC_4122
    assert value.int >> 80 == unix_ms
    assert (value.int >> 64) & 0xFFF == counter
    assert value.int & ((1 << 62) - 1) == random_bits & ((1 << 62) - 1)


@given(st.tuples(MS, COUNTER, RANDOM), st.tuples(MS, COUNTER, RANDOM))
def test_time_ordered_uuids_sort_as_their_moments(a, b):
    first, second = ids.time_ordered_uuid(*a), ids.time_ordered_uuid(*b)
    if a[:2] != b[:2]:
        # As strings too: that is the order of the log's and the catalogue's TEXT indexes.
        assert (first < second) == (a[:2] < b[:2])


@pytest.mark.parametrize("fields, named", [((-1, 0, 0), "unix_ms"), ((1 << 48, 0, 0), "unix_ms"),
                                           ((0, 4096, 0), "counter"), ((0, -1, 0), "counter")])
def test_fields_out_of_range_are_refused_by_name(fields, named):
    with pytest.raises(ValueError, match=named):
        ids.time_ordered_uuid(*fields)


class _Clock:
    """Stands in for the wall clock, which a test cannot make step back or stand still."""

    def __init__(self, readings_ms: list[int]):
        self.readings = [ms * 1_000_000 for ms in readings_ms]
        self.calls = 0

    def time_ns(self) -> int:
        reading = self.readings[min(self.calls, len(self.readings) - 1)]
        self.calls += 1
        return reading


def _ms(text: str) -> int:
    return uuid.UUID(text).int >> 80


@given(st.lists(st.integers(min_value=1_600_000_000_000, max_value=1_600_000_000_050), min_size=1, max_size=200))
def test_new_ids_increase_whatever_the_clock_does(readings):
    """Clocks step back (NTP) and stand still (many ids in one millisecond): the ids still increase."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ids, "time", _Clock(readings))
        patch.setattr(ids, "_last", 0)
        made = [ids.new_id() for _ in readings]
    assert made == sorted(made) and len(set(made)) == len(made)
    latest = 0
    for count, (reading, text) in enumerate(zip(readings, made), start=1):
        latest = max(latest, reading)
        # Never earlier than the clock said, never later than the counter's carries can push it.
        assert reading <= _ms(text) <= latest + count // 4096
        assert uuid.UUID(text).version == 7


def test_more_ids_in_one_millisecond_than_the_counter_holds_carry_into_the_next():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ids, "time", _Clock([1_700_000_000_000]))
        patch.setattr(ids, "_last", 0)
        made = [ids.new_id() for _ in range(5000)]
    assert made == sorted(made) and len(set(made)) == 5000
    assert {_ms(t) for t in made[:4096]} == {1_700_000_000_000}
    assert {_ms(t) for t in made[4096:]} == {1_700_000_000_001}


def test_new_ids_follow_the_real_clock():
    before = time.time_ns() // 1_000_000
    made = [ids.new_id() for _ in range(2000)]
    after = time.time_ns() // 1_000_000
    assert made == sorted(made) and len(set(made)) == len(made)
    assert before <= _ms(made[0]) and _ms(made[-1]) <= after + 1


def test_two_processes_in_the_same_millisecond_get_different_ids():
    """Two processes share no counter: the random bits alone must keep their ids apart."""
    made = set()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ids, "time", _Clock([1_700_000_000_000]))
        for _ in range(50):
            patch.setattr(ids, "_last", 0)  # a fresh process, in the same millisecond as the others
            made.add(ids.new_id())
    assert len(made) == 50


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_process_forked_while_the_lock_is_held_can_still_make_ids():
    with ids._lock:  # as if another thread were making an id at the moment of the fork
        pid = os.fork()
        if pid == 0:  # the child: without a fresh lock this would wait forever
            ids.new_id()
            os._exit(0)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail("the forked child could not make an id: it inherited a held lock")


def test_the_archive_gives_new_events_and_claims_increasing_time_ordered_ids(tmp_path):
    text = "Khrushchev was appointed first secretary in 1938."
    with archive.open(tmp_path / "log.db") as arc:
        source = arc.record_source(text.encode(), title="A note", language="en", filename="note.txt",
                                   curator="ana")
        entity = arc.record_entity("khrushchev", kind="person", label="Nikita Khrushchev", curator="ana")
        claims = [arc.record_claim(subject_id="khrushchev", predicate="held_office", source_id=source.source_id,
                                   quote="first secretary", object_literal="first secretary", curator="ana")
                  for _ in range(3)]
        stored = [e.event_id for e in arc.stored_events()]
    assert stored == [source.event_id, entity.event_id, *(c.event_id for c in claims)]
    assert stored == sorted(stored)
    claim_ids = [c.claim_id for c in claims]
    assert claim_ids == sorted(claim_ids)
    assert {uuid.UUID(i).version for i in stored + claim_ids} == {7}
