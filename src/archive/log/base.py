"""What an event log is, independent of where it keeps its bytes.

The log knows *nothing* of event types beyond their tag: it stores opaque
canonical payloads in streams, assigns gap-free positions, checks expected
stream versions, recognises retried appends by event id, chains hashes and
keeps content-addressed blobs (the source documents). Domain rules live above
it, in :mod:`archive.validation`.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, ContextManager, Iterator, Mapping, Protocol, Sequence, runtime_checkable

import attrs

from .. import fastjson
from ..errors import DamagedLogError

__all__ = ["NewEvent", "StoredEvent", "Head", "EventLog", "GENESIS_HASH", "chain_hash", "blob_id"]

#: The "previous hash" of the first event.
GENESIS_HASH = "0" * 64


def chain_hash(position: int, stream_id: str, stream_version: int, prev_hash: str, payload: bytes) -> str:
    """Hash of one stored event, covering its place in the log and the previous hash.

    Changing any byte of the payload, the position, the stream or any earlier
    event changes this hash and every later one.
    """
    digest = hashlib.sha256()
    digest.update(f"{position}\n{stream_id}\n{stream_version}\n{prev_hash}\n".encode("utf-8"))
    digest.update(payload)
    return digest.hexdigest()


def blob_id(content: bytes) -> str:
    """Content address of a source document: ``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(content).hexdigest()


@attrs.frozen
class NewEvent:
    """An event on its way into the log: its tag, its stream and its canonical bytes."""

    event_id: str
    stream_id: str
    type: str
    version: int
    payload: bytes


@attrs.frozen
class StoredEvent:
    """An event as the log holds it."""

    position: int
    event_id: str
    stream_id: str
    stream_version: int
    type: str
    version: int
    payload: bytes
    hash: str
    prev_hash: str

    def data(self) -> dict[str, Any]:
        """The payload parsed as JSON (not upcast); IntegrityError if it is not an event's object."""
        try:
            data = fastjson.loads(self.payload)
        except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON: written behind the log's back
            raise damaged(self.position, f"its payload is not JSON ({exc})") from None
        if type(data) is not dict or type(data.get("type")) is not str or type(data.get("version")) is not int:
            raise damaged(self.position, "its payload is not an event's JSON object (with a type and a version)")
        if data["type"] != self.type or data["version"] != self.version:  # another event's payload
            raise damaged(self.position, f"its payload is {data['type']} version {data['version']}, where the log's "
                                         f"row says {self.type} version {self.version}")
        return data


def damaged(position: int, what: str, *, newer: bool = False) -> DamagedLogError:
    """The error for an event the log holds but that cannot be read: the log was changed behind its back.

    ``newer``: or it is of a type or version a newer library wrote (see :func:`archive.codec.unknown_kind`).
    """
    return DamagedLogError(what, position=position, newer=newer)


@attrs.frozen
class Head:
    """The last position and its hash (0 and the genesis hash for an empty log)."""

    position: int
    hash: str


@attrs.frozen
class AppendResult:
    """What an append did: the events it stored, and how many it recognised as already stored.

    ``stored`` is a tuple for an append; an import returns a sequence that reads
    its events back from the log on demand (so read it while the log is open).
    """

    stored: Sequence[StoredEvent]
    already_stored: int


@runtime_checkable
class EventLog(Protocol):
    """The contract every backend honours (``tests/contract`` checks it).

    ``append`` is atomic: all events and blobs are stored, or none.
    Idempotent: an event whose id is stored with identical payload is skipped;
    with a different payload :class:`~archive.errors.DuplicateEventError` is raised.
    ``expected_versions`` maps stream ids to the version the caller last saw
    (0 = the stream must not exist yet); a mismatch raises
    :class:`~archive.errors.ConcurrencyError` and stores nothing.
    """

    def append(
        self,
        events: Sequence[NewEvent],
        *,
        expected_versions: Mapping[str, int] | None = None,
        blobs: Mapping[str, bytes] | None = None,
    ) -> AppendResult: ...

    def transaction(self) -> ContextManager[None]:
        """A block whose appends all land at its end, or none does (writers are kept out meanwhile).

        Reads inside it see its own appends. An exception leaving the block, or
        an append that failed inside it (even if the block caught the error),
        rolls back every append of the block. Nested blocks join the outer one.
        """
        ...

    def read(self, *, after: int = 0, upto: int | None = None) -> Iterator[StoredEvent]:
        """Events with ``after < position <= upto`` in position order, streamed."""
        ...

    def read_stream(self, stream_id: str) -> list[StoredEvent]: ...

    def stream_versions(self, stream_ids: Sequence[str]) -> dict[str, int]:
        """Current version of each stream (0 when it does not exist)."""
        ...

    def get_events(self, event_ids: Sequence[str]) -> dict[str, StoredEvent]: ...

    def head(self) -> Head: ...

    def get_blob(self, blob_id: str) -> bytes | None: ...

    def has_blobs(self, blob_ids: Sequence[str]) -> set[str]: ...

    def blob_ids(self) -> Iterator[str]: ...

    def close(self) -> None: ...


def plan_append(
    events: Sequence[NewEvent],
    *,
    existing: Mapping[str, StoredEvent],
    current_versions: Mapping[str, int],
    head: Head,
    expected_versions: Mapping[str, int] | None,
) -> tuple[list[StoredEvent], int]:
    """Decide what an append stores, the same way for every backend.

    Call it inside the backend's write transaction with what the log holds now:
    the stored events among the batch's ids, the current versions of the
    batch's streams (and of every stream in ``expected_versions``) and the head.
    Returns the rows to insert and how many events were already stored.
    Raises before anything is written, so a backend only has to roll back on
    its own failures.
    """
    from ..errors import ConcurrencyError, DuplicateEventError, Place

    if expected_versions:
        for stream_id, expected in expected_versions.items():
            actual = current_versions.get(stream_id, 0)
            if actual != expected:
                raise ConcurrencyError(stream_id, expected, actual)

    seen: dict[str, bytes] = {}
    versions = dict(current_versions)
    position, prev_hash = head.position, head.hash
    rows: list[StoredEvent] = []
    already = 0
    for index, event in enumerate(events):
        stored = existing.get(event.event_id)
        earlier = seen.get(event.event_id)
        duplicate_of = stored.payload if stored is not None else earlier
        if duplicate_of is not None:
            if duplicate_of != event.payload:
                raise DuplicateEventError(
                    "this event id is already used by an event with different content",
                    path="$.event_id",
                    value=event.event_id,
                    place=Place(index=index),
                    hint="give a new event a new id; to change a recorded event, append a correction",
                )
            already += 1
            continue
        seen[event.event_id] = event.payload
        payload = bytes(event.payload)  # a copy: a caller's bytearray must not change what the log holds
        try:
            payload.decode("utf-8")
        except UnicodeDecodeError:
            from ..errors import ValidationError

            raise ValidationError("the payload is not UTF-8", path="$", value=payload[:40],
                                  place=Place(index=index)) from None
        position += 1
        stream_version = versions.get(event.stream_id, 0) + 1
        versions[event.stream_id] = stream_version
        digest = chain_hash(position, event.stream_id, stream_version, prev_hash, payload)
        rows.append(
            StoredEvent(
                position=position,
                event_id=event.event_id,
                stream_id=event.stream_id,
                stream_version=stream_version,
                type=event.type,
                version=event.version,
                payload=payload,
                hash=digest,
                prev_hash=prev_hash,
            )
        )
        prev_hash = digest
    return rows, already


def check_blobs(blobs: Mapping[str, bytes]) -> None:
    """Refuse a blob whose id is not the sha256 of its content."""
    from ..errors import ValidationError

    for claimed, content in blobs.items():
        if not isinstance(content, (bytes, bytearray)):
            raise ValidationError("source content must be bytes", path="$.source_id", value=claimed)
        actual = blob_id(bytes(content))
        if actual != claimed:
            raise ValidationError(
                "the source id is not the sha256 of its content", path="$.source_id", value=claimed,
                hint=f"the content hashes to {actual}",
            )
