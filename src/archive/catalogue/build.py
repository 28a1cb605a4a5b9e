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

import json
import os
import sqlite3
from datetime import datetime
from pathlib import Path
from typing import Callable

import attrs
import sqlite_utils

from ..errors import CatalogueError
from ..log.base import EventLog, Head
from .projector import Projector, static_rows
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
    # Indexes go in before the load: merges re-point rows by subject_id/object_id while loading, and
    # without an index each of those updates would scan the table (quadratic in the archive's size).
    for table in TABLES:
        for columns in table.indexes:
            db[table.name].create_index(list(columns))
    db["_catalogue"].insert({"id": 1, "schema_version": SCHEMA_VERSION, "log_position": 0,
                             "log_head_hash": Head(0, "0" * 64).hash})
    for name, rows in static_rows().items():
        db.conn.executemany(f"INSERT INTO [{name}] VALUES ({', '.join('?' * len(rows[0]))})", rows)


def _finish_schema(db: sqlite_utils.Database) -> None:
    """Full-text search, views and documentation: built after the bulk load, which is faster."""
    for name, columns in FTS.items():
        db[name].enable_fts(list(columns), create_triggers=True, tokenize=FTS_TOKENIZE)
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


def _check_foreign_keys(conn: sqlite3.Connection) -> None:
    problems = conn.execute("PRAGMA foreign_key_check").fetchall()
    if problems:
        table, rowid, parent, _ = problems[0]
        raise CatalogueError(
            f"the catalogue has {len(problems)} dangling reference(s), first in {table} row {rowid} "
            f"pointing to {parent}; this is a bug in the projection: please report it"
        )


def _apply(log: EventLog, conn: sqlite3.Connection, after: int, upto: int, progress: Progress | None) -> int:
    projector = Projector(conn, log.get_blob)
    count = 0
    for stored in log.read(after=after, upto=upto):
        projector.apply(stored)
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(count)
    projector.flush()
    if progress is not None:
        progress(count)
    return count


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
        recorded = datetime.fromisoformat(json.loads(stored.payload)["recorded_at"])
        if recorded > moment:
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


def rebuild(log: EventLog, catalogue: str | os.PathLike, *, as_of: int | datetime | None = None,
            progress: Progress | None = None) -> BuildResult:
    """Build the catalogue from scratch (up to ``as_of``, default the head) and swap it in atomically.

    ``as_of`` is a log position, or a timezone-aware time (see :func:`position_as_of`).
    """
    target = Path(catalogue)
    head = log.head()
    if isinstance(as_of, datetime):
        as_of = position_as_of(log, as_of)
    upto = head.position if as_of is None else min(as_of, head.position)
    final_head = head if upto == head.position else _head_at(log, upto)
    _remove_stale_temporaries(target)
    temp = target.with_name(f".{target.name}.rebuild-{os.getpid()}.tmp")
    for leftover in (temp, temp.with_name(temp.name + "-journal")):
        leftover.unlink(missing_ok=True)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = OFF")
            conn.execute("PRAGMA synchronous = OFF")
            db = sqlite_utils.Database(conn)
            _create_schema(db)
            conn.execute("BEGIN")
            applied = _apply(log, conn, 0, upto, progress)
            conn.execute("UPDATE _catalogue SET log_position = ?, log_head_hash = ? WHERE id = 1",
                         (final_head.position, final_head.hash))
            conn.execute("COMMIT")
            _finish_schema(db)
            _check_foreign_keys(conn)
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, target)
        _fsync_dir(target.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return BuildResult(target, final_head.position, final_head.hash, applied, True)


def status(catalogue: str | os.PathLike) -> CatalogueStatus:
    """Read a catalogue's bookkeeping row without writing to it."""
    path = Path(catalogue)
    if not path.exists():
        raise CatalogueError(f"no catalogue at {path}; build one with 'archive rebuild LOG {path}'")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT log_position, log_head_hash, schema_version FROM _catalogue WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        row = None
    finally:
        conn.close()
    if row is None:
        raise CatalogueError(f"{path} is not an archive catalogue (it has no _catalogue table)")
    return CatalogueStatus(position=row[0], head_hash=row[1], schema_version=row[2])


def update(log: EventLog, catalogue: str | os.PathLike, *, progress: Progress | None = None) -> BuildResult:
    """Apply the events the catalogue has not seen yet; rebuild if there is no catalogue."""
    path = Path(catalogue)
    if not path.exists():
        return rebuild(log, path, progress=progress)
    current = status(path)
    if current.schema_version != SCHEMA_VERSION:
        raise CatalogueError(
            f"{path} has catalogue schema {current.schema_version}, this library writes {SCHEMA_VERSION}; "
            f"run 'archive rebuild LOG {path}'"
        )
    head = log.head()
    if current.position > head.position or _head_at(log, current.position).hash != current.head_hash:
        raise CatalogueError(
            f"{path} was not built from this log (its position {current.position} and hash do not match); "
            f"run 'archive rebuild LOG {path}'"
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
        try:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            # Re-read under the write lock: another update may have run since status().
            position = conn.execute("SELECT log_position FROM _catalogue WHERE id = 1").fetchone()[0]
            applied = _apply(log, conn, position, head.position, progress)
            conn.execute("UPDATE _catalogue SET log_position = ?, log_head_hash = ? WHERE id = 1",
                         (head.position, head.hash))
            try:
                conn.execute("COMMIT")
            except sqlite3.IntegrityError:
                # The transaction is still open: name the first dangling reference (a check of the
                # whole catalogue, on this failure path only); the rollback below undoes the update.
                _check_foreign_keys(conn)
                raise CatalogueError("this update would leave a dangling reference in the catalogue; "
                                     "this is a bug in the projection: please report it") from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.close()
    return BuildResult(path, head.position, head.hash, applied, False)
