"""The rules an event must satisfy before the log accepts it.

The codec has already checked the shape and types. Here we check values and
references against the log *and the earlier events of the same batch*: the
source must exist and hold the quote at the given offsets, the subject must be
a recorded entity, a new entity's id must be unused, and so on.

The result is the set of stream versions the batch relies on (0 for streams it
creates). The log re-checks them inside its write transaction, so a rule that
held when we looked still holds when the batch lands, even with other writers.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Callable, Mapping, Sequence

import attrs

from . import dates
from .errors import Place, UnknownReferenceError, ValidationError
from .log.base import EventLog, StoredEvent, blob_id
from .codec import first_damaged, from_dict
from .model import (
    CLEARABLE_FIELDS,
    DESCRIPTION_FIELDS,
    ENTITY_KINDS,
    EVENT_CLASSES,
    RANKS,
    VOICES,
    WORK_KINDS,
    ClaimAssessed,
    ClaimRecorded,
    ClaimRetracted,
    ClaimSuperseded,
    ConclusionRecorded,
    EntitiesMerged,
    EntityRecorded,
    EntitySplit,
    Event,
    NameRecorded,
    SourceDescriptionCorrected,
    SourceRecorded,
    TextSelector,
    WORK_CLEARABLE_FIELDS,
    WORK_DESCRIPTION_FIELDS,
    WorkCited,
    WorkDescriptionCorrected,
    WorkRecorded,
    corrected_description,
)
from .text import check_selector, decode_text

__all__ = ["Validator", "ID_PATTERN", "PREDICATE_PATTERN", "LANGUAGE_PATTERN"]

#: Entity and claim ids: readable slugs or UUIDs.
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
PREDICATE_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
#: A BCP 47 language tag (RFC 5646 ``langtag``): a 2 or 3 letter language with up to three extended
#: language subtags, then optionally a script, a region, variants, extensions and a private-use part
#: (pt, pt-BR, sr-Latn, zh-yue-HK, de-CH-1901, ru-petr1708, la-x-medieval). Historians need the
#: variants for old orthographies and the private use for what no registry names. Not accepted: the
#: grandfathered tags (i-klingon) and tags that are private use only (x-whatever).
LANGUAGE_PATTERN = re.compile(
    r"[a-zA-Z]{2,3}(-[a-zA-Z]{3}){0,3}"  # language, extended language subtags
    r"(-[a-zA-Z]{4})?"  # script
    r"(-([a-zA-Z]{2}|[0-9]{3}))?"  # region
    r"(-([a-zA-Z0-9]{5,8}|[0-9][a-zA-Z0-9]{3}))*"  # variants
    r"(-[0-9a-wyzA-WYZ](-[a-zA-Z0-9]{2,8})+)*"  # extensions: a singleton other than x, then subtags
    r"(-[xX](-[a-zA-Z0-9]{1,8})+)?"  # private use
)
SCRIPT_PATTERN = re.compile(r"[A-Z][a-z]{3}")
SOURCE_ID_PATTERN = re.compile(r"sha256:[0-9a-f]{64}")
MEDIA_TYPE_PATTERN = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+(\s*;\s*[A-Za-z0-9_-]+=\"?[A-Za-z0-9._-]+\"?)*")
#: Longest free text a field may hold; longer is almost certainly a mistake (a whole file pasted in).
MAX_TEXT = 20_000
MAX_SHORT = 1_000
#: Control characters refused everywhere; short fields (names, ids, labels) refuse tab and newlines too,
#: the C1 controls (U+0080 to U+009F, among them NEL, a line break) and the line and paragraph
#: separators. Long text keeps C1 characters: a quote must match its source, and a text decoded with
#: the wrong charset can hold them.
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_SHORT = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Characters that take no space: text made only of them (and white space) is blank to the eye.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _check_text(value: str | None, path: str, *, short: bool = True, required: bool = True) -> None:
    if value is None:
        if required:
            raise ValidationError("required", path=path, value=value)
        return
    limit = MAX_SHORT if short else MAX_TEXT
    if required and all(c.isspace() or c in _INVISIBLE for c in value):  # in any order, not only at the ends
        raise ValidationError("must not be empty or blank", path=path, value=value,
                              hint="white space and zero-width characters alone are blank")
    if len(value) > limit:
        raise ValidationError(f"longer than {limit} characters ({len(value)})", path=path, value=value)
    bad = (_CONTROL_IN_SHORT if short else _CONTROL_IN_TEXT).search(value)
    if bad:
        raise ValidationError(f"contains the control character or line break {bad.group()!r}", path=path,
                              value=value)
    if short and (value != value.strip() or value[:1] in _INVISIBLE or value[-1:] in _INVISIBLE) and value:
        raise ValidationError("has leading or trailing white space (or a zero-width character)", path=path,
                              value=value)


def _check_pattern(value: str, pattern: re.Pattern, path: str, what: str) -> None:
    if not pattern.fullmatch(value):
        raise ValidationError(f"not a valid {what}", path=path, value=value)


#: The events that give a reason.
_WITH_REASON = tuple(cls for cls in EVENT_CLASSES if "reason" in attrs.fields_dict(cls))

#: The events that say where an entity points.
_MERGE_TYPES = frozenset({EntitiesMerged.TYPE, EntitySplit.TYPE})


class Validator:
    """Checks batches of events against one log.

    ``source_text`` caches decoded source texts between batches, so a bundle of
    thousands of claims about one document decodes it once.
    """

    #: How many characters of decoded source text to keep between batches (about 4 bytes each at worst).
    #: A few million: enough for the documents curators are working through (claims come a document
    #: at a time), and a flat peak memory however many sources the archive holds.
    TEXT_CACHE_CHARS = 4_000_000
    #: How many claims' states (stream version, subject, status) to remember for lifecycle checks.
    CLAIM_CACHE = 32_768

    def __init__(self, log: EventLog):
        self.log = log
        # Least recently used first. OrderedDict, not dict: evicting the oldest entry of a plain
        # dict again and again is O(n) each time (iteration walks past the deleted slots at its
        # front), which made a million-event append spend seconds here.
        self._texts: OrderedDict[str, str | None] = OrderedDict()
        self._cached_chars = 0
        # claim stream -> (its version, subject_id, status), from batches that landed; oldest first.
        self._claim_states: OrderedDict[str, tuple[int, str, str]] = OrderedDict()

    def forget(self) -> None:
        """Drop everything cached: after a rollback it may describe events that are not in the log."""
        self._texts.clear()
        self._cached_chars = 0
        self._claim_states.clear()

    def landed(self, events: Sequence[Event], stored: Sequence[StoredEvent]) -> None:
        """Learn the claims' states from a batch the log has just stored (``stored`` in the same order)."""
        states = self._claim_states
        for event, row in zip(events, stored):
            if not isinstance(event, (ClaimRecorded, ClaimRetracted, ClaimSuperseded, ClaimAssessed)):
                continue
            if event.event_id != row.event_id:  # pragma: no cover - the log stores what it was given, in order
                states.clear()
                return
            stream, version = row.stream_id, row.stream_version
            if isinstance(event, ClaimRecorded):
                self._remember_claim(stream, (version, event.subject_id, "asserted"))
                continue
            known = states.get(stream)
            if known is None:
                continue
            if known[0] != version - 1:  # pragma: no cover - a version we did not see: forget rather than guess
                del states[stream]
                continue
            status = ("retracted" if isinstance(event, ClaimRetracted)
                      else "superseded" if isinstance(event, ClaimSuperseded) else known[2])
            states[stream] = (version, known[1], status)

    # -- helpers ------------------------------------------------------------
    def cached_text(self, source_id: str) -> str | None:
        """The source's decoded text if the cache holds it (None if not, or if the source is not text)."""
        text = self._texts.get(source_id)
        if text is not None:
            self._texts.move_to_end(source_id)  # most recently used last
        return text

    def source_text(self, source_id: str, media_type: str, blobs: Mapping[str, bytes]) -> str | None:
        text = self.cached_text(source_id)
        if text is not None:
            return text
        content = blobs.get(source_id)
        if content is None:
            content = self.log.get_blob(source_id)
        if content is None:
            return None
        text = decode_text(content, media_type)
        self._texts.pop(source_id, None)  # a non-text source's None, read again
        self._texts[source_id] = text  # most recently used last
        self._cached_chars += len(text or "")
        # A cache bounded by size, not count: big archives have thousands of sources of any length.
        while self._cached_chars > self.TEXT_CACHE_CHARS and len(self._texts) > 1:
            _, oldest = self._texts.popitem(last=False)
            self._cached_chars -= len(oldest or "")
        return text

    # -- the batch ----------------------------------------------------------
    def validate(
        self,
        events: Sequence[Event],
        places: Sequence[Place],
        blobs: Mapping[str, bytes],
        source_media_types: Callable[[str], str | None],
    ) -> dict[str, int]:
        """Check every event; return the expected stream versions; raise on the first problem.

        ``source_media_types(source_id)`` gives the media type of a source already in the log.
        """
        referenced: set[str] = set()
        event_references = [references(event) for event in events]  # once: they are read twice below
        for event, refs in zip(events, event_references):
            referenced.add(event.stream_id)
            referenced.update(stream for _, stream, _ in refs)
        log_versions = self.log.stream_versions(sorted(referenced))
        existing = {s for s, v in log_versions.items() if v > 0}

        self._batch: dict[str, list[Event]] = {}  # events of this batch so far, by stream
        self._log_versions = log_versions
        self._loaded: dict[tuple[str, frozenset[str] | None], list[Event]] = {}
        expected: dict[str, int] = {}
        self._expected = expected
        created: dict[str, Event] = {}  # streams created earlier in this batch
        known = set(existing)  # grows as the batch creates streams (kept incrementally: batches are big)
        for event, place, refs in zip(events, places, event_references):
            try:
                self._check_common(event)
                if event.creates_stream:
                    if event.stream_id in existing or event.stream_id in created:
                        if isinstance(event, SourceRecorded):  # its id is its bytes' hash: no other id to choose
                            raise ValidationError(
                                "this document is already recorded (a source's id is the sha256 of its bytes)",
                                path=_id_path(event), value=event.source_id,
                                hint="record claims about the source already there; a changed copy is a new "
                                     "source, recorded with derived_from",
                            )
                        raise ValidationError(
                            f"{event.stream_id.split(':', 1)[0]} already recorded", path=_id_path(event),
                            value=event.stream_id.split(":", 1)[1],
                            hint="choose a new id, or append events about the existing one",
                        )
                    expected[event.stream_id] = 0
                    created[event.stream_id] = event
                    known.add(event.stream_id)
                for path, stream, what in refs:
                    if stream not in known:
                        _check_reference_shape(path, stream, what)
                        raise UnknownReferenceError(
                            f"unknown {what}", path=path, value=stream.split(":", 1)[1],
                            hint=f"record the {what} first (in this batch or an earlier one)",
                        )
                if isinstance(event, SourceRecorded):
                    self._check_source(event, blobs, known)
                elif isinstance(event, (SourceDescriptionCorrected, WorkDescriptionCorrected)):
                    self._check_correction(event)
                elif isinstance(event, EntityRecorded):
                    self._check_entity(event)
                elif isinstance(event, NameRecorded):
                    self._check_name(event)
                elif isinstance(event, ClaimRecorded):
                    self._check_claim(event, created, blobs, source_media_types)
                elif isinstance(event, (ClaimRetracted, ClaimSuperseded, ClaimAssessed)):
                    self._check_lifecycle(event)
                elif isinstance(event, ConclusionRecorded):
                    self._check_conclusion(event)
                elif isinstance(event, (EntitiesMerged, EntitySplit)):
                    self._check_merge(event)
                elif isinstance(event, WorkRecorded):
                    self._check_work(event)
                elif isinstance(event, WorkCited):
                    self._check_citation(event, created, blobs, source_media_types)
            except ValidationError as exc:
                raise exc.at(place) from None
            self._batch.setdefault(event.stream_id, []).append(event)
        return expected

    # -- stream state -----------------------------------------------------------
    def _stream(self, stream_id: str, only: frozenset[str] | None = None) -> list[Event]:
        """Events of a stream as they stand mid-batch: the log's, then this batch's so far.

        ``only``: just the events of these types (the others are not decoded: an entity's stream
        holds all its names, and a merge check needs only its merges and splits).

        Reading a stream from the log pins its version: if another writer
        extends it before our batch lands, the append fails with a
        ConcurrencyError instead of acting on a stale state.
        """
        key = (stream_id, only)
        if key not in self._loaded:
            stored = self.log.read_stream(stream_id) if self._log_versions.get(stream_id, 1) else []
            try:
                self._loaded[key] = [from_dict(e.data()) for e in stored if only is None or e.type in only]
            except ValidationError as exc:  # valid when appended: one was changed behind the log's back
                raise first_damaged(e for e in stored if only is None or e.type in only) or exc from None
            self._expected.setdefault(stream_id, len(stored))
        in_batch = self._batch.get(stream_id, [])
        if only is not None:
            in_batch = [e for e in in_batch if e.TYPE in only]
        return self._loaded[key] + in_batch

    def _claim(self, claim_id: str) -> tuple[ClaimRecorded | None, str]:
        """The claim's recording event and its status: asserted, retracted or superseded."""
        recorded, status = None, "asserted"
        for event in self._stream(f"claim:{claim_id}"):
            if isinstance(event, ClaimRecorded):
                recorded = event
            elif isinstance(event, ClaimRetracted):
                status = "retracted"
            elif isinstance(event, ClaimSuperseded):
                status = "superseded"
        return recorded, status

    def _claim_state(self, claim_id: str) -> tuple[str, str]:
        """(subject_id, status) of a claim, from what earlier batches taught us when it is still current."""
        stream = f"claim:{claim_id}"
        known = self._claim_states.get(stream)
        # Current only if the log's version of the stream (read for this batch, under the write
        # lock) is the one we saw land, and this batch has not touched the stream yet.
        if known is not None and stream not in self._batch and self._log_versions.get(stream) == known[0]:
            self._expected.setdefault(stream, known[0])
            return known[1], known[2]
        recorded, status = self._claim(claim_id)
        assert recorded is not None  # references() checked it exists
        version = self._log_versions.get(stream)
        if stream not in self._batch and version:  # what the log holds now, read under its write lock
            self._remember_claim(stream, (version, recorded.subject_id, status))
        return recorded.subject_id, status

    def _remember_claim(self, stream: str, state: tuple[int, str, str]) -> None:
        states = self._claim_states
        states.pop(stream, None)
        states[stream] = state  # newest last
        if len(states) > self.CLAIM_CACHE:
            states.popitem(last=False)

    def _merged_into(self, entity_id: str) -> str | None:
        target = None
        for event in self._stream(f"entity:{entity_id}", _MERGE_TYPES):
            if isinstance(event, EntitiesMerged):
                target = event.into_id
            elif isinstance(event, EntitySplit):
                target = None
        return target

    def _resolve(self, entity_id: str) -> str:
        """The entity an id stands for after every merge (merges are acyclic, so this ends)."""
        seen = {entity_id}
        while (target := self._merged_into(entity_id)) is not None:
            if target in seen:  # pragma: no cover - refused on append
                break
            seen.add(target)
            entity_id = target
        return entity_id

    # -- rules by event type -------------------------------------------------------
    def _check_common(self, event: Event) -> None:
        # The canonical form is exactly what str(uuid.UUID(...)) writes: the regular
        # expression says the same without building a UUID for every event.
        if not (type(event.event_id) is str and _CANONICAL_UUID.fullmatch(event.event_id)):
            raise ValidationError("not a UUID in canonical lower-case form", path="$.event_id", value=event.event_id,
                                  hint="e.g. 3f1b8a52-6c1e-4f7e-9d8a-0c2b5e7f4a11")
        _check_text(event.curator, "$.curator")
        if isinstance(event, _WITH_REASON):  # (hasattr on the others would raise and catch an error each time)
            _check_text(event.reason, "$.reason", short=False)

    def _check_source(self, event: SourceRecorded, blobs: Mapping[str, bytes], known: set[str]) -> None:
        _check_pattern(event.source_id, SOURCE_ID_PATTERN, "$.source_id", "source id (sha256:<64 hex digits>)")
        for name in DESCRIPTION_FIELDS:
            _check_description(name, getattr(event, name), given=name in ("title", "language"))
        _check_pattern(event.media_type, MEDIA_TYPE_PATTERN, "$.media_type", "media type (e.g. text/plain; charset=utf-8)")
        _check_text(event.filename, "$.filename")
        if "/" in event.filename or "\\" in event.filename or event.filename in (".", ".."):
            raise ValidationError("a file name, not a path", path="$.filename", value=event.filename)
        if (event.derived_from is None) != (event.derivation is None):
            raise ValidationError("a derived text needs both derived_from and derivation", path="$.derivation",
                                  value=event.derivation, hint="say which source it was made from, and how")
        if event.derived_from is not None:
            _check_text(event.derivation, "$.derivation", short=False)
            if event.derived_from == event.source_id:
                raise ValidationError("a text cannot be derived from itself", path="$.derived_from",
                                      value=event.derived_from)
        content = blobs.get(event.source_id)
        if content is None:
            content = self.log.get_blob(event.source_id)
        if content is None:
            raise UnknownReferenceError(
                "the source's bytes are not in the archive", path="$.source_id", value=event.source_id,
                hint="append the document's bytes with the event (a bundle's sources/ folder or record_source())",
            )
        if blob_id(content) != event.source_id:
            raise ValidationError("the source id is not the sha256 of the bytes", path="$.source_id",
                                  value=event.source_id, hint=f"the bytes hash to {blob_id(content)}")
        self._cached_chars -= len(self._texts.pop(event.source_id, None) or "")
        self.source_text(event.source_id, event.media_type, {event.source_id: content})

    def _check_correction(self, event: SourceDescriptionCorrected | WorkDescriptionCorrected) -> None:
        """A correction of a source's or a work's description: what it changes, against what it stands on."""
        if isinstance(event, SourceDescriptionCorrected):
            recorded_type, clearable, check = SourceRecorded, CLEARABLE_FIELDS, _check_description
        else:
            recorded_type, clearable, check = WorkRecorded, WORK_CLEARABLE_FIELDS, _check_work_field
        what = recorded_type.TYPE.removesuffix("Recorded").lower()
        for index, name in enumerate(event.cleared):
            path = f"$.cleared[{index}]"
            if name not in clearable:
                required = [n for n in event.FIELDS if n not in clearable]
                raise ValidationError("not a field a correction can remove", path=path, value=name,
                                      hint=f"use one of {', '.join(clearable)} (a {what} must keep its "
                                           f"{' and '.join(required)}: give new ones instead)")
            if name in event.cleared[:index]:
                raise ValidationError("the field is named twice", path=path, value=name)
            if getattr(event, name) is not None:
                raise ValidationError("the field is both given a new value and removed", path=path, value=name,
                                      hint=f"give $.{name} or remove it, not both")
        changes = event.changes()
        if not changes:
            raise ValidationError("the correction changes nothing", path="$", value=None, show_value=False,
                                  hint=f"give a new value for some of {', '.join(event.FIELDS)}, or name "
                                       "fields to remove in cleared")
        for name in event.FIELDS:
            check(name, getattr(event, name), given=False, correcting=True)
        recorded = None
        corrections = []
        for earlier in self._stream(event.stream_id):  # the record and its corrections (a work's citations too)
            if isinstance(earlier, recorded_type):
                recorded = earlier
            elif isinstance(earlier, type(event)):
                corrections.append(earlier)
        assert recorded is not None  # references() checked it is recorded
        current = corrected_description(recorded, corrections)
        for name, value in changes.items():  # a correction that changes nothing would be noise in the history
            if getattr(current, name) == value:
                raise ValidationError(
                    f"the {what}'s {name} is already {value!r}" if value is not None
                    else f"the {what} has no {name} to remove", path=f"$.{name}" if value is not None
                    else f"$.cleared[{event.cleared.index(name)}]", value=name if value is None else value,
                    hint="leave out the fields that stay as they are")

    def _check_entity(self, event: EntityRecorded) -> None:
        _check_pattern(event.entity_id, ID_PATTERN, "$.entity_id", "entity id (letters, digits, . _ : -)")
        if event.kind not in ENTITY_KINDS:
            raise ValidationError("unknown entity kind", path="$.kind", value=event.kind,
                                  hint=f"use one of {', '.join(ENTITY_KINDS)}")
        _check_text(event.label, "$.label")
        _check_text(event.note, "$.note", short=False, required=False)

    def _check_name(self, event: NameRecorded) -> None:
        _check_text(event.name, "$.name")
        _check_pattern(event.language, LANGUAGE_PATTERN, "$.language", "BCP 47 language tag (e.g. pt, ro, ru)")
        if event.script is not None:
            _check_pattern(event.script, SCRIPT_PATTERN, "$.script", "ISO 15924 script code (e.g. Latn, Cyrl)")

    def _check_statement(self, event: ClaimRecorded | ConclusionRecorded) -> None:
        """What claims and conclusions share: predicate, object and date."""
        _check_pattern(event.predicate, PREDICATE_PATTERN, "$.predicate", "predicate (snake_case, e.g. held_office)")
        if event.object_id is not None and event.object_literal is not None:
            raise ValidationError("give object_id or object_literal, not both", path="$.object_literal",
                                  value=event.object_literal)
        _check_text(event.object_literal, "$.object_literal", required=False)
        if event.date is not None:
            dates.check_claim_date(as_written=event.date.as_written, edtf=event.date.edtf,
                                   calendar=event.date.calendar, original=event.date.original, path="$.date")

    def _check_claim(self, event: ClaimRecorded, created: Mapping[str, Event],
                     blobs: Mapping[str, bytes], source_media_types: Callable[[str], str | None]) -> None:
        _check_pattern(event.claim_id, ID_PATTERN, "$.claim_id", "claim id (letters, digits, . _ : -)")
        self._check_statement(event)
        _check_text(event.note, "$.note", short=False, required=False)
        if event.voice not in VOICES:
            raise ValidationError("unknown voice", path="$.voice", value=event.voice,
                                  hint=f"use one of {', '.join(VOICES)}")
        _check_text(event.speaker, "$.speaker", required=False)
        if event.voice != "author" and event.speaker is None and event.speaker_id is None:
            raise ValidationError(f"a {event.voice} claim must say who speaks", path="$.speaker", value=None,
                                  show_value=False, hint="give speaker (as the source names them) or speaker_id")
        if event.cited_work_id is not None:
            if event.voice == "reader":
                raise ValidationError("a reader's comment cites no work", path="$.cited_work_id",
                                      value=event.cited_work_id,
                                      hint="cited_work_id is for what the author reports from a work, or rests on it")
            if not self._cites(event.source_id, event.cited_work_id):
                raise UnknownReferenceError(
                    "the claim's source does not cite this work", path="$.cited_work_id", value=event.cited_work_id,
                    hint=f"record where {event.source_id} cites it first (WorkCited, Archive.cite_work)",
                )
        self._anchor(event.source_id, event.selector, created, blobs, source_media_types)

    def _anchor(self, source_id: str, selector: TextSelector, created: Mapping[str, Event],
                blobs: Mapping[str, bytes], source_media_types: Callable[[str], str | None]) -> None:
        """The selector's words are in the source's text, at its offsets (claims and citations alike)."""
        # A cached text needs no media type: the claims of a document mostly find it there.
        text = self.cached_text(source_id)
        if text is None:
            source_event = created.get(f"source:{source_id}")
            media_type = (source_event.media_type if isinstance(source_event, SourceRecorded)
                          else source_media_types(source_id))
            text = self.source_text(source_id, media_type or "application/octet-stream", blobs)
        if text is None:
            raise ValidationError("the source is not text, so a quote cannot be anchored in it",
                                  path="$.source_id", value=source_id)
        _check_text(selector.exact, "$.selector.exact", short=False)
        check_selector(text, selector)

    def _cites(self, source_id: str, work_id: str) -> bool:
        """Whether the source cites the work, in the log or earlier in this batch."""
        return any(isinstance(e, WorkCited) and e.source_id == source_id for e in self._stream(f"work:{work_id}"))

    def _check_work(self, event: WorkRecorded) -> None:
        _check_pattern(event.work_id, ID_PATTERN, "$.work_id", "work id (letters, digits, . _ : -)")
        for name in WORK_DESCRIPTION_FIELDS:
            _check_work_field(name, getattr(event, name), given=name in ("title", "kind"))

    def _check_citation(self, event: WorkCited, created: Mapping[str, Event],
                        blobs: Mapping[str, bytes], source_media_types: Callable[[str], str | None]) -> None:
        _check_text(event.note, "$.note", short=False, required=False)
        self._anchor(event.source_id, event.selector, created, blobs, source_media_types)
        for earlier in self._stream(f"work:{event.work_id}"):
            if (isinstance(earlier, WorkCited) and earlier.source_id == event.source_id
                    and (earlier.selector.start, earlier.selector.end) == (event.selector.start, event.selector.end)):
                raise ValidationError("the source's citation of this work at these words is already recorded",
                                      path="$.selector", value=f"{event.selector.start}-{event.selector.end}",
                                      hint="a citation is recorded once; a second citation quotes other words")

    def _check_lifecycle(self, event: ClaimRetracted | ClaimSuperseded | ClaimAssessed) -> None:
        subject_id, status = self._claim_state(event.claim_id)
        if isinstance(event, ClaimAssessed):
            if event.rank not in RANKS:
                raise ValidationError("unknown rank", path="$.rank", value=event.rank,
                                      hint=f"use one of {', '.join(RANKS)}")
            return
        if status != "asserted":
            raise ValidationError(f"the claim is already {status}", path="$.claim_id", value=event.claim_id,
                                  hint="a claim is retracted or superseded once; its history is in claim_history")
        if isinstance(event, ClaimSuperseded):
            if event.by_claim_id == event.claim_id:
                raise ValidationError("a claim cannot supersede itself", path="$.by_claim_id", value=event.by_claim_id)
            correction_subject_id, correction_status = self._claim_state(event.by_claim_id)
            if correction_status != "asserted":
                # A claim replaced by one that no longer stands would be replaced by nothing.
                raise ValidationError(
                    f"the correction is itself {correction_status}", path="$.by_claim_id", value=event.by_claim_id,
                    hint="supersede by a claim that stands (record a new correction, e.g. with Archive.correct)",
                )
            if self._resolve(correction_subject_id) != self._resolve(subject_id):
                raise ValidationError(
                    f"the correction is about {correction_subject_id}, the claim about {subject_id}",
                    path="$.by_claim_id", value=event.by_claim_id,
                    hint="a correction is about the same subject; to say something else, record a new claim",
                )

    def _check_conclusion(self, event: ConclusionRecorded) -> None:
        _check_pattern(event.conclusion_id, ID_PATTERN, "$.conclusion_id", "conclusion id (letters, digits, . _ : -)")
        self._check_statement(event)
        if not event.rests_on:
            raise ValidationError("a conclusion must rest on at least one claim", path="$.rests_on", value=[])
        if len(set(event.rests_on)) != len(event.rests_on):
            raise ValidationError("a claim is listed twice", path="$.rests_on", value=list(event.rests_on))

    def _check_merge(self, event: EntitiesMerged | EntitySplit) -> None:
        current = self._merged_into(event.entity_id)
        if isinstance(event, EntitySplit):
            if current is None:
                raise ValidationError("the entity is not merged into another, so there is nothing to split",
                                      path="$.entity_id", value=event.entity_id)
            return
        if event.into_id == event.entity_id:
            raise ValidationError("an entity cannot be merged into itself", path="$.into_id", value=event.into_id)
        if current is not None:
            raise ValidationError(f"the entity is already merged into {current}", path="$.entity_id",
                                  value=event.entity_id, hint="split it first, then merge it again")
        if self._resolve(event.into_id) == event.entity_id:
            raise ValidationError(f"{event.into_id} already resolves to {event.entity_id}: the merge would make a cycle",
                                  path="$.into_id", value=event.into_id)


def _check_description(name: str, value: str | None, *, given: bool, correcting: bool = False) -> None:
    """One field of a source's description; ``given``: it must be there.

    A correction's value must not be blank either (an empty author is no correction: ``cleared`` removes
    one); a recorded source's optional text fields were never checked for that, and still are not.
    """
    path = f"$.{name}"
    if value is None:
        if given:
            raise ValidationError("required", path=path, value=value)
    elif name == "language":
        _check_pattern(value, LANGUAGE_PATTERN, path, "BCP 47 language tag (e.g. pt, ro, en-GB)")
    elif name in ("published", "retrieved"):
        dates.validate_edtf(value, path=path)
    else:
        _check_text(value, path, short=name != "note", required=given or correcting)


def _check_work_field(name: str, value: str | None, *, given: bool, correcting: bool = False) -> None:
    """One field of a cited work's description, as :func:`_check_description` for a source's."""
    path = f"$.{name}"
    if value is None:
        if given:
            raise ValidationError("required", path=path, value=value)
    elif name == "kind":
        if value not in WORK_KINDS:
            raise ValidationError("unknown work kind", path=path, value=value, hint=f"use one of {', '.join(WORK_KINDS)}")
    elif name == "language":
        _check_pattern(value, LANGUAGE_PATTERN, path, "BCP 47 language tag (e.g. en, ro, ru)")
    elif name == "published":
        dates.validate_edtf(value, path=path)
    else:
        _check_text(value, path, short=name != "note", required=given or correcting)


def _check_reference_shape(path: str, stream: str, what: str) -> None:
    """Say a reference that could never exist is malformed, rather than unknown ("record it first")."""
    value = stream.split(":", 1)[1]
    if what == "source":
        _check_pattern(value, SOURCE_ID_PATTERN, path, "source id (sha256: and 64 lower-case hex digits)")
    else:
        _check_pattern(value, ID_PATTERN, path, f"{what} id (letters, digits, . _ : -)")


def references(event: Event) -> list[tuple[str, str, str]]:
    """(path, stream id, what) of everything an event refers to, which must already exist."""
    found: list[tuple[str, str, str]] = []

    def entity(path: str, value: str | None) -> None:
        if value is not None:
            found.append((path, f"entity:{value}", "entity"))

    def claim(path: str, value: str) -> None:
        found.append((path, f"claim:{value}", "claim"))

    if isinstance(event, SourceRecorded) and event.derived_from is not None:
        found.append(("$.derived_from", f"source:{event.derived_from}", "source"))
    elif isinstance(event, SourceDescriptionCorrected):
        found.append(("$.source_id", f"source:{event.source_id}", "source"))
    elif isinstance(event, WorkDescriptionCorrected):
        found.append(("$.work_id", f"work:{event.work_id}", "work"))
    elif isinstance(event, NameRecorded):
        entity("$.entity_id", event.entity_id)
    elif isinstance(event, ClaimRecorded):
        entity("$.subject_id", event.subject_id)
        entity("$.object_id", event.object_id)
        entity("$.speaker_id", event.speaker_id)
        found.append(("$.source_id", f"source:{event.source_id}", "source"))
        if event.cited_work_id is not None:
            found.append(("$.cited_work_id", f"work:{event.cited_work_id}", "work"))
    elif isinstance(event, (ClaimRetracted, ClaimAssessed)):
        claim("$.claim_id", event.claim_id)
    elif isinstance(event, ClaimSuperseded):
        claim("$.claim_id", event.claim_id)
        claim("$.by_claim_id", event.by_claim_id)
    elif isinstance(event, ConclusionRecorded):
        entity("$.subject_id", event.subject_id)
        entity("$.object_id", event.object_id)
        for index, claim_id in enumerate(event.rests_on):
            claim(f"$.rests_on[{index}]", claim_id)
    elif isinstance(event, EntitiesMerged):
        entity("$.entity_id", event.entity_id)
        entity("$.into_id", event.into_id)
    elif isinstance(event, EntitySplit):
        entity("$.entity_id", event.entity_id)
    elif isinstance(event, WorkCited):
        found.append(("$.work_id", f"work:{event.work_id}", "work"))
        found.append(("$.source_id", f"source:{event.source_id}", "source"))
    return found


def _id_path(event: Event) -> str:
    """The field holding the id of the stream an event creates (``$.claim_id`` for a claim)."""
    return f"$.{event.stream_id.split(':', 1)[0]}_id"
