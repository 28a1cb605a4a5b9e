"""Whole-log scans for :func:`archive.verify.verify`: every row, and the streams whose versions break.

Verify reads every event of the log. Through :meth:`EventLog.read` that costs
an object per event, and checking stream versions in one pass costs a dict of
every stream's last version (memory that grows with the archive). A backend
can do both faster: hand over plain row tuples in batches, and find broken
version sequences with its own index. :func:`scanner` gives the SQLite log's
fast scan, and for any other :class:`EventLog` one built on the interface alone.

(The SQLite half belongs with :class:`SQLiteEventLog`; it lives here, in a file
of its own, until it moves into that class as two methods.)
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, Protocol

from .base import EventLog
from .sqlite import _COLUMNS, SQLiteEventLog

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

    def broken_streams(self, *, upto: int) -> Iterator[str]:
        last: dict[str, int] = {}
        broken: set[str] = set()
        for e in self.log.read(upto=upto):
            if e.stream_version != last.get(e.stream_id, 0) + 1:
                broken.add(e.stream_id)
            last[e.stream_id] = e.stream_version
        yield from sorted(broken)


class _SQLiteScanner:
    """The SQLite log: rows straight from its cursor, stream versions from its (stream_id, stream_version) index."""

    def __init__(self, log: SQLiteEventLog, batch_size: int = 4096):
        self.conn = log._conn
        self.path = log.path
        self.batch_size = batch_size

    def rows(self, *, after: int = 0, upto: int) -> Iterator[list[Row]]:
        return self._pages(_COLUMNS, after, upto)

    def payloads(self, *, after: int = 0, upto: int) -> Iterator[list[tuple[int, bytes]]]:
        return self._pages("position, CAST(payload AS BLOB)", after, upto)

    def _pages(self, columns: str, after: int, upto: int) -> Iterator[list[tuple]]:
        # Paged by position, like SQLiteEventLog.read, so no cursor stays open across batches.
        position = after
        while position < upto:
            batch = self.conn.execute(
                f"SELECT {columns} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?",
                (position, upto, self.batch_size),
            ).fetchall()
            if not batch:
                return
            yield batch
            position = batch[-1][0]

    def broken_streams(self, *, upto: int) -> Iterator[str]:
        # In (stream_id, stream_version) order -- the UNIQUE index, which also holds the position (the
        # rowid), so this reads the index alone -- a stream is sound exactly when each version is the one
        # before plus one, starting at 1, and each comes at a later position than the one before (then
        # its versions in position order are 1, 2, 3… too).
        cursor = self.conn.execute(
            """
            SELECT DISTINCT stream_id FROM (
              SELECT stream_id, stream_version, position,
                     LAG(stream_version, 1, 0) OVER w AS previous_version,
                     LAG(position, 1, 0) OVER w AS previous_position
              FROM events WHERE position <= ?
              WINDOW w AS (PARTITION BY stream_id ORDER BY stream_version)
            )
            WHERE stream_version != previous_version + 1 OR position < previous_position
            """,
            (upto,),
        )
        for (stream_id,) in cursor:
            yield stream_id


def scanner(log: EventLog) -> LogScanner:
    """The fastest scan ``log`` offers."""
    if isinstance(log, SQLiteEventLog):
        return _SQLiteScanner(log)
    return _InterfaceScanner(log)
