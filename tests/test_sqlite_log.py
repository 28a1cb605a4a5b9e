"""What only the SQLite log promises, beyond the contract in ``tests/contract``.

The database itself refuses to change or delete what it holds; the file is
recognised as a log (and anything else refused); a rejected append leaves the
file byte for byte as it was; tampering behind the library's back is found by
``verify`` at the exact place; several connections share one file safely.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import sqlite3
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import sqlite_utils
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.errors import ArchiveError, ConcurrencyError, DuplicateEventError, ValidationError
from archive.log.base import GENESIS_HASH, NewEvent, blob_id, chain_hash
from archive.log.sqlite import APPLICATION_ID, BUSY_TIMEOUT_MS, NotALogError, SQLiteEventLog
from archive.verify import verify

from .contract.support import Events, append_from_process, conflicting, entity_stream, file_digest, snapshot

TRIGGERS = ("events_are_append_only_update", "events_are_append_only_delete",
            "sources_are_immutable_update", "sources_are_immutable_delete")
DOCUMENTS = [b"The first document.\n", "Второй документ — «кавычки».\n".encode("utf-8")]


def build_log(path: Path, events: Events | None = None) -> list[NewEvent]:
    """A closed log file of 9 events in five streams and two blobs; returns what was appended."""
    events = events or Events("sqlite")
    appended: list[NewEvent] = []
    with SQLiteEventLog(path) as log:
        for content in DOCUMENTS:
            source, blobs = events.source(content)
            batch = [source, events.entity(f"p{len(appended)}")]
            log.append(batch, blobs=blobs)
            appended += batch
        batch = [events.name("p0"), events.entity("q"), events.name("p0", "Хрущёв"), events.name("q"),
                 events.name("p3")]
        log.append(batch)
        appended += batch
    return appended


def raw(path: Path) -> sqlite3.Connection:
    """A plain sqlite3 connection, as any other program (or an attacker) would open the file."""
    return sqlite3.connect(path, isolation_level=None)


def table_rows(path: Path) -> dict[str, list[tuple]]:
    conn = raw(path)
    try:
        return {table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall() for table in ("events", "sources")}
    finally:
        conn.close()


@pytest.fixture
def log_file(tmp_path: Path) -> Path:
    path = tmp_path / "log.db"
    build_log(path)
    return path


# -- append-only, enforced by the database ---------------------------------------

@pytest.mark.parametrize(
    ("statement", "params", "words"),
    [
        ("UPDATE events SET payload = ? WHERE position = 2", ('{"x":1}',), "append-only"),
        ("UPDATE events SET hash = ? WHERE position = 5", ("0" * 64,), "append-only"),
        ("UPDATE events SET position = position + 100", (), "append-only"),
        ("DELETE FROM events WHERE position = 9", (), "append-only"),
        ("DELETE FROM events", (), "append-only"),
        ("UPDATE sources SET content = ?", (b"forged",), "immutable"),
        ("DELETE FROM sources WHERE source_id = ?", (blob_id(DOCUMENTS[0]),), "immutable"),
        ("INSERT INTO events (position, event_id, stream_id, stream_version, type, version, payload, hash, prev_hash)"
         " VALUES (1, 'x', 's', 1, 't', 1, '{}', 'h', 'p') ON CONFLICT (position) DO UPDATE SET payload = '{}'",
         (), "append-only"),
    ],
)
def test_database_refuses_update_and_delete(log_file, statement, params, words):
    before = table_rows(log_file)
    conn = raw(log_file)
    try:
        with pytest.raises(sqlite3.IntegrityError, match=words):
            conn.execute(statement, params)
    finally:
        conn.close()
    assert table_rows(log_file) == before
    with SQLiteEventLog(log_file) as log:
        assert verify(log).ok


@pytest.mark.parametrize("table", ["events", "sources"])
def test_database_refuses_replace(log_file, table):
    statement = {
        "events": "INSERT OR REPLACE INTO events VALUES (2, 'forged', 's', 1, 't', 1, '{}', 'h', 'p')",
        "sources": f"REPLACE INTO sources (source_id, content) VALUES ('{blob_id(DOCUMENTS[0])}', x'00')",
    }[table]
    before = table_rows(log_file)
    conn = raw(log_file)
    try:
        with pytest.raises(sqlite3.IntegrityError):
            conn.execute(statement)
    finally:
        conn.close()
    assert table_rows(log_file) == before


# -- recognising a log ---------------------------------------------------------------

def _sqlite_utils_db(path: Path) -> None:
    db = sqlite_utils.Database(path)
    db["people"].insert({"id": 1, "name": "Nikita"}, pk="id")
    db.close()


def _claims_to_be_a_log(path: Path) -> None:
    conn = raw(path)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("CREATE TABLE events (x)")
    conn.close()


def _log_without_application_id(path: Path) -> None:
    build_log(path)
    conn = raw(path)
    conn.execute("PRAGMA application_id = 0")
    conn.close()


def _newer_format(path: Path) -> None:
    build_log(path)
    conn = raw(path)
    conn.execute("UPDATE _log_meta SET value = '2' WHERE key = 'format_version'")
    conn.close()


NOT_LOGS = {
    "sqlite-utils database": _sqlite_utils_db,
    "text file": lambda path: path.write_text("position,event_id\n1,abc\n"),
    "random bytes": lambda path: path.write_bytes(bytes(range(256)) * 20),
    "sqlite header then garbage": lambda path: path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4096),
    "log of a newer format": _newer_format,
    "log tables without the application id": _log_without_application_id,
    "application id without the log tables": _claims_to_be_a_log,
}


@pytest.mark.parametrize("make", NOT_LOGS.values(), ids=NOT_LOGS.keys())
def test_opening_something_else_raises_not_a_log(tmp_path, make):
    path = tmp_path / "thing.db"
    make(path)
    before = file_digest(path)
    for create in (True, False):
        with pytest.raises(NotALogError) as caught:
            SQLiteEventLog(path, create=create)
        assert isinstance(caught.value, ArchiveError) and isinstance(caught.value, ValueError)
        assert str(path) in str(caught.value)
    assert file_digest(path) == before, "a refused open must not touch the file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["thing.db"]


def test_create_false_on_a_missing_path_raises_file_not_found(tmp_path):
    path = tmp_path / "missing.db"
    with pytest.raises(FileNotFoundError, match="missing.db"):
        SQLiteEventLog(path, create=False)
    assert not path.exists()
    SQLiteEventLog(path).close()  # create=True (the default) makes it
    with SQLiteEventLog(path, create=False) as log:
        assert log.head().position == 0


# -- a rejected append leaves the file as it was -----------------------------------------

REJECTIONS = ["duplicate id, other content", "duplicate inside the batch", "stale expected version",
              "expected 0 for an existing stream", "blob id is not its hash"]


@st.composite
def rejected_batches(draw, appended: list[NewEvent]):
    """(batch, expected_versions, blobs, error) of an append that must fail."""
    events = Events("rejected")
    kind = draw(st.sampled_from(REJECTIONS))
    fresh = [events.entity(f"new{n}") for n in range(draw(st.integers(0, 4)))]
    if draw(st.booleans()):
        fresh.append(draw(st.sampled_from(appended)))  # an idempotent re-append does not save the batch
    blobs = {}
    if draw(st.booleans()):
        content = draw(st.binary(min_size=1, max_size=64))
        source, blobs = events.source(content)
        fresh.append(source)
    expected = None
    if kind == "duplicate id, other content":
        fresh.append(conflicting(draw(st.sampled_from(appended))))
        error = DuplicateEventError
    elif kind == "duplicate inside the batch":
        event = events.entity("twice")
        fresh += [event, conflicting(event)]
        error = DuplicateEventError
    elif kind == "stale expected version":
        stream = draw(st.sampled_from([e.stream_id for e in appended]))
        expected = {stream: draw(st.sampled_from([1, 2, 3, 7]).filter(lambda v: v != _version(appended, stream)))}
        error = ConcurrencyError
    elif kind == "expected 0 for an existing stream":
        expected = {draw(st.sampled_from([e.stream_id for e in appended])): 0}
        error = ConcurrencyError
    else:
        blobs = dict(blobs)
        blobs[blob_id(b"claimed bytes")] = draw(st.binary(max_size=32))
        error = ValidationError
    return draw(st.permutations(fresh)), expected, blobs, error


def _version(appended: list[NewEvent], stream: str) -> int:
    return sum(1 for e in appended if e.stream_id == stream)


def test_rejected_batches_leave_the_file_byte_for_byte_identical(tmp_path):
    base = tmp_path / "base.db"
    appended = build_log(base)
    counter = iter(range(10**9))

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(rejected=rejected_batches(appended), open_first=st.booleans())
    def check(rejected, open_first):
        batch, expected, blobs, error = rejected
        path = tmp_path / f"case-{next(counter)}.db"
        shutil.copyfile(base, path)
        before = file_digest(path)
        other = SQLiteEventLog(path) if open_first else None  # another reader holding the file open
        with SQLiteEventLog(path) as log:
            seen = snapshot(log)
            with pytest.raises(error):
                log.append(batch, expected_versions=expected, blobs=blobs)
            assert snapshot(log) == seen
        if other is not None:
            assert snapshot(other) == seen
            other.close()
        assert not Path(f"{path}-wal").exists()
        assert file_digest(path) == before
        path.unlink()

    check()


def test_opening_reading_and_closing_leaves_the_file_byte_for_byte_identical(log_file):
    before = file_digest(log_file)
    for _ in range(3):
        first = SQLiteEventLog(log_file)
        second = SQLiteEventLog(log_file, create=False)
        assert verify(first).ok
        assert snapshot(first) == snapshot(second)
        first.close()
        assert list(second.blob_ids())
        second.close()
        assert not Path(f"{log_file}-wal").exists()
        assert file_digest(log_file) == before
    # and the comparison can fail: a real append changes the bytes
    with SQLiteEventLog(log_file) as log:
        log.append([Events("later").entity("later")])
    assert file_digest(log_file) != before


# -- tampering is found by verify, at the exact place ------------------------------------

@contextlib.contextmanager
def lifted_triggers(conn: sqlite3.Connection) -> Iterator[None]:
    """The append-only triggers dropped for the block and put back after it, as a careful forger would
    (verify reports a missing trigger by itself: tests of what the chain finds keep them)."""
    saved = [conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (t,)).fetchone()[0] for t in TRIGGERS]
    for trigger in TRIGGERS:
        conn.execute(f"DROP TRIGGER {trigger}")
    yield
    for sql in saved:
        conn.execute(sql)


TAMPERINGS = ["payload text", "payload bytes", "hash", "prev_hash", "prev_hash, own hash recomputed",
              "stream_version"]


@st.composite
def tamperings(draw, stored: list):
    """(kind, position or blob id, the SQL and its parameters)."""
    if draw(st.integers(0, len(TAMPERINGS))) == len(TAMPERINGS):  # sometimes a blob
        key = draw(st.sampled_from(sorted(blob_id(d) for d in DOCUMENTS)))
        content = DOCUMENTS[[blob_id(d) for d in DOCUMENTS].index(key)]
        index = draw(st.integers(0, len(content) - 1))
        flipped = bytearray(content)
        flipped[index] ^= draw(st.integers(1, 255))
        return "blob", key, "UPDATE sources SET content = ? WHERE source_id = ?", (bytes(flipped), key)
    kind = draw(st.sampled_from(TAMPERINGS))
    event = draw(st.sampled_from(stored))
    where = " WHERE position = ?"
    if kind == "payload text":
        ascii_at = [i for i, b in enumerate(event.payload) if 0x20 <= b < 0x7F]
        index = draw(st.sampled_from(ascii_at))
        new = draw(st.characters(min_codepoint=0x20, max_codepoint=0x7E)
                   .filter(lambda c: ord(c) != event.payload[index]))
        payload = event.payload[:index] + new.encode() + event.payload[index + 1:]
        return kind, event.position, "UPDATE events SET payload = ?" + where, (payload.decode("utf-8"), event.position)
    if kind == "payload bytes":
        index = draw(st.integers(0, len(event.payload) - 1))
        payload = bytearray(event.payload)
        payload[index] ^= draw(st.integers(1, 255))
        return kind, event.position, "UPDATE events SET payload = ?" + where, (bytes(payload), event.position)
    if kind in ("hash", "prev_hash"):
        value = getattr(event, kind)
        index = draw(st.integers(0, 63))
        digit = draw(st.sampled_from("0123456789abcdef").filter(lambda c: c != value[index]))
        return kind, event.position, f"UPDATE events SET {kind} = ?" + where, (
            value[:index] + digit + value[index + 1:], event.position)
    if kind == "prev_hash, own hash recomputed":  # the row is self-consistent; only its link is broken
        prev = draw(st.sampled_from([GENESIS_HASH] + [e.hash for e in stored]).filter(lambda h: h != event.prev_hash))
        digest = chain_hash(event.position, event.stream_id, event.stream_version, prev, event.payload)
        return kind, event.position, "UPDATE events SET prev_hash = ?, hash = ?" + where, (
            prev, digest, event.position)
    # a stream version that still looks plausible (it stays unique in its stream)
    version = draw(st.integers(1000, 2000))
    return kind, event.position, "UPDATE events SET stream_version = ?" + where, (version, event.position)


def test_tampering_is_reported_at_the_tampered_place(tmp_path):
    base = tmp_path / "base.db"
    build_log(base)
    with SQLiteEventLog(base) as log:
        stored = list(log.read())
        assert verify(log).ok
    counter = iter(range(10**9))
    first, last = stored[0], stored[-1]
    relinked = ("prev_hash, own hash recomputed", 1, "UPDATE events SET prev_hash = ?, hash = ? WHERE position = ?",
                (last.hash, chain_hash(1, first.stream_id, first.stream_version, last.hash, first.payload), 1))
    last_hash = ("hash", last.position, "UPDATE events SET hash = ? WHERE position = ?",
                 (last.hash[::-1], last.position))

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @example(tampering=relinked)  # the first event's link to the genesis hash
    @example(tampering=last_hash)  # the head itself
    @given(tampering=tamperings(stored))
    def check(tampering):
        kind, place, statement, params = tampering
        path = tmp_path / f"case-{next(counter)}.db"
        shutil.copyfile(base, path)
        conn = raw(path)
        with lifted_triggers(conn):
            assert conn.execute(statement, params).rowcount == 1
        conn.close()
        with SQLiteEventLog(path) as log:
            report = verify(log)
        assert not report.ok
        if kind == "blob":
            assert [(p.position, p.source_id) for p in report.problems] == [(None, place)]
            return
        assert report.first_bad_position == place, [str(p) for p in report.problems]
        positions = {p.position for p in report.problems if p.position is not None}
        if kind.startswith("payload") or kind == "prev_hash":
            # the next event's prev_hash still matches the stored hash: only this row is wrong
            assert positions == {place}, [str(p) for p in report.problems]
        else:
            # a changed hash also breaks the next event's link; a changed
            # stream version also shifts the later versions of its stream
            assert min(positions) == place
            if kind != "stream_version":
                assert positions == {place, place + 1} & set(range(1, len(stored) + 1))
        path.unlink()

    check()


def test_truncating_the_tail_is_not_detected_by_verify_alone(log_file):
    """A documented limit, not a wish: with the triggers dropped, deleting the
    last events leaves a shorter chain that verifies. Only a head recorded
    elsewhere (a catalogue, a backup, a printed receipt) reveals it."""
    with SQLiteEventLog(log_file) as log:
        head = log.head()
    conn = raw(log_file)
    with lifted_triggers(conn):
        conn.execute("DELETE FROM events WHERE position > 7")
    conn.close()
    with SQLiteEventLog(log_file) as log:
        report = verify(log)
        assert report.ok
        assert report.head != head and report.head.position == 7


# -- WAL mode, busy timeout -------------------------------------------------------------

def test_wal_mode_and_busy_timeout_are_set(tmp_path):
    path = tmp_path / "new.db"
    with SQLiteEventLog(path) as log:
        log.append([Events().entity("a")])
        # busy_timeout is per connection: only the log's own connection can show it. More than
        # sqlite3's default of 5 s, so the library set it: a writer waits out a long append.
        assert log._conn.execute("PRAGMA busy_timeout").fetchone()[0] == BUSY_TIMEOUT_MS > 5000
    conn = raw(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_a_writer_waits_for_another_writers_lock_instead_of_failing(log_file):
    locker = raw(log_file)
    locker.execute("BEGIN IMMEDIATE")
    outcome: list = []

    def write():  # sqlite3 connections belong to their thread: open the log here
        try:
            with SQLiteEventLog(log_file) as log:
                outcome.append(log.append([Events("waiting").entity("w")]))
        except BaseException as exc:  # pragma: no cover - reported below
            outcome.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.5)
    assert outcome == [], "the append went through (or failed) while another connection held the write lock"
    locker.execute("COMMIT")
    locker.close()
    writer.join(10)
    assert len(outcome) == 1 and not isinstance(outcome[0], BaseException), outcome
    assert outcome[0].stored[0].position == 10
    with SQLiteEventLog(log_file) as log:
        assert verify(log).ok


# -- several connections on one file ------------------------------------------------------

def test_two_logs_on_one_file_interleave_without_losing_events(log_file):
    first, second = SQLiteEventLog(log_file), SQLiteEventLog(log_file)
    try:
        one, two = Events("one"), Events("two")
        ids = [e.event_id for e in first.read()]
        for n in range(6):
            for log, events, tag in ((first, one, "one"), (second, two, "two")):
                batch = [events.in_stream(tag, first=n == 0)]
                batch += [events.entity(f"{tag}-{n}-{i}") for i in range(n % 3)]
                result = log.append(batch)
                assert [e.position for e in result.stored] == list(range(len(ids) + 1, len(ids) + len(batch) + 1))
                ids += [e.event_id for e in batch]
        for log in (first, second):
            stored = list(log.read())
            assert [e.event_id for e in stored] == ids
            assert [e.position for e in stored] == list(range(1, len(ids) + 1))
            assert log.stream_versions(["entity:one", "entity:two"]) == {"entity:one": 6, "entity:two": 6}
            assert verify(log).ok
    finally:
        first.close()
        second.close()


def test_a_stale_expected_version_from_another_connection_is_refused(log_file):
    first, second = SQLiteEventLog(log_file), SQLiteEventLog(log_file)
    try:
        stream = entity_stream("q")
        seen = first.stream_versions([stream])[stream]
        assert second.stream_versions([stream])[stream] == seen == 2
        second.append([Events("second").name("q")], expected_versions={stream: seen})
        before = snapshot(first)
        late = Events("first").name("q")
        with pytest.raises(ConcurrencyError) as caught:
            first.append([late], expected_versions={stream: seen})
        assert (caught.value.stream_id, caught.value.expected, caught.value.actual) == (stream, 2, 3)
        assert snapshot(first) == before == snapshot(second)
        first.append([late], expected_versions={stream: 3})
        assert [e.stream_version for e in second.read_stream(stream)] == [1, 2, 3, 4]
    finally:
        first.close()
        second.close()


def test_threads_with_their_own_connections_contend_safely(log_file):
    """Each thread appends to its own stream and, with retries, to one shared stream."""
    workers, rounds = 4, 12
    retries: list[int] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            retries.append(append_from_process(str(log_file), f"thread{n}", rounds, "shared"))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    _check_after_contention(log_file, workers, rounds, "thread")


def test_processes_contend_safely(log_file):
    workers, rounds = 3, 10
    with multiprocessing.get_context("spawn").Pool(workers) as pool:
        retries = pool.starmap(append_from_process,
                               [(str(log_file), f"process{n}", rounds, "shared") for n in range(workers)])
    assert len(retries) == workers
    _check_after_contention(log_file, workers, rounds, "process")


def _check_after_contention(path: Path, workers: int, rounds: int, prefix: str) -> None:
    with SQLiteEventLog(path) as log:
        stored = list(log.read())
        assert [e.position for e in stored] == list(range(1, len(stored) + 1))
        assert len(stored) == 9 + 2 * workers * rounds
        assert len({e.event_id for e in stored}) == len(stored)
        streams = [entity_stream("shared")] + [entity_stream(f"{prefix}{n}") for n in range(workers)]
        assert log.stream_versions(streams) == {streams[0]: workers * rounds, **{s: rounds for s in streams[1:]}}
        assert verify(log).ok


def test_a_writer_kept_waiting_too_long_gets_a_clear_error_and_writes_nothing(tmp_path):
    """While another connection holds the write lock (as a big import does), an append fails cleanly."""
    import archive
    from archive.errors import LogBusyError

    from .builders import Builder

    path = tmp_path / "log.db"
    build = Builder()
    SQLiteEventLog(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        before = file_digest(path)
        log = SQLiteEventLog(path, busy_timeout=0.2)
        arc = archive.Archive(log)
        with pytest.raises(LogBusyError) as info:
            arc.append([build.entity("khrushchev")])
        assert "write lock" in str(info.value) and isinstance(info.value, TimeoutError)
        assert file_digest(path) == before
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    arc.append([build.entity("khrushchev")])  # the lock is free again: the retry lands
    assert [e.TYPE for e in arc.events()] == ["EntityRecorded"]
    log.close()


_KEY = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stored=st.lists(_KEY, unique=True, max_size=8), absent=st.lists(_KEY, max_size=8))
def test_lookups_of_many_keys_find_exactly_the_stored_ones(tmp_path_factory, stored, absent):
    """Keys go to SQLite as one JSON array: any text (quotes, backslashes, non-BMP) must match itself."""
    absent = [k for k in absent if k not in stored]
    path = tmp_path_factory.mktemp("keys") / "log.db"
    with SQLiteEventLog(path) as log:
        blobs = {blob_id(k.encode()): k.encode() for k in stored}
        log.append([NewEvent(f"id-{k}", f"s-{k}", "EntityRecorded", 1, b"{}") for k in stored], blobs=blobs)
        asked = stored + absent + stored[:1]  # a repeated key is answered once
        assert log.stream_versions([f"s-{k}" for k in asked]) == {f"s-{k}": int(k in stored) for k in asked}
        assert set(log.get_events([f"id-{k}" for k in asked])) == {f"id-{k}" for k in stored}
        assert log.has_blobs([blob_id(k.encode()) for k in asked]) == set(blobs)


def test_lookups_take_more_keys_than_sqlite_has_host_parameters(tmp_path):
    keys = [f"k{i}" for i in range(40_000)]  # beyond SQLite's default limit of 32,766 parameters
    with SQLiteEventLog(tmp_path / "log.db") as log:
        log.append([NewEvent(f"id-{k}", f"s-{k}", "EntityRecorded", 1, b"{}") for k in keys[::1000]])
        versions = log.stream_versions([f"s-{k}" for k in keys])
    assert sum(versions.values()) == 40 and len(versions) == 40_000


def test_the_database_refuses_to_replace_an_events_stream_version(tmp_path):
    # INSERT OR REPLACE at a new position and id, but an existing stream version: the trigger's third clause.
    path = tmp_path / "log.db"
    build_log(path)
    before = table_rows(path)
    stream, version = before["events"][0][2], before["events"][0][3]
    conn = raw(path)
    try:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute("INSERT OR REPLACE INTO events VALUES (99, 'forged', ?, ?, 't', 1, '{}', 'h', 'p')",
                         (stream, version))
    finally:
        conn.close()
    assert table_rows(path) == before
