"""Recompute everything the log claims about itself.

``verify`` reads every stored event and source document through the
:class:`~archive.log.EventLog` interface — so it works on any backend — and
checks: positions run 1, 2, 3… without gaps; each event's ``prev_hash`` is the
hash of the event before it; each hash recomputes from the stored bytes; the
payload is canonical JSON whose id, type and version match the stored columns;
stream versions run 1, 2, 3… per stream; each source's bytes hash to its id
and every recorded source has its bytes.
"""

from __future__ import annotations

import hashlib
import json
from typing import Callable

import attrs

from .codec import canonical_bytes, stream_id_of, upcast, check_tag
from .errors import IntegrityError, ValidationError
from .log.base import GENESIS_HASH, EventLog, Head, chain_hash

__all__ = ["VerifyReport", "verify"]


@attrs.frozen
class VerifyReport:
    events: int
    sources: int
    head: Head
    problems: tuple[IntegrityError, ...]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_position(self) -> int | None:
        positions = [p.position for p in self.problems if p.position is not None]
        return min(positions) if positions else None


def verify(log: EventLog, *, progress: Callable[[int], None] | None = None, limit: int = 100) -> VerifyReport:
    """Check the whole log; collect up to ``limit`` problems (never raises on bad data)."""
    problems: list[IntegrityError] = []
    expected_position = 1
    prev_hash = GENESIS_HASH
    stream_versions: dict[str, int] = {}
    recorded_sources: list[str] = []
    count = 0

    def problem(text: str, position: int | None = None, source_id: str | None = None) -> None:
        if len(problems) < limit:
            problems.append(IntegrityError(text, position=position, source_id=source_id))

    for event in log.read():
        count += 1
        position = event.position
        if position != expected_position:
            problem(f"expected position {expected_position} here: positions must have no gaps", position)
        expected_position = position + 1
        if event.prev_hash != prev_hash:
            problem("prev_hash does not match the hash of the event before it", position)
        if chain_hash(position, event.stream_id, event.stream_version, event.prev_hash, event.payload) != event.hash:
            problem("hash mismatch: the stored bytes are not the bytes that were hashed", position)
        prev_hash = event.hash
        expected_version = stream_versions.get(event.stream_id, 0) + 1
        if event.stream_version != expected_version:
            problem(f"stream {event.stream_id} jumps to version {event.stream_version}, expected {expected_version}",
                    position)
        stream_versions[event.stream_id] = event.stream_version
        try:
            data = json.loads(event.payload)
            if canonical_bytes(data) != event.payload:
                raise ValueError("payload is not in canonical form")
            check_tag(data)
            if (data["event_id"], data["type"], data["version"]) != (event.event_id, event.type, event.version):
                raise ValueError("the payload's event_id, type or version differs from the stored columns")
            current = upcast(data)
            if stream_id_of(current) != event.stream_id:
                raise ValueError(f"the payload belongs to stream {stream_id_of(current)}, not {event.stream_id}")
            if current["type"] == "SourceRecorded":
                recorded_sources.append(current["source_id"])
        except (ValueError, KeyError, TypeError, ValidationError) as exc:
            problem(f"unreadable payload: {exc}", position)
        if progress is not None:
            progress(count)

    blob_count = 0
    for blob in log.blob_ids():
        blob_count += 1
        content = log.get_blob(blob)
        actual = "sha256:" + hashlib.sha256(content or b"").hexdigest()
        if actual != blob:
            problem(f"the bytes hash to {actual}", source_id=blob)
    missing = set(recorded_sources) - log.has_blobs(recorded_sources)
    for source_id in sorted(missing):
        problem("recorded, but its bytes are missing", source_id=source_id)
    problems.sort(key=lambda p: (p.position is None, p.position or 0))
    return VerifyReport(events=count, sources=blob_count, head=log.head(), problems=tuple(problems))
