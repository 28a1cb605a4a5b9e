"""What a command may write over: never a database, nor the files SQLite keeps beside one.

A mistyped path must not cost the event log. ``archive rebuild`` replaces only a
catalogue, and the exports replace only earlier exports; both ask here first.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["SQLITE_HEADER", "is_sqlite_database", "sqlite_file_beside"]

SQLITE_HEADER = b"SQLite format 3\x00"

#: The files SQLite keeps beside a database ``x.db``: ``x.db-wal``, ``x.db-shm``, ``x.db-journal``.
_SIDECARS = ("-wal", "-shm", "-journal")


def is_sqlite_database(path: Path) -> bool:
    """Whether ``path`` is a file that starts with SQLite's header."""
    if not path.is_file():
        return False
    with open(path, "rb") as handle:
        return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def sqlite_file_beside(path: Path) -> Path | None:
    """The database whose write-ahead log, shared memory or journal ``path`` is, if that database exists.

    Such a file may be empty and still hold, or be about to hold, committed events: replacing it
    loses them when the process that has the database open stops.
    """
    for suffix in _SIDECARS:
        if path.name.endswith(suffix) and len(path.name) > len(suffix):
            owner = path.with_name(path.name[: -len(suffix)])
            if owner.is_file():
                return owner
    return None
