"""The codec turns events into tagged JSON dicts and back, and says exactly what is wrong with bad ones.

* round trip: ``from_dict(to_dict(e)) == e`` for generated events of every type, and the canonical
  bytes survive a JSON parse/serialise cycle unchanged;
* optional fields at their default are omitted; timestamps are UTC RFC 3339 with microseconds;
* NameRecorded version 1 (``lang``) is upcast to version 2 on read;
* error paths: a field of the wrong type, a missing required field, an unknown field, an unknown
  type or version make ``from_dict`` raise ``ValidationError`` whose ``path`` names exactly that
  field, and the JSON Schema refuses the same dict, complaining about the same field.

Tests marked ``xfail(strict=True)`` pin known bugs: they fail today, and will turn red (XPASS)
the day the bug is fixed, so the mark gets removed.
"""

from __future__ import annotations

import copy
import json
import random
import re
import types
import typing
from datetime import datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import example, settings, given
from hypothesis import strategies as st

from archive import codec
from archive.codec import (
    CURRENT_VERSIONS,
    EVENT_TYPES,
    canonical_bytes,
    decode,
    encode,
    from_dict,
    stream_id_of,
    to_dict,
    upcast,
)
from archive.errors import ValidationError
from archive.model import NameRecorded

from . import strategies as s
from .test_schemas import EVENT_VALIDATOR, schema_error_paths, validator_for

EVENT_STRATEGIES = s.EVENT_STRATEGIES
TYPE_NAMES = sorted(EVENT_STRATEGIES)
OLD_KEYS = sorted(s.OLD_VERSIONS)
OLD_IDS = [f"{t}.v{v}" for t, v in OLD_KEYS]

#: A NameRecorded v1 line as an old log holds it.
V1_NAME = {
    "curator": "founding-team", "entity_id": "khrushchev", "event_id": "3b5cf7b3-69ee-5847-9340-f2b9b2949db6",
    "lang": "pt", "name": "Khrushchev", "recorded_at": "2026-11-23T10:00:03.000000Z", "type": "NameRecorded",
    "version": 1,
}
#: The 1938 appointment in the Portuguese source, as the shipped bundle holds it.
FIXTURE_CLAIM = {
    "claim_id": "s000-c24", "curator": "founding-team", "date": {"as_written": "Um ano depois", "edtf": "1938"},
    "event_id": "bb27286d-a846-5db9-b60b-ebb603fec2e5", "object_id": "first-secretary-communist-party-of-ukraine",
    "predicate": "held_office", "recorded_at": "2026-11-23T10:02:37.000000Z",
    "selector": {"end": 2008, "exact": "Um ano depois, Khrushchev foi nomeado candidato ao Politburo e enviado a Kiev "
                 "como primeiro secretário da organização do partido ucraniano",
                 "prefix": " Exteriores do Soviete Supremo. ", "start": 1870,
                 "suffix": ". Em 1939, tornou-se membro plen"},
    "source_id": "sha256:31002498182e9fbc5c15a4708461fe658037c7ace990420f691fc3077ed6d6ab",
    "subject_id": "khrushchev", "type": "ClaimRecorded", "version": 2,
}
#: The Portuguese source's record, as version 1 held it.
V1_SOURCE = {
    "curator": "founding-team", "event_id": "52f4cb4d-7ec3-5086-9e9a-400326e80439",
    "filename": "000_86313e570668b3cd.txt", "kind": "encyclopedia section", "language": "pt",
    "media_type": "text/plain; charset=utf-8", "recorded_at": "2026-11-23T10:00:01.000000Z",
    "source_id": "sha256:31002498182e9fbc5c15a4708461fe658037c7ace990420f691fc3077ed6d6ab",
    "title": "Carreira política sob Stalin", "type": "SourceRecorded", "version": 1,
}
V1_CLAIM = dict(FIXTURE_CLAIM, version=1)
V2_CLAIM = dict(FIXTURE_CLAIM, version=2)
V1_DICTS = {("NameRecorded", 1): V1_NAME, ("SourceRecorded", 1): V1_SOURCE, ("ClaimRecorded", 1): V1_CLAIM,
            ("ClaimRecorded", 2): V2_CLAIM}


# -- round trips ------------------------------------------------------------------

@pytest.mark.parametrize("type_name", TYPE_NAMES)
@given(data=st.data())
def test_round_trip(type_name, data):
    event = data.draw(EVENT_STRATEGIES[type_name])
    payload = to_dict(event)
    snapshot = copy.deepcopy(payload)
    assert from_dict(payload) == event
    assert payload == snapshot, "decoding must not change its input"
    assert to_dict(from_dict(payload)) == payload
    assert (payload["type"], payload["version"]) == (type_name, CURRENT_VERSIONS[type_name])
    assert stream_id_of(payload) == event.stream_id


def _shuffled(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: _shuffled(v, rng) for k, v in items}
    return value


def _keys_sorted_everywhere(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    assert keys == sorted(keys), keys
    return dict(pairs)


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@given(data=st.data(), rng=st.randoms(use_true_random=False))
def test_canonical_bytes_are_stable_across_a_json_cycle(type_name, data, rng):
    event = data.draw(EVENT_STRATEGIES[type_name])
    payload = canonical_bytes(to_dict(event))
    text = payload.decode("utf-8")
    parsed = json.loads(text, object_pairs_hook=_keys_sorted_everywhere)
    assert canonical_bytes(parsed) == payload
    assert canonical_bytes(_shuffled(parsed, rng)) == payload, "key order must not matter"
    assert json.loads(json.dumps(parsed, indent=2)) == parsed
    assert canonical_bytes(json.loads(json.dumps(parsed, indent=2))) == payload
    assert encode(event) == payload
    assert decode(payload) == event
    # compact and UTF-8: no white space between tokens, non-ASCII characters written as themselves
    assert "\n" not in text.replace("\\n", "")
    assert not re.search(r'[,:] ["{\[0-9tfn]', _strip_strings(text))
    assert "\\u" not in _strip_escapes(text)


def _json_reference(data: Any) -> bytes | type[BaseException]:
    """The canonical form by its definition (json), or the type of what it raises."""
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    except (ValueError, TypeError, RecursionError) as exc:  # UnicodeEncodeError is a ValueError
        return type(exc)


_ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)  # surrogates and controls too
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.integers(-(1 << 70), 1 << 70) | st.floats() | _ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_ANY_TEXT, inner, max_size=4)
    | st.dictionaries(st.integers(0, 9), inner, max_size=2),
    max_leaves=20,
)


@given(st.dictionaries(_ANY_TEXT, json_values, max_size=6))
@example({"a": 1e-07, "b": 1e16, "c": float("nan")})  # floats that orjson spells otherwise: json's spelling
@example({"big": 1 << 64, "small": -(1 << 63) - 1, "edge": (1 << 63) - 1})
@example({"lone": "\ud800", "k\u2028": "\x7f\x00\n\t\"\\", "é😀": ["\u00e9", True, None]})
@example({1: "int key", "1": "str key"})
def test_canonical_bytes_are_exactly_the_json_definition(data):
    # canonical_bytes writes plain dicts with orjson; the bytes must be those of
    # json.dumps(sort_keys, compact, ensure_ascii=False) for every input, and what
    # json refuses must still be refused.
    expected = _json_reference(data)
    if isinstance(expected, bytes):
        assert canonical_bytes(data) == expected
    elif expected is UnicodeEncodeError:  # a lone surrogate: refused, naming where it is
        with pytest.raises(ValidationError, match="lone surrogate") as caught:
            canonical_bytes(data)
        assert codec._SURROGATE.search(caught.value.path + str(caught.value.value))
    else:
        with pytest.raises(expected):
            canonical_bytes(data)


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@given(data=st.data())
def test_the_fast_and_the_detailed_converters_structure_alike(type_name, data):
    # Decoding tries a converter without detailed validation first; for a valid event it must
    # build exactly what the detailed one builds (the refusals are checked by the tests below,
    # which go through both).
    event = data.draw(EVENT_STRATEGIES[type_name])
    body = {k: v for k, v in to_dict(event).items() if k not in ("type", "version")}
    cls = EVENT_TYPES[type_name]
    assert codec._fast_converter.structure(copy.deepcopy(body), cls) == codec.converter.structure(body, cls) == event


@st.composite
def _damaged(draw, type_name: str) -> dict[str, Any]:
    """An event's dict with a value set anywhere (nulls, floats, huge integers, wrong types, lone
    surrogates) or an unknown key added, at the top or inside a nested object."""
    data = copy.deepcopy(to_dict(draw(EVENT_STRATEGIES[type_name])))
    nodes = [data, *(v for v in data.values() if isinstance(v, dict))]  # the event and its nested objects
    fields = sorted(a.name for a in attrs.fields(EVENT_TYPES[type_name]))  # optional ones left out too
    for _ in range(draw(st.integers(0, 2))):
        node = draw(st.sampled_from(nodes))
        keys = sorted(set(node) | set(fields if node is data else ()) | {"extra", "type", "version", "start"})
        node[draw(st.sampled_from(keys))] = draw(st.none() | json_values)  # null most of all
    return data


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@given(data=st.data())
@settings(max_examples=60)
def test_decoding_with_its_payload_accepts_only_what_the_detailed_rules_accept(type_name, data):
    # decode_with_payload takes the fast converter's word (which refuses nulls in its own way) and
    # then writes the dict with orjson unchecked; whatever it accepts must be what the detailed
    # converter builds, with no null in it, and its payload the canonical bytes.
    value = data.draw(_damaged(type_name))
    snapshot = copy.deepcopy(value)
    try:
        event, payload = codec.decode_with_payload(value)
    except ValidationError as exc:
        assert exc.path.startswith("$")
        try:  # refused as an event, or as text that cannot be written (a lone surrogate)
            from_dict(copy.deepcopy(snapshot))
        except ValidationError as again:
            assert str(again) == str(exc)
        else:
            with pytest.raises(ValidationError) as again:
                canonical_bytes(snapshot)
            assert str(again.value) == str(exc)
        return
    assert value == snapshot, "decoding must not change its input"
    assert codec._find_null(value, "$") is None
    current = codec.upcast(value)
    body = {k: v for k, v in current.items() if k not in ("type", "version")}
    assert codec.converter.structure(body, EVENT_TYPES[current["type"]]) == event == from_dict(value)
    assert payload == _json_reference(value)


class _Strings(list):
    """A list whose iteration hides some of what it holds, as a careless subclass might."""

    def __iter__(self):
        return (item for item in list.__iter__(self) if isinstance(item, str))


_DECODE_CASES = {
    "a null date": dict(FIXTURE_CLAIM, version=3, date=None),
    "an integer beyond 64 bits at an offset": dict(FIXTURE_CLAIM, version=3,
                                                   selector={**FIXTURE_CLAIM["selector"], "start": 1 << 70}),
    "another event type's field": dict(FIXTURE_CLAIM, version=3, rank="preferred"),
    "a version 1 name": V1_NAME,
    "a version 1 name with the version 2 field name": dict(V1_NAME, language="pt"),
    "a lone surrogate in a note": dict(FIXTURE_CLAIM, version=3, note="a\ud800b"),
    "a list subclass hiding what it holds": {
        "type": "ConclusionRecorded", "version": 1, "event_id": "8b7f6c1e-3a52-4c0e-9e1f-2d6a4b8c0f11",
        "recorded_at": "2026-11-23T12:00:00Z", "curator": "ana", "conclusion_id": "k1", "subject_id": "khrushchev",
        "predicate": "held_office", "object_literal": "x", "reason": "r",
        "rests_on": _Strings(["c1", 1e-07, None, {"x": 1}])},
}


@pytest.mark.parametrize("case", sorted(_DECODE_CASES))
def test_decoding_with_its_payload_is_decoding_then_the_canonical_bytes(case):
    # decode_with_payload is one of decode_dict and canonical_bytes after the other, whatever the input:
    # the same event and bytes, or the same refusal.
    value = _DECODE_CASES[case]
    try:
        expected = (from_dict(copy.deepcopy(value)), canonical_bytes(value))
    except ValidationError as exc:
        with pytest.raises(ValidationError) as caught:
            codec.decode_with_payload(value)
        assert str(caught.value) == str(exc)
    else:
        assert codec.decode_with_payload(value) == expected
        if "rests_on" in value:  # what is stored is what was checked
            assert json.loads(expected[1])["rests_on"] == list(expected[0].rests_on) == ["c1"]


def test_a_mapping_that_makes_up_missing_fields_is_read_as_what_it_holds():
    from collections import defaultdict

    value = defaultdict(lambda: "made up", {k: v for k, v in V1_NAME.items() if k != "name"})
    for decode in (from_dict, codec.decode_with_payload):
        with pytest.raises(ValidationError, match=r"\$\.name: required field missing"):
            decode(value)
    assert "name" not in value


def _strip_strings(text: str) -> str:
    return re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)


def _strip_escapes(text: str) -> str:
    # json.dumps(ensure_ascii=False) writes \\ for a backslash and \u00XX only for control characters
    # (below U+0020); any other \u escape would mean non-ASCII text was escaped.
    return re.sub(r"\\\\|\\u00[01][0-9a-f]", "", text)


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@given(data=st.data())
def test_optional_fields_at_their_default_are_omitted(type_name, data):
    event = data.draw(EVENT_STRATEGIES[type_name])
    payload = to_dict(event)

    def check(obj: Any, out: dict[str, Any], where: str) -> None:
        for field in attrs.fields(type(obj)):
            value = getattr(obj, field.name)
            if field.default is attrs.NOTHING:
                assert field.name in out, f"{where}.{field.name} is required and must be written"
            else:
                assert (field.name in out) == (value != field.default), f"{where}.{field.name}"
            if attrs.has(type(value)):
                check(value, out[field.name], f"{where}.{field.name}")

    check(event, payload, "$")

    def nulls(value: Any, where: str) -> list[str]:
        if isinstance(value, dict):
            return [p for k, v in value.items() for p in nulls(v, f"{where}.{k}")]
        return [where] if value is None else []

    assert not nulls(payload, "$"), "optional fields are omitted, never written as null"


@pytest.mark.parametrize("type_name", TYPE_NAMES)
@given(data=st.data(), offset=st.integers(-14 * 60, 14 * 60))
def test_timestamps_are_written_in_utc_with_microseconds(type_name, data, offset):
    event = data.draw(EVENT_STRATEGIES[type_name])
    local = event.recorded_at.astimezone(timezone(timedelta(minutes=offset)))
    written = to_dict(attrs.evolve(event, recorded_at=local))["recorded_at"]
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z", written), written
    assert written == to_dict(event)["recorded_at"]
    assert datetime.fromisoformat(written) == event.recorded_at


def test_a_naive_timestamp_is_refused_on_writing():
    naive = attrs.evolve(from_dict(V1_NAME), recorded_at=datetime(2026, 11, 23, 10, 0))
    with pytest.raises(ValidationError) as info:
        to_dict(naive)
    assert info.value.path == "$.recorded_at"


@given(
    day=st.dates(min_value=datetime(1, 1, 1).date(), max_value=datetime(9999, 12, 31).date()),
    hour=st.integers(0, 23), minute=st.integers(0, 59), second=st.integers(0, 59),
    fraction=st.one_of(st.just(""), st.from_regex(r"\.[0-9]{1,6}", fullmatch=True)),
    zone=st.one_of(st.just("Z"), st.from_regex(r"[+-](0[0-9]|1[0-9]|2[0-3]):[0-5][0-9]", fullmatch=True)),
)
def test_schema_and_codec_agree_on_rfc3339_timestamps(day, hour, minute, second, fraction, zone):
    stamp = f"{day.isoformat()}T{hour:02d}:{minute:02d}:{second:02d}{fraction}{zone}"
    data = dict(V1_NAME, recorded_at=stamp)
    assert validator_for("NameRecorded", 1).is_valid(data)
    event = from_dict(data)
    assert event.recorded_at == datetime.fromisoformat(stamp)
    assert event.recorded_at.utcoffset() is not None


@pytest.mark.parametrize("stamp", ["2026-11-23T10:00:03", "2026-11-23", "2026-11-23T25:00:00Z", "yesterday",
                                   "2026-02-30T10:00:00Z", ""])
def test_a_timestamp_without_a_zone_or_impossible_is_refused_by_both(stamp):
    data = dict(V1_NAME, recorded_at=stamp)
    with pytest.raises(ValidationError) as info:
        from_dict(data)
    assert info.value.path == "$.recorded_at"
    if stamp != "2026-02-30T10:00:00Z":  # the pattern checks the shape; format: date-time, the calendar
        assert "$.recorded_at" in schema_error_paths(validator_for("NameRecorded", 1), data)


@pytest.mark.parametrize("stamp", ["2026-11-23T10:00Z", "2026-11-23 10:00:00Z", "20261123T100000Z",
                                   "2026-11-23T10:00:00.Z", "2026-W48-1T10:00:00Z"])
def test_the_codec_reads_only_rfc3339_timestamps(stamp):
    data = dict(V1_NAME, recorded_at=stamp)
    assert not validator_for("NameRecorded", 1).is_valid(data)
    with pytest.raises(ValidationError):
        from_dict(data)


# -- NameRecorded version 1 -----------------------------------------------------------

@pytest.mark.parametrize("key", OLD_KEYS, ids=OLD_IDS)
@given(data=st.data())
def test_old_versions_are_upcast_to_the_current_version(key, data):
    payload = data.draw(s.OLD_VERSION_STRATEGIES[key])
    type_name, _ = key
    rename, _ = s.OLD_VERSIONS[key]
    back = {old: new for new, old in rename.items()}
    snapshot = copy.deepcopy(payload)
    event = from_dict(payload)
    assert payload == snapshot, "upcasting must not change the stored dict"
    assert type(event) is EVENT_TYPES[type_name] and event.VERSION == CURRENT_VERSIONS[type_name]
    expected = {back.get(k, k): v for k, v in payload.items()} | {"version": CURRENT_VERSIONS[type_name]}
    assert to_dict(event) == expected, "an upcast event has its old values, the new fields at their defaults"
    assert upcast(payload) == expected
    assert validator_for(type_name, CURRENT_VERSIONS[type_name]).is_valid(expected)


@given(s.name_recorded_v1_dicts())
def test_name_recorded_v1_lang_becomes_language(data):
    event = from_dict(data)
    assert isinstance(event, NameRecorded)
    assert event.language == data["lang"]
    assert event.script is None and event.preferred is False
    assert (event.event_id, event.entity_id, event.name, event.curator) == (
        data["event_id"], data["entity_id"], data["name"], data["curator"])


@pytest.mark.parametrize("key", sorted(V1_DICTS), ids=lambda k: f"{k[0]}.v{k[1]}")
def test_a_corpus_event_decodes_alike_in_every_version(key):
    old = V1_DICTS[key]
    rename, _ = s.OLD_VERSIONS[key]
    back = {o: n for n, o in rename.items()}
    current = {back.get(k, k): v for k, v in old.items()} | {"version": CURRENT_VERSIONS[key[0]]}
    assert from_dict(old) == from_dict(current)
    assert validator_for(*key).is_valid(old)


@pytest.mark.parametrize("change", ["delete", "int", "list"])
def test_a_bad_v1_lang_is_reported_as_lang(change):
    data = dict(V1_NAME)
    if change == "delete":
        del data["lang"]
    else:
        data["lang"] = 7 if change == "int" else ["pt"]
    assert "$.lang" in schema_error_paths(validator_for("NameRecorded", 1), data)
    with pytest.raises(ValidationError) as info:
        from_dict(data)
    assert info.value.path == "$.lang"


NEWER_FIELDS = [
    (("NameRecorded", 1), "language", "pt"),
    (("NameRecorded", 1), "script", "Latn"),
    (("NameRecorded", 1), "preferred", True),
    (("SourceRecorded", 1), "derived_from", "sha256:" + "1" * 64),
    (("SourceRecorded", 1), "derivation", "Navigation lines removed."),
    (("ClaimRecorded", 1), "voice", "reported"),
    (("ClaimRecorded", 1), "speaker", "Taubman"),
    (("ClaimRecorded", 1), "speaker_id", "taubman"),
    (("ClaimRecorded", 1), "cited_work_id", "taubman-2003"),
    (("ClaimRecorded", 2), "cited_work_id", "taubman-2003"),
]


def test_the_newer_fields_list_covers_every_old_version():
    expected = {(key, field) for key, (rename, drop) in s.OLD_VERSIONS.items() for field in [*drop, *rename]}
    assert {(key, field) for key, field, _ in NEWER_FIELDS} == expected


@pytest.mark.parametrize(("key", "field", "value"), NEWER_FIELDS,
                         ids=[f"{k[0]}.v{k[1]}-{f}" for k, f, _ in NEWER_FIELDS])
def test_an_old_version_with_fields_of_a_later_version_is_refused_by_the_codec(key, field, value):
    data = dict(V1_DICTS[key], **{field: value})
    if field == "language":
        del data["lang"]
    assert f"$.{field}" in schema_error_paths(validator_for(*key), data)
    with pytest.raises(ValidationError) as info:
        from_dict(data)
    assert info.value.path == f"$.{field}"


# -- error paths: the codec and the schema agree ----------------------------------------

class Slot(typing.NamedTuple):
    """One field of an event dict: where it is, what JSON it holds, whether it may be absent or null."""

    path: tuple[str, ...]
    kind: str  # "string", "integer", "boolean", "object"
    required: bool
    nullable: bool
    nested: type | None


_KIND = {str: "string", int: "integer", bool: "boolean", datetime: "string"}


def slots(cls: type, present: dict[str, Any], prefix: tuple[str, ...] = (), rename: dict[str, str] | None = None,
          drop: tuple[str, ...] = ()) -> list[Slot]:
    """The fields of ``cls`` as they appear in a dict, recursing into nested objects that are present."""
    rename = rename or {}
    hints = typing.get_type_hints(cls)
    found = []
    for field in attrs.fields(cls):
        if field.name in drop:
            continue
        hint = hints[field.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        args = typing.get_args(hint) if union else (hint,)
        nullable = type(None) in args
        (base,) = [a for a in args if a is not type(None)]
        nested = base if attrs.has(base) else None
        kind = "object" if nested else "array" if typing.get_origin(base) is tuple else _KIND[base]
        name = rename.get(field.name, field.name)
        found.append(Slot(prefix + (name,), kind, field.default is attrs.NOTHING, nullable, nested))
        if nested is not None and isinstance(present.get(name), dict):
            found.extend(slots(nested, present[name], prefix + (name,)))
    return found


def event_slots(payload: dict[str, Any]) -> list[Slot]:
    cls = EVENT_TYPES[payload["type"]]
    key = (payload["type"], payload["version"])
    if key in s.OLD_VERSIONS:
        # An old version lacks the newer fields; renamed fields are left out here because the codec
        # reports them under their new name (a known bug, see test_a_bad_v1_lang_is_reported_as_lang).
        rename, drop = s.OLD_VERSIONS[key]
        return slots(cls, payload, drop=(*drop, *rename))
    return slots(cls, payload)


WRONG = {
    "string": [7, ["x"], {"x": "y"}, True],
    "integer": ["3", [3], True, 1.5],
    "boolean": [1, "true", []],
    "object": ["x", 7, [], True],
    "array": ["x", 7, {"x": "y"}, True],
}


def at(data: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The dict that holds the last key of ``path``."""
    for key in path[:-1]:
        data = data[key]
    return data


def dollar(path: tuple[str, ...]) -> str:
    return "$" + "".join(f".{p}" for p in path)


def assert_refused_at(mutated: dict[str, Any], path: str, type_name: str, version: int) -> None:
    with pytest.raises(ValidationError) as info:
        from_dict(mutated)
    assert info.value.path == path, f"the codec blames {info.value.path}, not {path}: {info.value}"
    complaints = schema_error_paths(validator_for(type_name, version), mutated)
    assert path in complaints, f"the schema complains about {sorted(complaints)}, not {path}"
    assert not EVENT_VALIDATOR.is_valid(mutated)


DICT_STRATEGIES = {name: strategy.map(to_dict) for name, strategy in EVENT_STRATEGIES.items()}
DICT_STRATEGIES.update({f"{t}.v{v}": strategy for (t, v), strategy in s.OLD_VERSION_STRATEGIES.items()})
DICT_NAMES = sorted(DICT_STRATEGIES)


#: These run once per event type and version (13 kinds), each example validating with jsonschema:
#: a third of the profile's examples per kind keeps the suite within its time budget on 2 cores.
PER_KIND = settings(max_examples=max(10, settings.default.max_examples // 3))


@pytest.mark.parametrize("kind", DICT_NAMES)
@PER_KIND
@given(data=st.data())
def test_a_field_of_the_wrong_type_is_refused_at_its_path(kind, data):
    payload = data.draw(DICT_STRATEGIES[kind])
    for slot in event_slots(payload):
        choices = WRONG[slot.kind] + ([] if slot.nullable else [None])
        wrong = data.draw(st.sampled_from(choices), label=dollar(slot.path))
        mutated = copy.deepcopy(payload)
        at(mutated, slot.path)[slot.path[-1]] = wrong
        assert_refused_at(mutated, dollar(slot.path), payload["type"], payload["version"])


@pytest.mark.parametrize("kind", DICT_NAMES)
@PER_KIND
@given(data=st.data())
def test_a_missing_required_field_is_refused_at_its_path(kind, data):
    payload = data.draw(DICT_STRATEGIES[kind])
    required = [slot.path for slot in event_slots(payload) if slot.required] + [("type",), ("version",)]
    for path in required:
        mutated = copy.deepcopy(payload)
        del at(mutated, path)[path[-1]]
        assert_refused_at(mutated, dollar(path), payload["type"], payload["version"])


_FIELD_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,15}", fullmatch=True)


@pytest.mark.parametrize("kind", DICT_NAMES)
@given(data=st.data(), value=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans()))
def test_an_unknown_field_is_refused_at_its_path(kind, data, value):
    payload = data.draw(DICT_STRATEGIES[kind])
    objects = [()] + [slot.path for slot in event_slots(payload) if slot.nested and isinstance(
        at(payload, slot.path).get(slot.path[-1]), dict)]
    where = data.draw(st.sampled_from(objects))
    target = payload
    for key in where:
        target = target[key]
    # not a field of any version: a field of a later version is another matter (see NEWER_FIELDS)
    taken = set(target) | {f.name for f in attrs.fields(EVENT_TYPES[payload["type"]])} | {"lang"}
    name = data.draw(_FIELD_NAMES.filter(lambda n: n not in taken))
    mutated = copy.deepcopy(payload)
    at(mutated, where + (name,))[name] = value
    assert_refused_at(mutated, dollar(where + (name,)), payload["type"], payload["version"])


@pytest.mark.parametrize("kind", DICT_NAMES)
@given(data=st.data())
def test_an_unknown_type_is_refused(kind, data):
    payload = data.draw(DICT_STRATEGIES[kind])
    wrong = data.draw(st.one_of(
        st.sampled_from(["PersonRecorded", "sourcerecorded", "Claim", "", 7, True, None]),
        s.texts(30).filter(lambda t: t not in EVENT_TYPES),
    ))
    assert_refused_at(dict(payload, type=wrong), "$.type", payload["type"], payload["version"])


@pytest.mark.parametrize("kind", DICT_NAMES)
@given(data=st.data())
def test_an_unknown_version_is_refused(kind, data):
    payload = data.draw(DICT_STRATEGIES[kind])
    current = CURRENT_VERSIONS[payload["type"]]
    wrong = data.draw(st.sampled_from([0, -1, current + 1, "1", str(payload["version"]), None, True, 1.5,
                                       [payload["version"]]]))
    assert_refused_at(dict(payload, version=wrong), "$.version", payload["type"], payload["version"])


@pytest.mark.parametrize("wrong", [0, 3, "1", None, 1.0])
def test_a_v1_name_with_an_unknown_version_is_refused(wrong):
    data = dict(V1_NAME, version=wrong)
    with pytest.raises(ValidationError) as info:
        from_dict(data)
    assert info.value.path == "$.version"
    if wrong != 1.0:  # JSON Schema counts 1.0 as the integer 1; the codec wants a JSON integer
        assert "$.version" in schema_error_paths(validator_for("NameRecorded", 1), data)


def test_an_event_that_is_not_an_object_is_refused():
    for value in [[V1_NAME], "NameRecorded", 7, None]:
        with pytest.raises(ValidationError) as info:
            from_dict(value)
        assert info.value.path == "$"
        assert not EVENT_VALIDATOR.is_valid(value)


@pytest.mark.parametrize("wrong", [["NameRecorded"], {"name": "NameRecorded"}], ids=["array", "object"])
def test_a_type_that_is_an_array_or_object_is_refused_at_type(wrong):
    data = dict(V1_NAME, type=wrong)
    assert not EVENT_VALIDATOR.is_valid(data)
    with pytest.raises(ValidationError) as info:
        from_dict(data)
    assert info.value.path == "$.type"


_V2_NAME = {k: v for k, v in V1_NAME.items() if k != "lang"} | {"language": "pt", "script": "Latn", "version": 2}


@pytest.mark.parametrize("field", ["script", "note"])
def test_null_for_an_optional_field_is_refused(field):
    data = dict(_V2_NAME, script=None) if field == "script" else dict(FIXTURE_CLAIM, note=None)
    assert not validator_for(data["type"], data["version"]).is_valid(data)
    with pytest.raises(ValidationError) as info:
        from_dict(data)
    assert info.value.path == f"$.{field}"


@given(s.conclusion_recorded())
def test_a_bad_item_of_a_list_is_refused_at_its_index(event):
    payload = to_dict(event)
    mutated = dict(payload, rests_on=[payload["rests_on"][0], 7])
    assert "$.rests_on[1]" in schema_error_paths(validator_for("ConclusionRecorded", 1), mutated)
    with pytest.raises(ValidationError) as info:
        from_dict(mutated)
    assert info.value.path == "$.rests_on[1]"
