"""Model-based testing of the whole archive (issue 7).

A plain-Python model of the archive — sources, entities and their merges,
cited works and their citations, claims and their lifecycle — runs next to the real thing: an event log file on
disk and two catalogue files, one kept by ``update`` and one made by
``rebuild``. Hypothesis drives both with the same random sequence of curators'
actions, including bad batches, closing and reopening the files, and a trip
through an exported bundle. After every step:

* the log holds exactly the events the model accepted, byte for byte, at
  gap-free positions, and ``verify`` passes;
* whenever a catalogue is refreshed, it says what the model predicts
  (each claim's current subject, status, rank, correction and cited work; each
  entity's current id; which source cites which work), and the updated catalogue has the same content as a rebuilt one.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import sqlite3
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

import archive
from archive.bundle import export_bundle, import_bundle
from archive.catalogue import rebuild, update
from archive.errors import ArchiveError

from .builders import Builder, catalogue_content, file_digest

WORDS = ["Khrushchev", "Hrușciov", "Хрущёв", "secretário", "partido", "Kiev", "1938", "Moscou", "Stalin’s", "a"]


class ArchiveMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="archive-stateful-"))
        self.log_path = self.dir / "archive.db"
        self.arc = archive.open(self.log_path)
        self.build = Builder(seed="stateful")
        # the model
        self.accepted: list[bytes] = []            # payloads, in log order
        self.texts: dict[str, str] = {}            # source id -> text
        self.descriptions: dict[str, dict] = {}    # source id -> title, language, author, published, as corrected
        self.work_descriptions: dict[str, dict] = {}  # work id -> title, author, published, as corrected
        self.entities: list[str] = []
        self.merged: dict[str, str] = {}
        self.claims: dict[str, dict] = {}          # claim id -> subject, status, rank, superseded_by, work
        self.works: list[str] = []
        self.citations: set[tuple[str, str]] = set()  # (source id, work id)
        self.ids = 0

    def teardown(self) -> None:
        self.arc.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------
    def _append(self, events, blobs=None) -> None:
        result = self.arc.append(events, blobs=blobs or {})
        assert len(result.stored) == len(events)
        self.accepted.extend(s.payload for s in result.stored)

    def _resolve(self, entity_id: str) -> str:
        while entity_id in self.merged:
            entity_id = self.merged[entity_id]
        return entity_id

    def _next(self, prefix: str) -> str:
        self.ids += 1
        return f"{prefix}{self.ids}"

    # -- curators' actions ------------------------------------------------------------
    @rule(words=st.lists(st.sampled_from(WORDS), min_size=2, max_size=12))
    def record_source(self, words):
        text = " ".join(words) + f" ({self._next('s')})"
        event, blobs = self.build.source(text, filename=f"{self.ids}.txt")
        self._append([event], blobs)
        self.texts[event.source_id] = text
        self.descriptions[event.source_id] = {"title": event.title, "language": event.language, "author": None,
                                              "published": None}

    @precondition(lambda self: self.texts)
    @rule(data=st.data(), title=st.sampled_from([None, "Carreira", "Хрущёв"]),
          language=st.sampled_from([None, "pt", "ro"]), author=st.sampled_from([None, "Chubarov", "clear"]),
          published=st.sampled_from([None, "2013", "2007/2017", "clear"]))
    def correct_source(self, data, title, language, author, published):
        """A correction changing what it names; one that would change nothing is refused, the file unchanged."""
        source_id = data.draw(st.sampled_from(sorted(self.texts)))
        current = self.descriptions[source_id]
        asked = {"title": title, "language": language, "author": author, "published": published}
        changes = {k: v for k, v in asked.items() if v not in (None, "clear")}
        cleared = tuple(k for k, v in asked.items() if v == "clear")
        event = self.build.correct_source(source_id, cleared=cleared, **changes)
        after = {**current, **changes, **{k: None for k in cleared}}
        if after == current or any(current[k] == v for k, v in changes.items()) or any(
                current[k] is None for k in cleared):
            self._refused([event], "a correction that changes nothing")
            return
        self._append([event])
        self.descriptions[source_id] = after

    @rule(kind=st.sampled_from(["person", "office", "event"]))
    def record_entity(self, kind):
        entity_id = self._next("e")
        self._append([self.build.entity(entity_id, kind=kind)])
        self.entities.append(entity_id)

    @precondition(lambda self: self.entities)
    @rule(data=st.data())
    def record_name(self, data):
        entity_id = data.draw(st.sampled_from(self.entities))
        self._append([self.build.name(entity_id, data.draw(st.sampled_from(WORDS)), language="pt")])

    @rule(kind=st.sampled_from(["book", "memoir", "newspaper article"]),
          published=st.sampled_from([None, "1970", "1970/2007", "2003-08"]))
    def record_work(self, kind, published):
        work_id = self._next("w")
        work = self.build.work(work_id, kind=kind, published=published)
        self._append([work])
        self.works.append(work_id)
        self.work_descriptions[work_id] = {"title": work.title, "author": None, "published": published}

    @precondition(lambda self: self.works)
    @rule(data=st.data(), title=st.sampled_from([None, "Khrushchev: The Man and His Era"]),
          author=st.sampled_from([None, "Taubman, William", "clear"]),
          published=st.sampled_from([None, "1970", "2003", "clear"]))
    def correct_work(self, data, title, author, published):
        """As correct_source, for a cited work."""
        work_id = data.draw(st.sampled_from(self.works))
        current = self.work_descriptions[work_id]
        asked = {"title": title, "author": author, "published": published}
        changes = {k: v for k, v in asked.items() if v not in (None, "clear")}
        cleared = tuple(k for k, v in asked.items() if v == "clear")
        event = self.build.correct_work(work_id, cleared=cleared, **changes)
        after = {**current, **changes, **{k: None for k in cleared}}
        if after == current or any(current[k] == v for k, v in changes.items()) or any(
                current[k] is None for k in cleared):
            self._refused([event], "a work correction that changes nothing")
            return
        self._append([event])
        self.work_descriptions[work_id] = after

    @precondition(lambda self: self.works and self.texts)
    @rule(data=st.data())
    def cite_work(self, data):
        source_id = data.draw(st.sampled_from(sorted(self.texts)))
        work_id = data.draw(st.sampled_from(self.works))
        text = self.texts[source_id]
        # the source's own number, "(s7)", is unique in it: cite those words, once per work and source
        quote = text[text.rindex("("):]
        if (source_id, work_id) in self.citations:
            return
        self._append([self.build.cite(work_id, source=SimpleNamespace(source_id=source_id), text=text, quote=quote)])
        self.citations.add((source_id, work_id))

    @precondition(lambda self: self.entities and self.texts)
    @rule(data=st.data())
    def record_claim(self, data):
        source_id = data.draw(st.sampled_from(sorted(self.texts)))
        text = self.texts[source_id]
        start = data.draw(st.integers(0, len(text) - 2))
        end = data.draw(st.integers(start + 1, min(len(text), start + 30)))
        quote = text[start:end]
        if not quote.strip() or quote != quote.strip():
            return
        occurrence = sum(1 for i in range(len(text)) if text.startswith(quote, i) and i <= start)
        subject = data.draw(st.sampled_from(self.entities))
        claim_id = self._next("c")
        cited = sorted(w for s, w in self.citations if s == source_id)
        work = data.draw(st.sampled_from([None, *cited])) if cited else None
        event = self.build.claim(claim_id, subject_id=subject, source=SimpleNamespace(source_id=source_id), text=text,
                                 quote=quote, occurrence=occurrence,
                                 predicate=data.draw(st.sampled_from(["died", "held_office"])),
                                 edtf=data.draw(st.sampled_from([None, "1953-03-01", "1953-03-05", "1953"])),
                                 voice="reported" if work else "author", speaker="someone" if work else None,
                                 cited_work_id=work)
        assert text[event.selector.start:event.selector.end] == quote
        self._append([event])
        self.claims[claim_id] = {"subject": subject, "status": "asserted", "rank": "normal", "superseded_by": None,
                                 "work": work}

    def _asserted(self):
        return sorted(c for c, v in self.claims.items() if v["status"] == "asserted")

    @precondition(lambda self: any(v["status"] == "asserted" for v in self.claims.values()))
    @rule(data=st.data())
    def retract(self, data):
        claim_id = data.draw(st.sampled_from(self._asserted()))
        self._append([self.build.retract(claim_id)])
        self.claims[claim_id]["status"] = "retracted"

    @precondition(lambda self: len(self.claims) >= 2)
    @rule(data=st.data())
    def supersede(self, data):
        asserted = self._asserted()
        if not asserted:
            return
        claim_id = data.draw(st.sampled_from(asserted))
        subject = self._resolve(self.claims[claim_id]["subject"])
        same = sorted(c for c in asserted if c != claim_id and self._resolve(self.claims[c]["subject"]) == subject)
        if not same:
            return
        by = data.draw(st.sampled_from(same))
        self._append([self.build.supersede(claim_id, by)])
        self.claims[claim_id].update(status="superseded", superseded_by=by)

    @precondition(lambda self: self.claims)
    @rule(data=st.data(), rank=st.sampled_from(["preferred", "normal", "deprecated"]))
    def assess(self, data, rank):
        claim_id = data.draw(st.sampled_from(sorted(self.claims)))
        self._append([self.build.assess(claim_id, rank)])
        self.claims[claim_id]["rank"] = rank

    @precondition(lambda self: len(self.entities) >= 2)
    @rule(data=st.data())
    def merge(self, data):
        free = [e for e in self.entities if e not in self.merged]
        entity_id = data.draw(st.sampled_from(free))
        targets = [e for e in self.entities if e != entity_id and self._resolve(e) != entity_id]
        if not targets:
            return
        into = data.draw(st.sampled_from(targets))
        self._append([self.build.merge(entity_id, into)])
        self.merged[entity_id] = into

    @precondition(lambda self: self.merged)
    @rule(data=st.data())
    def split(self, data):
        entity_id = data.draw(st.sampled_from(sorted(self.merged)))
        self._append([self.build.split(entity_id)])
        del self.merged[entity_id]

    @rule(data=st.data())
    def bad_batch(self, data):
        """A good event followed by a bad one: all refused, the file unchanged."""
        bad = data.draw(st.sampled_from(["unknown subject", "retract twice", "merge cycle", "duplicate id",
                                         "superseded by a withdrawn claim"]))
        good = self.build.entity(f"never-{self.ids}")
        if bad == "unknown subject" or not self.claims:
            wrong = self.build.name("no-such-entity", "X")
        elif bad == "retract twice":
            retracted = [c for c, v in self.claims.items() if v["status"] != "asserted"]
            wrong = self.build.retract(retracted[0] if retracted else "no-such-claim")
        elif bad == "superseded by a withdrawn claim" and (
                withdrawn := [c for c, v in self.claims.items() if v["status"] != "asserted"]) and self._asserted():
            wrong = self.build.supersede(self._asserted()[0], withdrawn[0])
        elif bad == "merge cycle" and self.merged:
            entity_id, into = next(iter(self.merged.items()))
            wrong = self.build.merge(self._resolve(into), entity_id)
        else:
            stored = next(self.arc.stored_events())
            wrong = archive.EntityRecorded(event_id=stored.event_id, recorded_at=archive.model.utc_now(),
                                           curator="x", entity_id="dup", kind="person", label="dup")
        self._refused([good, wrong], bad)

    @precondition(lambda self: self.texts and self.entities)
    @rule(data=st.data())
    def claim_naming_an_uncited_work(self, data):
        """A work recorded in the batch itself, named by a claim whose source does not cite it: refused."""
        source_id = data.draw(st.sampled_from(sorted(self.texts)))
        text = self.texts[source_id]
        work = self.build.work(f"never-work-{self.ids}")
        cited_elsewhere = [self.build.cite(work.work_id, source=SimpleNamespace(source_id=other), text=self.texts[other],
                                           quote=self.texts[other][:1]) for other in sorted(self.texts)[:2]
                           if other != source_id]
        claim = self.build.claim("never-claim", subject_id=self.entities[0], source=SimpleNamespace(source_id=source_id),
                                 text=text, quote=text[:1], voice="reported", speaker="someone",
                                 cited_work_id=work.work_id)
        self._refused([work, *cited_elsewhere, claim], "a claim naming a work its source does not cite")

    def _refused(self, batch, what: str) -> None:
        """Appending ``batch`` fails, and the log file is byte for byte what it was."""
        self.arc.close()
        before = file_digest(self.log_path)
        self.arc = archive.open(self.log_path)
        try:
            self.arc.append(batch)
        except ArchiveError:
            pass
        else:
            raise AssertionError(f"a bad batch ({what}) was accepted")
        self.arc.close()
        assert file_digest(self.log_path) == before
        self.arc = archive.open(self.log_path)

    @rule()
    def reopen(self):
        self.arc.close()
        self.arc = archive.open(self.log_path, create=False)

    @rule()
    def export_and_import(self):
        bundle = self.dir / f"bundle-{self.ids}"
        self.ids += 1
        export_bundle(self.arc, bundle)
        copy = self.dir / "copy.db"
        copy.unlink(missing_ok=True)
        with archive.open(copy) as other:
            import_bundle(other, bundle)
            assert [s.payload for s in other.stored_events()] == self.accepted
            assert other.head() == self.arc.head()
        shutil.rmtree(bundle)

    @rule()
    def refresh_catalogues(self):
        update(self.arc.log, self.dir / "updated.db")
        rebuild(self.arc.log, self.dir / "rebuilt.db")
        assert catalogue_content(self.dir / "updated.db") == catalogue_content(self.dir / "rebuilt.db")
        conn = sqlite3.connect(self.dir / "rebuilt.db")
        try:
            claims = {row[0]: {"subject": row[1], "status": row[2], "rank": row[3], "superseded_by": row[4],
                               "work": row[5]}
                      for row in conn.execute("SELECT claim_id, subject_current_id, status, rank, superseded_by, "
                                              "cited_work_id FROM claims")}
            current = dict(conn.execute("SELECT entity_id, current_id FROM entities"))
            citations = set(conn.execute("SELECT source_id, work_id FROM citations"))
            works = [w for (w,) in conn.execute("SELECT work_id FROM cited_works ORDER BY rowid")]
            descriptions = {row[0]: dict(zip(("title", "language", "author", "published"), row[1:]))
                            for row in conn.execute("SELECT source_id, title, language, author, published FROM sources")}
            work_descriptions = {row[0]: dict(zip(("title", "author", "published"), row[1:]))
                                 for row in conn.execute("SELECT work_id, title, author, published FROM cited_works")}
        finally:
            conn.close()
        expected = {c: {**v, "subject": self._resolve(v["subject"])} for c, v in self.claims.items()}
        assert claims == expected
        assert current == {e: self._resolve(e) for e in self.entities}
        assert citations == self.citations
        assert works == self.works
        assert descriptions == self.descriptions
        assert work_descriptions == self.work_descriptions

    # -- invariants ---------------------------------------------------------------------
    @invariant()
    def the_log_holds_exactly_what_was_accepted(self):
        stored = list(self.arc.stored_events())
        assert [s.position for s in stored] == list(range(1, len(stored) + 1))
        assert [s.payload for s in stored] == self.accepted

    @invariant()
    def verify_passes(self):
        assert self.arc.verify().ok


ArchiveMachine.TestCase.settings = settings(
    parent=settings.default, stateful_step_count=30,
    max_examples=max(10, settings.default.max_examples // 2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestArchive = ArchiveMachine.TestCase
