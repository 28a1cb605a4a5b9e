"""The domain model: source records and the events of the log.

Events are frozen attrs values. Each class has a stable ``TYPE`` name and a
schema ``VERSION``; together they tag the event in JSON (see :mod:`archive.codec`).
Events know nothing of storage: the log decides positions and hashes. The one
piece of routing an event does know is the *stream* it belongs to — the thing
it is about (one source, one entity, one claim) — because that is a domain fact,
and optimistic concurrency is checked per stream.

Field types are checked by the codec; the rules that need the rest of the
archive (does the source exist? is the quote really in it?) live in
:mod:`archive.validation`.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import ClassVar

import attrs

__all__ = [
    "Event",
    "SourceRecorded",
    "EntityRecorded",
    "NameRecorded",
    "ClaimRecorded",
    "TextSelector",
    "ClaimDate",
    "ENTITY_KINDS",
    "EVENT_CLASSES",
    "new_event_id",
    "utc_now",
]

#: What an entity can be. Closed on purpose: facets and views rely on it.
ENTITY_KINDS = (
    "person",
    "organisation",
    "office",
    "place",
    "event",
    "award",
    "work",
    "other",
)


def new_event_id() -> str:
    """A fresh random event id (UUID 4, canonical lower-case form)."""
    return str(uuid.uuid4())


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(timezone.utc)


@attrs.frozen(kw_only=True)
class Event:
    """Fields every event carries.

    ``event_id`` is a UUID chosen by whoever creates the event (so a retried
    append is recognisable and harmless); ``recorded_at`` and ``curator`` say
    when and by whom it was recorded — not when the thing it talks about happened.
    """

    TYPE: ClassVar[str] = ""
    VERSION: ClassVar[int] = 0

    event_id: str
    recorded_at: datetime
    curator: str

    @property
    def stream_id(self) -> str:  # pragma: no cover - every concrete class overrides it
        raise NotImplementedError

    @property
    def creates_stream(self) -> bool:
        """True when this event starts its stream (and so the stream must be new)."""
        return False


@attrs.frozen(kw_only=True)
class SourceRecorded(Event):
    """A source document entered the archive.

    ``source_id`` is ``sha256:<hex>`` of the exact bytes, which the log stores
    beside the event; the metadata here describes those bytes.
    """

    TYPE: ClassVar[str] = "SourceRecorded"
    VERSION: ClassVar[int] = 1

    source_id: str
    title: str
    language: str
    media_type: str
    filename: str
    kind: str | None = None
    author: str | None = None
    publisher: str | None = None
    origin_url: str | None = None
    published: str | None = None
    retrieved: str | None = None
    note: str | None = None

    @property
    def stream_id(self) -> str:
        return f"source:{self.source_id}"

    @property
    def creates_stream(self) -> bool:
        return True


@attrs.frozen(kw_only=True)
class EntityRecorded(Event):
    """A person, organisation, office, place… the archive talks about."""

    TYPE: ClassVar[str] = "EntityRecorded"
    VERSION: ClassVar[int] = 1

    entity_id: str
    kind: str
    label: str
    note: str | None = None

    @property
    def stream_id(self) -> str:
        return f"entity:{self.entity_id}"

    @property
    def creates_stream(self) -> bool:
        return True


@attrs.frozen(kw_only=True)
class NameRecorded(Event):
    """A name an entity goes by, in one language and script.

    Version 1 called the language field ``lang`` and had no ``script`` or
    ``preferred``; :mod:`archive.codec` upcasts it on read.
    """

    TYPE: ClassVar[str] = "NameRecorded"
    VERSION: ClassVar[int] = 2

    entity_id: str
    name: str
    language: str
    script: str | None = None
    preferred: bool = False

    @property
    def stream_id(self) -> str:
        return f"entity:{self.entity_id}"


@attrs.frozen(kw_only=True)
class TextSelector:
    """Where a claim's quote sits in its source's text.

    Both W3C Web Annotation selectors in one: ``exact`` with ``prefix`` and
    ``suffix`` (a TextQuoteSelector) and ``start``/``end`` (a
    TextPositionSelector). Offsets count Unicode code points of the decoded
    text, as stored — no normalisation, so a combining accent is one code point.
    """

    exact: str
    start: int
    end: int
    prefix: str = ""
    suffix: str = ""


@attrs.frozen(kw_only=True)
class ClaimDate:
    """A date as the source wrote it and as the archive normalises it.

    ``edtf`` is the proleptic Gregorian normalisation (EDTF, for sorting and
    comparing). When the source counts in the Julian calendar, or gives both
    readings ("3/15 aprilie 1894"), ``calendar`` says so and ``original`` keeps
    the Julian reading as EDTF. See docs/dates.md.
    """

    as_written: str
    edtf: str
    calendar: str = "gregorian"
    original: str | None = None


@attrs.frozen(kw_only=True)
class ClaimRecorded(Event):
    """Source S says: subject — predicate — object (at date), in these words."""

    TYPE: ClassVar[str] = "ClaimRecorded"
    VERSION: ClassVar[int] = 1

    claim_id: str
    subject_id: str
    predicate: str
    source_id: str
    selector: TextSelector
    object_id: str | None = None
    object_literal: str | None = None
    date: ClaimDate | None = None
    note: str | None = None

    @property
    def stream_id(self) -> str:
        return f"claim:{self.claim_id}"

    @property
    def creates_stream(self) -> bool:
        return True


#: Every event class the codec knows, current versions.
EVENT_CLASSES: tuple[type[Event], ...] = (
    SourceRecorded,
    EntityRecorded,
    NameRecorded,
    ClaimRecorded,
)
