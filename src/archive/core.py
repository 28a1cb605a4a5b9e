"""The archive: a log of events plus the rules for adding to it.

:class:`Archive` is what a program holds: it turns events (objects, or dicts
read from a file) into canonical bytes, checks them with
:class:`~archive.validation.Validator`, and appends them to an
:class:`~archive.log.EventLog` in one atomic step. It also offers the
``record_*`` conveniences a curator's script uses.
"""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from typing import Any, Iterable, Iterator, Mapping, Sequence

from .codec import canonical_bytes, decode, decode_stored, decode_with_payload, to_dict_checked, upcast
from .errors import DuplicateEventError, Place, UnknownReferenceError, ValidationError
from .log.base import AppendResult, EventLog, Head, NewEvent, StoredEvent, blob_id, damaged
from .log.sqlite import SQLiteEventLog
from .model import (
    ClaimAssessed,
    ClaimDate,
    ClaimRecorded,
    ClaimRetracted,
    ClaimSuperseded,
    ConclusionRecorded,
    EntitiesMerged,
    EntitySplit,
    EntityRecorded,
    Event,
    NameRecorded,
    SourceDescriptionCorrected,
    SourceRecorded,
    TextSelector,
    WorkCited,
    WorkDescriptionCorrected,
    WorkRecorded,
    corrected_description,
    new_event_id,
    utc_now,
)
from .text import decode_text, make_selector, occurrences
from .validation import Validator
from .verify import VerifyReport, verify

__all__ = ["Archive", "open_archive"]


_BATCH_PLACES: list[Place] = []


def _batch_places(count: int) -> list[Place]:
    """``Place(index=i)`` for the events of a batch, made once per index for every batch (Places are
    immutable): an error needs one, a batch of a thousand valid events need not make a thousand."""
    global _BATCH_PLACES
    places = _BATCH_PLACES
    if len(places) < count:  # a new list, swapped in whole: threads never see one half made
        places = [Place(index=i) for i in range(max(count, 2 * len(places)))]
        _BATCH_PLACES = places
    return places[:count]


class Archive:
    """An archive over an event log. Use :func:`archive.open` to open one on disk."""

    def __init__(self, log: EventLog):
        self.log = log
        self._validator = Validator(log)
        self._media_types: dict[str, str] = {}

    # -- appending ----------------------------------------------------------
    def append(
        self,
        events: Sequence[Event | Mapping[str, Any]],
        *,
        expected_version: int | Mapping[str, int] | None = None,
        blobs: Mapping[str, bytes] | None = None,
        places: Sequence[Place] | None = None,
    ) -> AppendResult:
        """Validate and append a batch atomically: all of it, or nothing.

        ``events`` are event objects or event dicts (any known version; dicts
        are stored exactly as given, in canonical form, and upcast on read).
        ``expected_version``: an int when every event is in one stream, or a
        mapping of stream id to version; a stream that moved on raises
        :class:`~archive.errors.ConcurrencyError`. ``blobs`` are source
        documents by id (``sha256:<hex>``). ``places`` name where each event
        came from, for error messages.
        """
        if isinstance(events, (str, bytes, Mapping, Event)) or not isinstance(events, Iterable):
            one = " (one event: put it in a list)" if isinstance(events, (Mapping, Event)) else ""
            raise TypeError(f"append takes a list of events (event objects or dicts), not a "
                            f"{type(events).__name__}{one}")
        events = list(events)
        places = list(places) if places is not None else _batch_places(len(events))
        decoded: list[Event] = []
        new_events: list[NewEvent] = []
        for item, place in zip(events, places):
            if isinstance(item, Event):
                # attrs does not check types, so an event built in Python goes through the converter's
                # checks as its dict: a string where a ClaimDate belongs is an error with its path.
                event, payload = decode_with_payload(to_dict_checked(item, place), place)
                type_name, version = item.TYPE, item.VERSION
            elif isinstance(item, Mapping):
                data = dict(item)
                event, payload = decode_with_payload(data, place)
                type_name, version = data["type"], data["version"]
            else:
                raise ValidationError("an event must be an event object or a JSON object (a dict)", path="$",
                                      value=item, place=place)
            decoded.append(event)
            new_events.append(NewEvent(event.event_id, event.stream_id, type_name, version, payload))
        return self._append_prepared(decoded, new_events, places, expected_version, dict(blobs or {}))

    def append_decoded(self, dicts: Sequence[Mapping[str, Any]], decoded: Sequence[Event], *,
                       places: Sequence[Place], blobs: Mapping[str, bytes] | None = None) -> AppendResult:
        """Append event dicts that the caller has already decoded with :func:`archive.codec.decode_dict`.

        For readers of files (bundles) that decode each line to report errors in file order:
        it saves decoding every event a second time. The dicts are stored as given.
        """
        payloads = []
        for data, place in zip(dicts, places, strict=True):
            try:
                payloads.append(canonical_bytes(dict(data)))
            except ValidationError as exc:  # text that cannot be written (a lone surrogate)
                raise exc.at(place) from None
        return self._append_encoded(dicts, decoded, payloads, places, blobs)

    def _append_encoded(self, dicts: Sequence[Mapping[str, Any]], decoded: Sequence[Event], payloads: list[bytes],
                        places: Sequence[Place], blobs: Mapping[str, bytes] | None) -> AppendResult:
        # For this package's readers, which made each payload with its event (codec.decode_with_payload).
        new_events = [NewEvent(e.event_id, e.stream_id, d["type"], d["version"], payload)
                      for d, e, payload in zip(dicts, decoded, payloads, strict=True)]
        return self._append_prepared(list(decoded), new_events, list(places), None, dict(blobs or {}))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Appends inside the block land together at its end, or none does (see ``EventLog.transaction``).

        What the archive learnt inside a block that rolled back (media types,
        decoded texts, claim states) may describe events that are not in the
        log, so it is forgotten.
        """
        try:
            with self.log.transaction():
                yield
        except BaseException:
            self._media_types.clear()
            self._validator.forget()
            raise

    def _append_prepared(self, decoded: list[Event], new_events: list[NewEvent], places: list[Place],
                         expected_version: int | Mapping[str, int] | None, blobs: dict[str, bytes]
                         ) -> AppendResult:
        # Validate under the log's write lock: what the validator reads (ids,
        # stream versions, streams) cannot change before the batch lands, and
        # the log need not read it again.
        with self.transaction():
            return self._append_locked(decoded, new_events, places, expected_version, blobs)

    def _append_locked(self, decoded: list[Event], new_events: list[NewEvent], places: list[Place],
                       expected_version: int | Mapping[str, int] | None, blobs: dict[str, bytes]
                       ) -> AppendResult:
        # A retried append is harmless: drop events already stored identically
        # (the log checks again inside its transaction).
        stored = self.log.get_events([e.event_id for e in new_events])
        fresh_events, fresh_new, fresh_places, seen = [], [], [], {}
        skipped = 0
        for event, new, place in zip(decoded, new_events, places):
            previous = stored.get(new.event_id)
            earlier = seen.get(new.event_id)
            same_as = previous.payload if previous is not None else earlier
            if same_as is not None:
                # The same event may come back written differently (a default written out, a time
                # given with its offset instead of in UTC): it is already there if it means the same.
                # (The stored one decoded as stored, so that an event damaged in the log is named as such.)
                if same_as != new.payload and (decode_stored(previous) if previous is not None
                                               else decode(same_as)) != event:
                    raise DuplicateEventError(
                        "this event id is already used by an event with different content", path="$.event_id",
                        value=new.event_id, place=place,
                        hint="give a new event a new id; to change a recorded event, append a correction",
                    )
                skipped += 1
                continue
            seen[new.event_id] = new.payload
            fresh_events.append(event)
            fresh_new.append(new)
            fresh_places.append(place)

        expected = self._validator.validate(fresh_events, fresh_places, blobs, self._media_type)
        if isinstance(expected_version, int):
            streams = {e.stream_id for e in decoded}
            if len(streams) != 1:
                raise ValueError("an int expected_version needs a batch of one stream; pass a mapping instead")
            expected[streams.pop()] = expected_version
        elif expected_version is not None:
            expected.update(expected_version)
        # Only blobs of sources this batch records are stored: nothing orphaned.
        needed = {e.source_id for e in fresh_events if isinstance(e, SourceRecorded)}
        result = self.log.append(fresh_new, expected_versions=expected,
                                 blobs={k: v for k, v in blobs.items() if k in needed})
        self._validator.landed(fresh_events, result.stored)
        return AppendResult(result.stored, result.already_stored + skipped)

    def _media_type(self, source_id: str) -> str | None:
        # Sources never change, so what we learnt once holds: no need to re-read the stream per claim.
        if source_id not in self._media_types:
            # The stored event's own field, without structuring the whole event: stored
            # events were checked when they were appended.
            for stored in self.log.read_stream(f"source:{source_id}"):
                try:
                    data = upcast(stored.data())
                    media_type = data["media_type"] if data["type"] == "SourceRecorded" else None
                except (KeyError, TypeError) as exc:  # changed behind the log's back: decoding it says how
                    decode_stored(stored)
                    raise damaged(stored.position, f"it cannot be read as an event ({type(exc).__name__}: {exc})"
                                  ) from None
                if media_type is not None:
                    self._media_types[source_id] = media_type
                    break
            else:
                return None
        return self._media_types[source_id]

    # -- recording, one event at a time ---------------------------------------
    def _stamp(self, curator: str, recorded_at: datetime | None, event_id: str | None) -> dict[str, Any]:
        return {"event_id": event_id or new_event_id(), "recorded_at": recorded_at or utc_now(), "curator": curator}

    def record_source(
        self, content: bytes, *, title: str, language: str, filename: str, curator: str,
        media_type: str = "text/plain; charset=utf-8", recorded_at: datetime | None = None,
        event_id: str | None = None, **metadata: Any,
    ) -> SourceRecorded:
        """Store a document's bytes and its metadata; returns the event (its ``source_id`` is the sha256)."""
        event = SourceRecorded(**self._stamp(curator, recorded_at, event_id), source_id=blob_id(content),
                               title=title, language=language, media_type=media_type, filename=filename, **metadata)
        self._append_one(event, blobs={event.source_id: content})
        return event

    def record_entity(self, entity_id: str, *, kind: str, label: str, curator: str, note: str | None = None,
                      recorded_at: datetime | None = None, event_id: str | None = None) -> EntityRecorded:
        event = EntityRecorded(**self._stamp(curator, recorded_at, event_id), entity_id=entity_id, kind=kind,
                               label=label, note=note)
        self._append_one(event)
        return event

    def record_name(self, entity_id: str, name: str, *, language: str, curator: str, script: str | None = None,
                    preferred: bool = False, recorded_at: datetime | None = None,
                    event_id: str | None = None) -> NameRecorded:
        event = NameRecorded(**self._stamp(curator, recorded_at, event_id), entity_id=entity_id, name=name,
                             language=language, script=script, preferred=preferred)
        self._append_one(event)
        return event

    def claim(
        self, *, subject_id: str, predicate: str, source_id: str, quote: str, curator: str,
        occurrence: int | None = None, object_id: str | None = None, object_literal: str | None = None, date: ClaimDate | None = None,
        note: str | None = None, claim_id: str | None = None, recorded_at: datetime | None = None,
        event_id: str | None = None, voice: str = "author", speaker: str | None = None,
        speaker_id: str | None = None, cited_work_id: str | None = None,
    ) -> ClaimRecorded:
        """Build (not append) a claim, anchoring ``quote`` in the source's text."""
        return ClaimRecorded(
            **self._stamp(curator, recorded_at, event_id), claim_id=claim_id or new_event_id(),
            subject_id=subject_id, predicate=predicate, source_id=source_id,
            selector=self.selector(source_id, quote, occurrence=occurrence), object_id=object_id,
            object_literal=object_literal, date=date, note=note, voice=voice, speaker=speaker,
            speaker_id=speaker_id, cited_work_id=cited_work_id,
        )

    def record_claim(self, **fields: Any) -> ClaimRecorded:
        """Build a claim with :meth:`claim` and append it."""
        event = self.claim(**fields)
        self._append_one(event)
        return event

    def _append_one(self, event: Event, blobs: Mapping[str, bytes] | None = None) -> None:
        """Append one event made by a ``record_*`` helper; its errors name no place in a batch (there is none)."""
        try:
            self.append([event], blobs=blobs)
        except ValidationError as exc:
            raise exc.at(None, replace=True) from None

    # -- curators change their minds -----------------------------------------------
    def _record(self, cls: type[Event], curator: str, recorded_at: datetime | None, event_id: str | None,
                **fields: Any) -> Any:
        event = cls(**self._stamp(curator, recorded_at, event_id), **fields)
        self._append_one(event)
        return event

    def retract(self, claim_id: str, *, reason: str, curator: str, recorded_at: datetime | None = None,
                event_id: str | None = None) -> ClaimRetracted:
        """Withdraw a claim recorded in error; it stays in the catalogue, marked retracted."""
        return self._record(ClaimRetracted, curator, recorded_at, event_id, claim_id=claim_id, reason=reason)

    def supersede(self, claim_id: str, *, by_claim_id: str, reason: str, curator: str,
                  recorded_at: datetime | None = None, event_id: str | None = None) -> ClaimSuperseded:
        """Replace a claim by a correction already recorded (same subject)."""
        return self._record(ClaimSuperseded, curator, recorded_at, event_id, claim_id=claim_id,
                            by_claim_id=by_claim_id, reason=reason)

    def correct(self, claim_id: str, *, reason: str, curator: str, new_claim_id: str | None = None,
                recorded_at: datetime | None = None, event_id: str | None = None,
                claim_event_id: str | None = None, **changes: Any) -> ClaimRecorded:
        """Record a corrected copy of a claim and supersede the old one, in one atomic append.

        ``changes`` are :meth:`claim` arguments (``quote=``, ``date=``, ``object_id=``…); what is
        not changed is taken from the old claim. ``new_claim_id`` names the correction (default: a UUID).
        Both events get ``recorded_at``; ``claim_event_id`` is the correction's event id and
        ``event_id`` the supersession's (defaults: now, and fresh UUIDs).
        """
        old = None
        for stored in self.log.read_stream(f"claim:{claim_id}"):
            event = decode_stored(stored)
            if isinstance(event, ClaimRecorded):
                old = event
        if old is None:
            raise UnknownReferenceError("unknown claim", path="$.claim_id", value=claim_id)
        fields: dict[str, Any] = dict(
            subject_id=old.subject_id, predicate=old.predicate, source_id=old.source_id, quote=old.selector.exact,
            object_id=old.object_id, object_literal=old.object_literal, date=old.date, note=old.note,
            voice=old.voice, speaker=old.speaker, speaker_id=old.speaker_id, cited_work_id=old.cited_work_id)
        if "quote" not in changes and "source_id" not in changes:
            # The old claim's own passage, counted as make_selector counts (overlapping matches too).
            fields["occurrence"] = 1 + occurrences(self.source_text(old.source_id),
                                                   old.selector.exact).index(old.selector.start)
        fields.update(changes)
        stamp = self._stamp(curator, recorded_at, event_id)
        correction = self.claim(curator=curator, claim_id=new_claim_id, recorded_at=stamp["recorded_at"],
                                event_id=claim_event_id, **fields)
        superseded = ClaimSuperseded(**stamp, claim_id=claim_id,
                                     by_claim_id=correction.claim_id, reason=reason)
        self.append([correction, superseded])
        return correction

    def assess(self, claim_id: str, *, rank: str, reason: str, curator: str, recorded_at: datetime | None = None,
               event_id: str | None = None) -> ClaimAssessed:
        """Weigh a claim: ``preferred``, ``normal`` or ``deprecated``, with the reason."""
        return self._record(ClaimAssessed, curator, recorded_at, event_id, claim_id=claim_id, rank=rank,
                            reason=reason)

    def merge(self, entity_id: str, *, into_id: str, reason: str, curator: str,
              recorded_at: datetime | None = None, event_id: str | None = None) -> EntitiesMerged:
        """Record that ``entity_id`` is the same as ``into_id``."""
        return self._record(EntitiesMerged, curator, recorded_at, event_id, entity_id=entity_id, into_id=into_id,
                            reason=reason)

    def correct_source(self, source_id: str, *, reason: str, curator: str, cleared: Sequence[str] = (),
                       recorded_at: datetime | None = None, event_id: str | None = None,
                       **changes: str) -> SourceDescriptionCorrected:
        """Correct the source's description: new values for some of its fields, and ``cleared`` to remove some.

        ``changes`` are any of ``title``, ``language``, ``kind``, ``author``, ``publisher``, ``origin_url``,
        ``published``, ``retrieved`` and ``note``; ``cleared`` names optional fields that should not have
        been given. The recorded event stays as it was (:meth:`source`); :meth:`source_description` gives
        the description with every correction applied.
        """
        return self._correct(SourceDescriptionCorrected, curator, recorded_at, event_id, cleared, changes,
                             source_id=source_id, reason=reason)

    def correct_work(self, work_id: str, *, reason: str, curator: str, cleared: Sequence[str] = (),
                     recorded_at: datetime | None = None, event_id: str | None = None,
                     **changes: str) -> WorkDescriptionCorrected:
        """Correct a cited work's description, as :meth:`correct_source` a source's.

        ``changes`` are any of ``title``, ``kind``, ``author``, ``published``, ``publisher``, ``identifier``,
        ``language`` and ``note``; ``cleared`` names optional ones to remove. :meth:`work_description`
        gives the description with every correction applied.
        """
        return self._correct(WorkDescriptionCorrected, curator, recorded_at, event_id, cleared, changes,
                             work_id=work_id, reason=reason)

    def _correct(self, cls: type, curator: str, recorded_at: datetime | None, event_id: str | None,
                 cleared: Sequence[str], changes: dict[str, str], **fields: str) -> Any:
        unknown = sorted(set(changes) - set(cls.FIELDS))
        if unknown:  # as a TypeError would say it, but naming what can be corrected
            method = "correct_source" if cls is SourceDescriptionCorrected else "correct_work"
            raise TypeError(f"{method}() cannot change {', '.join(unknown)}; it corrects {', '.join(cls.FIELDS)}")
        return self._record(cls, curator, recorded_at, event_id, cleared=tuple(cleared), **fields, **changes)

    def split(self, entity_id: str, *, reason: str, curator: str, recorded_at: datetime | None = None,
              event_id: str | None = None) -> EntitySplit:
        """Undo the merge of ``entity_id``."""
        return self._record(EntitySplit, curator, recorded_at, event_id, entity_id=entity_id, reason=reason)

    def record_conclusion(self, *, subject_id: str, predicate: str, rests_on: Sequence[str], reason: str,
                          curator: str, object_id: str | None = None, object_literal: str | None = None,
                          date: ClaimDate | None = None, conclusion_id: str | None = None,
                          recorded_at: datetime | None = None, event_id: str | None = None) -> ConclusionRecorded:
        """State the archive's own reading, citing the claims it rests on."""
        return self._record(ConclusionRecorded, curator, recorded_at, event_id,
                            conclusion_id=conclusion_id or new_event_id(), subject_id=subject_id,
                            predicate=predicate, rests_on=tuple(rests_on), reason=reason, object_id=object_id,
                            object_literal=object_literal, date=date)

    # -- works the sources cite ------------------------------------------------------
    def record_work(self, work_id: str, *, title: str, kind: str, curator: str, author: str | None = None,
                    published: str | None = None, publisher: str | None = None, identifier: str | None = None,
                    language: str | None = None, note: str | None = None, recorded_at: datetime | None = None,
                    event_id: str | None = None) -> WorkRecorded:
        """Record a work the sources cite but the archive does not hold (a source without bytes)."""
        return self._record(WorkRecorded, curator, recorded_at, event_id, work_id=work_id, title=title, kind=kind,
                            author=author, published=published, publisher=publisher, identifier=identifier,
                            language=language, note=note)

    def cite_work(self, work_id: str, *, source_id: str, quote: str, curator: str,
                  occurrence: int | None = None, note: str | None = None, recorded_at: datetime | None = None,
                  event_id: str | None = None) -> WorkCited:
        """Record that ``source_id`` cites the work in the words ``quote`` (its ``occurrence``-th match)."""
        return self._record(WorkCited, curator, recorded_at, event_id, work_id=work_id, source_id=source_id,
                            selector=self.selector(source_id, quote, occurrence=occurrence), note=note)

    # -- reading ------------------------------------------------------------
    def selector(self, source_id: str, quote: str, *, occurrence: int | None = None) -> TextSelector:
        """A selector for the ``occurrence``-th appearance of ``quote`` in the source.

        Without ``occurrence`` the quote must appear once in the source; if it appears more often
        the error shows each place, so the curator can quote more words or say which is meant.
        """
        return make_selector(self.source_text(source_id), quote, occurrence=occurrence)

    def source(self, source_id: str) -> SourceRecorded | None:
        """The source's metadata event as it was recorded, or None if it is not recorded."""
        for stored in self.log.read_stream(f"source:{source_id}"):
            event = decode_stored(stored)
            if isinstance(event, SourceRecorded):
                return event
        return None

    def source_description(self, source_id: str) -> SourceRecorded | None:
        """The source's metadata with every correction applied (what the catalogue shows), or None."""
        return self._described(f"source:{source_id}", SourceRecorded, SourceDescriptionCorrected)

    def work_description(self, work_id: str) -> WorkRecorded | None:
        """The cited work's ``WorkRecorded`` with every correction applied (what the catalogue shows), or None."""
        return self._described(f"work:{work_id}", WorkRecorded, WorkDescriptionCorrected)

    def _described(self, stream_id: str, recorded_type: type, correction_type: type) -> Any:
        events = [decode_stored(stored) for stored in self.log.read_stream(stream_id)]
        recorded = next((e for e in events if isinstance(e, recorded_type)), None)
        if recorded is None:
            return None
        return corrected_description(recorded, (e for e in events if isinstance(e, correction_type)))

    def source_bytes(self, source_id: str) -> bytes:
        content = self.log.get_blob(source_id)
        if content is None:
            raise UnknownReferenceError("unknown source", path="$.source_id", value=source_id)
        return content

    def source_text(self, source_id: str) -> str:
        """The decoded text of a text source."""
        recorded = self.source(source_id)
        if recorded is None:
            raise UnknownReferenceError("unknown source", path="$.source_id", value=source_id,
                                        hint="record it with record_source() first")
        text = decode_text(self.source_bytes(source_id), recorded.media_type)
        if text is None:
            raise ValidationError("the source is not text", path="$.source_id", value=source_id)
        return text

    def stored_events(self, *, after: int = 0, upto: int | None = None) -> Iterator[StoredEvent]:
        return self.log.read(after=after, upto=upto)

    def events(self, *, after: int = 0, upto: int | None = None) -> Iterator[Event]:
        """The events in log order, decoded and upcast to their current versions."""
        for stored in self.log.read(after=after, upto=upto):
            yield decode_stored(stored)

    def head(self) -> Head:
        return self.log.head()

    def verify(self, **kwargs: Any) -> VerifyReport:
        return verify(self.log, **kwargs)

    # -- lifetime -----------------------------------------------------------
    def close(self) -> None:
        self.log.close()

    def __enter__(self) -> "Archive":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def open_archive(path: str | os.PathLike, *, create: bool = True) -> Archive:
    """Open (or create) the archive whose log is the SQLite file at ``path``."""
    return Archive(SQLiteEventLog(path, create=create))
