"""Events in, catalogue rows out.

The projector reads the stored payloads as plain dicts, upcast to the current
version; it does not build event objects, which keeps a million-event rebuild
fast. New rows are buffered per table, and changes to existing rows (a
retraction, a merge) are buffered as statements; a flush writes the new rows
with ``executemany`` and then runs the changes in log order. That is the same
as applying everything in log order, because a change only ever touches rows
recorded before it (which the flush has just written), and rows recorded
after a change already carry its effect (the projector computes current
entities and labels from what it has seen). Full rebuilds and
incremental updates run exactly this code on the same events in the same
order, which is why they agree.

Entity merges: ``_merged`` maps an entity to the one it was merged into. An
id's *current* entity follows that chain to its end. A merge or split changes
the current entity of the merged id and of everything merged into it (its
subtree), and every row naming those ids is re-pointed and relabelled.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Callable, Iterable

from .. import dates
from ..codec import upcast
from ..log.base import StoredEvent
from ..text import decode_text, fold
from ..vocabulary import PREDICATES
from .schema import TABLES

__all__ = ["Projector", "static_rows"]

_INSERT = {
    t.name: f"INSERT INTO [{t.name}] ({', '.join(t.column_names)}) VALUES ({', '.join('?' * len(t.columns))})"
    for t in TABLES
}
_BUFFERED = ("sources", "entities", "entity_names", "cited_works", "citations", "claims", "claim_history",
             "conclusions", "conclusion_claims")


def static_rows() -> dict[str, list[tuple]]:
    """Rows that do not come from the log (the vocabulary)."""
    return {"predicates": [(p.name, p.description, int(p.single_valued)) for p in PREDICATES.values()]}


def _date_fields(date: dict[str, Any] | None) -> tuple:
    if date is None:
        return (None,) * 6
    span = dates.bounds(date["edtf"])
    return (date["as_written"], date["edtf"], date.get("calendar", "gregorian"), date.get("original"),
            span.earliest, span.latest)


class Projector:
    """Applies events to an open catalogue connection (the caller owns the transaction)."""

    FLUSH_EVERY = 5_000

    def __init__(self, conn: sqlite3.Connection, get_blob: Callable[[str], bytes | None]):
        self.conn = conn
        self.get_blob = get_blob
        self._labels: dict[str, str] = {}
        self._originals: dict[str, str] = {}
        # Merges so far (empty for a new catalogue; read back for an update).
        self._merged: dict[str, str] = dict(conn.execute(
            "SELECT entity_id, merged_into FROM entities WHERE merged_into IS NOT NULL").fetchall())
        self._buffers: dict[str, list[tuple]] = {name: [] for name in _BUFFERED}
        self._changes: list[tuple[str, tuple]] = []
        self._pending = 0
        self._handlers: dict[str, Callable[[StoredEvent, dict[str, Any]], None]] = {
            "SourceRecorded": self._source_recorded,
            "EntityRecorded": self._entity_recorded,
            "NameRecorded": self._name_recorded,
            "ClaimRecorded": self._claim_recorded,
            "ClaimRetracted": self._claim_retracted,
            "ClaimSuperseded": self._claim_superseded,
            "ClaimAssessed": self._claim_assessed,
            "ConclusionRecorded": self._conclusion_recorded,
            "EntitiesMerged": self._entities_merged,
            "EntitySplit": self._entity_split,
            "WorkRecorded": self._work_recorded,
            "WorkCited": self._work_cited,
        }

    def apply(self, stored: StoredEvent) -> None:
        data = upcast(json.loads(stored.payload))
        self._handlers[data["type"]](stored, data)
        self._pending += 1
        if self._pending >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        # Dependency order, so a reader of the open transaction never sees a dangling reference.
        for name, rows in self._buffers.items():
            if rows:
                self.conn.executemany(_INSERT[name], rows)
                rows.clear()
        # Then the changes, in log order, consecutive runs of one statement together.
        start = 0
        changes = self._changes
        while start < len(changes):
            end = start
            while end < len(changes) and changes[end][0] == changes[start][0]:
                end += 1
            self.conn.executemany(changes[start][0], [params for _, params in changes[start:end]])
            start = end
        changes.clear()
        self._pending = 0

    def _change(self, sql: str, params: tuple) -> None:
        self._changes.append((sql, params))

    # -- helpers ----------------------------------------------------------------
    def _label(self, entity_id: str | None) -> str | None:
        if entity_id is None:
            return None
        label = self._labels.get(entity_id)
        if label is None:
            row = self.conn.execute("SELECT label FROM entities WHERE entity_id = ?", (entity_id,)).fetchone()
            label = row[0] if row else None
            if label is not None:
                self._labels[entity_id] = label
        return label

    def _current(self, entity_id: str | None) -> str | None:
        seen = set()
        while entity_id in self._merged and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self._merged[entity_id]
        return entity_id

    def _original(self, source_id: str) -> str:
        original = self._originals.get(source_id)
        if original is None:
            row = self.conn.execute("SELECT original_source_id FROM sources WHERE source_id = ?",
                                    (source_id,)).fetchone()
            original = row[0] if row else source_id
            self._originals[source_id] = original
        return original

    @staticmethod
    def _recorded(stored: StoredEvent, data: dict[str, Any]) -> tuple:
        return data["curator"], data["recorded_at"], stored.position

    def _history(self, claim_id: str, stored: StoredEvent, data: dict[str, Any], summary: str) -> None:
        self._buffers["claim_history"].append((claim_id, stored.position, data["type"], summary, data.get("reason"),
                                               data["curator"], data["recorded_at"]))

    # -- sources, entities, names ---------------------------------------------------
    def _source_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        content = self.get_blob(data["source_id"]) or b""
        text = decode_text(content, data["media_type"])
        derived_from = data.get("derived_from")
        original = self._original(derived_from) if derived_from else data["source_id"]
        self._originals[data["source_id"]] = original
        self._buffers["sources"].append((
            data["source_id"], data["title"], data["language"], data["media_type"], data["filename"],
            data.get("kind"), data.get("author"), data.get("publisher"), data.get("origin_url"),
            data.get("published"), data.get("retrieved"), data.get("note"), derived_from, data.get("derivation"),
            original, len(content), None if text is None else len(text), text,
            *self._recorded(stored, data),
        ))

    def _entity_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._labels[data["entity_id"]] = data["label"]
        self._buffers["entities"].append((
            data["entity_id"], data["kind"], data["label"], data.get("note"), None, data["entity_id"],
            *self._recorded(stored, data),
        ))

    def _name_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._buffers["entity_names"].append((
            data["event_id"], data["entity_id"], self._current(data["entity_id"]), data["name"], fold(data["name"]),
            data["language"],
            data.get("script"), int(bool(data.get("preferred", False))), *self._recorded(stored, data),
        ))

    # -- cited works ------------------------------------------------------------------
    def _work_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        published = data.get("published")
        self._buffers["cited_works"].append((
            data["work_id"], data["title"], data["kind"], data.get("author"), published,
            dates.bounds(published).earliest if published else None, data.get("publisher"), data.get("identifier"),
            data.get("language"), data.get("note"), *self._recorded(stored, data),
        ))

    def _work_cited(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        selector = data["selector"]
        self._buffers["citations"].append((
            data["event_id"], data["work_id"], data["source_id"], selector["exact"], selector.get("prefix", ""),
            selector.get("suffix", ""), selector["start"], selector["end"], data.get("note"),
            *self._recorded(stored, data),
        ))

    # -- claims ---------------------------------------------------------------------
    def _claim_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        selector = data["selector"]
        subject = self._current(data["subject_id"])
        obj = self._current(data.get("object_id"))
        self._buffers["claims"].append((
            data["claim_id"], data["subject_id"], subject, self._label(subject), data["predicate"],
            data.get("object_id"), obj, self._label(obj), data.get("object_literal"),
            *_date_fields(data.get("date")),
            data["source_id"], selector["exact"], selector.get("prefix", ""), selector.get("suffix", ""),
            selector["start"], selector["end"], data.get("note"),
            data.get("voice", "author"), data.get("speaker"), data.get("speaker_id"), data.get("cited_work_id"),
            "asserted", None, "normal", None,
            *self._recorded(stored, data),
        ))
        voice = data.get("voice", "author")
        who = "" if voice == "author" else f" ({voice}: {data.get('speaker') or data.get('speaker_id')})"
        if data.get("cited_work_id"):
            who += f", citing {data['cited_work_id']}"
        self._history(data["claim_id"], stored, data, f"recorded{who}")

    def _claim_retracted(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._change("UPDATE claims SET status = 'retracted' WHERE claim_id = ?", (data["claim_id"],))
        self._history(data["claim_id"], stored, data, "retracted")

    def _claim_superseded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._change("UPDATE claims SET status = 'superseded', superseded_by = ? WHERE claim_id = ?",
                     (data["by_claim_id"], data["claim_id"]))
        self._history(data["claim_id"], stored, data, f"superseded by {data['by_claim_id']}")
        self._history(data["by_claim_id"], stored, data, f"supersedes {data['claim_id']}")

    def _claim_assessed(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._change("UPDATE claims SET rank = ?, rank_reason = ? WHERE claim_id = ?",
                     (data["rank"], data["reason"], data["claim_id"]))
        self._history(data["claim_id"], stored, data, f"assessed {data['rank']}")

    def _conclusion_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        subject = self._current(data["subject_id"])
        obj = self._current(data.get("object_id"))
        self._buffers["conclusions"].append((
            data["conclusion_id"], data["subject_id"], subject, self._label(subject), data["predicate"],
            data.get("object_id"), obj, self._label(obj), data.get("object_literal"),
            *_date_fields(data.get("date")), data["reason"], *self._recorded(stored, data),
        ))
        self._buffers["conclusion_claims"].extend((data["conclusion_id"], c) for c in data["rests_on"])

    # -- merges -----------------------------------------------------------------------
    def _subtree(self, entity_id: str) -> list[str]:
        """The entity and every entity whose merge chain passes through it."""
        children: dict[str, list[str]] = {}
        for child, parent in self._merged.items():
            children.setdefault(parent, []).append(child)
        found, todo = [], [entity_id]
        while todo:
            node = todo.pop()
            found.append(node)
            todo.extend(children.get(node, ()))
        return sorted(found)

    def _repoint(self, ids: Iterable[str]) -> None:
        """Re-resolve ``ids`` and update every row that names them."""
        for entity_id in ids:
            current = self._current(entity_id)
            label = self._label(current)
            self._change("UPDATE entities SET current_id = ? WHERE entity_id = ?", (current, entity_id))
            self._change("UPDATE entity_names SET current_entity_id = ? WHERE entity_id = ?", (current, entity_id))
            self._change("UPDATE claims SET subject_current_id = ?, subject_label = ? WHERE subject_id = ?",
                         (current, label, entity_id))
            self._change("UPDATE claims SET object_current_id = ?, object_label = ? WHERE object_id = ?",
                         (current, label, entity_id))
            self._change("UPDATE conclusions SET subject_current_id = ?, subject_label = ? WHERE subject_id = ?",
                         (current, label, entity_id))
            self._change("UPDATE conclusions SET object_current_id = ?, object_label = ? WHERE object_id = ?",
                         (current, label, entity_id))

    def _entities_merged(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._merged[data["entity_id"]] = data["into_id"]
        self._change("UPDATE entities SET merged_into = ? WHERE entity_id = ?", (data["into_id"], data["entity_id"]))
        self._repoint(self._subtree(data["entity_id"]))

    def _entity_split(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._merged.pop(data["entity_id"], None)
        self._change("UPDATE entities SET merged_into = NULL WHERE entity_id = ?", (data["entity_id"],))
        self._repoint(self._subtree(data["entity_id"]))
