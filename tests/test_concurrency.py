"""Several processes on one log at once (issue 7).

Writers append to their own streams and race on one shared stream with
optimistic concurrency: a writer reads the stream's version, appends with
``expected_version``, and on :class:`ConcurrencyError` re-reads and retries.
Meanwhile a reader rebuilds the catalogue again and again. Afterwards: no
event lost or duplicated, positions gap-free, the shared stream's versions
run 1..n with every writer's contributions, ``verify`` passes, and every
catalogue the reader built is exactly the catalogue of some prefix of the log.

The log uses WAL (readers never block the writer, the writer never blocks
readers) and a busy timeout of 30 s (writers queue for the write lock instead
of failing); see docs/guarantees.md.
"""

from __future__ import annotations

import multiprocessing
import random
import sqlite3
import time
from pathlib import Path

import archive
from archive.catalogue import rebuild, status
from archive.errors import ConcurrencyError

from .builders import Builder, catalogue_content

WRITERS = 3
ROUNDS = 15


def _writer(log_path: str, number: int, queue, barrier) -> None:
    build = Builder(seed=f"writer-{number}")
    think = random.Random(number)
    conflicts = 0
    with archive.open(log_path) as arc:
        barrier.wait()
        for round_ in range(ROUNDS):
            # its own stream: no contention beyond the write lock
            arc.append([build.entity(f"w{number}-e{round_}")])
            # the shared stream: read, then append expecting that version; retry on conflict
            while True:
                version = arc.log.stream_versions(["entity:shared"])["entity:shared"]
                name = build.name("shared", f"name {number}-{round_}")
                time.sleep(think.uniform(0, 0.01))  # a curator reads, thinks, then writes
                try:
                    arc.append([name], expected_version=version)
                    break
                except ConcurrencyError:
                    conflicts += 1
    queue.put(conflicts)


def _reader(log_path: str, work: str, stop, queue) -> None:
    built = []
    with archive.open(log_path, create=False) as arc:
        n = 0
        while not stop.is_set() and n < 40:
            target = Path(work) / f"seen-{n}.db"
            result = rebuild(arc.log, target)
            built.append((str(target), result.position))
            n += 1
    queue.put(built)


def test_writers_and_a_reader_at_once(tmp_path):
    log = tmp_path / "archive.db"
    with archive.open(log) as arc:
        arc.append([Builder(seed="setup").entity("shared")])
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    reader = context.Process(target=_reader, args=(str(log), str(tmp_path), stop, queue))
    barrier = context.Barrier(WRITERS)
    writers = [context.Process(target=_writer, args=(str(log), n, queue, barrier)) for n in range(WRITERS)]
    reader.start()
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
        assert writer.exitcode == 0
    stop.set()
    reader.join(120)
    assert reader.exitcode == 0
    results = [queue.get(timeout=10) for _ in range(WRITERS + 1)]
    built = next(r for r in results if isinstance(r, list))
    conflicts = sum(r for r in results if isinstance(r, int))

    with archive.open(log) as arc:
        stored = list(arc.stored_events())
        assert [s.position for s in stored] == list(range(1, len(stored) + 1))
        assert len(stored) == 1 + WRITERS * ROUNDS * 2
        assert len({s.event_id for s in stored}) == len(stored)
        shared = arc.log.read_stream("entity:shared")
        assert [s.stream_version for s in shared] == list(range(1, 1 + WRITERS * ROUNDS + 1))
        names = sorted(e.name for e in arc.events() if isinstance(e, archive.NameRecorded))
        assert names == sorted(f"name {n}-{r}" for n in range(WRITERS) for r in range(ROUNDS))
        assert arc.verify().ok
        # every catalogue the reader saw is the catalogue of a prefix of the log: never partial
        for path, position in built[:10]:
            rebuild(arc.log, tmp_path / "prefix.db", as_of=position)
            assert status(path).position == position
            assert catalogue_content(Path(path)) == catalogue_content(tmp_path / "prefix.db")
    assert conflicts > 0, "the writers never raced: the test did not exercise optimistic concurrency"
    print(f"{WRITERS} writers, {len(stored)} events, {conflicts} optimistic-concurrency conflicts retried, "
          f"{len(built)} catalogues built while writing")


def test_a_long_reader_does_not_block_a_writer(tmp_path):
    log = tmp_path / "archive.db"
    build = Builder(seed="long-reader")
    with archive.open(log) as arc:
        arc.append([build.entity(f"e{i}") for i in range(50)])
    reader = sqlite3.connect(log)
    reader.execute("BEGIN")
    rows = reader.execute("SELECT count(*) FROM events").fetchone()  # a read transaction stays open
    started = time.perf_counter()
    with archive.open(log) as arc:
        arc.append([build.entity("written-while-read")])
    elapsed = time.perf_counter() - started
    assert reader.execute("SELECT count(*) FROM events").fetchone() == rows  # its snapshot is stable
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM events").fetchone() == (51,)
    reader.close()
    assert elapsed < 10  # not a timing claim: a blocked writer would wait the 30 s busy timeout
