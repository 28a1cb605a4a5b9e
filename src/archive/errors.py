"""Every error the library raises on purpose.

One base class, :class:`ArchiveError`, so callers can catch everything we raise
deliberately; each subclass also inherits the built-in exception it resembles,
so ``except ValueError`` keeps working for code that does not know about us.

Errors about input name *where* the problem is: the field path inside the
event (``$.selector.exact``), the bad value, and — when the event came from a
file — the file and line. The message always says what to do instead.
"""

from __future__ import annotations

import reprlib
from typing import Any

__all__ = [
    "ArchiveError",
    "ValidationError",
    "UnknownReferenceError",
    "DateError",
    "DuplicateEventError",
    "ConcurrencyError",
    "LogBusyError",
    "IntegrityError",
    "DamagedLogError",
    "BundleError",
    "CatalogueError",
    "Place",
]


def _short(value: Any, limit: int = 80) -> str:
    """repr() of a value, cut so a 10 MB field does not flood a terminal."""
    try:
        text = repr(value)
    except RecursionError:  # a structure nested thousands deep: its first levels say enough
        text = reprlib.repr(value)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


class Place:
    """Where an event came from: a file and a 1-based line, or a batch index."""

    __slots__ = ("file", "line", "index")

    def __init__(self, file: str | None = None, line: int | None = None, index: int | None = None):
        # Immutable, so that one Place can stand for the same index in every batch (core.py).
        object.__setattr__(self, "file", file)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Place cannot be changed; make a new one (tried to set {name})")

    def __reduce__(self):  # copy and pickle make a new one (an error crossing to another process names it)
        return (Place, (self.file, self.line, self.index))

    def __str__(self) -> str:
        if self.file is not None and self.line is not None:
            return f"{self.file}:{self.line}"
        if self.file is not None:
            return self.file
        if self.index is not None:
            return f"event #{self.index + 1} of the batch"
        return "input"

    def __repr__(self) -> str:
        return f"Place({str(self)!r})"


class ArchiveError(Exception):
    """Base class of every error the archive raises on purpose."""


class ValidationError(ArchiveError, ValueError):
    """An event (or record) is not acceptable; nothing was written.

    ``path`` is a JSONPath-like pointer into the event (``$.selector.exact``),
    ``value`` the offending value, ``place`` where the event came from.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str = "$",
        value: Any = None,
        place: Place | None = None,
        hint: str | None = None,
        show_value: bool = True,
    ):
        self.problem = problem
        self.path = path
        self.value = value
        self.place = place
        self.hint = hint
        self.show_value = show_value
        super().__init__(self._message())

    def _message(self) -> str:
        where = f"{self.place}: " if self.place is not None else ""
        text = f"{where}{self.path}: {self.problem}"
        if self.show_value:
            text += f" (got {_short(self.value)})"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def at(self, place: Place | None, *, replace: bool = False) -> "ValidationError":
        """Return a copy of this error that also names where the event came from (itself, if nowhere).

        ``replace=True`` sets the place even to None: a copy that names no place.
        """
        if place is None and not replace:
            return self
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone.place = place
        Exception.__init__(clone, clone._message())
        return clone

    def __str__(self) -> str:
        return self._message()


class UnknownReferenceError(ValidationError, LookupError):
    """An event refers to a source, entity or claim the log does not hold."""


class DateError(ValidationError):
    """A date is malformed or impossible (month 13, 30 February, an interval ending before it starts)."""


class DuplicateEventError(ValidationError):
    """An event id is already stored with different content."""


class ConcurrencyError(ArchiveError, RuntimeError):
    """A stream moved on since the caller read it (optimistic concurrency).

    Re-read the stream, re-check your change and append again.
    """

    def __init__(self, stream_id: str, expected: int, actual: int):
        self.stream_id = stream_id
        self.expected = expected
        self.actual = actual
        super().__init__(
            f"stream {stream_id!r} is at version {actual}, not the expected {expected}; "
            "another writer appended to it first: re-read it and try again"
        )


class LogBusyError(ArchiveError, TimeoutError):
    """Another writer held the log's write lock for longer than this writer would wait.

    Nothing was written; append again when the other writer (a big import, say) is done.
    """


class IntegrityError(ArchiveError, ValueError):
    """``verify`` found stored bytes that do not match their hashes.

    ``position`` is the first bad log position (``None`` when the problem is a
    source blob rather than an event); ``source_id`` names a bad source.
    """

    def __init__(self, problem: str, *, position: int | None = None, source_id: str | None = None):
        self.problem = problem
        self.position = position
        self.source_id = source_id
        if position is not None:
            text = f"position {position}: {problem}"
        elif source_id is not None:
            text = f"source {source_id}: {problem}"
        else:
            text = problem
        super().__init__(text)


class DamagedLogError(IntegrityError):
    """An event the log holds cannot be read as an event: the log was changed behind its back.

    Every event was checked when it was appended, so this is damage, not bad input. ``position``
    names the event; ``log`` the log's file, when the code that found it knows it (:meth:`in_log`).
    """

    def __init__(self, what: str, *, position: int, log: object = None, newer: bool = False):
        self.what = what
        self.log = log
        #: The event is of a type or version this library does not know: a newer library may have written it.
        self.newer = newer
        super().__init__(what, position=position)
        # "position N: …" as verify words its problems; the log named in the command to run.
        verify = f"run 'archive verify {'LOG' if log is None else log}'"
        Exception.__init__(self, f"position {position}: {what}: " + (
            f"if a newer version of archive wrote it, upgrade archive to read this log; if not, the log is "
            f"damaged: {verify} to see what else is wrong" if newer
            else f"the log is damaged; {verify} to see what else is wrong"))

    def in_log(self, log: object) -> "DamagedLogError":
        """This error naming the log's file (itself if it names one already, or ``log`` is None)."""
        if self.log is not None or log is None:
            return self
        return DamagedLogError(self.what, position=self.position, log=log, newer=self.newer)


class BundleError(ArchiveError, ValueError):
    """A bundle directory or JSONL file is unreadable or unsafe."""


class CatalogueError(ArchiveError, RuntimeError):
    """A catalogue cannot be updated (built from another log, or by another schema version)."""
