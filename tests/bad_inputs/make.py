"""Write the bad-input corpus: ``python tests/bad_inputs/make.py``.

Each case is a small ``.jsonl`` file meant to be imported into a log that
already holds the shipped Khrushchev bundle, plus a line in ``cases.json``
saying which line of the file is bad and which field the error must name.
Every case must be refused with one clear line, and the log must stay
byte-for-byte as it was (``tests/test_bad_inputs.py``).

The cases are generated (not hand-written) so that they stay valid JSON where
they are meant to, and so that adding a field to the model adds cases here.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = "sha256:31002498182e9fbc5c15a4708461fe658037c7ace990420f691fc3077ed6d6ab"
TEXT = (HERE.parent.parent / "fixtures" / "khrushchev" / "sources" / "000_86313e570668b3cd.txt").read_text("utf-8")
QUOTE = "Em 1933, ele se tornou o segundo secretário do Comitê Regional de Moscou"
START = TEXT.index(QUOTE)
SHIPPED_EVENT_ID = "52f4cb4d-7ec3-5086-9e9a-400326e80439"  # the first event of the shipped bundle


def uuid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def claim(n: int = 1, **changes) -> dict:
    base = {
        "type": "ClaimRecorded", "version": 2, "event_id": uuid(n), "recorded_at": "2026-11-24T09:00:00Z",
        "curator": "bad-input-corpus", "claim_id": f"bad-{n}", "subject_id": "khrushchev",
        "predicate": "held_office", "source_id": SOURCE,
        "selector": {"exact": QUOTE, "start": START, "end": START + len(QUOTE),
                     "prefix": TEXT[START - 10:START], "suffix": TEXT[START + len(QUOTE):START + len(QUOTE) + 10]},
        "date": {"as_written": "Em 1933", "edtf": "1933"},
    }
    for key, value in changes.items():
        target = base
        *parents, last = key.split(".")
        for parent in parents:
            target = target[parent]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return base


def entity(n: int, **changes) -> dict:
    base = {"type": "EntityRecorded", "version": 1, "event_id": uuid(n), "recorded_at": "2026-11-24T09:00:00Z",
            "curator": "bad-input-corpus", "entity_id": f"bad-entity-{n}", "kind": "person", "label": "Someone"}
    base.update({k: v for k, v in changes.items() if v is not DELETE})
    for k, v in changes.items():
        if v is DELETE:
            del base[k]
    return base


def event(type_name: str, n: int, **fields) -> dict:
    return {"type": type_name, "version": 1, "event_id": uuid(n), "recorded_at": "2026-11-24T09:00:00Z",
            "curator": "bad-input-corpus", **fields}


DELETE = object()
CASES: list[tuple[str, list, int, str, str]] = []  # (name, lines (dicts or raw bytes), bad line, path, fragment)


def case(name: str, lines: list, line: int, path: str, fragment: str) -> None:
    CASES.append((name, lines, line, path, fragment))


# -- malformed lines ----------------------------------------------------------------
case("truncated-line", [json.dumps(claim())[:-20].encode()], 1, "$", "malformed JSON")
case("trailing-comma", [b'{"type": "EntityRecorded", "version": 1,}'], 1, "$", "malformed JSON")
case("single-quotes", [b"{'type': 'EntityRecorded'}"], 1, "$", "malformed JSON")
case("bare-string", [b'"EntityRecorded"'], 1, "$", "must be a JSON object")
case("array", [b"[1, 2, 3]"], 1, "$", "must be a JSON object")
case("number", [b"42"], 1, "$", "must be a JSON object")
case("null", [b"null"], 1, "$", "must be a JSON object")
case("empty-line-in-the-middle", [entity(1), b"", entity(2)], 2, "$", "empty line")
case("whitespace-line", [entity(1), b"   \t"], 2, "$", "empty line")
case("byte-order-mark", [b"\xef\xbb\xbf" + json.dumps(entity(1)).encode()], 1, "$", "byte order mark")
case("latin-1-bytes", [json.dumps(entity(1, label="Hruşciov"), ensure_ascii=False).encode("utf-8")
                       .replace("ş".encode(), b"\xba")], 1, "$", "not UTF-8")
case("nul-character", [json.dumps(entity(1, label="Hru\x00sciov")).replace("\\u0000", "\x00").encode()], 1, "$",
     "NUL character")
case("bad-escape", [b'{"type": "EntityRecorded", "label": "\\x41"}'], 1, "$", "malformed JSON")
case("two-objects-on-one-line", [(json.dumps(entity(1)) + json.dumps(entity(2))).encode()], 1, "$", "malformed JSON")
case("unterminated-string", [b'{"type": "EntityRecorded", "label": "Khrushchev}'], 1, "$", "malformed JSON")
case("second-line-bad", [entity(1), b"{", entity(2)], 2, "$", "malformed JSON")

# -- the tag -------------------------------------------------------------------------
case("no-type", [{k: v for k, v in entity(1).items() if k != "type"}], 1, "$.type", "no type")
case("unknown-type", [entity(1, type="EntityCreated")], 1, "$.type", "unknown event type")
case("type-wrong-case", [entity(1, type="entityrecorded")], 1, "$.type", "unknown event type")
case("type-is-a-number", [entity(1, type=7)], 1, "$.type", "unknown event type")
case("version-zero", [entity(1, version=0)], 1, "$.version", "versions start at 1")
case("version-from-the-future", [entity(1, version=99)], 1, "$.version", "unknown version")
case("version-as-string", [entity(1, version="1")], 1, "$.version", "must be an integer")
case("version-missing", [entity(1, version=DELETE)], 1, "$.version", "must be an integer")
case("version-float", [entity(1, version=1.0)], 1, "$.version", "must be an integer")

# -- types and missing fields of a claim ------------------------------------------------
TYPE_CASES = {
    "event_id": 12, "recorded_at": 1700000000, "curator": ["ana"], "claim_id": None, "subject_id": 5,
    "predicate": True, "source_id": {}, "selector": "Em 1933", "selector.exact": 3, "selector.start": "1",
    "selector.end": 1.5, "selector.prefix": None, "date": "1933", "date.edtf": 1933, "date.as_written": None,
    "date.calendar": 3, "voice": 1, "note": [], "object_id": 9, "object_literal": {"value": "x"},
}
for number, (field, value) in enumerate(TYPE_CASES.items(), start=1):
    case(f"wrong-type-{field.replace('.', '-')}", [claim(100 + number, **{field: value})], 1, f"$.{field}", "")
for number, field in enumerate(["event_id", "recorded_at", "curator", "claim_id", "subject_id", "predicate",
                                "source_id", "selector", "selector.exact", "selector.start", "selector.end",
                                "date.as_written", "date.edtf"], start=1):
    case(f"missing-{field.replace('.', '-')}", [claim(200 + number, **{field: DELETE})], 1, f"$.{field}",
         "required field missing")
case("unknown-field", [claim(301, confidence=0.9)], 1, "$.confidence", "unknown field")
case("unknown-nested-field", [claim(302, **{"selector.page": 3})], 1, "$.selector.page", "unknown field")
case("unknown-date-field", [claim(303, **{"date.era": "CE"})], 1, "$.date.era", "unknown field")
case("naive-timestamp", [claim(304, recorded_at="2026-11-24T09:00:00")], 1, "$.recorded_at", "no timezone")
case("not-a-timestamp", [claim(305, recorded_at="yesterday")], 1, "$.recorded_at", "not an RFC 3339 timestamp")

# -- references -------------------------------------------------------------------------
case("unknown-subject", [claim(401, subject_id="napoleon")], 1, "$.subject_id", "unknown entity")
case("unknown-object", [claim(402, object_id="waterloo")], 1, "$.object_id", "unknown entity")
case("unknown-speaker", [claim(403, voice="reported", speaker_id="no-such-speaker")], 1, "$.speaker_id", "unknown entity")
case("unknown-source", [claim(404, source_id="sha256:" + "ab" * 32)], 1, "$.source_id", "unknown source")
case("source-id-not-sha256", [claim(405, source_id="000_86313e570668b3cd.txt")], 1, "$.source_id", "not a valid source id")
case("name-for-unknown-entity", [event("NameRecorded", 406, entity_id="nobody", name="X", language="en") | {"version": 2}],
     1, "$.entity_id", "unknown entity")
case("retract-unknown-claim", [event("ClaimRetracted", 407, claim_id="no-such-claim", reason="r")], 1, "$.claim_id",
     "unknown claim")
case("assess-unknown-claim", [event("ClaimAssessed", 408, claim_id="no-such-claim", rank="preferred", reason="r")], 1,
     "$.claim_id", "unknown claim")
case("supersede-by-unknown-claim", [event("ClaimSuperseded", 409, claim_id="s000-c01", by_claim_id="nope", reason="r")],
     1, "$.by_claim_id", "unknown claim")
case("merge-into-unknown", [event("EntitiesMerged", 410, entity_id="stalin", into_id="nobody", reason="r")], 1,
     "$.into_id", "unknown entity")
case("conclusion-on-unknown-claim", [event("ConclusionRecorded", 411, conclusion_id="k1", subject_id="khrushchev",
                                           predicate="born", rests_on=["s000-c01", "ghost"], reason="r")], 1,
     "$.rests_on[1]", "unknown claim")
case("reference-to-a-later-line", [event("NameRecorded", 412, entity_id="bad-entity-413", name="X", language="en")
                                   | {"version": 2}, entity(413)], 1, "$.entity_id", "unknown entity")

# -- quotes and offsets -----------------------------------------------------------------
case("quote-not-in-source", [claim(501, **{"selector.exact": "Em 1933, ele se tornou o terceiro secretário"})], 1,
     "$.selector.exact", "does not occur")
case("quote-without-accents", [claim(502, **{"selector.exact": QUOTE.replace("á", "a"),
                                             "selector.end": START + len(QUOTE)})], 1, "$.selector.exact",
     "does not occur")
case("quote-at-other-offsets", [claim(503, **{"selector.start": START + 1, "selector.end": START + 1 + len(QUOTE)})],
     1, "$.selector.start", "not at these offsets")
case("offsets-past-the-end", [claim(504, **{"selector.start": 10**6, "selector.end": 10**6 + len(QUOTE)})], 1,
     "$.selector.start", "out of range")
case("negative-start", [claim(505, **{"selector.start": -5})], 1, "$.selector.start", "out of range")
case("end-before-start", [claim(506, **{"selector.end": START - 1})], 1, "$.selector.start", "out of range")
case("end-too-far", [claim(507, **{"selector.end": START + len(QUOTE) + 3})], 1, "$.selector.end", "end should be")
case("wrong-prefix", [claim(508, **{"selector.prefix": "Paris. "})], 1, "$.selector.prefix", "prefix")
case("wrong-suffix", [claim(509, **{"selector.suffix": " e Paris"})], 1, "$.selector.suffix", "suffix")
case("empty-quote", [claim(510, **{"selector.exact": "", "selector.end": START})], 1, "$.selector.exact", "empty")
case("quote-is-blank", [claim(511, **{"selector.exact": " ", "selector.start": TEXT.index(" "),
                                      "selector.end": TEXT.index(" ") + 1, "selector.prefix": "",
                                      "selector.suffix": ""})], 1, "$.selector.exact", "blank")

# -- dates --------------------------------------------------------------------------------
for number, (edtf, fragment) in enumerate([
    ("1894-02-30", "does not exist"), ("1938-13", "month"), ("1939/1936", "before it starts"), ("garbage", ""),
    ("", "empty"), ("1985-04-12T23:20:30", "time"), (" 1938", "space"), ("-1985", "year"), ("Y170000002", "year"),
    ("1938-00", "month"), ("19388", ""), ("1900-02-29", ""), ("../..", "known end"), ("1X5X", "level 2"),
], start=1):
    case(f"date-{number:02d}-{edtf.strip().replace('/', '_').replace('.', '') or 'empty'}",
         [claim(600 + number, **{"date.edtf": edtf})], 1, "$.date.edtf", fragment)
case("julian-after-1923", [claim(651, date={"as_written": "1950", "edtf": "1950-01-14", "calendar": "julian",
                                            "original": "1950-01-01"})], 1, "$.date.original", "1923")
case("dual-date-wrong-conversion", [claim(652, date={"as_written": "3/15 aprilie 1894", "edtf": "1894-04-14",
                                                     "calendar": "dual", "original": "1894-04-03"})], 1,
     "$.date.edtf", "1894-04-15")
case("dual-date-without-original", [claim(653, date={"as_written": "1894", "edtf": "1894", "calendar": "dual"})], 1,
     "$.date.original", "")
case("unknown-calendar", [claim(654, date={"as_written": "1894", "edtf": "1894", "calendar": "lunar"})], 1,
     "$.date.calendar", "unknown calendar")
case("original-on-a-gregorian-date", [claim(655, date={"as_written": "1894", "edtf": "1894", "original": "1894"})],
     1, "$.date.original", "only for")
case("as-written-blank", [claim(656, date={"as_written": " ", "edtf": "1894"})], 1, "$.date.as_written", "")
case("published-not-a-date", [event("SourceRecorded", 657, source_id="sha256:" + "cd" * 32, title="t", language="pt",
                                    media_type="text/plain", filename="x.txt", published="last year")
                              | {"version": 2}], 1, "$.published", "")

# -- values -------------------------------------------------------------------------------
case("event-id-not-a-uuid", [claim(701, event_id="not-a-uuid")], 1, "$.event_id", "not a UUID")
case("event-id-upper-case", [claim(702, event_id="3F1B8A52-6C1E-4F7E-9D8A-0C2B5E7F4A11")], 1, "$.event_id",
     "canonical")
case("claim-id-with-space", [claim(703, claim_id="bad id")], 1, "$.claim_id", "not a valid claim id")
case("predicate-upper-case", [claim(704, predicate="HeldOffice")], 1, "$.predicate", "not a valid predicate")
case("blank-curator", [claim(705, curator="   ")], 1, "$.curator", "blank")
case("curator-with-newline", [claim(706, curator="ana\nbob")], 1, "$.curator", "control character")
case("object-and-literal", [claim(707, object_id="politburo", object_literal="the Politburo")], 1,
     "$.object_literal", "not both")
case("unknown-voice", [claim(708, voice="narrator")], 1, "$.voice", "unknown voice")
case("reported-without-speaker", [claim(709, voice="reported")], 1, "$.speaker", "must say who speaks")
case("entity-kind-unknown", [entity(710, kind="deity")], 1, "$.kind", "unknown entity kind")
case("entity-id-with-slash", [entity(711, entity_id="people/khrushchev")], 1, "$.entity_id", "not a valid entity id")
case("entity-label-blank", [entity(712, label="")], 1, "$.label", "empty")
case("entity-label-padded", [entity(713, label=" Khrushchev ")], 1, "$.label", "white space")
case("entity-label-control", [entity(714, label="Khrush\x07chev")], 1, "$.label", "control character")
case("entity-already-recorded", [entity(715, entity_id="khrushchev")], 1, "$.entity_id", "already recorded")
case("entity-twice-in-one-file", [entity(716, entity_id="twin"), entity(717, entity_id="twin")], 2, "$.entity_id",
     "already recorded")
case("name-language-word", [event("NameRecorded", 718, entity_id="khrushchev", name="Hruşciov",
                                  language="romanian") | {"version": 2}], 1, "$.language", "BCP 47")
case("name-script-lower-case", [event("NameRecorded", 719, entity_id="khrushchev", name="Хрущёв", language="ru",
                                      script="cyrl") | {"version": 2}], 1, "$.script", "ISO 15924")
case("rank-unknown", [event("ClaimAssessed", 720, claim_id="s000-c01", rank="excellent", reason="r")], 1, "$.rank",
     "unknown rank")
case("reason-blank", [event("ClaimRetracted", 721, claim_id="s000-c01", reason=" ")], 1, "$.reason", "blank")
case("retract-twice", [event("ClaimRetracted", 722, claim_id="s000-c02", reason="dup"),
                       event("ClaimRetracted", 723, claim_id="s000-c02", reason="dup again")], 2, "$.claim_id",
     "already retracted")
case("supersede-other-subject", [event("ClaimSuperseded", 724, claim_id="s000-c02", by_claim_id="s000-c01",
                                       reason="r")], 1, "$.by_claim_id", "the correction is about")
case("supersede-itself", [event("ClaimSuperseded", 725, claim_id="s000-c01", by_claim_id="s000-c01", reason="r")], 1,
     "$.by_claim_id", "itself")
case("merge-into-itself", [event("EntitiesMerged", 726, entity_id="stalin", into_id="stalin", reason="r")], 1,
     "$.into_id", "into itself")
case("merge-cycle", [event("EntitiesMerged", 727, entity_id="stalin", into_id="malenkov", reason="r"),
                     event("EntitiesMerged", 728, entity_id="malenkov", into_id="stalin", reason="r")], 2,
     "$.into_id", "cycle")
case("split-unmerged", [event("EntitySplit", 729, entity_id="stalin", reason="r")], 1, "$.entity_id",
     "nothing to split")
case("conclusion-without-claims", [event("ConclusionRecorded", 730, conclusion_id="k2", subject_id="khrushchev",
                                         predicate="born", rests_on=[], reason="r")], 1, "$.rests_on", "at least one")
case("rests-on-a-string", [event("ConclusionRecorded", 731, conclusion_id="k3", subject_id="khrushchev",
                                 predicate="born", rests_on="s000-c01", reason="r")], 1, "$.rests_on",
     "list of strings")
case("derived-without-derivation", [event("SourceRecorded", 732, source_id="sha256:" + "ef" * 32, title="t", language="pt",
                                          media_type="text/plain", filename="x.txt", derived_from=SOURCE)
                                    | {"version": 2}], 1, "$.derivation", "both")
case("source-recorded-twice", [event("SourceRecorded", 733, source_id=SOURCE, title="again", language="pt",
                                     media_type="text/plain; charset=utf-8", filename="000.txt")
                               | {"version": 2}], 1, "$.source_id", "already recorded")
case("duplicate-event-id-other-content", [entity(0, event_id=SHIPPED_EVENT_ID)], 1, "$.event_id",
     "already used by an event with different content")

# -- cited works ------------------------------------------------------------------------------
REPORTED = {"voice": "reported", "speaker": "William Taubman", "version": 3}
case("claim-cites-an-unknown-work", [claim(734, cited_work_id="nobody-2000", **REPORTED)], 1, "$.cited_work_id",
     "unknown work")
case("claim-cites-a-work-its-source-does-not", [claim(735, cited_work_id="taubman-2003", **REPORTED)], 1,
     "$.cited_work_id", "does not cite this work")
case("cited-work-in-a-version-2-claim", [claim(736, cited_work_id="taubman-2003", voice="reported",
                                               speaker="William Taubman")], 1, "$.cited_work_id",
     "unknown field in version 2")
case("reader-comment-cites-a-work", [claim(737, cited_work_id="taubman-2003", voice="reader", speaker="a reader",
                                           version=3)], 1, "$.cited_work_id", "a reader's comment cites no work")
case("work-published-on-30-february", [event("WorkRecorded", 738, work_id="bad-work", title="A book", kind="book",
                                             published="2003-02-30")], 1, "$.published", "does not exist")
case("work-of-an-unknown-kind", [event("WorkRecorded", 739, work_id="bad-work", title="A book", kind="pamphlet")],
     1, "$.kind", "unknown work kind")
case("work-recorded-twice", [event("WorkRecorded", 740, work_id="taubman-2003", title="Again", kind="book")], 1,
     "$.work_id", "already recorded")
case("citation-of-an-unknown-work", [event("WorkCited", 741, work_id="nobody-2000", source_id=SOURCE,
                                           selector={"exact": QUOTE, "start": START, "end": START + len(QUOTE)})],
     1, "$.work_id", "unknown work")
case("citation-not-in-the-source", [event("WorkCited", 742, work_id="taubman-2003", source_id=SOURCE,
                                          selector={"exact": "Taubman, William", "start": 0, "end": 16})],
     1, "$.selector.exact", "")

case("source-correction-changing-nothing", [event("SourceDescriptionCorrected", 743, source_id=SOURCE,
                                                  reason="no change")], 1, "$", "changes nothing")
case("source-correction-of-an-unknown-source", [event("SourceDescriptionCorrected", 744, source_id="sha256:" + "1" * 64,
                                                      reason="typo", title="A title")], 1, "$.source_id",
     "unknown source")
case("source-correction-of-the-media-type", [event("SourceDescriptionCorrected", 745, source_id=SOURCE,
                                                   reason="wrong charset", media_type="text/html")], 1,
     "$.media_type", "")
case("source-correction-clearing-the-title", [event("SourceDescriptionCorrected", 746, source_id=SOURCE,
                                                    reason="no title", cleared=["title"])], 1, "$.cleared[0]",
     "not a field a correction can remove")
case("work-correction-clearing-the-kind", [event("WorkDescriptionCorrected", 748, work_id="taubman-2003",
                                                reason="no kind", cleared=["kind"])], 1, "$.cleared[0]",
     "a work must keep its title and kind")
case("work-correction-of-an-unknown-work", [event("WorkDescriptionCorrected", 749, work_id="nobody-2000",
                                                  reason="typo", title="A title")], 1, "$.work_id", "unknown work")
case("source-correction-to-the-same-language", [event("SourceDescriptionCorrected", 747, source_id=SOURCE,
                                                      reason="again", language="pt")], 1, "$.language",
     "already 'pt'")

# -- enormous fields ------------------------------------------------------------------------
case("enormous-note", [claim(801, note="Khrushchev " * 200_000)], 1, "$.note", "longer than")
case("enormous-label", [entity(802, label="K" * 5_000)], 1, "$.label", "longer than")
case("enormous-claim-id", [claim(803, claim_id="c" * 500)], 1, "$.claim_id", "not a valid claim id")
case("enormous-curator", [claim(804, curator="a" * 2_000)], 1, "$.curator", "longer than")

# -- lone surrogates: JSON escapes of half a UTF-16 pair, which json.loads lets through ---------------
case("lone-surrogate-in-a-label", [json.dumps(entity(805, label="Ode\ud800ssa")).encode("ascii")], 1, "$.label",
     "lone surrogate")
case("lone-surrogate-in-a-quote", [json.dumps(claim(806, **{"selector.exact": QUOTE + "\udc00"})).encode("ascii")],
     1, "$.selector.exact", "lone surrogate")


# -- lines Python's json module cannot read at all ---------------------------------------------------
case("integer-of-5000-digits", [b'{"type": "EntityRecorded", "version": 1' + b"0" * 5000 + b"}"], 1, "$",
     "more digits than can be read")
case("nested-100000-deep", [b'{"type": "EntityRecorded", "note": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"], 1, "$",
     "nested too deeply")

# -- a key written twice: a parser keeps one value and drops the other without a word ------------------
case("key-written-twice", [json.dumps(entity(807), ensure_ascii=False).replace(
    '"kind": "person"', '"kind": "person", "kind": "place"').encode("utf-8")], 1, "$.kind", "appears twice")
case("key-written-twice-in-the-selector", [json.dumps(claim(808), ensure_ascii=False).replace(
    '"start": ', '"start": 0, "start": ', 1).encode("utf-8")], 1, "$.selector.start", "appears twice")

# -- short text that breaks a line or shows nothing, with characters beyond ASCII's controls -------------
case("label-with-next-line", [entity(809, label="Khrushchev\u0085Hrușciov")], 1, "$.label", "control character")
case("label-with-line-separator", [entity(810, label="Khrushchev\u2028Hrușciov")], 1, "$.label",
     "control character")
case("label-only-zero-width", [entity(811, label="\u200b\u200b")], 1, "$.label", "blank")

# -- a nested object given as something else ------------------------------------------------------------
case("date-as-a-string", [claim(812, date="1933")], 1, "$.date", "expected an object with as_written and edtf")
case("selector-as-a-number", [claim(813, selector=5)], 1, "$.selector",
     "expected an object with exact, start and end, got a number")

# -- valid RFC 3339 the log does not take, and ids that could never exist -------------------------------
case("timestamp-with-nanoseconds", [entity(814, recorded_at="2026-11-24T09:00:00.123456789Z")], 1, "$.recorded_at",
     "at most 6 fractional digits")
case("timestamp-lower-case", [entity(815, recorded_at="2026-11-24t09:00:00z")], 1, "$.recorded_at",
     "upper-case T and Z")
case("claim-on-a-malformed-source-id", [claim(816, source_id="sha256:ABC")], 1, "$.source_id",
     "not a valid source id")
case("name-of-a-malformed-entity-id", [event("NameRecorded", 817, entity_id="no such entity!", name="X",
                                             language="en") | {"version": 2}], 1, "$.entity_id",
     "not a valid entity id")

def main() -> None:
    manifest = []
    for old in HERE.glob("*.jsonl"):
        old.unlink()
    names = set()
    for number, (name, lines, line, path, fragment) in enumerate(CASES, start=1):
        assert name not in names, name
        names.add(name)
        filename = f"{number:03d}-{name}.jsonl"
        raw = b"\n".join(l if isinstance(l, bytes) else json.dumps(l, ensure_ascii=False).encode("utf-8")
                         for l in lines) + b"\n"
        (HERE / filename).write_bytes(raw)
        manifest.append({"file": filename, "line": line, "path": path, "contains": fragment})
    (HERE / "cases.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {len(manifest)} cases")


if __name__ == "__main__":
    main()
