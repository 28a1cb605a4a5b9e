"""Whole-log scans for :func:`archive.verify.verify`: every row, and the streams whose versions break.

Verify reads every event of the log. Through :meth:`EventLog.read` that costs
an object per event, and checking stream versions in one pass costs a dict of
every stream's last version (memory that grows with the archive). A backend
can do both faster: hand over plain row tuples in batches, and find broken
version sequences with its own index. :func:`scanner` gives the SQLite log's
fast scan (its own methods ``rows``, ``payloads`` and ``broken_streams``, whose
SQL stays in the backend), and for any other :class:`EventLog` one built on the
interface alone. A PostgreSQL log would offer its own the same way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

from .base import EventLog
from .sqlite import SQLiteEventLog

__all__ = ["LogScanner", "scanner"]

#: A row as verify reads it, in StoredEvent's field order:
#: (position, event_id, stream_id, stream_version, type, version, payload bytes, hash, prev_hash).
Row = tuple


class LogScanner(Protocol):
    #: Where another process can open the same log (``SQLiteEventLog(path)``), or None if it cannot.
    path: Path | None

    def rows(self, *, after: int = 0, upto: int) -> Iterator[list[Row]]:
        """Every event with ``after < position <= upto`` as row tuples, in position order, in batches."""
        ...

    def payloads(self, *, after: int = 0, upto: int) -> Iterator[list[tuple[int, bytes]]]:
        """(position, payload) of every event with ``after < position <= upto``, in position order, in batches."""
        ...

    def broken_streams(self, *, upto: int) -> Iterator[str]:
        """Every stream whose events up to ``upto``, in position order, do not have versions 1, 2, 3…

        A stream not listed is sound; a listed one is read again (``read_stream``) to say where.
        """
        ...

    def guard_problems(self) -> list[str]:
        """What the backend finds missing of its own protections against changing stored events.

        A backend that enforces append-only storage itself (the SQLite log's triggers, a PostgreSQL
        log's grants or rules) says here when that enforcement is gone; an empty list otherwise.
        """
        ...


class _InterfaceScanner:
    """Any backend, through the EventLog interface only."""

    path = None

    def __init__(self, log: EventLog, batch_size: int = 2000):
        self.log = log
        self.batch_size = batch_size

    def rows(self, *, after: int = 0, upto: int) -> Iterator[list[Row]]:
        batch: list[Row] = []
        for e in self.log.read(after=after, upto=upto):
            batch.append((e.position, e.event_id, e.stream_id, e.stream_version, e.type, e.version, e.payload,
                          e.hash, e.prev_hash))
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
        if batch:
            yield batch

    def payloads(self, *, after: int = 0, upto: int) -> Iterator[list[tuple[int, bytes]]]:
        for batch in self.rows(after=after, upto=upto):
            yield [(row[0], row[6]) for row in batch]

    def guard_problems(self) -> list[str]:
        return []  # the interface alone cannot see how a backend protects what it stores

    def broken_streams(self, *, upto: int) -> Iterator[str]:
        last: dict[str, int] = {}
        broken: set[str] = set()
        for e in self.log.read(upto=upto):
            if e.stream_version != last.get(e.stream_id, 0) + 1:
                broken.add(e.stream_id)
            last[e.stream_id] = e.stream_version
        yield from sorted(broken)


def scanner(log: EventLog) -> LogScanner:
    """The fastest scan ``log`` offers: its own (the SQLite log has one), else one over the interface."""
    if isinstance(log, SQLiteEventLog):
        return log
    return _InterfaceScanner(log)
