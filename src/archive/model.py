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

from datetime import datetime, timezone
from typing import Any, ClassVar, Iterable

import attrs

from .ids import new_id

__all__ = [
    "Event",
    "SourceRecorded",
    "SourceDescriptionCorrected",
    "DESCRIPTION_FIELDS",
    "CLEARABLE_FIELDS",
    "corrected_description",
    "WorkDescriptionCorrected",
    "WORK_DESCRIPTION_FIELDS",
    "WORK_CLEARABLE_FIELDS",
    "EntityRecorded",
    "NameRecorded",
    "ClaimRecorded",
    "ClaimRetracted",
    "ClaimSuperseded",
    "ClaimAssessed",
    "ConclusionRecorded",
    "EntitiesMerged",
    "EntitySplit",
    "WorkRecorded",
    "WorkCited",
    "VOICES",
    "RANKS",
    "TextSelector",
    "ClaimDate",
    "ENTITY_KINDS",
    "WORK_KINDS",
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
    """A fresh id for an event, claim or conclusion: a time-ordered UUID (version 7; see :mod:`archive.ids`)."""
    return new_id()


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
    beside the event; the metadata here describes those bytes. A *derived*
    text — the original with its mojibake repaired, or its site navigation
    removed — is a source of its own whose ``derived_from`` names the original
    and whose ``derivation`` says how it was made; the original never changes.
    Version 1 had no ``derived_from``/``derivation``.
    """

    TYPE: ClassVar[str] = "SourceRecorded"
    VERSION: ClassVar[int] = 2

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
    #: For a derived text (a repaired or cleaned copy): the source it was made from, and how.
    derived_from: str | None = None
    derivation: str | None = None

    @property
    def stream_id(self) -> str:
        return f"source:{self.source_id}"

    @property
    def creates_stream(self) -> bool:
        return True


#: The fields of a source's description a correction may change. Not ``media_type`` (quotes are anchored
#: in the text it decodes), ``filename`` (where the bytes sit in a bundle) or ``derived_from``/``derivation``
#: (what the text is), which belong to the bytes rather than to what a curator says about them.
DESCRIPTION_FIELDS = ("title", "language", "kind", "author", "publisher", "origin_url", "published", "retrieved",
                      "note")
#: Those a correction may remove: every one but the two a source must have.
CLEARABLE_FIELDS = DESCRIPTION_FIELDS[2:]


class _DescriptionCorrection:
    """What corrections of a description share: the fields they may give, and how to read what they change."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    cleared: tuple[str, ...]

    def changes(self) -> dict[str, str | None]:
        """The fields it changes, with their new values (None for a field cleared), in ``FIELDS`` order."""
        return {name: getattr(self, name) for name in self.FIELDS
                if getattr(self, name) is not None or name in self.cleared}


@attrs.frozen(kw_only=True)
class SourceDescriptionCorrected(Event, _DescriptionCorrection):
    """A curator corrects what the archive says about a source: its title, language, author, dates…

    The document's bytes and its ``SourceRecorded`` event stay as they were; the
    correction gives new values for some fields of the description (those it
    leaves out keep theirs) and names in ``cleared`` optional fields that should
    not have been given at all. The catalogue shows the description with every
    correction applied, in log order, and lists each change.
    """

    TYPE: ClassVar[str] = "SourceDescriptionCorrected"
    VERSION: ClassVar[int] = 1
    FIELDS: ClassVar[tuple[str, ...]] = DESCRIPTION_FIELDS

    source_id: str
    reason: str
    title: str | None = None
    language: str | None = None
    kind: str | None = None
    author: str | None = None
    publisher: str | None = None
    origin_url: str | None = None
    published: str | None = None
    retrieved: str | None = None
    note: str | None = None
    cleared: tuple[str, ...] = ()

    @property
    def stream_id(self) -> str:
        return f"source:{self.source_id}"


def corrected_description(recorded: Any, corrections: Iterable[_DescriptionCorrection]) -> Any:
    """A source or work as described once these corrections (of it, in log order) are applied."""
    for correction in corrections:
        recorded = attrs.evolve(recorded, **correction.changes())
    return recorded


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
    """Source S says: subject — predicate — object (at date), in these words.

    ``voice`` says who in the source says it: the source's ``author``, someone
    the author ``reported`` ("Taubman afirmă…", a memoir quoted inline), or a
    ``reader`` (a comment under a blog post). ``speaker`` names that person as
    the source does; ``speaker_id`` links them to an entity where catalogued.
    ``cited_work_id`` names the cited work (a :class:`WorkRecorded`) the claim
    comes from: the book in which a reported speaker says it, or the reference
    the author rests it on. Often that is the curator's identification (the
    article names Taubman; its bibliography lists one book by him), so the
    source must cite the work (:class:`WorkCited`): "001 reports that Taubman,
    in *Khrushchev: The Man and His Era*, says …" rests on the claim's quote and
    on the citation's words, both in 001.
    Version 1 had no voice: its claims are the author's. Version 2 had no
    ``cited_work_id``.
    """

    TYPE: ClassVar[str] = "ClaimRecorded"
    VERSION: ClassVar[int] = 3

    claim_id: str
    subject_id: str
    predicate: str
    source_id: str
    selector: TextSelector
    object_id: str | None = None
    object_literal: str | None = None
    date: ClaimDate | None = None
    note: str | None = None
    voice: str = "author"
    speaker: str | None = None
    speaker_id: str | None = None
    cited_work_id: str | None = None

    @property
    def stream_id(self) -> str:
        return f"claim:{self.claim_id}"

    @property
    def creates_stream(self) -> bool:
        return True


#: Who in a source says a claim.
VOICES = ("author", "reported", "reader")
#: How much weight the curators give a claim.
RANKS = ("preferred", "normal", "deprecated")


@attrs.frozen(kw_only=True)
class ClaimRetracted(Event):
    """We no longer assert this claim (it was recorded in error); it stays visible as retracted."""

    TYPE: ClassVar[str] = "ClaimRetracted"
    VERSION: ClassVar[int] = 1

    claim_id: str
    reason: str

    @property
    def stream_id(self) -> str:
        return f"claim:{self.claim_id}"


@attrs.frozen(kw_only=True)
class ClaimSuperseded(Event):
    """The claim is replaced by a corrected claim (``by_claim_id``) about the same subject."""

    TYPE: ClassVar[str] = "ClaimSuperseded"
    VERSION: ClassVar[int] = 1

    claim_id: str
    by_claim_id: str
    reason: str

    @property
    def stream_id(self) -> str:
        return f"claim:{self.claim_id}"


@attrs.frozen(kw_only=True)
class ClaimAssessed(Event):
    """A curator's weighing of a claim: ``preferred``, ``normal`` or ``deprecated``, with the reason.

    The latest assessment of a claim is the one in force.
    """

    TYPE: ClassVar[str] = "ClaimAssessed"
    VERSION: ClassVar[int] = 1

    claim_id: str
    rank: str
    reason: str

    @property
    def stream_id(self) -> str:
        return f"claim:{self.claim_id}"


@attrs.frozen(kw_only=True)
class ConclusionRecorded(Event):
    """The archive's own reading, resting on claims (GEDCOM X: a conclusion, not evidence).

    Shown apart from claims: it is what the curators conclude, not what any
    source says.
    """

    TYPE: ClassVar[str] = "ConclusionRecorded"
    VERSION: ClassVar[int] = 1

    conclusion_id: str
    subject_id: str
    predicate: str
    rests_on: tuple[str, ...]
    reason: str
    object_id: str | None = None
    object_literal: str | None = None
    date: ClaimDate | None = None

    @property
    def stream_id(self) -> str:
        return f"conclusion:{self.conclusion_id}"

    @property
    def creates_stream(self) -> bool:
        return True


@attrs.frozen(kw_only=True)
class EntitiesMerged(Event):
    """``entity_id`` and ``into_id`` are the same: ``entity_id`` now resolves to ``into_id``.

    Merges chain (A into B, then B into C: A resolves to C); a merge that would
    make a cycle is refused. Undo with :class:`EntitySplit`.
    """

    TYPE: ClassVar[str] = "EntitiesMerged"
    VERSION: ClassVar[int] = 1

    entity_id: str
    into_id: str
    reason: str

    @property
    def stream_id(self) -> str:
        return f"entity:{self.entity_id}"


@attrs.frozen(kw_only=True)
class EntitySplit(Event):
    """Undo the merge of ``entity_id``: it is its own entity again, with its own names and claims."""

    TYPE: ClassVar[str] = "EntitySplit"
    VERSION: ClassVar[int] = 1

    entity_id: str
    reason: str

    @property
    def stream_id(self) -> str:
        return f"entity:{self.entity_id}"


@attrs.frozen(kw_only=True)
class WorkRecorded(Event):
    """A work the sources cite but the archive does not hold: a source without bytes.

    Freeze's *Russia: A History*, Taubman's biography, Khrushchev's memoirs: the
    archive cannot quote them, only what its sources say about or from them. So a
    work has bibliographic metadata and no text; the sources that cite it say so
    with :class:`WorkCited`, and claims a source attributes to it name it in
    ``ClaimRecorded.cited_work_id``. ``published`` is an EDTF date (``2003``,
    ``1970-11-24``), ``identifier`` an ISBN, ISSN, DOI or URL as printed.
    """

    TYPE: ClassVar[str] = "WorkRecorded"
    VERSION: ClassVar[int] = 1

    work_id: str
    title: str
    kind: str
    author: str | None = None
    published: str | None = None
    publisher: str | None = None
    identifier: str | None = None
    language: str | None = None
    note: str | None = None

    @property
    def stream_id(self) -> str:
        return f"work:{self.work_id}"

    @property
    def creates_stream(self) -> bool:
        return True


#: The fields of a cited work's description a correction may change (all of them but its id).
WORK_DESCRIPTION_FIELDS = ("title", "kind", "author", "published", "publisher", "identifier", "language", "note")
#: Those a correction may remove: every one but the two a work must have.
WORK_CLEARABLE_FIELDS = WORK_DESCRIPTION_FIELDS[2:]


@attrs.frozen(kw_only=True)
class WorkDescriptionCorrected(Event, _DescriptionCorrection):
    """A curator corrects a cited work's bibliographic data: a mis-keyed title, a wrong year, a missing ISBN.

    Like :class:`SourceDescriptionCorrected`: new values for the fields that change, ``cleared``
    for optional fields that should not have been given; the ``WorkRecorded`` event stays as it was.
    """

    TYPE: ClassVar[str] = "WorkDescriptionCorrected"
    VERSION: ClassVar[int] = 1
    FIELDS: ClassVar[tuple[str, ...]] = WORK_DESCRIPTION_FIELDS

    work_id: str
    reason: str
    title: str | None = None
    kind: str | None = None
    author: str | None = None
    published: str | None = None
    publisher: str | None = None
    identifier: str | None = None
    language: str | None = None
    note: str | None = None
    cleared: tuple[str, ...] = ()

    @property
    def stream_id(self) -> str:
        return f"work:{self.work_id}"


@attrs.frozen(kw_only=True)
class WorkCited(Event):
    """Source S cites work W, here: the words of S that cite it (a bibliography entry, "în memoriile sale").

    The selector is checked against the source's text when the citation is
    appended, like a claim's quote. A work's record and its citations are
    permanent, like every event: there is no event yet to correct a work.
    """

    TYPE: ClassVar[str] = "WorkCited"
    VERSION: ClassVar[int] = 1

    work_id: str
    source_id: str
    selector: TextSelector
    note: str | None = None

    @property
    def stream_id(self) -> str:
        return f"work:{self.work_id}"


#: What a cited work can be. Closed, like ENTITY_KINDS, so the catalogue can facet on it.
WORK_KINDS = (
    "book",
    "chapter",
    "article",
    "newspaper article",
    "memoir",
    "speech",
    "web page",
    "other",
)

#: Every event class the codec knows, current versions.
EVENT_CLASSES: tuple[type[Event], ...] = (
    SourceRecorded,
    SourceDescriptionCorrected,
    EntityRecorded,
    NameRecorded,
    ClaimRecorded,
    ClaimRetracted,
    ClaimSuperseded,
    ClaimAssessed,
    ConclusionRecorded,
    EntitiesMerged,
    EntitySplit,
    WorkRecorded,
    WorkDescriptionCorrected,
    WorkCited,
)
