"""Small helpers for the log tests: valid, deterministic events as ``NewEvent``s.

The log treats payloads as opaque bytes, but ``verify`` parses them, so every
payload here is the canonical encoding of a real domain event whose stream is
the ``NewEvent``'s stream.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs

from archive.codec import canonical_bytes, decode, to_dict
from archive.log.base import EventLog, Head, NewEvent, StoredEvent, blob_id
from archive.model import EntityRecorded, Event, NameRecorded, SourceRecorded

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def as_new_event(event: Event) -> NewEvent:
    """The ``NewEvent`` a well-behaved caller would hand the log for ``event``."""
    data = to_dict(event)
    return NewEvent(event.event_id, event.stream_id, data["type"], data["version"], canonical_bytes(data))


def conflicting(event: NewEvent) -> NewEvent:
    """Same id, same stream, same tag, different (still valid) payload."""
    original = decode(event.payload)
    return as_new_event(attrs.evolve(original, curator=original.curator + "+changed"))


class Events:
    """Makes valid events with predictable ids (uuid5 of a seed and a counter)."""

    def __init__(self, seed: str = "contract"):
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"archive-log-tests/{seed}")
        self.counter = 0

    def _stamp(self) -> dict[str, Any]:
        self.counter += 1
        return {"event_id": str(uuid.uuid5(self.namespace, str(self.counter))),
                "recorded_at": T0 + timedelta(seconds=self.counter), "curator": "t"}

    def entity(self, entity_id: str, label: str | None = None) -> NewEvent:
        """An ``EntityRecorded`` in stream ``entity:<entity_id>``."""
        return as_new_event(EntityRecorded(**self._stamp(), entity_id=entity_id, kind="person",
                                           label=label or f"Label of {entity_id}"))

    def name(self, entity_id: str, name: str = "Никита Хрущёв 🏛") -> NewEvent:
        """A ``NameRecorded`` (type version 2) in stream ``entity:<entity_id>``; non-ASCII by default."""
        return as_new_event(NameRecorded(**self._stamp(), entity_id=entity_id, name=name, language="ru"))

    def in_stream(self, entity_id: str, first: bool) -> NewEvent:
        """The next event of an entity stream: the entity itself first, then names."""
        return self.entity(entity_id) if first else self.name(entity_id, f"name {self.counter}")

    def source(self, content: bytes, title: str = "A document") -> tuple[NewEvent, dict[str, bytes]]:
        """A ``SourceRecorded`` and the blob it records."""
        key = blob_id(content)
        event = SourceRecorded(**self._stamp(), source_id=key, title=title, language="en",
                               media_type="application/octet-stream", filename="doc.bin")
        return as_new_event(event), {key: content}


def entity_stream(entity_id: str) -> str:
    return f"entity:{entity_id}"


@attrs.frozen
class Snapshot:
    """Everything a log shows through the ``EventLog`` interface."""

    head: Head
    events: tuple[StoredEvent, ...]
    blobs: dict[str, bytes]


def snapshot(log: EventLog) -> Snapshot:
    blobs = {key: log.get_blob(key) for key in log.blob_ids()}
    return Snapshot(log.head(), tuple(log.read()), blobs)  # type: ignore[arg-type]


def file_digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def append_from_process(path: str, seed: str, count: int, shared_entity: str) -> int:
    """Worker for the multi-process test (importable, so ``spawn`` can run it).

    Appends ``count`` single-event batches to its own stream and, for each,
    one event to a stream every worker contends for, retrying on
    ConcurrencyError with a freshly read expected version. Returns the retries.
    """
    from archive.errors import ConcurrencyError
    from archive.log.sqlite import SQLiteEventLog

    events = Events(seed)
    retries = 0
    with SQLiteEventLog(path) as log:
        for n in range(count):
            log.append([events.in_stream(seed, first=n == 0)])
            stream = entity_stream(shared_entity)
            event = events.name(shared_entity, f"{seed} {n}")
            while True:
                version = log.stream_versions([stream])[stream]
                try:
                    log.append([event], expected_versions={stream: version})
                    break
                except ConcurrencyError:
                    retries += 1
    return retries
