"""Full rebuilds and incremental updates of the catalogue file.

**Rebuild** writes a complete catalogue into a temporary file beside the
target, then renames it over the target (an atomic step on POSIX): a reader
sees the old catalogue or the new one, never half of one, and a crash leaves
the old one. The temporary file is written with journaling and syncing off,
which is safe precisely because nobody reads it until the rename. The same
log gives the same bytes: rows go in in log order, nothing depends on the
clock, and the file is finished with the same steps every time.

**Update** opens the existing catalogue, checks that it was built from this
log (the head hash at its recorded position must match) and by this schema
version, and applies only the events after its position, writing the new
position in the same transaction as the rows. With nothing new it does not
open the file for writing at all.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import re
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
from datetime import datetime
from pathlib import Path
from typing import IO, Callable

import attrs
import orjson
import sqlite_utils

from .. import _child
from ..codec import first_damaged
from ..errors import ArchiveError, CatalogueError, DamagedLogError
from ..log.base import EventLog, Head, damaged as damaged_event
from ..log.scan import scanner
from ..log.sqlite import APPLICATION_ID, is_read_only
from ..safety import SQLITE_HEADER, Target, is_sqlite_database, resolve_target, sqlite_file_beside
from .projector import Batch, Projector, repoint, static_rows
from .schema import FTS, FTS_TOKENIZE, SCHEMA_VERSION, TABLES, VIEWS

__all__ = ["rebuild", "update", "status", "position_as_of", "CatalogueStatus", "BuildResult"]

Progress = Callable[[int], None]


@attrs.frozen
class BuildResult:
    """What a rebuild or update did."""

    path: Path
    position: int
    head_hash: str
    applied: int
    rebuilt: bool


@attrs.frozen
class CatalogueStatus:
    """Where a catalogue stands relative to its log."""

    position: int
    head_hash: str
    schema_version: int


def _create_schema(db: sqlite_utils.Database) -> None:
    for table in TABLES:
        db.create_table(
            table.name,
            {c.name: c.type for c in table.columns},
            pk=tuple(p.strip() for p in table.pk.split(",")) if "," in table.pk else table.pk,
            foreign_keys=list(table.foreign_keys),
            not_null={c.name for c in table.columns if c.not_null},
        )
    db["_catalogue"].insert({"id": 1, "schema_version": SCHEMA_VERSION, "log_position": 0,
                             "log_head_hash": Head(0, "0" * 64).hash})
    for name, rows in static_rows().items():
        db.conn.executemany(f"INSERT INTO [{name}] VALUES ({', '.join('?' * len(rows[0]))})", rows)


#: The indexes the re-pointing of merged entities filters on (projector.repoint), built first.
_REPOINT_INDEXES = {("entity_names", ("entity_id",)), ("claims", ("subject_id",)), ("claims", ("object_id",)),
                    ("conclusions", ("subject_id",)), ("conclusions", ("object_id",))}


def _create_indexes(db: sqlite_utils.Database, *, repoint: bool) -> None:
    """The indexes ``projector.repoint`` needs (``repoint``), or all the others.

    A rebuild creates them after the load: building an index from a full table (one sort) costs a
    fraction of keeping it up to date row by row, and the load itself needs none but the primary keys.
    """
    for table in TABLES:
        for columns in table.indexes:
            if ((table.name, columns) in _REPOINT_INDEXES) == repoint:
                db[table.name].create_index(list(columns))


class _FilledInBulk(sqlite_utils.db.Table):
    """A table whose new full-text index is filled with a larger buffer (enable_fts calls populate_fts).

    FTS5 gathers new terms in memory up to its ``hashsize`` (1 MB by default), writes them out as a
    segment and keeps merging segments as they pile up. With 8 MB, filling the index of a million
    events' claims writes far fewer segments to merge: 3.4 s instead of 4.7 s. The setting goes back
    to FTS5's default afterwards, for the updates to come.
    """

    def populate_fts(self, columns):
        fts = f"[{self.name}_fts]"
        self.db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', ?)", (8 << 20,))
        super().populate_fts(columns)
        self.db.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('hashsize', ?)", (1 << 20,))
        return self


def _finish_schema(db: sqlite_utils.Database) -> None:
    """Full-text search, views and documentation: built after the bulk load, which is faster."""
    for name, columns in FTS.items():
        _FilledInBulk(db, name).enable_fts(list(columns), create_triggers=True, tokenize=FTS_TOKENIZE)
    for view in VIEWS:
        db.create_view(view.name, view.sql.strip())
    rows = []
    for table in TABLES:
        rows.append({"table_name": table.name, "column_name": "", "description": table.description})
        rows.extend({"table_name": table.name, "column_name": c.name, "description": c.description}
                    for c in table.columns)
    for view in VIEWS:
        rows.append({"table_name": view.name, "column_name": "", "description": view.description})
        rows.extend({"table_name": view.name, "column_name": n, "description": d} for n, d in view.columns)
    for name, columns in FTS.items():
        rows.append({"table_name": f"{name}_fts", "column_name": "",
                     "description": f"Full-text index of {name} ({', '.join(columns)}); "
                                    f"use sqlite-utils search CATALOGUE {name} WORDS."})
    db["_documentation"].insert_all(rows)


def _reference_checks() -> list[str]:
    """Queries that each return a row if some reference in the catalogue dangles, together all of them.

    Every row's every reference is checked, as by PRAGMA foreign_key_check, but by distinct value: a
    column with an index (or leading a primary key) gives its distinct values from the index alone,
    each looked up once in its parent; the other reference columns of a table are checked row by row
    in one scan of that table. At a million events this takes a third of the pragma's time, which
    scans each table and looks up every reference of every row.
    """
    checks = []
    for table in TABLES:
        leading = {columns[0] for columns in table.indexes} | {table.pk.split(",")[0].strip()}
        scanned = []
        for column, parent, parent_column in table.foreign_keys:
            if column in leading:
                checks.append(f"SELECT v.value FROM (SELECT DISTINCT [{column}] AS value FROM [{table.name}]"
                              f" WHERE [{column}] IS NOT NULL) AS v WHERE NOT EXISTS"
                              f" (SELECT 1 FROM [{parent}] AS p WHERE p.[{parent_column}] = v.value) LIMIT 1")
            else:
                scanned.append(f"([{column}] IS NOT NULL AND NOT EXISTS (SELECT 1 FROM [{parent}] AS p"
                               f" WHERE p.[{parent_column}] = [{table.name}].[{column}]))")
        if scanned:
            checks.append(f"SELECT rowid FROM [{table.name}] WHERE {' OR '.join(scanned)} LIMIT 1")
    return checks


def _check_foreign_keys(conn: sqlite3.Connection) -> None:
    """Refuse a catalogue with a dangling reference anywhere (the pragma then says where)."""
    if not any(conn.execute(check).fetchone() for check in _reference_checks()):
        return
    problems = conn.execute("PRAGMA foreign_key_check").fetchall() or [("?", "?", "?", None)]
    table, rowid, parent, _ = problems[0]
    raise CatalogueError(
        f"the catalogue has {len(problems)} dangling reference(s), first in {table} row {rowid} "
        f"pointing to {parent}; this is a bug in the projection: please report it"
    )


def _apply(log: EventLog, projector: Projector, after: int, upto: int, progress: Progress | None) -> int:
    count = 0
    # (position, payload) pairs rather than StoredEvent objects: a rebuild reads a million of them.
    for rows in scanner(log).payloads(after=after, upto=upto):
        for position, payload in rows:
            projector.apply_payload(position, payload)
        count += len(rows)
        if progress is not None:
            progress(count)
    projector.flush()
    if progress is not None:
        progress(count)
    return count


# -- loading a new catalogue, here or with a second process -------------------------------------------------
# Parsing the log (Python) and writing the catalogue (SQLite) take about as long as each other, and one
# Python process cannot overlap them: a thread running executemany takes back the global lock after every
# row. So a child process runs the projector on the log and streams its batches of statements to this
# one, which runs them on the catalogue: the same statements, in the same order, as a projector here.

_HEX64 = re.compile("[0-9a-f]{64}")

#: From this many events on, a rebuild reads the log in a second process (when it can).
PARALLEL_FROM = 20_000

_FRAME = struct.Struct(">cQ")  # kind, length of the body
_BATCH, _BATCH_JSON, _PROGRESS, _REPOINT, _END, _DAMAGED = b"B", b"J", b"P", b"R", b"E", b"D"


def _load(log: EventLog, conn: sqlite3.Connection, upto: int, progress: Progress | None,
          processes: int | None) -> tuple[int, list[tuple]]:
    """Project events 1 to ``upto`` into a new catalogue; return the count and the rows to re-point."""
    path = scanner(log).path
    if processes is None:
        processes = 2 if upto >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    if processes > 1 and path is not None:
        with tempfile.TemporaryFile() as errors:
            child = _child.start("archive.catalogue.build._reader_main", [str(path), str(upto)], stderr=errors)
            if child is not None:
                return _load_from_reader(child, errors, conn, progress)
    projector = Projector(conn, log.get_blob, bulk=True)
    applied = _apply(log, projector, 0, upto, progress)
    return applied, projector.repoint_rows()


def _frames(stream: IO[bytes], frames: queue.Queue) -> None:
    """Read the child's frames into a queue, on a thread of its own, then None.

    A pipe holds 64 kB: without this, the child would wait for every batch to be written before it
    could send the next, and the two processes would take turns instead of working at the same time.
    """
    try:
        while header := stream.read(_FRAME.size):
            kind, length = _FRAME.unpack(header)
            body = stream.read(length)
            if len(body) < length:  # the child died mid-frame: what came is not to be used
                break
            frames.put((kind, body))
    except (OSError, ValueError, struct.error):  # the pipe closed under us: the caller has given up
        pass
    finally:
        frames.put(None)


def _load_from_reader(child: subprocess.Popen, errors: IO[bytes], conn: sqlite3.Connection,
                      progress: Progress | None) -> tuple[int, list[tuple]]:
    applied, repoint_rows, failure = None, [], None
    frames: queue.Queue = queue.Queue(maxsize=4)  # bounded: the child is at most a few batches ahead
    reader = threading.Thread(target=_frames, args=(child.stdout, frames), name="rebuild-reader", daemon=True)
    reader.start()
    drained = False
    try:
        while (frame := frames.get()) is not None:
            kind, body = frame
            if kind == _BATCH or kind == _BATCH_JSON:
                for sql, rows in orjson.loads(body) if kind == _BATCH else json.loads(body):
                    conn.executemany(sql, rows)
            elif kind == _PROGRESS and progress is not None:
                progress(int(body))
            elif kind == _REPOINT:
                repoint_rows = [tuple(row) for row in json.loads(body)]
            elif kind == _END:
                applied = int(body)
            elif kind == _DAMAGED:  # the same error as a projector here would raise, not a line of text
                failure = damaged_event(**json.loads(body))
        drained = True
    finally:
        if not drained:  # this side failed: stop the child, and let the reader thread reach its end
            child.kill()
            while frames.get() is not None:
                pass
        reader.join()
        child.stdout.close()
        child.wait()
    if failure is not None:
        raise failure
    if child.returncode != 0 or applied is None:
        errors.seek(0)
        detail = errors.read().decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise CatalogueError(f"reading the log for the rebuild failed: {detail[0]}")
    return applied, repoint_rows


def _reader_main(argv: list[str]) -> None:
    """The child: run the projector on the log and send its batches, framed, on stdout."""
    from ..log.sqlite import SQLiteEventLog

    path, upto = argv[0], int(argv[1])
    out = sys.stdout.buffer

    def send(kind: bytes, body: bytes) -> None:
        out.write(_FRAME.pack(kind, len(body)))
        out.write(body)

    def write(batch: Batch) -> None:
        try:
            send(_BATCH, orjson.dumps(batch))
        except TypeError:  # what orjson does not write (integers beyond 64 bits, lone surrogates)
            send(_BATCH_JSON, json.dumps(batch).encode())

    with SQLiteEventLog(path, create=False) as log:
        projector = Projector(None, log.get_blob, bulk=True, write=write)
        try:
            applied = _apply(log, projector, 0, upto, lambda count: send(_PROGRESS, str(count).encode()))
        except DamagedLogError as exc:  # sent as its fields: the parent raises it as it is
            send(_DAMAGED, json.dumps({"position": exc.position, "what": exc.what, "newer": exc.newer}).encode())
            out.flush()
            sys.exit(1)
        except ArchiveError as exc:  # its last line of stderr is what the parent reports
            sys.stderr.write(f"{exc}\n")
            sys.exit(1)
        send(_REPOINT, json.dumps(projector.repoint_rows()).encode())
    send(_END, str(applied).encode())
    out.flush()


#: What projecting an event the log should never have held can raise, besides DamagedLogError: the projector
#: trusts the events (they were checked when appended), so a field of the wrong type, or a reference to
#: nothing, surfaces only when SQLite takes the row, or when a later event looks it up.
_FROM_AN_EVENT = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.DataError,
                  KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError)


def _damage_behind(exc: BaseException, log: EventLog, after: int, upto: int) -> BaseException:
    """The damaged event among ``after`` < position <= ``upto`` that explains ``exc``, or ``exc`` itself.

    Called only when projecting them failed, so the slow search (each event decoded, each hash
    recomputed) costs nothing while the log is sound; a failure it cannot explain is a bug, and stays
    as it was.
    """
    if isinstance(exc, DamagedLogError):  # met at its position: an earlier event may be the one to blame
        return first_damaged(log.read(after=after, upto=exc.position)) or exc
    return first_damaged(log.read(after=after, upto=upto)) or exc


def _naming_the_log(build: Callable) -> Callable:
    """Let a damaged event's error name the log's file, which the projector that met it does not know."""

    @functools.wraps(build)
    def wrapper(log: EventLog, *args, **kwargs):
        try:
            return build(log, *args, **kwargs)
        except DamagedLogError as exc:
            raise exc.in_log(getattr(log, "path", None)) from None

    return wrapper


def _head_at(log: EventLog, position: int) -> Head:
    if position == 0:
        return Head(0, "0" * 64)
    for stored in log.read(after=position - 1, upto=position):
        return Head(stored.position, stored.hash)
    raise CatalogueError(f"the log has no position {position}")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def position_as_of(log: EventLog, moment: datetime) -> int:
    """The log position the archive stood at when ``moment`` came: the longest prefix recorded by then.

    Events carry the time they were recorded; the log is in append order. The
    archive "as of T" is every event up to the first one recorded after T —
    an event recorded (or imported with a time) after T ends the prefix even if
    later events carry earlier times, because what came after it in the log
    was not there at T either.
    """
    if moment.tzinfo is None:
        raise CatalogueError("--as-of needs a timezone, e.g. 2026-11-23T10:00:00Z")
    position = 0
    for stored in log.read():
        try:
            recorded = datetime.fromisoformat(stored.data()["recorded_at"])
            later = recorded > moment
        except DamagedLogError:
            raise
        except (KeyError, TypeError, ValueError) as exc:  # it had a time when it was appended
            raise first_damaged([stored]) or damaged_event(
                stored.position, f"its recorded_at cannot be read ({type(exc).__name__}: {exc})") from None
        if later:
            break
        position = stored.position
    return position


def _remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files of rebuilds that crashed (their process is gone); leave live ones alone."""
    for leftover in target.parent.glob(f".{target.name}.rebuild-*.tmp*"):
        pid_text = leftover.name.split(".rebuild-", 1)[1].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            leftover.unlink(missing_ok=True)
        except PermissionError:  # pragma: no cover - someone else's live process
            pass


@_naming_the_log
def rebuild(log: EventLog, catalogue: str | os.PathLike, *, as_of: int | datetime | None = None,
            progress: Progress | None = None, processes: int | None = None) -> BuildResult:
    """Build the catalogue from scratch (up to ``as_of``, default the head) and swap it in atomically.

    ``as_of`` is a log position, or a timezone-aware time (see :func:`position_as_of`).
    ``processes``: 2 reads and parses the log in a second process while this one writes (a log
    another process can open, such as the SQLite log), 1 does both here; None (the default) chooses 2
    from :data:`PARALLEL_FROM` events on, on a machine with more than one core. The file is the same.
    """
    # A link is followed, and the catalogue it leads to is the one checked and replaced (the link stays).
    target = resolve_target(catalogue)
    _check_replaceable(target, getattr(log, "path", None))
    head = log.head()
    if isinstance(as_of, datetime):
        as_of = position_as_of(log, as_of)
    elif as_of is not None and not 0 <= as_of <= head.position:
        # A position the log has not reached is a typo or the wrong log, not "the whole log":
        # a catalogue built anyway would claim a past it does not show.
        raise CatalogueError(f"the log has no position {as_of}: it ends at position {head.position}, so nothing "
                             f"was written; give a position from 0 to {head.position}, or none to build the whole log")
    upto = head.position if as_of is None else as_of
    final_head = head if upto == head.position else _head_at(log, upto)
    path = target.path
    temp = path.with_name(f".{path.name}.rebuild-{os.getpid()}.tmp")
    try:
        _remove_stale_temporaries(path)
        for leftover in (temp, temp.with_name(temp.name + "-journal")):
            leftover.unlink(missing_ok=True)
        # Made here rather than by SQLite, whose "unable to open database file" names no file and no reason.
        os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError as exc:
        raise CatalogueError(f"cannot create a file in {target.directory} ({exc.strerror or exc}) to build "
                             f"{target.where} in, so nothing was written: make the directory writable, or give "
                             f"the catalogue a path in another directory") from None
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            # CREATE INDEX sorts its table with a helper thread: the indexes are built after the load,
            # when the second process (if any) is done, and a second core is free.
            conn.execute("PRAGMA threads = 2")
            db = sqlite_utils.Database(conn)
            _create_schema(db)
            conn.execute("BEGIN")
            try:
                applied, repoint_rows = _load(log, conn, upto, progress, processes)
                # Indexes after the load (which needs none), those the re-pointing filters on first.
                _create_indexes(db, repoint=True)
                repoint(conn, repoint_rows)
                _create_indexes(db, repoint=False)
                conn.execute("UPDATE _catalogue SET log_position = ?, log_head_hash = ? WHERE id = 1",
                             (final_head.position, final_head.hash))
                conn.execute("COMMIT")
                _finish_schema(db)
                _check_foreign_keys(conn)
            except (*_FROM_AN_EVENT, CatalogueError) as exc:  # the second process's failure, a dangling reference
                raise _damage_behind(exc, log, 0, upto) from None
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        try:
            os.replace(temp, path)
        except OSError as exc:  # a directory with the sticky bit, and someone else's catalogue in it
            raise CatalogueError(f"cannot replace {target.where} ({exc.strerror or exc}), so it was left as it "
                                 f"was: make {target.directory} writable for you, or give the catalogue another path"
                                 ) from None
        _fsync_dir(path.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return BuildResult(Path(catalogue), final_head.position, final_head.hash, applied, True)


def _check_replaceable(target: Target, log_path: Path | None) -> None:
    """Refuse to swap a new catalogue in over anything but a catalogue, an empty file or nothing.

    The catalogue is disposable; the file at its path may not be: a typo (``archive rebuild
    archive.db archive.db``) must not turn the event log, or any other file, into a catalogue.
    Nor may a rename put a plain file where a pipe or a device was.
    """
    path, where = target.path, target.where
    owner = sqlite_file_beside(path)
    if owner is not None:  # checked even when it does not exist yet: SQLite may be about to make it
        raise CatalogueError(f"{where} is one of the files SQLite keeps beside {owner}, so nothing was written: "
                             f"give the catalogue a file of its own, e.g. catalogue.db")
    if target.descriptor:
        raise CatalogueError(f"{where} is a file descriptor of a running process, not a catalogue file, so nothing "
                             f"was written: give a file's path, e.g. catalogue.db")
    if target.kind == "absent":
        if not path.parent.is_dir():
            raise CatalogueError(f"there is no directory {target.directory} to build {where} in, so nothing was "
                                 f"written: create the directory first, or give another path")
        return
    if log_path is not None and Path(log_path).exists() and os.path.samefile(path, log_path):
        raise CatalogueError(f"{target.given} is the event log itself, so nothing was written: give the catalogue a "
                             f"file of its own, e.g. 'archive rebuild {log_path} catalogue.db'")
    if target.kind == "directory":
        raise CatalogueError(f"{where} is a directory, not a catalogue file; give a file's path, "
                             f"e.g. {target.given / 'catalogue.db'}")
    if target.kind != "file":
        raise CatalogueError(f"{where} is a {target.kind}, not a catalogue file, so nothing was written: a "
                             f"catalogue is a plain file; give a file's path, e.g. catalogue.db")
    if path.stat().st_size == 0:
        return
    with open(path, "rb") as handle:
        header = handle.read(72)
    if not header.startswith(SQLITE_HEADER):
        what = "not an archive catalogue"
    elif len(header) == 72 and struct.unpack(">I", header[68:72])[0] == APPLICATION_ID:
        what = "an archive event log"  # said from its header: a log is not even opened
    else:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_catalogue'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise CatalogueError(
                f"{where} cannot be read now ({exc}), so nothing was written: if another process is updating "
                f"it, rebuild when it is done; if it is a catalogue a killed process left half-written, remove it "
                f"(and any {path.name}-journal beside it) and rebuild") from None
        finally:
            conn.close()
        if found:
            return  # a catalogue, of any schema version: rebuilding it is what it is for
        what = "a SQLite database that is not an archive catalogue"
    raise CatalogueError(f"{where} is {what}; a rebuild replaces only a catalogue, so nothing was written: "
                         f"give another path, or remove {target.given} yourself if it is not needed")


#: Every table and view a catalogue of this schema has; an update checks them before it writes.
_EXPECTED = frozenset({t.name for t in TABLES} | {v.name for v in VIEWS} | {f"{name}_fts" for name in FTS})


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite's error says the catalogue lacks something it should have, or is corrupt."""
    text = str(exc)
    return ("no such table" in text or "no such column" in text or "has no column named" in text
            or "malformed" in text)


def damaged(path: Path, detail: object, log: str | os.PathLike | None = None) -> CatalogueError:
    """The error for a catalogue with a table or column gone (dropped by hand, or another schema), or corrupt.

    ``log``: the log it is built from, when the caller knows it, for the command to run.
    """
    return CatalogueError(f"{path} is damaged, or is not a catalogue of schema {SCHEMA_VERSION} ({detail}); it was "
                          f"left as it was: rebuild it with 'archive rebuild {log or 'LOG'} {path}'")


def _bookkeeping_damaged(path: Path, what: str, log: str | os.PathLike | None) -> CatalogueError:
    return CatalogueError(f"{path} is damaged: {what}; rebuild it with "
                          f"'archive rebuild {log or 'LOG'} {path}'")


def _is_event_log(path: Path) -> bool:
    """Whether the file's header says it is an archive event log (its application id), without opening it."""
    with open(path, "rb") as handle:
        header = handle.read(72)
    return (header.startswith(SQLITE_HEADER) and len(header) == 72
            and struct.unpack(">I", header[68:72])[0] == APPLICATION_ID)


def status(catalogue: str | os.PathLike, *, log: str | os.PathLike | None = None) -> CatalogueStatus:
    """Read a catalogue's bookkeeping row without writing to it.

    ``log``: the log the catalogue should be built from, named in the command an error suggests.
    """
    path = Path(catalogue)
    build_it = f"'archive rebuild {log or 'LOG'} {path}'"
    if not path.exists():
        raise CatalogueError(f"no catalogue at {path}; build one with {build_it}")
    kind = resolve_target(path).kind
    if kind != "file":  # SQLite would wait for ever on a named pipe
        raise CatalogueError(f"{path} is a {kind}, not an archive catalogue; give the catalogue's file, "
                             f"e.g. catalogue.db")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT log_position, log_head_hash, schema_version FROM _catalogue WHERE id = 1").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            if _is_event_log(path):
                raise CatalogueError(f"{path} is not an archive catalogue (it is an archive event log); give the "
                                     f"catalogue built from it, or build one with 'archive rebuild {path} "
                                     f"catalogue.db'") from None
            raise CatalogueError(f"{path} is not an archive catalogue (it has no _catalogue table)") from None
        if is_damage(exc):  # the table is there, a column of it is not
            raise _bookkeeping_damaged(path, f"its bookkeeping (_catalogue) cannot be read ({exc})", log) from None
        # Locked by a writer, or a hot journal a read cannot roll back.
        raise CatalogueError(f"{path} cannot be read now ({exc}); if another process is updating it, "
                             f"try again when it is done") from None
    except sqlite3.DatabaseError as exc:
        if not is_sqlite_database(path):
            raise CatalogueError(f"{path} is not an archive catalogue (it is not a SQLite database)") from None
        # A SQLite file SQLite cannot read: corrupt, whatever it was. A catalogue can be built again; a
        # rebuild will not replace what it cannot read, so it has to go first.
        raise CatalogueError(f"{path} is a SQLite database that SQLite cannot read ({exc}); it was left as it "
                             f"was: if it is a catalogue, remove it (and any {path.name}-journal beside it) and "
                             f"build it again with {build_it}") from None
    finally:
        conn.close()
    if row is None:
        raise _bookkeeping_damaged(path, "its bookkeeping row (_catalogue) is missing", log)
    position, head_hash, schema_version = row
    for name, value, sound in (
        ("log_position", position, type(position) is int and position >= 0),
        ("log_head_hash", head_hash, type(head_hash) is str and _HEX64.fullmatch(head_hash) is not None),
        ("schema_version", schema_version, type(schema_version) is int and schema_version >= 1),
    ):
        if not sound:
            raise _bookkeeping_damaged(path, f"its bookkeeping (_catalogue) gives {name} as {value!r}", log)
    return CatalogueStatus(position=position, head_hash=head_hash, schema_version=schema_version)


@_naming_the_log
def update(log: EventLog, catalogue: str | os.PathLike, *, progress: Progress | None = None) -> BuildResult:
    """Apply the events the catalogue has not seen yet; rebuild if there is no catalogue."""
    path = Path(catalogue)
    if not path.exists():
        return rebuild(log, path, progress=progress)
    log_name = getattr(log, "path", None) or "LOG"  # as the commands the errors suggest write it
    current = status(path, log=log_name)
    if current.schema_version != SCHEMA_VERSION:
        raise CatalogueError(
            f"{path} has catalogue schema {current.schema_version}, this library writes {SCHEMA_VERSION}; "
            f"run 'archive rebuild {log_name} {path}'"
        )
    head = log.head()
    if current.position > head.position:
        raise CatalogueError(
            f"{path} was built from {current.position} events, but the log ends at position {head.position}: "
            f"if the log was restored from an older copy, its last {current.position - head.position} event(s) are "
            f"lost (see 'archive verify {log_name} --catalogue {path}'); otherwise the catalogue is another log's. "
            f"Rebuilding it ('archive rebuild {log_name} {path}') would show the log as it is now"
        )
    if _head_at(log, current.position).hash != current.head_hash:
        raise CatalogueError(
            f"{path} was not built from this log (its position {current.position} and hash do not match); "
            f"run 'archive rebuild {log_name} {path}'"
        )
    if head.position == current.position:
        return BuildResult(path, head.position, head.hash, 0, False)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # Only the rows this update writes are checked for dangling references, not the whole
        # catalogue (PRAGMA foreign_key_check reads every row: seconds at a million events, for one
        # new event). SQLite does exactly that when it enforces foreign keys: each inserted row, and
        # each row whose reference columns an UPDATE changes (a merge re-points old rows), is looked
        # up in its parent by primary key. Deferred, the lookups count what still dangles when the
        # transaction ends, and COMMIT fails if anything does. foreign_keys can only be switched
        # outside a transaction; defer_foreign_keys lasts until the transaction ends.
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        position = None  # until the events are being applied, no failure is theirs
        try:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            # A table dropped by hand would otherwise be found, as "no such table", by the first event
            # that needs it, or never, and the catalogue called up to date.
            present = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
            if not _EXPECTED <= present:
                raise damaged(path, f"missing: {', '.join(sorted(_EXPECTED - present))}", log_name)
            # Re-read under the write lock: another update may have run since status().
            row = conn.execute("SELECT log_position FROM _catalogue WHERE id = 1").fetchone()
            if row is None or type(row[0]) is not int or row[0] < 0:
                found = None if row is None else row[0]
                raise _bookkeeping_damaged(path, f"its bookkeeping (_catalogue) gives log_position as {found!r}",
                                           log_name)
            position = row[0]
            applied = _apply(log, Projector(conn, log.get_blob), position, head.position, progress)
            conn.execute("UPDATE _catalogue SET log_position = ?, log_head_hash = ? WHERE id = 1",
                         (head.position, head.hash))
            try:
                conn.execute("COMMIT")
            except sqlite3.IntegrityError as exc:
                # The transaction is still open: name the damaged event that left a reference dangling,
                # or else the first dangling reference (a check of the whole catalogue, on this failure
                # path only); the rollback below undoes the update.
                if (found := _damage_behind(exc, log, position, head.position)) is not exc:
                    raise found from None
                _check_foreign_keys(conn)
                raise CatalogueError("this update would leave a dangling reference in the catalogue; "
                                     "this is a bug in the projection: please report it") from None
        except sqlite3.DatabaseError as exc:  # a column gone, say: the check above sees only names
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if is_damage(exc):
                raise damaged(path, exc, log_name) from None
            if is_read_only(exc):  # found by the first write
                raise CatalogueError(
                    f"{path} cannot be written ({exc}): it, or its directory {path.parent} (where an update keeps "
                    f"{path.name}-journal), is read-only; it was left as it was: make both writable, or rebuild the "
                    f"catalogue somewhere writable") from None
            if position is None:
                raise
            raise _damage_behind(exc, log, position, head.position) from None
        except _FROM_AN_EVENT as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if position is None:
                raise
            raise _damage_behind(exc, log, position, head.position) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return BuildResult(path, head.position, head.hash, applied, False)
