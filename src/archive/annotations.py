"""Exports for exchange: claims as W3C Web Annotations, and claims as a flat table.

**Web Annotations** (:func:`annotations`, ``archive export-annotations``) are
read from the **event log**, not from a catalogue. An annotation is a citable
record of one act of reading: *this curator, at this time, read these words of
this document as saying that*. Everything in it must be exactly what the log
holds — the recording event's id, curator and time, the selector as anchored —
and it must not depend on whether some catalogue file happens to be up to
date. So the export streams the log itself and applies the three rules that
change a claim's standing (retracted, superseded, assessed; the latest
assessment counts), as the catalogue's projector does; a test holds the two to
the same answers. Entity merges are *not* applied: the annotation names the
entities the curator named when reading the source (``subject_id`` as
recorded); merges are a later identification, which the catalogue shows.
Each event is checked against its hash and the one before it as it is read: an
event changed or removed behind the log's back is refused (DamagedLogError,
naming its position), not cited as what a curator recorded.

Each claim becomes one ``Annotation``:

- ``id``: ``urn:uuid:`` + the id of the event that recorded the claim (a UUID,
  unique across archives and never reused), so it is stable from export to export;
- ``motivation``: ``describing`` — the curator states what the passage says
  (not ``tagging``: a claim is a statement with a subject, predicate, object
  and date, not a keyword; not ``commenting``: it reports the source, it does
  not remark on it);
- ``creator``/``created``: the curator and the time the claim was recorded;
  ``modified``: the time of the latest retraction, supersession or assessment;
- ``body``: a ``TextualBody`` stating the claim in words, with the claim's
  structured fields, its standing (``status``, ``rank``) and its history under
  the namespaced key ``archive:claim`` (a JSON literal for JSON-LD 1.1 readers);
- ``target``: the source — ``urn:sha256:<hex>`` of its exact bytes, or its
  origin URL if it has one, with the stored copy as ``state.cached`` — and two
  selectors for the same words: ``TextQuoteSelector`` (exact, prefix, suffix)
  and ``TextPositionSelector`` (start, end: Unicode code points of the stored
  text, as :mod:`archive.text` counts them).

The annotations are written in one ``AnnotationCollection`` with one embedded
``AnnotationPage``, sorted by claim id; each annotation carries its own
``@context`` so it stands alone when taken out. The same log gives the same
bytes.

**The claims table** (:func:`claim_rows`, ``archive export-claims``) is read
from the **catalogue**: it is for spreadsheets, where a reader wants the
subject's current label after merges, the status and rank as they stand, and
the source's title — exactly what the catalogue has already worked out. One
row per claim (retracted and superseded ones included, marked), in the order
of the ``claim_details`` view.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .catalogue.build import damaged, is_damage
from .catalogue.build import status as catalogue_status
from .catalogue.schema import SCHEMA_VERSION
from .codec import chain_break, first_damaged, upcast
from .errors import CatalogueError, DamagedLogError
from .log.base import GENESIS_HASH, EventLog, damaged as damaged_event
from .model import DESCRIPTION_FIELDS

__all__ = [
    "ANNOTATION_CONTEXT",
    "CONTEXT",
    "MOTIVATION",
    "annotations",
    "annotations_json",
    "dumps",
    "statement",
    "source_iri",
    "CLAIM_COLUMNS",
    "claim_rows",
    "claims_csv",
    "claims_json",
]

#: The Web Annotation JSON-LD context.
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
#: Where the archive's own terms live (an unregistered URN namespace: the project has no web home yet).
NAMESPACE = "urn:archive:"
#: The context of every annotation: the W3C one, plus the ``archive:`` prefix and the ``archive:claim``
#: term, whose value JSON-LD 1.1 processors keep as a JSON literal.
CONTEXT: list[Any] = [ANNOTATION_CONTEXT, {"archive": NAMESPACE, "archive:claim": {"@type": "@json"}}]
#: Why a claim is annotated (see the module docstring).
MOTIVATION = "describing"


def source_iri(source_id: str) -> str:
    """``sha256:<hex>`` as a URN: ``urn:sha256:<hex>``."""
    return f"urn:{source_id}"


def statement(claim: dict[str, Any]) -> str:
    """A claim in words, from the fields of an ``archive:claim`` object."""
    parts = [claim["subject_label"] or claim["subject_id"], claim["predicate"].replace("_", " ")]
    obj = claim["object_label"] or claim["object_id"] or claim["object_literal"]
    if obj:
        parts.append(obj)
    date = claim["date"]
    if date:
        when = date["edtf"]
        if date["as_written"] != date["edtf"]:
            when += f" (as written: “{date['as_written']}”)"
        if date["calendar"] != "gregorian":
            when += f" ({date['calendar']} calendar in the source)"
        parts.append(when)
    title = claim.get("cited_work_title")
    if claim["voice"] == "reported":
        who = claim["speaker"] or claim["speaker_id"] or "someone the author reports"
        parts.append(f"according to {who}" + (f", in “{title}”" if title else ""))
    elif claim["voice"] == "reader":
        parts.append(f"says a reader, {claim['speaker'] or claim['speaker_id'] or 'unnamed'}")
    elif title:
        parts.append(f"citing “{title}”")
    text = " — ".join(parts)
    if claim["status"] == "retracted":
        text += " [retracted]"
    elif claim["status"] == "superseded":
        text += f" [superseded by {claim['superseded_by']}]"
    if claim["rank"] != "normal":
        text += f" [{claim['rank']}]"
    return text


def _uuid_urn(value: str) -> str:
    return f"urn:uuid:{uuid.UUID(value)}"


def _claims(log: EventLog) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """Every claim in the log, with its standing and history; and the sources by id."""
    labels: dict[str, str] = {}
    works: dict[str, str] = {}  # work id -> title
    sources: dict[str, dict[str, Any]] = {}
    claims: dict[str, dict[str, Any]] = {}
    prev_hash = GENESIS_HASH
    for position, stored in enumerate(log.read(), start=1):
        # An annotation cites what the log holds as recorded: an event changed since (found by its hash,
        # a hundredth of the export's time), or one removed (found by the next one's link to it), is
        # refused, not exported as if a curator had written it, as the bundle export refuses it.
        if (broken := chain_break(stored, position, prev_hash)) is not None:
            raise broken
        prev_hash = stored.hash
        # Every event was checked when it was appended, so the fields are read as they are, and what
        # cannot be read was changed behind the log's back. (A try costs nothing until something is raised.)
        try:
            data = upcast(stored.data())
            kind = data["type"]
            if kind == "SourceRecorded":
                sources[data["source_id"]] = data
            elif kind == "SourceDescriptionCorrected":  # the annotations describe the source as corrected
                source = sources[data["source_id"]] = dict(sources[data["source_id"]])
                for name in DESCRIPTION_FIELDS:
                    if name in data:
                        source[name] = data[name]
                    elif name in data.get("cleared", ()):
                        source.pop(name, None)
            elif kind == "WorkDescriptionCorrected" and "title" in data:  # a work's title is never cleared
                works[data["work_id"]] = data["title"]
            elif kind == "EntityRecorded":
                labels[data["entity_id"]] = data["label"]
            elif kind == "WorkRecorded":
                works[data["work_id"]] = data["title"]
            elif kind == "ClaimRecorded":
                if data["claim_id"] in claims:  # a copy of another claim's event: it would replace that claim
                    raise ValueError(f"the claim {data['claim_id']!r} is recorded twice")
                date = data.get("date")
                claims[data["claim_id"]] = {
                    "event": data,
                    "claim_id": data["claim_id"],
                    "subject_id": data["subject_id"],
                    "subject_label": labels.get(data["subject_id"]),
                    "predicate": data["predicate"],
                    "object_id": data.get("object_id"),
                    "object_label": labels.get(data.get("object_id")) if data.get("object_id") else None,
                    "object_literal": data.get("object_literal"),
                    "date": None if date is None else {
                        "as_written": date["as_written"], "edtf": date["edtf"],
                        "calendar": date.get("calendar", "gregorian"), "original": date.get("original")},
                    "voice": data.get("voice", "author"),
                    "speaker": data.get("speaker"),
                    "speaker_id": data.get("speaker_id"),
                    "cited_work_id": data.get("cited_work_id"),
                    "cited_work_title": None,  # filled in at the end, as source_title is
                    "note": data.get("note"),
                    "source_id": data["source_id"],
                    "source_title": None,  # filled in at the end: a later correction may change it
                    "status": "asserted",
                    "status_reason": None,
                    "superseded_by": None,
                    "rank": "normal",
                    "rank_reason": None,
                    "history": [],
                    "modified": None,
                }
            elif kind not in ("ClaimRetracted", "ClaimSuperseded", "ClaimAssessed"):
                continue  # names, merges, conclusions: not part of an annotation
            if kind.startswith("Claim"):
                claim = claims[data["claim_id"]]
                if kind == "ClaimRetracted":
                    claim["status"], claim["status_reason"] = "retracted", data["reason"]
                elif kind == "ClaimSuperseded":
                    claim["status"], claim["status_reason"] = "superseded", data["reason"]
                    claim["superseded_by"] = data["by_claim_id"]
                elif kind == "ClaimAssessed":
                    claim["rank"], claim["rank_reason"] = data["rank"], data["reason"]
                if kind != "ClaimRecorded":
                    claim["modified"] = data["recorded_at"]
                step = {"event_type": kind, "event_id": data["event_id"], "position": stored.position,
                        "curator": data["curator"], "recorded_at": data["recorded_at"]}
                if kind == "ClaimSuperseded":
                    step["by_claim_id"] = data["by_claim_id"]
                if kind == "ClaimAssessed":
                    step["rank"] = data["rank"]
                if "reason" in data:
                    step["reason"] = data["reason"]
                claim["history"].append(step)
        except DamagedLogError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # This event, or an earlier one it refers to (a claim whose id was changed, say).
            raise first_damaged(log.read(upto=stored.position)) or damaged_event(
                stored.position, f"it cannot be read as an event ({type(exc).__name__}: {exc})") from None
    for claim in claims.values():
        claim["source_title"] = sources.get(claim["source_id"], {}).get("title")
        claim["cited_work_title"] = works.get(claim["cited_work_id"] or "")
    return sorted(claims.values(), key=lambda c: c["claim_id"]), sources


def _annotation(claim: dict[str, Any], sources: dict[str, dict[str, Any]]) -> dict[str, Any]:
    event = claim["event"]
    selector = event["selector"]
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": selector["exact"]}
    if selector.get("prefix"):
        quote["prefix"] = selector["prefix"]
    if selector.get("suffix"):
        quote["suffix"] = selector["suffix"]
    position = {"type": "TextPositionSelector", "start": selector["start"], "end": selector["end"]}
    source = sources.get(claim["source_id"], {})
    target: dict[str, Any] = {"type": "SpecificResource"}
    if source.get("origin_url"):
        target["source"] = source["origin_url"]
        target["state"] = {"type": "TimeState", "cached": source_iri(claim["source_id"])}
    else:
        target["source"] = source_iri(claim["source_id"])
    target["selector"] = [quote, position]
    structured = {k: v for k, v in claim.items() if k not in ("event", "modified")}
    annotation: dict[str, Any] = {
        "@context": CONTEXT,
        "id": _uuid_urn(event["event_id"]),
        "type": "Annotation",
        "motivation": MOTIVATION,
        "creator": {"name": event["curator"]},
        "created": event["recorded_at"],
    }
    if claim["modified"]:
        annotation["modified"] = claim["modified"]
    annotation["body"] = {
        "type": "TextualBody",
        "purpose": MOTIVATION,
        "format": "text/plain",
        "language": "en",
        "value": statement(claim),
        "archive:claim": structured,
    }
    annotation["target"] = target
    return annotation


def annotations(log: EventLog) -> dict[str, Any]:
    """Every claim in ``log`` as a Web Annotation, in one ``AnnotationCollection`` (sorted by claim id)."""
    try:
        claims, sources = _claims(log)
        items = [_annotation(claim, sources) for claim in claims]
    except DamagedLogError as exc:
        raise exc.in_log(getattr(log, "path", None)) from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        # What _claims read was sound, what it made of it is not: a field of the wrong type, sorted or
        # written out. Which event it came from is found by reading every one (on this failure path only).
        found = first_damaged(log.read())
        if found is None:
            raise
        raise found.in_log(getattr(log, "path", None)) from None
    head = log.head()
    collection_id = uuid.uuid5(uuid.NAMESPACE_URL, f"{NAMESPACE}log:{head.hash}")
    page_id = uuid.uuid5(collection_id, "page:1")
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"urn:uuid:{collection_id}",
        "type": "AnnotationCollection",
        "label": f"Claims of the archive as of log position {head.position}",
        "total": len(items),
        "generator": {"type": "Software", "name": f"archive {__version__}"},
    }
    if items:
        collection["first"] = {"id": f"urn:uuid:{page_id}", "type": "AnnotationPage",
                               "partOf": f"urn:uuid:{collection_id}", "startIndex": 0, "items": items}
        collection["last"] = f"urn:uuid:{page_id}"
    return collection


def dumps(document: Any) -> str:
    """A document as the text of a JSON(-LD) file: UTF-8 characters as they are, two-space indent, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def annotations_json(log: EventLog) -> str:
    """:func:`annotations` as the text of a JSON-LD file."""
    return dumps(annotations(log))


# -- the claims table ------------------------------------------------------------------------------

#: (column, SQL over ``claims`` joined with ``sources``, meaning)
CLAIM_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("claim_id", "claims.claim_id", "Identifier of the claim."),
    ("subject", "claims.subject_label", "The entity the claim is about (its label, after merges)."),
    ("predicate", "claims.predicate", "What is said of the subject."),
    ("object", "COALESCE(claims.object_label, claims.object_literal)",
     "The object entity's label, or the literal value."),
    ("date_as_written", "claims.date_as_written", "The date as the source words it."),
    ("date_edtf", "claims.date_edtf", "The date normalised to EDTF (Gregorian)."),
    ("date_earliest", "claims.date_earliest", "Earliest day the date can mean."),
    ("date_latest", "claims.date_latest", "Latest day the date can mean."),
    ("date_calendar", "claims.date_calendar", "Calendar the source used: gregorian, julian or dual."),
    ("source", "sources.title", "Title of the source."),
    ("source_language", "sources.language", "Language of the source."),
    ("quote", "claims.quote", "The source's exact words."),
    ("voice", "claims.voice", "Who in the source says it: author, reported or reader."),
    ("speaker", "claims.speaker", "The person speaking, for reported and reader claims."),
    ("cited_work", "cited_works.title", "Title of the cited work the source gives for the claim, if any."),
    ("status", "claims.status", "asserted, retracted or superseded."),
    ("superseded_by", "claims.superseded_by", "The correction that replaced the claim, if superseded."),
    ("rank", "claims.rank", "preferred, normal or deprecated."),
    ("rank_reason", "claims.rank_reason", "Why the claim has its rank."),
    ("note", "claims.note", "Curator's note."),
    ("curator", "claims.curator", "Who recorded the claim."),
    ("recorded_at", "claims.recorded_at", "When it was recorded."),
    ("subject_id", "claims.subject_current_id", "Subject entity id (after merges)."),
    ("object_id", "claims.object_current_id", "Object entity id (after merges), if any."),
    ("source_id", "claims.source_id", "Source id (sha256:<hex>)."),
    ("cited_work_id", "claims.cited_work_id", "Cited work id, if any."),
    ("quote_start", "claims.quote_start", "Offset of the quote's first character in the source text."),
    ("quote_end", "claims.quote_end", "Offset just past the quote's last character."),
)

_CLAIMS_SQL = (
    "SELECT " + ", ".join(f"{sql} AS [{name}]" for name, sql, _ in CLAIM_COLUMNS)
    + " FROM claims JOIN sources ON sources.source_id = claims.source_id"
    + " LEFT JOIN cited_works ON cited_works.work_id = claims.cited_work_id"
    + " ORDER BY claims.subject_current_id, claims.date_earliest, claims.source_id, claims.quote_start,"
    + " claims.claim_id"
)


def claim_rows(catalogue: str | Path) -> list[dict[str, Any]]:
    """One dict per claim of the catalogue, with :data:`CLAIM_COLUMNS` as keys, in ``claim_details`` order."""
    path = Path(catalogue)
    current = catalogue_status(path)  # a clear error for a missing file or one that is not a catalogue
    if current.schema_version != SCHEMA_VERSION:
        raise CatalogueError(f"{path} has catalogue schema {current.schema_version}, this library reads "
                             f"{SCHEMA_VERSION}; run 'archive rebuild LOG {path}'")
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(_CLAIMS_SQL)]
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise damaged(path, exc) from None
        raise
    finally:
        conn.close()


def claims_csv(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as CSV (RFC 4180: header line, CRLF line ends, quotes only where needed); null is empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([name for name, _, _ in CLAIM_COLUMNS])
    for row in rows:
        writer.writerow(["" if row[name] is None else row[name] for name, _, _ in CLAIM_COLUMNS])
    return buffer.getvalue()


def claims_json(rows: Iterable[dict[str, Any]]) -> str:
    """Rows as a JSON array of objects (UTF-8, two-space indent, final newline)."""
    return dumps(list(rows))
