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

A full rebuild into a new file runs the projector in *bulk* mode, which
changes how it writes, never what:

- Merges are re-pointed once, at the end. During the load the projector only
  notes the ids merged (or split off); after the load, :func:`repoint` sets
  every row naming them to their final current entity
  (:meth:`Projector.repoint_rows`), one set-based statement per column. The result is the same as re-pointing at
  every merge: only an id that is itself merged has a current entity other
  than itself, a row's current entity and label change only through a merge
  or split touching the id it names, and labels never change; so after the
  last such event the rows hold that id's final current entity and its label.
  Re-pointing at every merge needs an index on every column it filters on,
  kept up to date through the whole load; re-pointing at the end lets the
  rebuild create its indexes after the load, which costs a fraction of that.
- It never reads the catalogue (a new file holds nothing its caches lack),
  and it hands its writes, batch by batch, to whatever ``write`` it is given:
  so a rebuild can run it in another process, parsing the log while this
  one writes (catalogue/build.py).
"""

from __future__ import annotations

import sqlite3
from typing import Any, Callable, Iterable

from .. import dates, fastjson
from ..codec import unknown_kind, upcast
from ..log.base import StoredEvent, damaged
from ..model import DESCRIPTION_FIELDS, WORK_DESCRIPTION_FIELDS
from ..text import decode_text, fold
from ..vocabulary import PREDICATES
from .schema import TABLES

__all__ = ["Projector", "static_rows"]

#: What a correction of each kind of description updates: (table, key, fields, table of changes), and the
#: statement setting every field at once (one statement for every correction, batched by flush). A work's
#: sort key, published_earliest, follows its published date.
_DESCRIBED = {
    "SourceDescriptionCorrected": ("sources", "source_id", DESCRIPTION_FIELDS, "source_corrections"),
    "WorkDescriptionCorrected": ("cited_works", "work_id", WORK_DESCRIPTION_FIELDS, "work_corrections"),
}
_DESCRIBE = {
    kind: f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in fields)}"
          f"{', published_earliest = ?' if table == 'cited_works' else ''} WHERE {key} = ?"
    for kind, (table, key, fields, _) in _DESCRIBED.items()
}

_INSERT = {
    t.name: f"INSERT INTO [{t.name}] ({', '.join(t.column_names)}) VALUES ({', '.join('?' * len(t.columns))})"
    for t in TABLES
}
_BUFFERED = ("sources", "source_corrections", "entities", "entity_names", "cited_works", "work_corrections",
             "citations", "claims", "claim_history", "conclusions", "conclusion_claims")


def static_rows() -> dict[str, list[tuple]]:
    """Rows that do not come from the log (the vocabulary)."""
    return {"predicates": [(p.name, p.description, int(p.single_valued)) for p in PREDICATES.values()]}


def _date_fields(date: dict[str, Any] | None) -> tuple:
    if date is None:
        return (None,) * 6
    span = dates.bounds(date["edtf"])
    return (date["as_written"], date["edtf"], date.get("calendar", "gregorian"), date.get("original"),
            span.earliest, span.latest)


#: A flush's writes: (statement, rows for executemany), in order.
Batch = list[tuple[str, list[tuple]]]


class Projector:
    """Applies events to an open catalogue connection (the caller owns the transaction).

    ``bulk``: for a full rebuild into a new, empty catalogue (see the module's documentation); the
    caller re-points merged entities after the load (:meth:`repoint_rows`, :func:`repoint`). ``write``: where each flushed batch of statements goes (by default,
    ``executemany`` on ``conn``); ``conn`` may then be None in bulk, which reads nothing.
    """

    FLUSH_EVERY = 5_000

    def __init__(self, conn: sqlite3.Connection | None, get_blob: Callable[[str], bytes | None], *,
                 bulk: bool = False, write: Callable[[Batch], None] | None = None):
        self.conn = conn
        self.get_blob = get_blob
        self._bulk = bulk
        self._write = write  # (None: executemany on conn; not a bound method kept on self, see _HANDLERS)
        # In bulk: every id merged (or split off) during the load, re-pointed at the end.
        self._repoint_later: set[str] = set()
        self._labels: dict[str, str] = {}
        self._originals: dict[str, str] = {}
        # Each source's and work's description as it stands, by (table, id): they are few (thousands at a
        # million events), and a correction must know the values it replaces without reading the
        # catalogue, which bulk never does.
        self._descriptions: dict[tuple[str, str], dict[str, str | None]] = {}
        # Merges so far: entity -> the entity it was merged into. A new catalogue has none, so in bulk a
        # missing id is one never merged. An update does not read every merge back (thousands at a million
        # events, for one new event): it looks an entity up when it first meets it (_look_up), and reads
        # all the merges only when it applies a merge or split, which must find an entity's whole subtree.
        self._merged: dict[str, str] = {}
        self._all_merges_known = bulk
        # The same, the other way round (entity -> the ids merged into it), kept as merges come and go, so
        # that an update applying many merges does not rebuild it for each one.
        self._children: dict[str, set[str]] = {}
        self._buffers: dict[str, list[tuple]] = {name: [] for name in _BUFFERED}
        self._changes: list[tuple[str, tuple]] = []
        self._pending = 0

    def apply(self, stored: StoredEvent) -> None:
        self.apply_payload(stored.position, stored.payload)

    def apply_payload(self, position: int, payload: bytes) -> None:
        """Apply the event stored at ``position`` with these bytes (what :meth:`apply` takes from it)."""
        data = None
        try:
            data = fastjson.loads(payload)
            data = upcast(data)
            _HANDLERS[data["type"]](self, position, data)
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
            # Every event was checked when it was appended: one that cannot be projected now was
            # changed in the log behind its back, or written by a newer library. (A try costs nothing
            # until something is raised.)
            raise unknown_kind(position, data) or damaged(
                position, f"it cannot be read as an event ({type(exc).__name__}: {exc})") from None
        self._pending += 1
        if self._pending >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        """Write what is buffered."""
        # Dependency order, so a reader of the open transaction never sees a dangling reference.
        batch: Batch = [(_INSERT[name], rows) for name, rows in self._buffers.items() if rows]
        # Then the changes, in log order, consecutive runs of one statement together.
        start = 0
        changes = self._changes
        while start < len(changes):
            end = start
            while end < len(changes) and changes[end][0] == changes[start][0]:
                end += 1
            batch.append((changes[start][0], [params for _, params in changes[start:end]]))
            start = end
        self._buffers = {name: [] for name in _BUFFERED}
        self._changes = []
        self._pending = 0
        if batch:
            (self._write or self._executemany)(batch)

    def _executemany(self, batch: Batch) -> None:
        for sql, rows in batch:
            self.conn.executemany(sql, rows)

    def _change(self, sql: str, params: tuple) -> None:
        self._changes.append((sql, params))

    # -- helpers ----------------------------------------------------------------
    def _look_up(self, entity_id: str) -> None:
        """Read an entity the caches lack from the catalogue: its label, and its merge if it has one."""
        row = self.conn.execute("SELECT label, merged_into FROM entities WHERE entity_id = ?",
                                (entity_id,)).fetchone()
        if row is not None:
            self._labels[entity_id] = row[0]
            if row[1] is not None and not self._all_merges_known:
                self._merged[entity_id] = row[1]

    def _label(self, entity_id: str | None) -> str | None:
        if entity_id is None:
            return None
        label = self._labels.get(entity_id)
        if label is None and not self._bulk:  # in bulk, the catalogue holds no entity the cache lacks
            self._look_up(entity_id)
            label = self._labels.get(entity_id)
        return label

    def _parent(self, entity_id: str) -> str | None:
        """The entity ``entity_id`` was merged into, if it was."""
        parent = self._merged.get(entity_id)
        # An entity in _labels has been looked up (or recorded here, so never merged before this run).
        if parent is None and not self._all_merges_known and entity_id not in self._labels:
            self._look_up(entity_id)
            parent = self._merged.get(entity_id)
        return parent

    def _current(self, entity_id: str | None) -> str | None:
        parent = None if entity_id is None else self._parent(entity_id)
        if parent is None:  # nearly every id: no set to build
            return entity_id
        seen = set()
        while parent is not None and entity_id not in seen:
            seen.add(entity_id)
            entity_id = parent
            parent = self._parent(entity_id)
        return entity_id

    def _know_all_merges(self) -> None:
        """Read every merge from the catalogue (an update, before its first merge or split).

        Until this run applies a merge or split, the catalogue's ``merged_into`` column is the whole
        truth: nothing else changes it, and the entities this run recorded are merged into nothing.
        """
        if self._all_merges_known:
            return
        self._merged = dict(self.conn.execute(
            "SELECT entity_id, merged_into FROM entities WHERE merged_into IS NOT NULL").fetchall())
        for child, parent in self._merged.items():
            self._children.setdefault(parent, set()).add(child)
        self._all_merges_known = True

    def _original(self, source_id: str) -> str:
        original = self._originals.get(source_id)
        if original is None:
            row = None if self._bulk else self.conn.execute(  # (as in _label)
                "SELECT original_source_id FROM sources WHERE source_id = ?", (source_id,)).fetchone()
            original = row[0] if row else source_id
            self._originals[source_id] = original
        return original

    @staticmethod
    def _recorded(position: int, data: dict[str, Any]) -> tuple:
        return data["curator"], data["recorded_at"], position

    def _history(self, claim_id: str, position: int, data: dict[str, Any], summary: str) -> None:
        self._buffers["claim_history"].append((claim_id, position, data["type"], summary, data.get("reason"),
                                               data["curator"], data["recorded_at"]))

    # -- sources, entities, names ---------------------------------------------------
    def _source_recorded(self, position: int, data: dict[str, Any]) -> None:
        content = self.get_blob(data["source_id"]) or b""
        text = decode_text(content, data["media_type"])
        derived_from = data.get("derived_from")
        original = self._original(derived_from) if derived_from else data["source_id"]
        self._originals[data["source_id"]] = original
        self._descriptions[("sources", data["source_id"])] = {name: data.get(name) for name in DESCRIPTION_FIELDS}
        self._buffers["sources"].append((
            data["source_id"], data["title"], data["language"], data["media_type"], data["filename"],
            data.get("kind"), data.get("author"), data.get("publisher"), data.get("origin_url"),
            data.get("published"), data.get("retrieved"), data.get("note"), derived_from, data.get("derivation"),
            original, len(content), None if text is None else len(text), text,
            *self._recorded(position, data),
        ))

    def _description(self, table: str, key: str, fields: tuple[str, ...], item: str) -> dict[str, str | None]:
        description = self._descriptions.get((table, item))
        if description is None:  # recorded before this run (an update): the catalogue has it (as in _label)
            row = self.conn.execute(f"SELECT {', '.join(fields)} FROM {table} WHERE {key} = ?", (item,)).fetchone()
            description = self._descriptions[(table, item)] = dict(zip(fields, row))
        return description

    def _description_corrected(self, position: int, data: dict[str, Any]) -> None:
        """A source's or a work's description corrected: its row changed, each change listed."""
        table, key, fields, changes = _DESCRIBED[data["type"]]
        item = data[key]
        description = self._description(table, key, fields, item)
        cleared = data.get("cleared", ())
        for name in fields:
            if name in data or name in cleared:
                value = data.get(name)
                self._buffers[changes].append((item, name, description[name], value, data["reason"],
                                               data["event_id"], *self._recorded(position, data)))
                description[name] = value
        extra = () if table != "cited_works" else (
            dates.bounds(description["published"]).earliest if description["published"] else None,)
        self._change(_DESCRIBE[data["type"]], (*description.values(), *extra, item))

    def _entity_recorded(self, position: int, data: dict[str, Any]) -> None:
        self._labels[data["entity_id"]] = data["label"]
        self._buffers["entities"].append((
            data["entity_id"], data["kind"], data["label"], data.get("note"), None, data["entity_id"],
            *self._recorded(position, data),
        ))

    def _name_recorded(self, position: int, data: dict[str, Any]) -> None:
        self._buffers["entity_names"].append((
            data["event_id"], data["entity_id"], self._current(data["entity_id"]), data["name"], fold(data["name"]),
            data["language"],
            data.get("script"), int(bool(data.get("preferred", False))), *self._recorded(position, data),
        ))

    # -- cited works ------------------------------------------------------------------
    def _work_recorded(self, position: int, data: dict[str, Any]) -> None:
        self._descriptions[("cited_works", data["work_id"])] = {name: data.get(name) for name in WORK_DESCRIPTION_FIELDS}
        published = data.get("published")
        self._buffers["cited_works"].append((
            data["work_id"], data["title"], data["kind"], data.get("author"), published,
            dates.bounds(published).earliest if published else None, data.get("publisher"), data.get("identifier"),
            data.get("language"), data.get("note"), *self._recorded(position, data),
        ))

    def _work_cited(self, position: int, data: dict[str, Any]) -> None:
        selector = data["selector"]
        self._buffers["citations"].append((
            data["event_id"], data["work_id"], data["source_id"], selector["exact"], selector.get("prefix", ""),
            selector.get("suffix", ""), selector["start"], selector["end"], data.get("note"),
            *self._recorded(position, data),
        ))

    # -- claims ---------------------------------------------------------------------
    def _claim_recorded(self, position: int, data: dict[str, Any]) -> None:
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
            *self._recorded(position, data),
        ))
        voice = data.get("voice", "author")
        who = "" if voice == "author" else f" ({voice}: {data.get('speaker') or data.get('speaker_id')})"
        if data.get("cited_work_id"):
            who += f", citing {data['cited_work_id']}"
        self._history(data["claim_id"], position, data, f"recorded{who}")

    def _claim_retracted(self, position: int, data: dict[str, Any]) -> None:
        self._change("UPDATE claims SET status = 'retracted' WHERE claim_id = ?", (data["claim_id"],))
        self._history(data["claim_id"], position, data, "retracted")

    def _claim_superseded(self, position: int, data: dict[str, Any]) -> None:
        self._change("UPDATE claims SET status = 'superseded', superseded_by = ? WHERE claim_id = ?",
                     (data["by_claim_id"], data["claim_id"]))
        self._history(data["claim_id"], position, data, f"superseded by {data['by_claim_id']}")
        self._history(data["by_claim_id"], position, data, f"supersedes {data['claim_id']}")

    def _claim_assessed(self, position: int, data: dict[str, Any]) -> None:
        self._change("UPDATE claims SET rank = ?, rank_reason = ? WHERE claim_id = ?",
                     (data["rank"], data["reason"], data["claim_id"]))
        self._history(data["claim_id"], position, data, f"assessed {data['rank']}")

    def _conclusion_recorded(self, position: int, data: dict[str, Any]) -> None:
        subject = self._current(data["subject_id"])
        obj = self._current(data.get("object_id"))
        self._buffers["conclusions"].append((
            data["conclusion_id"], data["subject_id"], subject, self._label(subject), data["predicate"],
            data.get("object_id"), obj, self._label(obj), data.get("object_literal"),
            *_date_fields(data.get("date")), data["reason"], *self._recorded(position, data),
        ))
        self._buffers["conclusion_claims"].extend((data["conclusion_id"], c) for c in data["rests_on"])

    # -- merges -----------------------------------------------------------------------
    def _subtree(self, entity_id: str) -> list[str]:
        """The entity and every entity whose merge chain passes through it."""
        found, todo = [], [entity_id]
        while todo:
            node = todo.pop()
            found.append(node)
            todo.extend(self._children.get(node, ()))
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

    def _entities_merged(self, position: int, data: dict[str, Any]) -> None:
        self._know_all_merges()
        self._unlink(data["entity_id"])
        self._merged[data["entity_id"]] = data["into_id"]
        self._children.setdefault(data["into_id"], set()).add(data["entity_id"])
        self._change("UPDATE entities SET merged_into = ? WHERE entity_id = ?", (data["into_id"], data["entity_id"]))
        self._merge_changed(data["entity_id"])

    def _entity_split(self, position: int, data: dict[str, Any]) -> None:
        self._know_all_merges()
        self._unlink(data["entity_id"])
        self._change("UPDATE entities SET merged_into = NULL WHERE entity_id = ?", (data["entity_id"],))
        self._merge_changed(data["entity_id"])

    def _unlink(self, entity_id: str) -> None:
        """Forget the entity's merge, if it has one, in both directions."""
        parent = self._merged.pop(entity_id, None)
        if parent is not None:
            self._children[parent].discard(entity_id)

    def _merge_changed(self, entity_id: str) -> None:
        if self._bulk:
            # Only an id that is itself merged has a current entity other than itself, so the rows that
            # can end up pointing to a stale one are those naming an id merged at some time: note those.
            self._repoint_later.add(entity_id)
        else:
            self._repoint(self._subtree(entity_id))

    def repoint_rows(self) -> list[tuple[str, str | None, str | None]]:
        """Bulk: (id, its final current entity, that entity's label) for every id merged or split off."""
        rows = []
        for entity_id in sorted(self._repoint_later):
            current = self._current(entity_id)
            rows.append((entity_id, current, self._label(current)))
        return rows


#: The method applying each type of event. A class-level table of plain functions, not a dict of bound
#: methods on each projector: that would make every projector a reference cycle, kept (with its caches)
#: until the cyclic collector runs, which an update after an update would pile up.
_HANDLERS: dict[str, Callable[[Projector, int, dict[str, Any]], None]] = {
    "SourceRecorded": Projector._source_recorded,
    "SourceDescriptionCorrected": Projector._description_corrected,
    "EntityRecorded": Projector._entity_recorded,
    "NameRecorded": Projector._name_recorded,
    "ClaimRecorded": Projector._claim_recorded,
    "ClaimRetracted": Projector._claim_retracted,
    "ClaimSuperseded": Projector._claim_superseded,
    "ClaimAssessed": Projector._claim_assessed,
    "ConclusionRecorded": Projector._conclusion_recorded,
    "EntitiesMerged": Projector._entities_merged,
    "EntitySplit": Projector._entity_split,
    "WorkRecorded": Projector._work_recorded,
    "WorkDescriptionCorrected": Projector._description_corrected,
    "WorkCited": Projector._work_cited,
}


def repoint(conn: sqlite3.Connection, rows: list[tuple[str, str | None, str | None]]) -> None:
    """Set the current entity and label of every row naming one of these ids (see the module's doc).

    Each statement joins one column to a temporary table of the ids and rewrites only the rows whose
    values differ; a rebuild runs it once, after the load, with the indexes on the columns it filters
    on (``_REPOINT_INDEXES`` in build.py) already built.
    """
    if not rows:
        return
    conn.execute("CREATE TEMP TABLE repointed (entity_id TEXT PRIMARY KEY, current_id TEXT, label TEXT)")
    conn.executemany("INSERT INTO temp.repointed VALUES (?, ?, ?)", rows)
    for table, column, current_column, label_column in _REPOINTED_COLUMNS:
        sets = f"{current_column} = r.current_id" + (f", {label_column} = r.label" if label_column else "")
        differs = f"[{table}].{current_column} IS NOT r.current_id" + (
            f" OR [{table}].{label_column} IS NOT r.label" if label_column else "")
        conn.execute(f"UPDATE [{table}] SET {sets} FROM temp.repointed AS r"
                     f" WHERE [{table}].{column} = r.entity_id AND ({differs})")
    conn.execute("DROP TABLE temp.repointed")


#: Every column naming an entity as recorded, with the columns that hold its current entity and label:
#: what _repoint updates one merge at a time and repoint all at once.
_REPOINTED_COLUMNS = (
    ("entities", "entity_id", "current_id", None),
    ("entity_names", "entity_id", "current_entity_id", None),
    ("claims", "subject_id", "subject_current_id", "subject_label"),
    ("claims", "object_id", "object_current_id", "object_label"),
    ("conclusions", "subject_id", "subject_current_id", "subject_label"),
    ("conclusions", "object_id", "object_current_id", "object_label"),
)
