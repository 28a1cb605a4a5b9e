"""One measured operation, in a process of its own.

``python -m benchmarks.worker OP --bundle DIR --work DIR [...]`` runs one
operation on the files of one size, times the operation itself (not Python's
start-up, not the imports, not the copying of input files) and prints one line
of JSON on stdout::

    {"op": "rebuild", "samples": [12.3], "events": 100000, "peak_rss_kib": 81234, ...}

``samples`` are wall-clock seconds: one per run, or one per event for the
operations that time single events (``append_single``, ``es_single``,
``update_one``); ``cpu_samples`` the CPU seconds (user + system) of the same
sections, which other processes competing for the cores inflate much less.
``peak_rss_kib`` is this process's own peak resident set (``VmHWM``), so what
the parent did before — generating the bundle — does not count.

The rebuild and ``verify`` of big logs start a second process of their own
(:mod:`archive._child`). Its CPU time is added to ``cpu_samples`` (it is work
the operation does); its peak resident set is reported apart, as
``child_peak_rss_kib`` (``ru_maxrss`` of the waited-for children: an upper
bound, since a forked child starts with its parent's resident set; 0 when the
operation started no process).

The files of one size live in the work directory: ``log.db`` (written by
``append_batched``, read by the others), ``catalogue.db`` (written by
``rebuild``), ``es.db`` (written by ``es_batched``).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

BATCH = 1000
LOG, CATALOGUE, ES_DB = "log.db", "catalogue.db", "es.db"


def _peak_rss_kib() -> int:
    """This process's peak resident set, in KiB.

    On Linux, from ``VmHWM`` in /proc/self/status: the high-water mark of this
    process's own memory since it was exec'd. ``getrusage``'s ``ru_maxrss``
    would not do there: a child started by fork (or vfork) and exec keeps the
    larger of its own peak and its parent's resident set at the fork.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def _children_cpu() -> float:
    """CPU seconds (user + system) of this process's children that have ended and been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _remove_db(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _copy_db(source: Path, target: Path) -> None:
    """Copy a database file (after checkpointing its WAL so the copy is whole), and flush it to disk.

    Unflushed, the copy's pages wait in the OS's cache, and the first fsync of a timed operation writes
    them all: 0.4 s for the first update of a copied million-event catalogue, nothing a user would see.
    """
    _remove_db(target)
    conn = sqlite3.connect(source)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    shutil.copyfile(source, target)
    with open(target, "rb+") as copied:
        os.fsync(copied.fileno())


def _batches(bundle: Path) -> Iterator[list[bytes]]:
    """The lines of the bundle's events.jsonl, BATCH at a time (streamed: never the whole file)."""
    batch: list[bytes] = []
    with open(bundle / "events.jsonl", "rb") as lines:
        for line in lines:
            batch.append(line)
            if len(batch) == BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


class _Timer:
    def __init__(self, profile: str | None):
        self.profile = profile
        self.profiler = None

    def __enter__(self) -> "_Timer":
        if self.profile:
            import cProfile

            self.profiler = cProfile.Profile()
            self.profiler.enable()
        self.cpu_start = time.process_time() + _children_cpu()
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.start
        self.cpu = time.process_time() + _children_cpu() - self.cpu_start
        if self.profiler is not None:
            self.profiler.disable()
            self.profiler.dump_stats(self.profile)


# -- the archive's operations ------------------------------------------------------------------------------

def append_batched(args) -> dict:
    """Build the log from the bundle by appending 1,000 events per call (validated, hash-chained, durable)."""
    import archive

    log = args.work / LOG
    _remove_db(log)
    sources = args.bundle / "sources"
    count = 0
    with archive.open(log) as arc, _Timer(args.profile) as timer:
        for lines in _batches(args.bundle):
            events = [json.loads(line) for line in lines]
            blobs = {e["source_id"]: (sources / e["filename"]).read_bytes()
                     for e in events if e["type"] == "SourceRecorded"}
            count += len(arc.append(events, blobs=blobs).stored)
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": count}


def import_bundle(args) -> dict:
    """``archive import``: the whole bundle in one atomic append, into a new log."""
    import archive
    from archive.bundle import import_bundle as run_import

    log = args.work / "imported.db"
    _remove_db(log)
    try:
        with archive.open(log) as arc, _Timer(args.profile) as timer:
            result = run_import(arc, args.bundle)
    finally:
        _remove_db(log)
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": len(result.stored)}


def rebuild(args) -> dict:
    """``archive rebuild``: the whole catalogue from the log."""
    import archive
    from archive.catalogue import rebuild as run_rebuild

    with archive.open(args.work / LOG, create=False) as arc, _Timer(args.profile) as timer:
        result = run_rebuild(arc.log, args.work / CATALOGUE)
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": result.applied}


def _fresh_claims(arc, count: int, salt: str, bundle: Path) -> list:
    """``count`` new valid claims about entities and sources already in the log (deterministic).

    Their ids are made as the log's were (the bundle's kind of ids), later than all of them.
    """
    import random

    from benchmarks import synth

    from archive.model import ClaimDate, ClaimRecorded
    from archive.text import make_selector

    ids = synth.bundle_ids(bundle)
    conn = arc.log._conn
    sources = [r[0] for r in conn.execute(
        "SELECT json_extract(payload, '$.source_id') FROM events WHERE type = 'SourceRecorded' ORDER BY position"
        " LIMIT 50")]
    people = [r[0] for r in conn.execute(
        "SELECT json_extract(payload, '$.entity_id') FROM events WHERE type = 'EntityRecorded' ORDER BY position"
        " LIMIT 200")]
    rng = random.Random(salt)
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"archive-benchmarks/extra/{salt}")
    moment = datetime(2027, 1, 1, tzinfo=timezone.utc)
    texts = {s: arc.source_text(s) for s in sources}
    claims = []
    for i in range(count):
        source_id = sources[i % len(sources)]
        text = texts[source_id]
        start = text.find(" ", rng.randrange(len(text) // 2)) + 1
        quote = text[start: text.find(" ", start + 30)].strip()
        occurrence = text.count(quote, 0, start) + 1
        recorded_at = moment + timedelta(seconds=i)
        claims.append(ClaimRecorded(
            event_id=synth.make_id(namespace, f"event/{i}", recorded_at, ids), recorded_at=recorded_at,
            curator="benchmark", claim_id=synth.make_id(namespace, f"claim/{i}", recorded_at, ids),
            subject_id=rng.choice(people),
            predicate="held_office", source_id=source_id,
            selector=make_selector(text, quote, occurrence=occurrence), object_literal="benchmark office",
            date=ClaimDate(as_written=f"in {1900 + i % 90}", edtf=str(1900 + i % 90)),
        ))
    return claims


def append_single(args) -> dict:
    """One event per append, each durable (its own transaction, synchronous=FULL), on a copy of the N-event log."""
    import archive

    log = args.work / "single.db"
    _copy_db(args.work / LOG, log)
    samples, cpu = [], []
    try:
        with archive.open(log) as arc:
            claims = _fresh_claims(arc, args.count, "single", args.bundle)
            arc.append(claims[:1])  # the first append warms the caches a long-running writer has warm
            profiler = None
            if args.profile:  # one profile of all the timed appends together
                import cProfile

                profiler = cProfile.Profile()
            for claim in claims[1:]:
                with _Timer(None) as timer:
                    if profiler is not None:
                        profiler.enable()
                    arc.append([claim])
                    if profiler is not None:
                        profiler.disable()
                samples.append(timer.seconds)
                cpu.append(timer.cpu)
            if profiler is not None:
                profiler.dump_stats(args.profile)
    finally:
        _remove_db(log)
    return {"samples": samples, "cpu_samples": cpu, "events": len(samples)}


def update_one(args) -> dict:
    """``archive update`` after one new event, on copies of the N-event log and its catalogue."""
    import archive
    from archive.catalogue import update

    log, catalogue = args.work / "update-log.db", args.work / "update-catalogue.db"
    _copy_db(args.work / LOG, log)
    _copy_db(args.work / CATALOGUE, catalogue)
    samples, cpu = [], []
    try:
        with archive.open(log) as arc:
            for claim in _fresh_claims(arc, args.count, "update", args.bundle):
                arc.append([claim])
                with _Timer(args.profile if not samples else None) as timer:
                    result = update(arc.log, catalogue)
                assert result.applied == 1, result
                samples.append(timer.seconds)
                cpu.append(timer.cpu)
    finally:
        _remove_db(log)
        _remove_db(catalogue)
    return {"samples": samples, "cpu_samples": cpu, "events": 1}


def verify(args) -> dict:
    """``archive verify``: every hash, position, stream version and document recomputed."""
    import archive

    with archive.open(args.work / LOG, create=False) as arc, _Timer(args.profile) as timer:
        report = arc.verify()
    assert report.ok, report.problems[:3]
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": report.events}


def export(args) -> dict:
    """``archive export``: the log back out as a bundle."""
    import archive
    from archive.bundle import export_bundle

    out = args.work / "exported"
    shutil.rmtree(out, ignore_errors=True)
    try:
        with archive.open(args.work / LOG, create=False) as arc, _Timer(args.profile) as timer:
            count = export_bundle(arc, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": count}


# -- the floor ---------------------------------------------------------------------------------------------

def floor(args) -> dict:
    """The least any rebuild can do: read the claim payloads, json.loads, executemany into the claims table.

    Same DDL as the catalogue's claims table (read from a built catalogue),
    same indexes created after the load, same pragmas as a rebuild (journal
    and sync off on a fresh file). Entity labels come from a dict filled from
    the EntityRecorded events; date bounds from archive.dates.bounds (cached).
    No FTS, no other table, no merges, no lifecycle updates.
    """
    from archive.dates import bounds

    catalogue = sqlite3.connect(args.work / CATALOGUE)
    try:
        ddl = catalogue.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'claims'").fetchone()[0]
        indexes = [r[0] for r in catalogue.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claims' AND sql IS NOT NULL")]
    finally:
        catalogue.close()
    target = args.work / "floor.db"
    _remove_db(target)
    log = sqlite3.connect(f"file:{args.work / LOG}?mode=ro", uri=True)
    out = sqlite3.connect(target, isolation_level=None)
    count = 0
    try:
        with _Timer(args.profile) as timer:
            out.execute("PRAGMA journal_mode = OFF")
            out.execute("PRAGMA synchronous = OFF")
            out.execute(ddl)
            columns = [r[1] for r in out.execute("PRAGMA table_info(claims)")]
            insert = f"INSERT INTO claims ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            labels: dict[str, str] = {}
            rows: list[tuple] = []
            out.execute("BEGIN")
            for position, kind, payload in log.execute("SELECT position, type, payload FROM events ORDER BY position"):
                if kind == "EntityRecorded":
                    data = json.loads(payload)
                    labels[data["entity_id"]] = data["label"]
                    continue
                if kind != "ClaimRecorded":
                    continue
                data = json.loads(payload)
                sel, date, obj = data["selector"], data.get("date"), data.get("object_id")
                span = bounds(date["edtf"]) if date else None
                rows.append((
                    data["claim_id"], data["subject_id"], data["subject_id"], labels[data["subject_id"]],
                    data["predicate"], obj, obj, labels.get(obj), data.get("object_literal"),
                    date and date["as_written"], date and date["edtf"], date and date.get("calendar", "gregorian"),
                    date and date.get("original"), span and span.earliest, span and span.latest,
                    data["source_id"], sel["exact"], sel.get("prefix", ""), sel.get("suffix", ""), sel["start"],
                    sel["end"], data.get("note"), data.get("voice", "author"), data.get("speaker"),
                    data.get("speaker_id"), data.get("cited_work_id"), "asserted", None, "normal", None,
                    data["curator"], data["recorded_at"], position,
                ))
                if len(rows) == 5000:
                    out.executemany(insert, rows)
                    count += len(rows)
                    rows.clear()
            out.executemany(insert, rows)
            count += len(rows)
            out.execute("COMMIT")
            for sql in indexes:
                out.execute(sql)
    finally:
        out.close()
        log.close()
        _remove_db(target)
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": count}


_EVENT_COLUMNS = "position, event_id, stream_id, stream_version, type, version, payload, hash, prev_hash"


def append_floor(args) -> dict:
    """The least a batched append into the log can cost: the log's own INSERTs of the rows, nothing else.

    The N events' stored rows -- positions, ids, payloads and chain hashes already
    made, so no parsing, validation, encoding or hashing -- and their documents
    are read from the built log, and inserted 1,000 events per transaction into a
    new log file: the same schema, indexes and append-only triggers, WAL,
    synchronous=FULL, through the log's own connection. Only the INSERTs and the
    COMMITs are timed. No append of these events into this log can be faster, so
    this over eventsourcing's time bounds what ``append_batched`` can reach.
    """
    from archive.log.sqlite import SQLiteEventLog

    target = args.work / "append-floor.db"
    _remove_db(target)
    source = sqlite3.connect(f"file:{args.work / LOG}?mode=ro", uri=True)
    seconds = cpu = 0.0
    count = 0
    insert = f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({', '.join('?' * 9)})"
    try:
        with SQLiteEventLog(target) as log:
            conn = log._conn
            position = 0
            while True:
                rows = source.execute(f"SELECT {_EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position"
                                      " LIMIT ?", (position, BATCH)).fetchall()
                if not rows:
                    break
                position = rows[-1][0]
                ids = [json.loads(r[6])["source_id"] for r in rows if r[4] == "SourceRecorded"]
                documents = [source.execute("SELECT source_id, content FROM sources WHERE source_id = ?",
                                            (i,)).fetchone() for i in ids]
                with _Timer(None) as timer:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.executemany(insert, rows)
                    conn.executemany("INSERT INTO sources (source_id, content) VALUES (?, ?)", documents)
                    conn.execute("COMMIT")
                seconds += timer.seconds
                cpu += timer.cpu
                count += len(rows)
    finally:
        source.close()
        _remove_db(target)
    return {"samples": [seconds], "cpu_samples": [cpu], "events": count}


# -- eventsourcing -----------------------------------------------------------------------------------------

def _es_recorder(path: Path, kind: str):
    from eventsourcing.sqlite import SQLiteAggregateRecorder, SQLiteApplicationRecorder, SQLiteDatastore

    datastore = SQLiteDatastore(str(path))
    cls = SQLiteApplicationRecorder if kind == "application" else SQLiteAggregateRecorder
    recorder = cls(datastore)
    recorder.create_table()
    return datastore, recorder


def _originator_id(stream: str, first_recorded_at: str, ids: str) -> uuid.UUID:
    """The aggregate id eventsourcing gets for a stream, ordered as the archive's ids are.

    A claim's stream gets its claim id (time-ordered or not, as the log's); any other stream
    a UUID 7 of its first event's time (or, with random ids, a UUID 5 of its name). The
    archive's own entity and source streams are slugs and content hashes, so eventsourcing's
    index gets ids at least as well ordered as the log's.
    """
    kind, _, key = stream.partition(":")
    if kind == "claim":
        try:
            return uuid.UUID(key)
        except ValueError:
            pass
    from benchmarks import synth

    moment = datetime.fromisoformat(first_recorded_at.replace("Z", "+00:00"))
    return uuid.UUID(synth.make_id(uuid.NAMESPACE_URL, stream, moment, ids))


def _es_events(lines: list[bytes], versions: dict[str, tuple[uuid.UUID, int]], ids: str) -> list:
    """The same events as eventsourcing StoredEvents: one aggregate per stream, the same payload bytes."""
    from eventsourcing.persistence import StoredEvent

    from archive.codec import stream_id_of

    stored = []
    for line in lines:
        data = json.loads(line)
        stream = stream_id_of(data)
        known = versions.get(stream)
        originator, version = ((_originator_id(stream, data["recorded_at"], ids), 1) if known is None
                               else (known[0], known[1] + 1))
        versions[stream] = (originator, version)
        stored.append(StoredEvent(originator_id=originator, originator_version=version,
                                  topic=f"archive.model:{data['type']}", state=line.rstrip(b"\n")))
    return stored


def es_batched(args) -> dict:
    """eventsourcing's SQLite recorder: the same events, 1,000 per insert_events call."""
    path = args.work / f"es-{args.recorder}.db"
    _remove_db(path)
    datastore, recorder = _es_recorder(path, args.recorder)
    versions: dict[str, tuple[uuid.UUID, int]] = {}
    from benchmarks import synth

    ids = synth.bundle_ids(args.bundle)
    count = 0
    try:
        with _Timer(args.profile) as timer:
            for lines in _batches(args.bundle):
                events = _es_events(lines, versions, ids)
                recorder.insert_events(events)
                count += len(events)
        with datastore.transaction(commit=False) as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = cursor.fetchone()[0]
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
    finally:
        datastore.close()
    return {"samples": [timer.seconds], "cpu_samples": [timer.cpu], "events": count, "synchronous": synchronous,
            "journal_mode": journal}


def es_single(args) -> dict:
    """eventsourcing's SQLite recorder: one event per insert_events call, on a copy of its N-event database."""
    from eventsourcing.persistence import StoredEvent

    path = args.work / f"es-{args.recorder}-single.db"
    _copy_db(args.work / f"es-{args.recorder}.db", path)
    datastore, recorder = _es_recorder(path, args.recorder)
    samples, cpu = [], []
    try:
        import archive
        from archive.codec import encode

        with archive.open(args.work / LOG, create=False) as arc:
            claims = _fresh_claims(arc, args.count, "single", args.bundle)
        for index, claim in enumerate(claims):
            event = StoredEvent(originator_id=uuid.UUID(claim.claim_id), originator_version=1,
                                topic="archive.model:ClaimRecorded", state=encode(claim))
            with _Timer(None) as timer:
                recorder.insert_events([event])
            if index:  # as for the archive, the first one warms up
                samples.append(timer.seconds)
                cpu.append(timer.cpu)
    finally:
        datastore.close()
        _remove_db(path)
    return {"samples": samples, "cpu_samples": cpu, "events": len(samples)}


def single_paired(args) -> dict:
    """The archive's and eventsourcing's one-event appends taken in turns, so both see the same disk.

    A durable append waits for one fsync, whose latency on a shared machine
    swings by several times from one minute to the next; timing the two
    libraries minutes apart compares the disk's moods, not the libraries.
    Here each round appends one claim to a copy of the N-event log, then the
    same claim's bytes to copies of eventsourcing's N-event databases, and
    ``fsync_samples`` times a bare 4 KiB write + fsync in the same directory.
    ``floor_samples`` time the log's own part alone: the same claim's stored row
    (payload, position and chain hash made beforehand) inserted and committed
    into another copy of the log, which no append into the log can beat.
    """
    from archive.log.base import Head, chain_hash
    from archive.log.sqlite import SQLiteEventLog
    import archive
    from eventsourcing.persistence import StoredEvent

    from archive.codec import encode

    log = args.work / "paired.db"
    _copy_db(args.work / LOG, log)
    stores = {}
    for kind in ("application", "aggregate"):
        path = args.work / f"paired-es-{kind}.db"
        _copy_db(args.work / f"es-{kind}.db", path)
        stores[kind] = (path, *_es_recorder(path, kind))
    floor_path = args.work / "paired-floor.db"
    _copy_db(args.work / LOG, floor_path)
    samples: dict[str, list[float]] = {"archive": [], "application": [], "aggregate": [], "floor": [], "fsync": []}
    cpu: dict[str, list[float]] = {"archive": [], "application": [], "aggregate": [], "floor": []}
    probe = args.work / "fsync-probe.bin"
    insert = f"INSERT INTO events ({_EVENT_COLUMNS}) VALUES ({', '.join('?' * 9)})"
    try:
        with archive.open(log) as arc, SQLiteEventLog(floor_path) as floor_log, open(probe, "wb") as handle:
            claims = _fresh_claims(arc, args.count, "paired", args.bundle)
            head = floor_log.head()
            for index, claim in enumerate(claims):
                with _Timer(None) as timer:
                    arc.append([claim])
                timings = [("archive", timer)]
                event = StoredEvent(originator_id=uuid.UUID(claim.claim_id), originator_version=1, topic="archive.model:ClaimRecorded", state=encode(claim))
                for kind, (_, _, recorder) in stores.items():
                    with _Timer(None) as timer:
                        recorder.insert_events([event])
                    timings.append((kind, timer))
                payload = encode(claim)
                position = head.position + 1
                digest = chain_hash(position, claim.stream_id, 1, head.hash, payload)
                row = (position, claim.event_id, claim.stream_id, 1, claim.TYPE, claim.VERSION,
                       payload.decode("utf-8"), digest, head.hash)
                with _Timer(None) as timer:
                    floor_log._conn.execute("BEGIN IMMEDIATE")
                    floor_log._conn.execute(insert, row)
                    floor_log._conn.execute("COMMIT")
                timings.append(("floor", timer))
                head = Head(position, digest)
                with _Timer(None) as timer:
                    handle.write(b"\0" * 4096)
                    handle.flush()
                    os.fsync(handle.fileno())
                if index:  # the first round warms up
                    for kind, t in timings:
                        samples[kind].append(t.seconds)
                        cpu[kind].append(t.cpu)
                    samples["fsync"].append(timer.seconds)
    finally:
        for path, datastore, _ in stores.values():
            datastore.close()
            _remove_db(path)
        _remove_db(log)
        _remove_db(floor_path)
        probe.unlink(missing_ok=True)
    return {"samples": samples["archive"], "cpu_samples": cpu["archive"], "events": len(samples["archive"]),
            "es_application": samples["application"], "es_application_cpu": cpu["application"],
            "es_aggregate": samples["aggregate"], "es_aggregate_cpu": cpu["aggregate"],
            "floor_samples": samples["floor"], "floor_cpu": cpu["floor"], "fsync_samples": samples["fsync"]}


def idle(args) -> dict:
    """Nothing: the peak RSS of a worker that only imported archive (and eventsourcing if installed)."""
    import archive  # noqa: F401
    import archive.bundle  # noqa: F401
    import archive.catalogue  # noqa: F401

    try:
        import eventsourcing.sqlite  # noqa: F401
    except ImportError:
        pass
    return {"samples": [0.0], "cpu_samples": [0.0], "events": 0}


OPS: dict[str, Callable[[argparse.Namespace], dict]] = {
    "append_batched": append_batched,
    "append_single": append_single,
    "import_bundle": import_bundle,
    "rebuild": rebuild,
    "update_one": update_one,
    "verify": verify,
    "export": export,
    "floor": floor,
    "append_floor": append_floor,
    "es_batched": es_batched,
    "es_single": es_single,
    "single_paired": single_paired,
    "idle": idle,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("op", choices=sorted(OPS))
    parser.add_argument("--bundle", type=Path)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--count", type=int, default=50, help="events for the per-event operations")
    parser.add_argument("--recorder", choices=("application", "aggregate"), default="application")
    parser.add_argument("--profile", help="write cProfile stats of the timed section to this file")
    args = parser.parse_args(argv)
    if args.work is not None:
        args.work.mkdir(parents=True, exist_ok=True)
    result = OPS[args.op](args)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result.update(op=args.op, peak_rss_kib=_peak_rss_kib(),
                  child_peak_rss_kib=children // 1024 if sys.platform == "darwin" else children)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
