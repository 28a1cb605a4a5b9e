"""Small helpers that build valid events for tests, deterministically.

Tests that need referentially consistent archives (a claim's subject exists,
its quote is in its source) build them here; ``tests/strategies.py`` has the
free-standing hypothesis strategies for single events.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from archive.log.base import blob_id
from archive.model import (
    ClaimAssessed, ClaimDate, ClaimRecorded, ClaimRetracted, ClaimSuperseded, ConclusionRecorded, EntitiesMerged,
    EntityRecorded, EntitySplit, NameRecorded, SourceDescriptionCorrected, SourceRecorded, WorkCited, WorkDescriptionCorrected, WorkRecorded,
)
from archive.text import make_selector

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


class Builder:
    """Makes events with predictable ids (uuid5 of a counter) and times."""

    def __init__(self, seed: str = "tests"):
        self.counter = 0
        self.namespace = uuid.uuid5(uuid.NAMESPACE_URL, f"archive-tests/{seed}")

    def _stamp(self) -> dict[str, Any]:
        self.counter += 1
        return {"event_id": str(uuid.uuid5(self.namespace, str(self.counter))),
                "recorded_at": T0 + timedelta(seconds=self.counter), "curator": "tester"}

    def source(self, text: str, *, filename: str = "doc.txt", title: str = "A document", language: str = "en",
               derived_from: str | None = None) -> tuple[SourceRecorded, dict[str, bytes]]:
        content = text.encode("utf-8")
        event = SourceRecorded(**self._stamp(), source_id=blob_id(content), title=title, language=language,
                               media_type="text/plain; charset=utf-8", filename=filename, derived_from=derived_from,
                               derivation="a test derivation" if derived_from else None)
        return event, {event.source_id: content}

    def correct_source(self, source_id: str, *, cleared: tuple[str, ...] = (),
                       **changes: str) -> SourceDescriptionCorrected:
        return SourceDescriptionCorrected(**self._stamp(), source_id=source_id, reason="the title page says so",
                                          cleared=cleared, **changes)

    def correct_work(self, work_id: str, *, cleared: tuple[str, ...] = (), **changes: str) -> WorkDescriptionCorrected:
        return WorkDescriptionCorrected(**self._stamp(), work_id=work_id, reason="the title page says so",
                                        cleared=cleared, **changes)

    def retract(self, claim_id: str) -> ClaimRetracted:
        return ClaimRetracted(**self._stamp(), claim_id=claim_id, reason="recorded in error")

    def supersede(self, claim_id: str, by_claim_id: str) -> ClaimSuperseded:
        return ClaimSuperseded(**self._stamp(), claim_id=claim_id, by_claim_id=by_claim_id, reason="mis-keyed")

    def assess(self, claim_id: str, rank: str) -> ClaimAssessed:
        return ClaimAssessed(**self._stamp(), claim_id=claim_id, rank=rank, reason=f"judged {rank}")

    def merge(self, entity_id: str, into_id: str) -> EntitiesMerged:
        return EntitiesMerged(**self._stamp(), entity_id=entity_id, into_id=into_id, reason="same person")

    def split(self, entity_id: str) -> EntitySplit:
        return EntitySplit(**self._stamp(), entity_id=entity_id, reason="not the same after all")

    def conclusion(self, conclusion_id: str, *, subject_id: str, rests_on: list[str], edtf: str | None = None,
                   predicate: str = "born", object_id: str | None = None) -> ConclusionRecorded:
        return ConclusionRecorded(**self._stamp(), conclusion_id=conclusion_id, subject_id=subject_id,
                                  object_id=object_id,
                                  predicate=predicate, rests_on=tuple(rests_on), reason="weighing the sources",
                                  date=ClaimDate(as_written=edtf, edtf=edtf) if edtf else None)

    def entity(self, entity_id: str, *, kind: str = "person", label: str | None = None) -> EntityRecorded:
        return EntityRecorded(**self._stamp(), entity_id=entity_id, kind=kind, label=label or entity_id.title())

    def name(self, entity_id: str, name: str, *, language: str = "en", script: str | None = None) -> NameRecorded:
        return NameRecorded(**self._stamp(), entity_id=entity_id, name=name, language=language, script=script)

    def claim(self, claim_id: str, *, subject_id: str, source: SourceRecorded, text: str, quote: str,
              predicate: str = "held_office", object_id: str | None = None, object_literal: str | None = None,
              edtf: str | None = None, occurrence: int = 1, voice: str = "author",
              speaker: str | None = None, cited_work_id: str | None = None) -> ClaimRecorded:
        return ClaimRecorded(
            **self._stamp(), claim_id=claim_id, subject_id=subject_id, predicate=predicate,
            source_id=source.source_id, selector=make_selector(text, quote, occurrence=occurrence),
            object_id=object_id, object_literal=object_literal,
            date=ClaimDate(as_written=edtf, edtf=edtf) if edtf else None, voice=voice, speaker=speaker,
            cited_work_id=cited_work_id,
        )

    def work(self, work_id: str, *, title: str = "A cited book", kind: str = "book",
             published: str | None = None) -> WorkRecorded:
        return WorkRecorded(**self._stamp(), work_id=work_id, title=title, kind=kind, published=published)

    def cite(self, work_id: str, *, source: SourceRecorded, text: str, quote: str, occurrence: int = 1) -> WorkCited:
        return WorkCited(**self._stamp(), work_id=work_id, source_id=source.source_id,
                         selector=make_selector(text, quote, occurrence=occurrence))


def damage_event(log: Path, position: int, change: Any) -> None:
    """Change the event stored at ``position`` behind the library's back, as someone editing the file would.

    ``change`` is the new payload (text or bytes), or a function from the event's dict to the new dict
    (written as canonical JSON is). The log's triggers are dropped for it and put back after.
    """
    from .test_sqlite_log import lifted_triggers

    conn = sqlite3.connect(log, isolation_level=None)
    with lifted_triggers(conn):
        if callable(change):
            stored = conn.execute("SELECT payload FROM events WHERE position = ?", (position,)).fetchone()[0]
            change = json.dumps(change(json.loads(stored)), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        conn.execute("UPDATE events SET payload = ? WHERE position = ?", (change, position))
    conn.close()


def claim_position(log: Path, claim_id: str) -> int:
    """The log position of the event that recorded the claim."""
    conn = sqlite3.connect(log)
    try:
        return conn.execute("SELECT position FROM events WHERE stream_id = ? AND stream_version = 1",
                            (f"claim:{claim_id}",)).fetchone()[0]
    finally:
        conn.close()


def file_digest(path: Path) -> str | None:
    """sha256 of a file's bytes, None if it does not exist."""
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def archive_bound_by_permissions(*args: Any, read_only: tuple[Path, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``python -m archive ARGS`` with the files and directories ``read_only`` made read-only meanwhile.

    Root writes into read-only files and directories as it likes, so when the tests run as root the
    child runs without the capability that allows it (CAP_DAC_OVERRIDE): ``setpriv`` takes it out of
    the child's bounding set. Skips the test where that cannot be done. The modes are put back after.
    """
    command = [sys.executable, "-m", "archive", *map(str, args)]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root, and without setpriv a read-only file is writable")
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-all", *command]
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in read_only}
    try:
        for path, mode in modes.items():
            path.chmod(mode & ~0o222)
        completed = subprocess.run(command, capture_output=True, text=True)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    if completed.stderr.startswith("setpriv:"):
        pytest.skip(f"setpriv cannot drop root's powers here: {completed.stderr.strip()}")
    return completed


def catalogue_content(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table and view of a catalogue (FTS shadow tables aside), in a stable order.

    Rows of tables come in rowid order, so two catalogues built by different
    routes must have inserted the same rows in the same order to compare equal.
    Full-text indexes are compared by what they answer: for each table with
    FTS, the rowids matching each distinct word of its indexed text.
    """
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        content: dict[str, list[tuple]] = {}
        names = conn.execute(
            "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE '%_fts%'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
        for name, kind in names:
            order = " ORDER BY rowid" if kind == "table" else ""
            content[name] = conn.execute(f"SELECT * FROM [{name}]{order}").fetchall()
        for (fts,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE"
                                   " 'CREATE VIRTUAL TABLE%' ORDER BY name").fetchall():
            vocab = f"temp_{fts}_vocab"
            conn.execute(f"CREATE VIRTUAL TABLE temp.[{vocab}] USING fts5vocab(main, [{fts}], 'row')")
            words = [w for (w,) in conn.execute(f"SELECT term FROM temp.[{vocab}] ORDER BY term")]
            content[f"{fts} (answers)"] = [
                (w, tuple(r for (r,) in conn.execute(f"SELECT rowid FROM [{fts}] WHERE [{fts}] MATCH ? ORDER BY rowid",
                                                     ('"' + w.replace('"', '""') + '"',))))
                for w in words
            ]
        return content
    finally:
        conn.close()
