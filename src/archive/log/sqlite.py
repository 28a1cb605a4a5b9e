"""The SQLite event log: one file holds the events and the source documents.

Everything SQL-specific about the log lives here. The file is marked with an
``application_id`` so that a catalogue or some other database is not mistaken
for a log. Append-only is enforced by the database itself: triggers abort any
UPDATE or DELETE on ``events`` and ``sources``, whoever sends it, and
BEFORE INSERT triggers stop ``INSERT OR REPLACE`` (whose conflict resolution
deletes the old row without firing DELETE triggers) from overwriting a stored
event or document.

Writers take SQLite's write lock up front (``BEGIN IMMEDIATE``) so that
reading the head, checking stream versions and inserting happen as one
serialised step: positions are gap-free and two writers cannot both extend a
stream. WAL mode lets readers (a rebuild, a browser) read while a writer
appends; ``synchronous=FULL`` makes a returned append durable.

:meth:`SQLiteEventLog.transaction` holds that lock across several reads and
appends (the archive validates a batch under it; an import appends a bundle
chunk by chunk under it and commits once). Inside it the log remembers the
head, and the ids and stream versions read since the last append, so an
append does not read again what the validator has just read: nobody else can
change them while we hold the lock.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sqlite3
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from ..errors import ArchiveError, LogBusyError
from ..safety import resolve_target
from .base import GENESIS_HASH, AppendResult, Head, NewEvent, StoredEvent, check_blobs, plan_append

__all__ = ["SQLiteEventLog", "APPLICATION_ID", "FORMAT_VERSION"]

#: "ARCL" — marks a file as an archive event log.
APPLICATION_ID = 0x4152434C
FORMAT_VERSION = 1
#: How long a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_MS = 30_000
# Many keys are looked up as one JSON array parameter, not as "IN (?, ?, ...)": a list of
# host parameters makes a new statement for every length, and sqlite3's statement cache
# then holds a hundred big ones (a million-event import grew by megabytes) and prepares
# most lookups anew. One shape, one cached statement, and no limit on host parameters.
_KEYS = "(SELECT value FROM json_each(?))"

_SCHEMA = f"""
CREATE TABLE events (
    position INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    stream_id TEXT NOT NULL,
    stream_version INTEGER NOT NULL,
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    payload TEXT NOT NULL,
    hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE sources (
    source_id TEXT PRIMARY KEY,
    content BLOB NOT NULL
);
CREATE TABLE _log_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
INSERT INTO _log_meta (key, value) VALUES ('format_version', '{FORMAT_VERSION}');
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'archive: events are append-only; append a correction instead'); END;
CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'archive: events are append-only; append a retraction instead'); END;
CREATE TRIGGER events_are_never_replaced BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE position = NEW.position OR event_id = NEW.event_id
             OR (stream_id = NEW.stream_id AND stream_version = NEW.stream_version))
BEGIN SELECT RAISE(ABORT, 'archive: events are append-only; an event already holds this position, id or stream version'); END;
CREATE TRIGGER sources_are_never_replaced BEFORE INSERT ON sources
WHEN EXISTS (SELECT 1 FROM sources WHERE source_id = NEW.source_id)
BEGIN SELECT RAISE(ABORT, 'archive: source documents are immutable; this one is already stored'); END;
CREATE TRIGGER sources_are_immutable_update BEFORE UPDATE ON sources
BEGIN SELECT RAISE(ABORT, 'archive: source documents are immutable; record a derived source instead'); END;
CREATE TRIGGER sources_are_immutable_delete BEFORE DELETE ON sources
BEGIN SELECT RAISE(ABORT, 'archive: source documents are immutable'); END;
PRAGMA application_id = {APPLICATION_ID};
"""

_COLUMNS = "position, event_id, stream_id, stream_version, type, version, CAST(payload AS BLOB), hash, prev_hash"


class NotALogError(ArchiveError, ValueError):
    """The file exists but is not an archive event log."""


@functools.cache
def _guards() -> dict[str, str]:
    """The triggers that keep a log append-only, by name, with their SQL as a new log gets it."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.executescript(_SCHEMA)
        return dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    finally:
        conn.close()


class ReadOnlyLogError(ArchiveError, PermissionError):
    """The log, or its directory, may not be opened or written (read-only file or directory); nothing was written."""


def is_read_only(exc: BaseException) -> bool:
    """Whether SQLite refused to write: SQLITE_READONLY, or one of its extended codes (the low byte)."""
    return isinstance(exc, sqlite3.OperationalError) and (exc.sqlite_errorcode & 0xFF) == sqlite3.SQLITE_READONLY


def _row_to_event(row: tuple) -> StoredEvent:
    return StoredEvent(*row)


def _json_list(keys: Sequence[str]) -> str:
    return json.dumps(list(keys), ensure_ascii=False)


class _Transaction:
    """What a writer holding the lock has learnt (see :meth:`SQLiteEventLog.transaction`)."""

    def __init__(self) -> None:
        self.head: Head | None = None  # kept for the whole transaction: only we move it
        # Read since the last append, for the next one; cleared by each append so that a
        # long import does not accumulate every id and stream it has seen.
        self.versions: dict[str, int] = {}
        self.events: dict[str, StoredEvent | None] = {}
        self.broken = False  # an append failed part-way: only a rollback is safe


class SQLiteEventLog:
    """An event log in one SQLite file (created on first open unless ``create=False``)."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True, synchronous: str = "FULL",
                 busy_timeout: float = BUSY_TIMEOUT_MS / 1000):
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        if self.path.exists() and (kind := resolve_target(self.path).kind) != "file":  # a pipe would hang SQLite
            raise NotALogError(f"{self.path} is a {kind}, not an event log; give the log's file, e.g. archive.db")
        exists = self.path.exists() and self.path.stat().st_size > 0
        if not exists and not create:
            raise FileNotFoundError(f"no event log at {self.path}")
        if not exists and not self.path.parent.is_dir():  # sqlite3 would say only "unable to open database file"
            raise FileNotFoundError(f"no directory {self.path.parent} to create the event log {self.path} in")
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, so we know what commits when.
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=busy_timeout)
        except sqlite3.OperationalError as exc:  # "unable to open database file", naming neither file nor reason
            if exists:
                raise ReadOnlyLogError(f"cannot open the event log {self.path} ({exc}): check that you may read and "
                                       f"write it") from None
            raise ReadOnlyLogError(f"cannot create the event log {self.path} ({exc}), so nothing was written: check "
                                   f"that you may write in {self.path.parent}, or give a path in another directory"
                                   ) from None
        self._tx: _Transaction | None = None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
            if exists and self._is_empty_database():
                exists = False  # a log whose creation was interrupted: create it now
            if exists:
                self._check_is_log()
            elif create:
                self._create()
            else:
                raise FileNotFoundError(f"no event log at {self.path}")
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(f"PRAGMA synchronous = {synchronous}")
        except sqlite3.OperationalError as exc:
            self._conn.close()
            if is_read_only(exc):
                raise self._read_only_error(exc) from None
            raise
        except BaseException:
            self._conn.close()
            raise

    def _read_only_error(self, exc: sqlite3.OperationalError) -> ReadOnlyLogError:
        """What to do when SQLite may not write: its own words name no file and no reason."""
        directory = self.path.parent
        wal, shm = f"{self.path.name}-wal", f"{self.path.name}-shm"
        if exc.sqlite_errorcode == sqlite3.SQLITE_READONLY_DIRECTORY:
            return ReadOnlyLogError(
                f"{self.path} cannot be opened: its directory {directory} is read-only, and SQLite must create "
                f"{wal} and {shm} beside the log to read or write it; nothing was written: make the directory "
                f"writable (chmod u+w {directory}), or work on a copy of the log in a writable directory")
        if exc.sqlite_errorcode == sqlite3.SQLITE_READONLY:
            return ReadOnlyLogError(
                f"{self.path} is read-only, so nothing was written: make it writable (chmod u+w {self.path}), "
                f"or work on a writable copy")
        return ReadOnlyLogError(
            f"{self.path} cannot be written now ({exc}), so nothing was written: check that the log, its directory "
            f"{directory} and the {wal} and {shm} files beside it are writable by you")

    # -- set-up -------------------------------------------------------------
    def _create(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have created it between our check and our lock.
            if self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                self._conn.execute("ROLLBACK")
                self._check_is_log()
                return
            for statement in _SCHEMA.split(";\n"):
                if statement.strip():
                    self._conn.execute(statement)
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    def _is_empty_database(self) -> bool:
        """A SQLite file with nothing in it (left by a creation that was killed before it committed)."""
        try:
            return (self._conn.execute("PRAGMA application_id").fetchone()[0] == 0
                    and self._conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0)
        except sqlite3.DatabaseError:
            return False

    def _check_is_log(self) -> None:
        try:
            app_id = self._conn.execute("PRAGMA application_id").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            if is_read_only(exc):  # a log in a read-only directory, not something that is no log
                raise
            raise NotALogError(f"{self.path} is not an archive event log ({exc})") from None
        if app_id != APPLICATION_ID:
            raise NotALogError(
                f"{self.path} is not an archive event log (is it a catalogue? "
                "catalogues are built from a log with 'archive rebuild LOG CATALOGUE')"
            )
        try:
            version = self._conn.execute("SELECT value FROM _log_meta WHERE key = 'format_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise NotALogError(f"{self.path} is not an archive event log ({exc})") from None
        if version is None or str(version[0]) != str(FORMAT_VERSION):
            raise NotALogError(f"{self.path} has log format {version and version[0]}; this library reads {FORMAT_VERSION}")

    # -- writing ------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Hold the write lock for a block: its appends all commit at its end, or none does.

        Reads inside the block see its own appends. An exception leaving the
        block rolls everything back; so does an append that failed inside it,
        even if the block caught the error (the block then raises). Nested
        blocks join the outer one.
        """
        if self._tx is not None:
            yield
            return
        conn = self._conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if is_read_only(exc):
                raise self._read_only_error(exc) from None
            if "locked" not in str(exc) and "busy" not in str(exc):
                raise
            raise LogBusyError(
                f"{self.path}: another writer has held the log's write lock for more than "
                f"{self.busy_timeout:g} s (a big import?); nothing was written: append again when it is done"
            ) from None
        self._tx = tx = _Transaction()
        try:
            yield
            if tx.broken:
                raise ArchiveError("an append failed inside the transaction, so nothing of it was stored")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_read_only(exc):  # a read-only file: SQLite finds out on the first write
                raise self._read_only_error(exc) from None
            raise
        finally:
            self._tx = None

    def append(
        self,
        events: Sequence[NewEvent],
        *,
        expected_versions: Mapping[str, int] | None = None,
        blobs: Mapping[str, bytes] | None = None,
    ) -> AppendResult:
        if self._tx is None:
            with self.transaction():
                return self.append(events, expected_versions=expected_versions, blobs=blobs)
        tx = self._tx
        if tx.broken:
            raise ArchiveError("an append failed inside this transaction; roll it back first")
        blobs = dict(blobs or {})
        check_blobs(blobs)
        conn = self._conn
        try:
            streams = sorted({e.stream_id for e in events} | set(expected_versions or {}))
            known = tx.versions
            versions = {s: known[s] for s in streams if s in known}
            if len(versions) < len(streams):
                versions.update(self.stream_versions([s for s in streams if s not in versions]))
            remembered = tx.events
            ids = [e.event_id for e in events]
            if all(i in remembered for i in ids):
                existing = {i: remembered[i] for i in ids if remembered[i] is not None}
            else:
                existing = self.get_events(ids)
            if tx.head is None:
                tx.head = self.head()
            rows, already = plan_append(
                events,
                existing=existing,  # type: ignore[arg-type]
                current_versions=versions,
                head=tx.head,
                expected_versions=expected_versions,
            )
            conn.executemany(
                "INSERT INTO events (position, event_id, stream_id, stream_version, type, version, payload, hash,"
                " prev_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (r.position, r.event_id, r.stream_id, r.stream_version, r.type, r.version,
                     r.payload.decode("utf-8"), r.hash, r.prev_hash)
                    for r in rows
                ],
            )
            if blobs:
                missing = sorted(set(blobs) - self.has_blobs(list(blobs)))
                if missing:
                    conn.executemany("INSERT INTO sources (source_id, content) VALUES (?, ?)",
                                     [(key, bytes(blobs[key])) for key in missing])
        except BaseException:
            tx.broken = True
            raise
        finally:
            tx.versions, tx.events = {}, {}
        if rows:
            tx.head = Head(rows[-1].position, rows[-1].hash)
        return AppendResult(tuple(rows), already)

    # -- reading ------------------------------------------------------------
    # -- fast whole-log scans (archive.log.scan.LogScanner), for verify and the rebuild ---------
    def rows(self, *, after: int = 0, upto: int) -> Iterator[list[tuple]]:
        """Events with ``after < position <= upto`` as plain row tuples (StoredEvent's field order), in batches."""
        return self._pages(_COLUMNS, after, upto)

    def payloads(self, *, after: int = 0, upto: int) -> Iterator[list[tuple[int, bytes]]]:
        """(position, payload) of the events with ``after < position <= upto``, in position order, in batches."""
        return self._pages("position, CAST(payload AS BLOB)", after, upto)

    def _pages(self, columns: str, after: int, upto: int, batch_size: int = 4096) -> Iterator[list[tuple]]:
        # Paged by position, like SQLiteEventLog.read, so no cursor stays open across batches.
        position = after
        while position < upto:
            batch = self._conn.execute(
                f"SELECT {columns} FROM events WHERE position > ? AND position <= ? ORDER BY position LIMIT ?",
                (position, upto, batch_size),
            ).fetchall()
            if not batch:
                return
            yield batch
            position = batch[-1][0]

    def guard_problems(self) -> list[str]:
        """What is missing or changed of the triggers that refuse to change, delete or replace what is stored.

        The hash chain shows an event that was changed; these show that nothing stops the next
        change (someone dropped a trigger to edit the file by hand).
        """
        found = dict(self._conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
        problems = []
        for name, sql in _guards().items():
            if name not in found:
                problems.append(f"the trigger {name} is missing, so the log no longer refuses what it guards "
                                "against; export the log and import it into a new one to restore its protection")
            elif " ".join(found[name].split()) != " ".join(sql.split()):
                problems.append(f"the trigger {name} is not the one the log was created with; export the log and "
                                "import it into a new one to restore its protection")
        return problems

    def broken_streams(self, *, upto: int) -> Iterator[str]:
        """Every stream whose events up to ``upto``, in position order, do not have versions 1, 2, 3…"""
        # In (stream_id, stream_version) order -- the UNIQUE index, which also holds the position (the
        # rowid), so this reads the index alone -- a stream is sound exactly when each version is the one
        # before plus one, starting at 1, and each comes at a later position than the one before (then
        # its versions in position order are 1, 2, 3… too).
        cursor = self._conn.execute(
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

    def read(self, *, after: int = 0, upto: int | None = None, batch_size: int = 2000) -> Iterator[StoredEvent]:
        # Page by position rather than holding one cursor open, so a long
        # reader does not pin a WAL snapshot for the whole rebuild.
        upper = self.head().position if upto is None else upto
        for rows in self._pages(_COLUMNS, after, upper, batch_size):
            for row in rows:
                yield StoredEvent(*row)

    def read_stream(self, stream_id: str) -> list[StoredEvent]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM events WHERE stream_id = ? ORDER BY stream_version", (stream_id,)
        ).fetchall()
        return [StoredEvent(*row) for row in rows]

    def stream_versions(self, stream_ids: Sequence[str]) -> dict[str, int]:
        versions = {s: 0 for s in stream_ids}
        for stream_id, version in self._conn.execute(
            f"SELECT stream_id, MAX(stream_version) FROM events WHERE stream_id IN {_KEYS} GROUP BY stream_id",
            (_json_list(stream_ids),),
        ):
            versions[stream_id] = version
        if self._tx is not None:
            self._tx.versions.update(versions)
        return versions

    def get_events(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        found: dict[str, StoredEvent] = {}
        for row in self._conn.execute(f"SELECT {_COLUMNS} FROM events WHERE event_id IN {_KEYS}",
                                      (_json_list(event_ids),)):
            found[row[1]] = StoredEvent(*row)
        if self._tx is not None:
            self._tx.events.update(dict.fromkeys(event_ids))
            self._tx.events.update(found)
        return found

    def head(self) -> Head:
        if self._tx is not None and self._tx.head is not None:
            return self._tx.head
        row = self._conn.execute("SELECT position, hash FROM events ORDER BY position DESC LIMIT 1").fetchone()
        head = Head(0, GENESIS_HASH) if row is None else Head(row[0], row[1])
        if self._tx is not None:
            self._tx.head = head
        return head

    def get_blob(self, blob_id: str) -> bytes | None:
        row = self._conn.execute("SELECT content FROM sources WHERE source_id = ?", (blob_id,)).fetchone()
        return None if row is None else bytes(row[0])

    def has_blobs(self, blob_ids: Sequence[str]) -> set[str]:
        return {r[0] for r in self._conn.execute(f"SELECT source_id FROM sources WHERE source_id IN {_KEYS}",
                                                 (_json_list(blob_ids),))}

    def blob_ids(self) -> Iterator[str]:
        for (key,) in self._conn.execute("SELECT source_id FROM sources ORDER BY source_id").fetchall():
            yield key

    # -- lifetime -----------------------------------------------------------
    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None  # type: ignore[assignment]

    def __enter__(self) -> "SQLiteEventLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
