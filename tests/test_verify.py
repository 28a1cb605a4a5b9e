"""How verify reads fast without missing anything.

It accepts a payload as canonical on orjson's word only where orjson and the codec agree; it checks
stream versions with the log's index instead of a dict of every stream; and it can hand the later part
of the log to a second process, joining the two parts at a seam. Each of these must report exactly
what a plain pass over the log reports (``tests/test_sqlite_log.py`` checks that pass finds every
tampering at its place).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import orjson
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

import archive.verify as verify_module
from archive import _child
from archive.codec import canonical_bytes
from archive.log.base import Head, chain_hash
from archive.log.scan import _InterfaceScanner, scanner
from archive.log.sqlite import SQLiteEventLog
from archive.verify import verify

from .contract.support import Events
from .test_sqlite_log import TRIGGERS, build_log, lifted_triggers


def _report(path: Path, processes: int) -> list[tuple]:
    with SQLiteEventLog(path) as log:
        report = verify(log, processes=processes)
    return [(p.position, p.source_id, str(p)) for p in report.problems]


def _tampered(base: Path, target: Path, *statements: tuple[str, tuple]) -> Path:
    shutil.copyfile(base, target)
    conn = sqlite3.connect(target, isolation_level=None)
    with lifted_triggers(conn):
        for statement, params in statements:
            conn.execute(statement, params)
    conn.close()
    return target


@pytest.fixture(scope="module")
def base_log(tmp_path_factory) -> tuple[Path, list]:
    path = tmp_path_factory.mktemp("verify") / "base.db"
    build_log(path)
    with SQLiteEventLog(path) as log:
        stored = list(log.read())
    return path, stored


def test_two_processes_report_what_one_does_whatever_is_tampered_and_wherever(base_log, tmp_path):
    """Every kind of damage at every position, so also on both sides of the seam between the parts."""
    base, stored = base_log
    cases = 0
    for event in stored:
        where = (event.position,)
        for statements in (
            [("DELETE FROM events WHERE position = ?", where)],
            [("UPDATE events SET prev_hash = ? WHERE position = ?", ("f" * 64, *where))],
            [("UPDATE events SET hash = ? WHERE position = ?", ("e" * 64, *where))],
            [("UPDATE events SET payload = ? WHERE position = ?", (event.payload.decode() + " ", *where))],
            [("UPDATE events SET stream_version = ? WHERE position = ?", (event.stream_version + 7, *where))],
        ):
            path = _tampered(base, tmp_path / f"case-{cases}.db", *statements)
            one = _report(path, processes=1)
            truncated = statements[0][0].startswith("DELETE") and event.position == len(stored)
            assert one or truncated, statements  # the damage is found (a lost tail cannot be: test_sqlite_log)
            assert _report(path, processes=2) == one, statements
            cases += 1
    assert cases == 5 * len(stored)


def test_the_untampered_log_passes_in_two_processes(base_log):
    base, stored = base_log
    with SQLiteEventLog(base) as log:
        report = verify(log, processes=2)
    assert report.ok and report.events == len(stored)


def test_a_failing_second_process_changes_nothing(base_log, tmp_path, monkeypatch):
    base, stored = base_log
    path = _tampered(base, tmp_path / "log.db",
                     ("UPDATE events SET hash = ? WHERE position = ?", ("e" * 64, len(stored) - 1)))
    expected = _report(path, processes=1)
    start = _child.start
    monkeypatch.setattr(_child, "start", lambda function, args, **options: start("sys.exit", ["3"], **options))
    assert _report(path, processes=2) == expected  # a child that fails
    monkeypatch.setattr(_child, "start", start)
    monkeypatch.setattr(verify_module.sys, "executable", str(tmp_path / "no-such-python"))
    assert _report(path, processes=2) == expected


def test_versions_out_of_position_order_are_found(base_log, tmp_path):
    """A stream whose versions are all there, 1 to n, but not in the order of the log."""
    base, stored = base_log
    streams: dict[str, list] = {}
    for event in stored:
        streams.setdefault(event.stream_id, []).append(event)
    second, third = next(events[1:3] for events in streams.values() if len(events) >= 3)
    # Swap the two versions, and re-hash the whole chain so that only the versions are wrong.
    swapped = {second.position: third.stream_version, third.position: second.stream_version}
    statements, prev = [], None
    for event in stored:
        version = swapped.get(event.position, event.stream_version)
        prev = event.prev_hash if prev is None else prev
        digest = chain_hash(event.position, event.stream_id, version, prev, event.payload)
        statements.append(("UPDATE events SET stream_version = ?, prev_hash = ?, hash = ? WHERE position = ?",
                           (-event.position, prev, digest, event.position)))
        statements.append(("UPDATE events SET stream_version = ? WHERE position = ?", (version, event.position)))
        prev = digest
    # (each row goes through a negative version first, so the UNIQUE (stream, version) index never clashes)
    path = _tampered(base, tmp_path / "log.db", *statements[0::2], *statements[1::2])
    stream = second.stream_id
    expected = [
        (second.position, None,
         f"stream {stream} jumps to version {third.stream_version}, expected {second.stream_version}"),
        (third.position, None,
         f"stream {stream} jumps to version {second.stream_version}, expected {third.stream_version + 1}"),
    ]
    assert [(p, s, text.split(": ", 1)[-1]) for p, s, text in _report(path, processes=1)] == expected
    with SQLiteEventLog(path) as log:
        # The SQLite log's index-ordered check names the same streams as a plain pass through the interface.
        assert list(scanner(log).broken_streams(upto=len(stored))) == [stream]
        assert list(_InterfaceScanner(log).broken_streams(upto=len(stored))) == [stream]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(min_value=-2**70, max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)


@given(value=st.dictionaries(st.text(max_size=6), json_values, max_size=5),
       form=st.sampled_from(["canonical", "orjson", "ascii", "spaced"]))
@example(value={"v": 1e-07}, form="orjson")  # orjson writes 1e-7, the codec 1e-07
@example(value={"v": 1e-05}, form="orjson")  # orjson writes 0.00001
@example(value={"v": 2**64}, form="canonical")  # orjson reads it as a float
@example(value={"v": "\x7f\u2028\U0001F3DB\x00"}, form="canonical")
def test_a_payload_is_accepted_exactly_when_the_codec_would_write_it(value, form):
    try:
        payload = {
            "canonical": lambda: canonical_bytes(value),
            "orjson": lambda: orjson.dumps(value, option=orjson.OPT_SORT_KEYS),
            "ascii": lambda: json.dumps(value, sort_keys=True, separators=(",", ":")).encode(),
            "spaced": lambda: json.dumps(value, sort_keys=True).encode(),
        }[form]()
    except TypeError:  # orjson writes no integer beyond 64 bits
        assume(False)
    canonical = canonical_bytes(json.loads(payload)) == payload
    if canonical:
        assert verify_module._canonical_data(payload) == json.loads(payload)
    else:
        with pytest.raises(ValueError, match="canonical"):
            verify_module._canonical_data(payload)


@pytest.mark.parametrize("after, upto", [(0, None), (3, 17), (100, None), (591, None), (0, 1)])
def test_the_sqlite_logs_own_scan_reads_what_the_interface_reads(tmp_path, after, upto):
    """The SQLite log's fast scan (rows, payloads, broken streams) agrees with the one over EventLog.read."""
    import archive
    from archive.bundle import import_bundle

    from .conftest import FIXTURE_BUNDLE

    with archive.open(tmp_path / "log.db") as arc:
        import_bundle(arc, FIXTURE_BUNDLE)
        log = arc.log
        end = log.head().position if upto is None else upto
        fast, slow = scanner(log), _InterfaceScanner(log, batch_size=7)
        assert fast is log
        rows = [row for batch in fast.rows(after=after, upto=end) for row in batch]
        assert rows == [row for batch in slow.rows(after=after, upto=end) for row in batch]
        assert [r[0] for r in rows] == list(range(after + 1, end + 1))
        assert [p for batch in fast.payloads(after=after, upto=end) for p in batch] == [(r[0], r[6]) for r in rows]
        assert list(fast.broken_streams(upto=end)) == list(slow.broken_streams(upto=end)) == []


def test_the_progress_of_two_processes_moves_smoothly_to_the_end(tmp_path, monkeypatch):
    """This process reports its share of its own part as the share of the whole log, so the bar
    neither stalls at the end of its part (42 %) nor jumps from there to 100 %."""
    path = tmp_path / "log.db"
    events = Events("verify-progress")
    with SQLiteEventLog(path) as log:
        for start in range(0, 3000, 1000):
            log.append([events.entity(f"p{i}") for i in range(start, start + 1000)])

    class SmallPages:  # the real scan, in pages of 100 rows, so a small log reports progress often
        def __init__(self, log):
            self.inner = scanner(log)
            self.path = self.inner.path

        def rows(self, *, after=0, upto):
            for page in self.inner.rows(after=after, upto=upto):
                yield from (page[i:i + 100] for i in range(0, len(page), 100))

        def __getattr__(self, name):
            return getattr(self.inner, name)

    monkeypatch.setattr(verify_module, "scanner", SmallPages)
    seen = []
    with SQLiteEventLog(path) as log:
        report = verify(log, processes=2, progress=seen.append)
    assert report.ok and report.events == 3000
    assert seen == sorted(seen) and seen[-1] == 3000 and seen.count(3000) == 1  # 100 % only when all is done
    assert len(seen) > 10
    assert max(b - a for a, b in zip([0, *seen], seen)) <= 300  # no jump bigger than a tenth of the log


# -- a head kept outside the log ----------------------------------------------------------------------------

def _rechained(base: Path, target: Path, position: int) -> Path:
    """The log with one event's payload changed and every hash from there on recomputed, as a careful
    forger would: the chain inside the log is whole again."""
    shutil.copyfile(base, target)
    conn = sqlite3.connect(target, isolation_level=None)
    with lifted_triggers(conn):
        rows = conn.execute("SELECT position, stream_id, stream_version, payload, hash FROM events ORDER BY position")
        previous = "0" * 64
        for at, stream_id, stream_version, payload, _ in rows.fetchall():
            if at == position:
                data = json.loads(payload)
                data["curator"] = data["curator"] + " (forged)"
                payload = canonical_bytes(data).decode()
                conn.execute("UPDATE events SET payload = ? WHERE position = ?", (payload, at))
            digest = chain_hash(at, stream_id, stream_version, previous, payload.encode())
            conn.execute("UPDATE events SET hash = ?, prev_hash = ? WHERE position = ?", (digest, previous, at))
            previous = digest
    conn.close()
    return target


@given(data=st.data())
def test_a_kept_head_finds_a_lost_tail_that_the_chain_cannot(base_log, tmp_path_factory, data):
    base, stored = base_log
    kept = data.draw(st.integers(1, len(stored)), label="kept head")
    left = data.draw(st.integers(0, kept - 1), label="events left after the cut")
    path = _tampered(base, tmp_path_factory.mktemp("cut") / "log.db",
                     ("DELETE FROM events WHERE position > ?", (left,)))
    head = Head(kept, stored[kept - 1].hash)
    with SQLiteEventLog(path) as log:
        assert verify(log).ok  # what is left is a whole chain: the loss cannot be seen from inside
        problems = verify(log, expect=head).problems
    assert [p.position for p in problems] == [left + 1]
    assert f"ends at position {left}" in str(problems[0]) and f"last {kept - left} event(s) are missing" in str(
        problems[0])


@given(data=st.data())
def test_a_kept_head_finds_a_history_rewritten_with_its_hashes_recomputed(base_log, tmp_path_factory, data):
    base, stored = base_log
    forged = data.draw(st.integers(1, len(stored)), label="forged position")
    kept = data.draw(st.integers(1, len(stored)), label="kept head")
    prefix = data.draw(st.integers(16, 64), label="hex digits kept")
    path = _rechained(base, tmp_path_factory.mktemp("forged") / "log.db", forged)
    head = Head(kept, stored[kept - 1].hash[:prefix])
    with SQLiteEventLog(path) as log:
        assert verify(log).ok  # a forger who recomputes the chain leaves it whole
        problems = verify(log, expect=head).problems
    # Heads before the forged event still hold; from it on, none does.
    assert [p.position for p in problems] == ([kept] if kept >= forged else [])


def test_the_log_that_holds_the_kept_head_passes_and_later_events_do_not_matter(base_log, tmp_path):
    base, stored = base_log
    with SQLiteEventLog(base) as log:
        for event in stored:
            assert verify(log, expect=Head(event.position, event.hash)).ok
        assert verify(log, expect=Head(0, "0" * 64)).ok


@pytest.mark.parametrize("text", ["12", "12:", ":" + "a" * 64, "x:" + "a" * 64, "12:" + "a" * 15, "12:" + "A" * 64,
                                  "12:" + "a" * 65, "-1:" + "a" * 64, "\u00b2:" + "a" * 64, "\u0661\u0662:" + "a" * 64])
def test_a_malformed_head_is_refused_with_what_to_write(text):
    with pytest.raises(ValueError, match="write POSITION:HASH"):
        verify_module.parse_head(text)


@given(position=st.integers(0, 10**12), digest=st.text("0123456789abcdef", min_size=16, max_size=64))
def test_a_head_reads_back_as_verify_prints_it(position, digest):
    assert verify_module.parse_head(f"{position}:{digest}") == Head(position, digest)


@pytest.mark.parametrize("processes", [1, 2])
def test_the_kept_head_is_named_first_and_the_limit_still_holds(base_log, tmp_path, processes):
    base, stored = base_log
    damaged = [3, 5, 7]
    path = _tampered(base, tmp_path / "log.db",
                     *[("UPDATE events SET hash = ? WHERE position = ?", ("e" * 64, at)) for at in damaged])
    expect = Head(len(stored) + 4, "a" * 64)
    with SQLiteEventLog(path) as log:
        plain = verify(log, processes=processes).problems
        both = verify(log, processes=processes, expect=expect).problems
        cut = verify(log, processes=processes, expect=expect, limit=2).problems
    assert {p.position for p in plain} >= set(damaged)
    assert "last 4 event(s) are missing" in str(both[0]) and both[0].position == len(stored) + 1
    assert [str(p) for p in both[1:]] == [str(p) for p in plain]
    assert [str(p) for p in cut] == [str(both[0]), str(plain[0])]


def test_a_kept_head_at_a_lost_position_or_at_the_start_is_checked(base_log, tmp_path):
    base, stored = base_log
    path = _tampered(base, tmp_path / "gap.db", ("DELETE FROM events WHERE position = ?", (5,)))
    with SQLiteEventLog(path) as log:
        problems = verify(log, expect=Head(5, stored[4].hash)).problems
    assert "position 5: no event here" in str(problems[0])
    with SQLiteEventLog(base) as log:
        assert not verify(log, expect=Head(0, "f" * 64)).ok  # position 0 has the genesis hash, not any
        assert verify(log, expect=Head(0, "0" * 64)).ok


@pytest.mark.parametrize("expect", [Head(5, ""), Head(5, "abc"), Head(5, "A" * 64), Head(-1, "0" * 64)])
def test_a_head_too_vague_to_check_is_refused(base_log, expect):
    with SQLiteEventLog(base_log[0]) as log, pytest.raises(ValueError, match="16 to 64 lower-case hex digits"):
        verify(log, expect=expect)


GUARDS = ("events_are_append_only_update", "events_are_append_only_delete", "events_are_never_replaced",
          "sources_are_never_replaced", "sources_are_immutable_update", "sources_are_immutable_delete")


@pytest.mark.parametrize("trigger", GUARDS)
def test_a_log_whose_guard_was_dropped_or_changed_fails_verify(base_log, tmp_path, trigger):
    """The chain shows what was changed; a missing trigger shows that nothing stops the next change."""
    assert set(GUARDS) >= set(TRIGGERS)
    for how in ("dropped", "changed"):
        path = tmp_path / f"{how}.db"
        shutil.copy(base_log[0], path)
        with sqlite3.connect(path) as conn:
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (trigger,)).fetchone()[0]
            conn.execute(f"DROP TRIGGER {trigger}")
            if how == "changed":  # the same trigger, made to let everything through
                disarmed = sql.replace("WHEN ", "WHEN 0 AND ", 1) if "WHEN " in sql else sql.replace(
                    "BEGIN", "WHEN 0 BEGIN", 1)
                assert disarmed != sql
                conn.execute(disarmed)
        with SQLiteEventLog(path) as log:
            report = verify(log)
        assert not report.ok
        (problem,) = report.problems
        assert problem.position is None and trigger in str(problem)
        assert ("is missing" if how == "dropped" else "is not the one") in str(problem)
    with SQLiteEventLog(base_log[0]) as log:
        assert verify(log).ok and scanner(log).guard_problems() == []


def test_the_interface_scan_has_no_guards_to_check(base_log):
    with SQLiteEventLog(base_log[0]) as log:
        assert _InterfaceScanner(log).guard_problems() == []


def test_an_interrupted_verify_stops_its_second_process(base_log, tmp_path, monkeypatch):
    """Ctrl-C (or a failure) in verify's own half kills the other half: it must not read on after verify returns."""
    import subprocess
    import sys

    base, stored = base_log
    started = []

    def long_child(path, after, upto, limit):  # a second half that would outlive verify by a minute
        started.append(subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                        stdout=subprocess.PIPE))
        return started[-1]

    def interrupted(self, batches, progress=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(verify_module, "_start_part", long_child)
    monkeypatch.setattr(verify_module._Run, "check", interrupted)
    with SQLiteEventLog(base, create=False) as log, pytest.raises(KeyboardInterrupt):
        verify(log, processes=2)
    assert len(started) == 1 and started[0].poll() is not None  # killed and reaped, not left running


def test_the_first_bad_position_is_reported_even_when_the_limit_leaves_its_problem_out(base_log, tmp_path):
    """Log-wide problems come first; a limit of one keeps only the dropped guard, and still says where."""
    base, stored = base_log
    path = _tampered(base, tmp_path / "log.db", ("UPDATE events SET hash = ? WHERE position = ?", ("e" * 64, 5)))
    with sqlite3.connect(path) as conn:
        conn.execute(f"DROP TRIGGER {GUARDS[0]}")
    with SQLiteEventLog(path) as log:
        everything, limited = verify(log), verify(log, limit=1)
    assert [p.position for p in limited.problems] == [None]  # the guard, said first
    assert limited.first_bad_position == everything.first_bad_position == 5
    with SQLiteEventLog(base) as log:
        assert verify(log).first_bad_position is None
