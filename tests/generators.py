"""A hypothesis strategy for whole, consistent archives: batches of events a curator could append.

Unlike ``tests/strategies.py`` (single events, free-standing), every event here
is valid where it stands: references exist, quotes are in their sources,
lifecycle events respect the claim's state, merges never make cycles, a claim
names a cited work only where its source cites it. The
state is tracked while drawing, so each batch can be appended as it is.
"""

from __future__ import annotations

from hypothesis import strategies as st

from archive.model import CLEARABLE_FIELDS, WORK_CLEARABLE_FIELDS

from .builders import Builder

WORDS = ["Khrushchev", "Hrușciov", "Хрущёв", "secretário", "partido", "Kiev", "1938", "“integração”", "Moscou",
         "Politburo", "de", "a", "o", "Ucrânia", "primeiro", "na", "the", "Stalin’s", "ș", "é"]
PREDICATES = ["held_office", "born", "died", "occurred", "member_of"]
DATES = ["1938", "1925", "1953-03", "1953-03-01", "1953-03-05", "1961", "1962", "1936/1939", "1950~", "195X"]
#: New values a correction may give the fields it changes, for sources and for works.
DESCRIPTIONS = {"title": ["Source", "Карьера", "Carreira política"], "language": ["en", "pt", "ro", "ru-petr1708"],
                "author": ["Chubarov, Alex", "Taubman"], "published": ["2013", "2007/2017", "1970~"],
                "note": ["Read from the title page.", "Ссылка"]}
WORK_DESCRIPTIONS = {**DESCRIPTIONS, "kind": ["book", "memoir", "speech"], "identifier": ["ISBN 978-0-393-32484-6"]}
OPERATIONS = ["source", "derived", "describe", "entity", "name", "claim", "claim", "claim", "retract", "supersede", "assess",
              "merge", "split", "conclusion", "work", "cite", "cite"]


@st.composite
def archive_batches(draw, max_batches: int = 4, max_events: int = 6):
    """A list of (events, blobs) batches, each valid after the ones before it."""
    build = Builder(seed=str(draw(st.integers(0, 10**6))))
    batches = []
    sources: list[tuple] = []      # (event, text)
    entities: list[str] = []
    merged: dict[str, str] = {}    # entity -> into
    claims: dict[str, list] = {}   # claim_id -> [subject, status]
    works: list[str] = []
    cited: dict[str, set] = {}     # source_id -> works it cites
    citations: set = set()         # (work, source, start, end): recorded once
    count = {"claim": 0, "conclusion": 0}
    described: dict[str, dict] = {}  # source or work id -> its description as corrected so far

    def passage(text: str) -> tuple[str, int]:
        """Some consecutive words of ``text`` and which of their occurrences."""
        words = text.split(" ")
        first = draw(st.integers(0, len(words) - 1))
        last = draw(st.integers(first, min(len(words) - 1, first + 5)))
        quote = " ".join(words[first: last + 1])
        return quote, draw(st.integers(1, text.count(quote))) if text.count(quote) > 1 else 1

    def resolve(entity_id: str) -> str:
        while entity_id in merged:
            entity_id = merged[entity_id]
        return entity_id

    for _ in range(draw(st.integers(1, max_batches))):
        events, blobs = [], {}
        for _ in range(draw(st.integers(1, max_events))):
            op = draw(st.sampled_from(OPERATIONS))
            asserted = [c for c, (_, status) in claims.items() if status == "asserted"]
            if op in ("source", "derived") or (op == "claim" and not sources):
                text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=3, max_size=30)))
                parent = draw(st.sampled_from(sources))[0].source_id if op == "derived" and sources else None
                event, blob = build.source(text, filename=f"s{len(sources)}.txt", title=f"Source {len(sources)}",
                                           derived_from=parent)
                if event.source_id in {s.source_id for s, _ in sources}:
                    continue
                sources.append((event, text))
                described[event.source_id] = {"title": event.title, "language": event.language}
                events.append(event)
                blobs.update(blob)
            elif op == "describe" and (sources or works):
                is_work = not sources or (works and draw(st.booleans()))
                item = draw(st.sampled_from(works)) if is_work else draw(st.sampled_from(sources))[0].source_id
                current = described[item]
                values, clearable = (WORK_DESCRIPTIONS, WORK_CLEARABLE_FIELDS) if is_work else (DESCRIPTIONS,
                                                                                                  CLEARABLE_FIELDS)
                changes, cleared = {}, []
                for name in sorted(draw(st.sets(st.sampled_from(sorted(values)), min_size=1, max_size=3))):
                    if name in clearable and current.get(name) is not None and draw(st.booleans()):
                        cleared.append(name)
                    elif (value := draw(st.sampled_from(values[name]))) != current.get(name):
                        changes[name] = value
                if changes or cleared:
                    correct = build.correct_work if is_work else build.correct_source
                    events.append(correct(item, cleared=tuple(cleared), **changes))
                    current.update(changes)
                    for name in cleared:
                        del current[name]
            elif op == "entity" or (op in ("name", "claim", "merge", "conclusion") and len(entities) < 2):
                entity_id = f"e{len(entities)}"
                entities.append(entity_id)
                events.append(build.entity(entity_id, kind=draw(st.sampled_from(["person", "office", "event"])),
                                           label=draw(st.sampled_from(WORDS[:12]))))
            elif op == "name":
                events.append(build.name(draw(st.sampled_from(entities)), draw(st.sampled_from(WORDS[:12])),
                                         language=draw(st.sampled_from(["pt", "ro", "ru", "en"]))))
            elif op == "work" or (op == "cite" and not works):
                work_id = f"w{len(works)}"
                works.append(work_id)
                work = build.work(work_id, kind=draw(st.sampled_from(["book", "memoir", "article"])),
                                  published=draw(st.none() | st.sampled_from(DATES)))
                described[work_id] = {"title": work.title, "kind": work.kind, "published": work.published}
                events.append(work)
            elif op == "cite" and sources:
                source, text = draw(st.sampled_from(sources))
                work_id = draw(st.sampled_from(works))
                event = build.cite(work_id, source=source, text=text, quote=(p := passage(text))[0], occurrence=p[1])
                key = (work_id, source.source_id, event.selector.start, event.selector.end)
                if key not in citations:
                    citations.add(key)
                    cited.setdefault(source.source_id, set()).add(work_id)
                    events.append(event)
            elif op == "claim":
                citing = [s for s in sources if s[0].source_id in cited]
                source, text = draw(st.sampled_from(citing if citing and draw(st.booleans()) else sources))
                quote, occurrence = passage(text)
                count["claim"] += 1
                claim_id = f"c{count['claim']}"
                subject = draw(st.sampled_from(entities))
                voice = draw(st.sampled_from(["author", "author", "reported", "reader"]))
                citable = sorted(cited.get(source.source_id, ())) if voice != "reader" else []
                events.append(build.claim(
                    claim_id, subject_id=subject, source=source, text=text, quote=quote, occurrence=occurrence,
                    predicate=draw(st.sampled_from(PREDICATES)),
                    object_id=draw(st.none() | st.sampled_from(entities)),
                    edtf=draw(st.none() | st.sampled_from(DATES)),
                    voice=voice, speaker=None if voice == "author" else "someone",
                    cited_work_id=draw(st.sampled_from([None, *citable])) if citable else None,
                ))
                claims[claim_id] = [subject, "asserted"]
            elif op == "retract" and asserted:
                claim_id = draw(st.sampled_from(asserted))
                events.append(build.retract(claim_id))
                claims[claim_id][1] = "retracted"
            elif op == "supersede" and len(asserted) >= 2:
                claim_id = draw(st.sampled_from(asserted))
                same = [c for c in asserted if c != claim_id and resolve(claims[c][0]) == resolve(claims[claim_id][0])]
                if same:
                    by = draw(st.sampled_from(same))
                    events.append(build.supersede(claim_id, by))
                    claims[claim_id][1] = "superseded"
            elif op == "assess" and claims:
                events.append(build.assess(draw(st.sampled_from(sorted(claims))),
                                           draw(st.sampled_from(["preferred", "normal", "deprecated"]))))
            elif op == "merge":
                free = [e for e in entities if e not in merged]
                entity_id = draw(st.sampled_from(free))
                targets = [e for e in entities if e != entity_id and resolve(e) != entity_id]
                if targets:
                    into = draw(st.sampled_from(targets))
                    events.append(build.merge(entity_id, into))
                    merged[entity_id] = into
            elif op == "split" and merged:
                entity_id = draw(st.sampled_from(sorted(merged)))
                events.append(build.split(entity_id))
                del merged[entity_id]
            elif op == "conclusion" and claims:
                count["conclusion"] += 1
                rests_on = draw(st.lists(st.sampled_from(sorted(claims)), min_size=1, max_size=3, unique=True))
                events.append(build.conclusion(f"k{count['conclusion']}", subject_id=draw(st.sampled_from(entities)),
                                               rests_on=rests_on, edtf=draw(st.none() | st.sampled_from(DATES)),
                                               object_id=draw(st.none() | st.sampled_from(entities))))
        if events:
            batches.append((events, blobs))
    return batches
