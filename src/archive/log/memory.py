"""An event log in a Python list: the reference backend for the contract tests.

It exists so that the contract in ``tests/contract`` is tested against two
implementations, which keeps the contract about behaviour and not about SQLite.
Nothing survives the process; do not use it for an archive.
"""

from __future__ import annotations

import contextlib
from typing import Iterator, Mapping, Sequence

from ..errors import ArchiveError
from .base import GENESIS_HASH, AppendResult, Head, NewEvent, StoredEvent, check_blobs, plan_append

__all__ = ["MemoryEventLog"]


class MemoryEventLog:
    def __init__(self) -> None:
        self._events: list[StoredEvent] = []
        self._by_id: dict[str, StoredEvent] = {}
        self._streams: dict[str, list[StoredEvent]] = {}
        self._blobs: dict[str, bytes] = {}
        self._in_transaction = False
        self._broken = False

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Appends inside the block all stay, or (on an exception, or after a failed append) none does."""
        if self._in_transaction:
            yield
            return
        count, blob_ids = len(self._events), set(self._blobs)
        self._in_transaction, self._broken = True, False
        try:
            yield
            if self._broken:
                raise ArchiveError("an append failed inside the transaction, so nothing of it was stored")
        except BaseException:
            for row in self._events[count:]:
                del self._by_id[row.event_id]
                self._streams[row.stream_id].pop()
                if not self._streams[row.stream_id]:
                    del self._streams[row.stream_id]
            del self._events[count:]
            for key in set(self._blobs) - blob_ids:
                del self._blobs[key]
            raise
        finally:
            self._in_transaction = False

    def append(
        self,
        events: Sequence[NewEvent],
        *,
        expected_versions: Mapping[str, int] | None = None,
        blobs: Mapping[str, bytes] | None = None,
    ) -> AppendResult:
        if self._in_transaction and self._broken:
            raise ArchiveError("an append failed inside this transaction; roll it back first")
        try:
            return self._append(events, expected_versions=expected_versions, blobs=blobs)
        except BaseException:
            self._broken = self._in_transaction
            raise

    def _append(
        self,
        events: Sequence[NewEvent],
        *,
        expected_versions: Mapping[str, int] | None = None,
        blobs: Mapping[str, bytes] | None = None,
    ) -> AppendResult:
        blobs = dict(blobs or {})
        check_blobs(blobs)
        streams = {e.stream_id for e in events} | set(expected_versions or {})
        rows, already = plan_append(
            events,
            existing={e.event_id: self._by_id[e.event_id] for e in events if e.event_id in self._by_id},
            current_versions=self.stream_versions(sorted(streams)),
            head=self.head(),
            expected_versions=expected_versions,
        )
        for row in rows:
            self._events.append(row)
            self._by_id[row.event_id] = row
            self._streams.setdefault(row.stream_id, []).append(row)
        for key, content in blobs.items():
            self._blobs.setdefault(key, bytes(content))
        return AppendResult(tuple(rows), already)

    def read(self, *, after: int = 0, upto: int | None = None) -> Iterator[StoredEvent]:
        stop = len(self._events) if upto is None else min(upto, len(self._events))
        for index in range(max(after, 0), stop):
            yield self._events[index]

    def read_stream(self, stream_id: str) -> list[StoredEvent]:
        return list(self._streams.get(stream_id, []))

    def stream_versions(self, stream_ids: Sequence[str]) -> dict[str, int]:
        return {s: len(self._streams.get(s, [])) for s in stream_ids}

    def get_events(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]:
        return {i: self._by_id[i] for i in event_ids if i in self._by_id}

    def head(self) -> Head:
        if not self._events:
            return Head(0, GENESIS_HASH)
        last = self._events[-1]
        return Head(last.position, last.hash)

    def get_blob(self, blob_id: str) -> bytes | None:
        return self._blobs.get(blob_id)

    def has_blobs(self, blob_ids: Sequence[str]) -> set[str]:
        return {b for b in blob_ids if b in self._blobs}

    def blob_ids(self) -> Iterator[str]:
        yield from sorted(self._blobs)

    def close(self) -> None:
        pass

    def __enter__(self) -> "MemoryEventLog":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
