"""What the log's own writes cost, by kind of id and by guarantee: bare inserts into the log's schema.

Inserts N made-up claim rows (a 550-byte payload, chain-hash-sized hashes) into a new
log, 1,000 per transaction, WAL and ``synchronous=FULL`` as the log runs, and prints
the seconds. Nothing is parsed, validated or hashed: this is the least any append of
N events into that schema could cost.

* ``--ids time``: event and claim ids are UUID 7 (``archive.ids``), 8 per millisecond;
  ``--ids random``: UUID 4, as ids made elsewhere would be.
* ``--schema as-is``: the log's schema (``archive.log.sqlite``); ``no-trigger``: without
  the trigger that refuses ``INSERT OR REPLACE``; ``bare``: without that trigger and
  without the unique index on event ids.

Example::

    python -m benchmarks.log_writes 1000000 --ids random --schema as-is
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from archive.ids import time_ordered_uuid
from archive.log.sqlite import _SCHEMA

BATCH = 1000
SCHEMAS = ("as-is", "no-trigger", "bare")
_TRIGGER = "CREATE TRIGGER events_are_never_replaced"


def schema(kind: str) -> str:
    """The log's schema, or a variant with fewer guarantees."""
    text = _SCHEMA
    if kind in ("no-trigger", "bare"):
        start = text.index(_TRIGGER)
        text = text[:start] + text[text.index("END;", start) + len("END;"):]
    if kind == "bare":
        text = text.replace("event_id TEXT NOT NULL UNIQUE", "event_id TEXT NOT NULL")
    return text


def measure(path: Path, n_events: int, ids: str, kind: str, seed: int = 1) -> float:
    """Seconds to insert ``n_events`` rows into a new log at ``path``."""
    rng = random.Random(seed)
    start_ms = 1_767_225_600_000  # 2026-01-01

    def new_id(position: int) -> str:
        if ids == "random":
            return str(uuid.UUID(int=rng.getrandbits(128), version=4))
        return time_ordered_uuid(start_ms + position // 8, position % 8, rng.getrandbits(62))  # as new_id: increasing

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in schema(kind).split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        payload, digest = "x" * 550, "0" * 64
        elapsed, position = 0.0, 0
        while position < n_events:
            rows = []
            for _ in range(min(BATCH, n_events - position)):
                position += 1
                rows.append((position, new_id(position), f"claim:{new_id(position)}", 1, "ClaimRecorded", 3,
                             payload, digest, digest))
            started = time.perf_counter()  # only the writes are timed, not making the rows
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
            elapsed += time.perf_counter() - started
        return elapsed
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Example: python -m benchmarks.log_writes 1000000 --ids random")
    parser.add_argument("events", type=int)
    parser.add_argument("--ids", choices=("time", "random"), default="time")
    parser.add_argument("--schema", choices=SCHEMAS, default="as-is")
    parser.add_argument("--dir", type=Path, help="where the temporary log goes (default: the system's temp dir)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        seconds = measure(Path(scratch) / "log.db", args.events, args.ids, args.schema)
    print(f"{args.events} events, {args.ids} ids, schema {args.schema}: {seconds:.2f} s")


if __name__ == "__main__":
    main()
