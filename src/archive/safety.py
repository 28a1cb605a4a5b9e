"""What a command may write over: never a database, nor the files SQLite keeps beside one.

A mistyped path must not cost the event log. ``archive rebuild`` replaces only a
catalogue, and the exports replace only earlier exports; both ask here first.

Both write a temporary file and rename it over the target, which replaces whatever
has the target's name. So the name is first followed to the file it stands for
(:func:`resolve_target`): a symbolic link is not replaced but its target is, and a
pipe or a device — which a rename would turn into a plain file — is told apart.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import attrs

from .errors import ArchiveError

__all__ = ["SQLITE_HEADER", "Target", "is_sqlite_database", "resolve_target", "sqlite_file_beside"]

SQLITE_HEADER = b"SQLite format 3\x00"

#: The files SQLite keeps beside a database ``x.db``: ``x.db-wal``, ``x.db-shm``, ``x.db-journal``.
_SIDECARS = ("-wal", "-shm", "-journal")

#: As many links as Linux follows before it says "too many levels of symbolic links".
_MAX_LINKS = 40


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


@attrs.frozen
class Target:
    """The file a path given for output stands for.

    ``path`` is where it is, every symbolic link followed: a name a rename may replace. Only a
    process's descriptor (``/dev/stdout``, ``/dev/fd/3``, ``/proc/PID/fd/3``) is left as it is
    (``descriptor``): what it leads to is an open file, perhaps a pipe or a deleted file, that only
    the kernel can follow, and no name of it may be renamed over. ``kind`` is "absent", "file",
    "directory", "named pipe", "character device", "block device" or "socket".
    """

    given: Path
    path: Path
    kind: str
    linked: bool = False
    descriptor: bool = False

    @property
    def where(self) -> str:
        """The path as given, and where it leads if a link took it elsewhere: for messages."""
        if self.linked and not self.descriptor:
            return f"{self.given} (a link to {self.path})"
        return str(self.given)

    @property
    def directory(self) -> Path:
        """The directory the file is (or would be) in, as the user wrote it unless a link took it elsewhere."""
        return self.path.parent if self.linked else self.given.parent

    @property
    def streamed(self) -> bool:
        """Written into as it is, never replaced: a pipe or a character device (a terminal, /dev/null)."""
        return self.kind in ("named pipe", "character device")

    def is_standard_output(self) -> bool:
        """Whether this is a descriptor of this process's standard output (``/dev/stdout``)."""
        if not self.descriptor:
            return False
        try:
            ours = os.fstat(sys.stdout.fileno())
            theirs = os.stat(self.path)
        except (AttributeError, ValueError, OSError):  # no standard output with a descriptor (a test runner's)
            return False
        return (ours.st_dev, ours.st_ino) == (theirs.st_dev, theirs.st_ino)


def _kind(path: str) -> str:
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "absent"
    for test, name in ((stat.S_ISREG, "file"), (stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "named pipe"),
                       (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                       (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"  # pragma: no cover - no other kind on POSIX


def resolve_target(given: str | os.PathLike) -> Target:
    """Follow ``given``'s symbolic links, one at a time, to the file it stands for (see :class:`Target`).

    One at a time, and not with ``os.path.realpath``, to stop at a link that is a process's
    descriptor: ``realpath`` would carry on to the file name the descriptor was opened by, which may
    be another file by now, or a name like ``pipe:[1234]`` that is no file at all.
    """
    given = Path(given)
    current = os.path.join(os.getcwd(), given)
    for links in range(_MAX_LINKS + 1):
        parent = os.path.realpath(os.path.dirname(current))
        current = os.path.join(parent, os.path.basename(current))
        if not os.path.islink(current):
            return Target(given, Path(current), _kind(current), linked=links > 0)
        if parent == "/proc" or parent.startswith("/proc/"):
            return Target(given, Path(current), _kind(current), linked=True, descriptor=True)
        current = os.path.join(parent, os.readlink(current))
    raise ArchiveError(f"{given} leads through more than {_MAX_LINKS} symbolic links (a loop?), so nothing was "
                       f"written: give the file's own path")
