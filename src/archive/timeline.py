"""A person's (or any entity's) life as the sources tell it, in date order.

Reads the catalogue's ``timeline`` view. Given an event log instead of a
catalogue, it builds a throwaway catalogue first, so ``archive timeline``
works on either file.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from .catalogue import rebuild, status
from .catalogue.build import damaged, is_damage
from .errors import ArchiveError, CatalogueError, UnknownReferenceError, ValidationError
from .log.sqlite import APPLICATION_ID, SQLiteEventLog
from .safety import resolve_target
from .text import fold

__all__ = ["timeline", "find_entity"]

COLUMNS = ("date_as_written", "date_edtf", "predicate", "object", "source", "claim_id")


def _is_log(path: Path) -> bool:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    except sqlite3.DatabaseError:
        return False
    finally:
        conn.close()


def find_entity(conn: sqlite3.Connection, query: str) -> tuple[str, str]:
    """(entity_id, label) for an id, a label or any recorded name (case- and accent-insensitive).

    A merged entity resolves to the one it was merged into: "krushchev" finds Khrushchev.
    """
    if not fold(query).strip():  # every name would contain it
        raise ValidationError("give an entity id or name", path="ENTITY", value=query,
                              hint="e.g. khrushchev, or a name as the sources write it")
    current = "SELECT c.entity_id, c.label FROM entities e JOIN entities c ON c.entity_id = e.current_id"
    row = conn.execute(f"{current} WHERE e.entity_id = ?", (query,)).fetchone()
    if row:
        return row
    # Names are few next to claims: fold them all in Python, which also folds what the FTS
    # tokenizer does not (Cyrillic ё → е).
    hits = conn.execute("SELECT c.entity_id, c.label, n.name FROM entity_names n"
                        " JOIN entities c ON c.entity_id = n.current_entity_id").fetchall()
    hits += conn.execute(f"{current.replace('SELECT c.entity_id, c.label', 'SELECT c.entity_id, c.label, e.label')}"
                         ).fetchall()
    folded = fold(query)
    # A whole name beats a name that merely contains the words ("Stalin" vs "Stalin Industrial Academy").
    whole = sorted({(i, label) for i, label, name in hits if fold(name) == folded})
    partial = sorted({(i, label) for i, label, name in hits if folded in fold(name)})
    rows = whole or partial
    if not rows:
        raise UnknownReferenceError("no entity has this id or name", path="ENTITY", value=query,
                                    hint="list them with: sqlite-utils rows CATALOGUE entities -c entity_id -c label")
    if len(rows) > 1:
        choices = ", ".join(f"{i} ({label})" for i, label in rows[:10])
        if len(rows) > 10:
            choices += f" and {len(rows) - 10} more"
        raise UnknownReferenceError(f"the name fits several entities: {choices}", path="ENTITY", value=query,
                                    hint="give the entity id instead")
    return rows[0]


def timeline(path: str | Path, entity: str) -> tuple[str, list[dict]]:
    """The label of the entity and its timeline rows, from a catalogue or an event log."""
    path = Path(path)
    if not path.exists():
        raise ArchiveError(f"no such file: {path}")
    kind = resolve_target(path).kind
    if kind != "file":  # SQLite would wait for ever on a named pipe
        raise ArchiveError(f"{path} is a {kind}, not an event log or a catalogue; give the file of one")
    if _is_log(path):
        with tempfile.TemporaryDirectory() as work, SQLiteEventLog(path, create=False) as log:
            built = Path(work) / "catalogue.db"
            rebuild(log, built)
            return _read(built, entity)
    return _read(path, entity)


def _has_bookkeeping(conn: sqlite3.Connection) -> bool:
    try:
        return conn.execute("SELECT 1 FROM sqlite_master WHERE name = '_catalogue'").fetchone() is not None
    except sqlite3.DatabaseError:  # not a database at all
        return False


def _read(catalogue: Path, entity: str) -> tuple[str, list[dict]]:
    conn = sqlite3.connect(f"file:{catalogue}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        entity_id, label = find_entity(conn, entity)
        rows = conn.execute(f"SELECT {', '.join(COLUMNS)} FROM timeline WHERE entity_id = ?", (entity_id,))
        return label, [dict(r) for r in rows]
    except sqlite3.DatabaseError as exc:
        try:
            status(catalogue)
        except CatalogueError as problem:
            if _has_bookkeeping(conn):  # a catalogue, whose bookkeeping says what is wrong with it
                raise problem from None
            raise ArchiveError(f"{catalogue} is neither an archive event log nor a catalogue ({exc}); give a log, "
                               f"or a catalogue built from one with 'archive rebuild LOG CATALOGUE'") from None
        if is_damage(exc):  # a catalogue, with a table or column gone
            raise damaged(catalogue, exc) from None
        raise
    finally:
        conn.close()
