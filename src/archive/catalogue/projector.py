"""Events in, catalogue rows out.

The projector reads the stored payloads as plain dicts, upcast to the current
version; it does not build event objects, which keeps a million-event rebuild
fast. Rows are buffered per table and written with ``executemany``. Events
arrive in log order, so a row always follows the rows it refers to.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any, Callable

from .. import dates
from ..codec import upcast
from ..log.base import StoredEvent
from ..text import decode_text
from .schema import TABLES

__all__ = ["Projector"]

_INSERT = {
    t.name: f"INSERT INTO [{t.name}] ({', '.join(t.column_names)}) VALUES ({', '.join('?' * len(t.columns))})"
    for t in TABLES
}


class Projector:
    """Applies events to an open catalogue connection (the caller owns the transaction)."""

    FLUSH_EVERY = 5_000

    def __init__(self, conn: sqlite3.Connection, get_blob: Callable[[str], bytes | None]):
        self.conn = conn
        self.get_blob = get_blob
        self._labels: dict[str, str] = {}
        self._buffers: dict[str, list[tuple]] = {name: [] for name in ("sources", "entities", "entity_names", "claims")}
        self._pending = 0
        self._handlers: dict[str, Callable[[StoredEvent, dict[str, Any]], None]] = {
            "SourceRecorded": self._source_recorded,
            "EntityRecorded": self._entity_recorded,
            "NameRecorded": self._name_recorded,
            "ClaimRecorded": self._claim_recorded,
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
        self._pending = 0

    # -- helpers --------------------------------------------------------------
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

    @staticmethod
    def _recorded(stored: StoredEvent, data: dict[str, Any]) -> tuple:
        return data["curator"], data["recorded_at"], stored.position

    # -- handlers ---------------------------------------------------------------
    def _source_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        content = self.get_blob(data["source_id"]) or b""
        text = decode_text(content, data["media_type"])
        self._buffers["sources"].append((
            data["source_id"], data["title"], data["language"], data["media_type"], data["filename"],
            data.get("kind"), data.get("author"), data.get("publisher"), data.get("origin_url"),
            data.get("published"), data.get("retrieved"), data.get("note"),
            len(content), None if text is None else len(text), text,
            *self._recorded(stored, data),
        ))

    def _entity_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._labels[data["entity_id"]] = data["label"]
        self._buffers["entities"].append((
            data["entity_id"], data["kind"], data["label"], data.get("note"), *self._recorded(stored, data),
        ))

    def _name_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        self._buffers["entity_names"].append((
            data["event_id"], data["entity_id"], data["name"], data["language"], data.get("script"),
            int(bool(data.get("preferred", False))), *self._recorded(stored, data),
        ))

    def _claim_recorded(self, stored: StoredEvent, data: dict[str, Any]) -> None:
        selector = data["selector"]
        date = data.get("date")
        if date is not None:
            span = dates.bounds(date["edtf"])
            date_fields = (date["as_written"], date["edtf"], date.get("calendar", "gregorian"), date.get("original"),
                           span.earliest, span.latest)
        else:
            date_fields = (None,) * 6
        self._buffers["claims"].append((
            data["claim_id"], data["subject_id"], self._label(data["subject_id"]), data["predicate"],
            data.get("object_id"), self._label(data.get("object_id")), data.get("object_literal"),
            *date_fields,
            data["source_id"], selector["exact"], selector.get("prefix", ""), selector.get("suffix", ""),
            selector["start"], selector["end"], data.get("note"), *self._recorded(stored, data),
        ))
