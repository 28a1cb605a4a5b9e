"""The JSON Schemas in schemas/ describe exactly the events the library reads and writes.

* every schema file is a valid draft 2020-12 schema, its references resolve, and every property
  has a title and a description;
* there is one schema per (type, version) the codec knows, and none for anything else; each
  schema's fields are the model's fields, required exactly when the model has no default;
* the value rules (patterns, lengths, text rules) agree with archive.validation and archive.dates;
* every generated event validates against its own schema and against event.json, and the rules
  of one event that archive.validation checks (one object, a named speaker, a derivation with its
  original, distinct claims to rest on) are in the schemas too;
* every superseded version (NameRecorded v1 with ``lang``, SourceRecorded v1, ClaimRecorded v1)
  has its own schema, which refuses the fields of later versions;
* every ```json example in docs/events.md is a valid event the codec decodes, and quotes the
  shipped corpus at the right offsets.

The schemas are resolved offline through a ``referencing.Registry`` built from the files; their
``$id``s live under https://archive.invalid/schemas/. The helpers here (``validator_for``,
``schema_error_paths``, ``EVENT_VALIDATOR``) are used by test_codec.py too.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import attrs
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from archive import dates
from archive.codec import CURRENT_VERSIONS, EVENT_TYPES, UPCASTERS, from_dict, to_dict
from archive.errors import DateError, ValidationError
from archive.model import ENTITY_KINDS, RANKS, VOICES, ClaimDate, ClaimRecorded, TextSelector
from archive.text import check_selector
from archive.validation import (
    ID_PATTERN,
    LANGUAGE_PATTERN,
    MEDIA_TYPE_PATTERN,
    PREDICATE_PATTERN,
    SCRIPT_PATTERN,
    SOURCE_ID_PATTERN,
    _check_text,
)

from . import strategies as s
from .conftest import FIXTURE_BUNDLE, ROOT

SCHEMA_DIR = ROOT / "schemas"
BASE = "https://archive.invalid/schemas/"
#: Schema files that describe no event (type, version) by themselves.
AUXILIARY = {"event.json", "common.json", "source-record.json"}
VERSIONED = re.compile(r"(?P<type>[A-Za-z]+)\.v(?P<version>[0-9]+)\.json")
ENVELOPE = ("type", "version", "event_id", "recorded_at", "curator")


def _load() -> dict[str, dict[str, Any]]:
    return {path.name: json.loads(path.read_text(encoding="utf-8")) for path in sorted(SCHEMA_DIR.glob("*.json"))}


SCHEMAS = _load()
REGISTRY: Registry = Registry().with_resources(
    (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)) for schema in SCHEMAS.values()
)


@functools.cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one schema file, resolving references through the registry, checking formats."""
    return Draft202012Validator(SCHEMAS[name], registry=REGISTRY, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validator_for(type_name: str, version: int) -> Draft202012Validator:
    return validator(f"{type_name}.v{version}.json")


EVENT_VALIDATOR = validator("event.json")


def versioned_files() -> dict[tuple[str, int], str]:
    found = {}
    for name in SCHEMAS:
        match = VERSIONED.fullmatch(name)
        if match:
            found[(match["type"], int(match["version"]))] = name
    return found


def known_versions() -> set[tuple[str, int]]:
    """Every (type, version) the codec reads: current versions and every version an upcaster starts from."""
    return {(t, v) for t, v in CURRENT_VERSIONS.items()} | set(UPCASTERS)


def schema_error_paths(check: Draft202012Validator, data: Any) -> set[str]:
    """``$.a.b`` paths of the fields a schema complains about (a missing or unknown field is named too)."""
    paths = set()
    for error in check.iter_errors(data):
        base = "$" + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error.absolute_path)
        if error.validator == "required":
            paths.update(f"{base}.{name}" for name in error.validator_value if name not in error.instance)
        elif error.validator == "additionalProperties":
            allowed = error.schema.get("properties", {})
            paths.update(f"{base}.{name}" for name in error.instance if name not in allowed)
        else:
            paths.add(base)
    return paths


@functools.cache
def def_validator(name: str) -> Draft202012Validator:
    """A validator for one definition of common.json."""
    return Draft202012Validator({"$ref": f"{BASE}common.json#/$defs/{name}"}, registry=REGISTRY)


def walk(node: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every (pointer, sub-schema) of a schema document."""
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from walk(value, f"{where}/{i}")


def attrs_names(cls: type) -> tuple[set[str], set[str]]:
    """(all field names, required field names) of an attrs class."""
    fields = attrs.fields(cls)
    return {f.name for f in fields}, {f.name for f in fields if f.default is attrs.NOTHING}


def resolve(name: str, pointer: str) -> dict[str, Any]:
    """The sub-schema of one file at a JSON pointer, following a $ref at that place."""
    node = SCHEMAS[name]
    for part in pointer.strip("/").split("/"):
        node = node[part]
    while "$ref" in node and "properties" not in node:
        node = REGISTRY.resolver(base_uri=SCHEMAS[name]["$id"]).lookup(node["$ref"]).contents
    return node


# -- the schema files themselves -----------------------------------------------

@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_file_is_a_valid_schema(name):
    schema = SCHEMAS[name]
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == BASE + name, "a schema's $id must be the base URI and its file name"
    assert schema.get("title") and schema.get("description")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_reference_resolves(name):
    resolver = REGISTRY.resolver(base_uri=SCHEMAS[name]["$id"])
    refs = [node["$ref"] for _, node in walk(SCHEMAS[name]) if isinstance(node, dict) and "$ref" in node]
    for ref in refs:
        resolver.lookup(ref)  # raises for a missing file or a bad pointer


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_property_has_a_title_and_a_description(name):
    missing = [
        f"{where}/properties/{prop}"
        for where, node in walk(SCHEMAS[name])
        if isinstance(node, dict) and isinstance(node.get("properties"), dict) and not where.endswith("/if")
        for prop, sub in node["properties"].items()
        if not (isinstance(sub, dict) and sub.get("title") and sub.get("description"))
    ]
    assert not missing


def test_there_is_a_schema_for_every_type_and_version_the_codec_knows():
    files = versioned_files()
    assert set(files) == known_versions()
    for type_name, current in CURRENT_VERSIONS.items():
        for version in range(1, current):
            assert (type_name, version) in UPCASTERS, f"no upcaster from {type_name} v{version}"


def test_there_is_no_schema_for_anything_else():
    files = versioned_files()
    assert {t for t, _ in files} <= set(EVENT_TYPES)
    assert set(SCHEMAS) == set(files.values()) | AUXILIARY, "unexpected files in schemas/"


@pytest.mark.parametrize("key", sorted(known_versions()), ids=lambda k: f"{k[0]}.v{k[1]}")
def test_schema_is_tagged_with_its_type_and_version(key):
    type_name, version = key
    schema = SCHEMAS[f"{type_name}.v{version}.json"]
    assert schema["properties"]["type"]["const"] == type_name
    assert schema["properties"]["version"]["const"] == version
    assert schema["additionalProperties"] is False
    assert {"type", "version"} <= set(schema["required"])


def test_event_schema_is_one_of_every_versioned_schema():
    event = SCHEMAS["event.json"]
    refs = {REGISTRY.resolver(base_uri=event["$id"]).lookup(branch["$ref"]).contents["$id"]
            for branch in event["oneOf"]}
    assert refs == {BASE + name for name in versioned_files().values()}
    assert set(event["properties"]["type"]["enum"]) == set(EVENT_TYPES)


@pytest.mark.parametrize("cls", list(EVENT_TYPES.values()), ids=lambda c: c.TYPE)
def test_current_schema_fields_are_the_model_fields(cls):
    schema = SCHEMAS[f"{cls.TYPE}.v{cls.VERSION}.json"]
    names, required = attrs_names(cls)
    assert set(schema["properties"]) == names | {"type", "version"}
    assert set(schema["required"]) == required | {"type", "version"}


@pytest.mark.parametrize(("pointer", "cls"), [("/$defs/selector", TextSelector), ("/$defs/claimDate", ClaimDate)])
def test_nested_schema_fields_are_the_model_fields(pointer, cls):
    schema = resolve("common.json", pointer)
    names, required = attrs_names(cls)
    assert set(schema["properties"]) == names
    assert set(schema["required"]) == required
    assert schema["additionalProperties"] is False


def test_every_superseded_version_is_described_in_the_strategies():
    assert set(s.OLD_VERSIONS) == known_versions() - set(CURRENT_VERSIONS.items())
    assert set(s.OLD_VERSION_STRATEGIES) == set(s.OLD_VERSIONS)


@pytest.mark.parametrize("key", sorted(s.OLD_VERSIONS), ids=lambda k: f"{k[0]}.v{k[1]}")
def test_old_schema_fields_are_the_current_ones_renamed_and_without_the_new_ones(key):
    type_name, version = key
    rename, drop = s.OLD_VERSIONS[key]
    old = SCHEMAS[f"{type_name}.v{version}.json"]
    current = SCHEMAS[f"{type_name}.v{CURRENT_VERSIONS[type_name]}.json"]
    assert set(old["properties"]) == {rename.get(p, p) for p in current["properties"] if p not in drop}
    assert set(old["required"]) == {rename.get(p, p) for p in current["required"] if p not in drop}


def test_source_record_schema_is_the_source_event_without_its_envelope():
    record = SCHEMAS["source-record.json"]
    current = SCHEMAS[f"SourceRecorded.v{CURRENT_VERSIONS['SourceRecorded']}.json"]
    assert set(record["properties"]) == set(current["properties"]) - set(ENVELOPE)
    assert set(record["required"]) == set(current["required"]) - set(ENVELOPE)
    for version in range(1, CURRENT_VERSIONS["SourceRecorded"] + 1):
        event = SCHEMAS[f"SourceRecorded.v{version}.json"]
        for name in set(event["properties"]) - set(ENVELOPE):
            assert event["properties"][name]["$ref"] == f"source-record.json#/properties/{name}", (version, name)


def test_closed_lists_match_the_library():
    kinds = resolve("EntityRecorded.v1.json", "/properties/kind")
    assert tuple(kinds["enum"]) == ENTITY_KINDS
    calendars = resolve("common.json", "/$defs/claimDate/properties/calendar")
    assert tuple(calendars["enum"]) == dates.CALENDARS
    voices = resolve(f"ClaimRecorded.v{CURRENT_VERSIONS['ClaimRecorded']}.json", "/properties/voice")
    assert tuple(voices["enum"]) == VOICES
    ranks = resolve("ClaimAssessed.v1.json", "/properties/rank")
    assert tuple(ranks["enum"]) == RANKS


# -- value rules agree with archive.validation and archive.dates -----------------

PATTERN_DEFS = [
    ("id", ID_PATTERN),
    ("predicate", PREDICATE_PATTERN),
    ("language", LANGUAGE_PATTERN),
    ("script", SCRIPT_PATTERN),
    ("sourceId", SOURCE_ID_PATTERN),
    ("mediaType", MEDIA_TYPE_PATTERN),
]


def near_misses(pattern: re.Pattern) -> st.SearchStrategy[str]:
    """Strings that match ``pattern``, and the same with a character added, changed or cut."""
    good = st.from_regex(pattern, fullmatch=True)
    edits = st.sampled_from(["\n", " ", "-", "_", "A", "a", "0", "ş", ":", "/", ";", "\u00a0"])
    return st.one_of(
        good,
        st.tuples(good, edits).map(lambda p: p[0] + p[1]),
        st.tuples(edits, good).map(lambda p: p[0] + p[1]),
        st.tuples(good, st.integers(0, 200)).map(lambda p: p[0][: p[1]]),
        st.text(max_size=20),
    )


@pytest.mark.parametrize(("name", "pattern"), PATTERN_DEFS, ids=[n for n, _ in PATTERN_DEFS])
@given(data=st.data())
def test_patterns_agree_with_validation(name, pattern, data):
    value = data.draw(near_misses(pattern))
    assert def_validator(name).is_valid(value) == bool(pattern.fullmatch(value)), value


def test_event_id_pattern_accepts_exactly_canonical_uuids():
    check = def_validator("eventId")
    assert check.is_valid("7ff422a6-f792-5f32-9231-45d4739bd2d5")
    for bad in ["7FF422A6-F792-5F32-9231-45D4739BD2D5", "7ff422a6f7925f32923145d4739bd2d5",
                "{7ff422a6-f792-5f32-9231-45d4739bd2d5}", "7ff422a6-f792-5f32-9231-45d4739bd2d5\n"]:
        assert not check.is_valid(bad), bad


@given(s.event_ids())
def test_generated_event_ids_pass_the_schema(event_id):
    assert def_validator("eventId").is_valid(event_id)


TEXT_RULES = [
    ("shortText", dict(short=True, required=True)),
    ("optionalShortText", dict(short=True, required=False)),
    ("longText", dict(short=False, required=False)),
    ("requiredLongText", dict(short=False, required=True)),
]
_AWKWARD = st.sampled_from(["a", "ș", " ", "\t", "\n", "\r", "\x00", "\x07", "\x0b", "\x1f", "\x7f", "\x85",
                            "\u00a0", "\u2028", "\u2029", "\u3000", "\u0301", "\u200b", "\ufeff", "🙂"])


def _accepted_by_validation(value: str, rules: dict) -> bool:
    try:
        _check_text(value, "$", **rules)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("name", "rules"), TEXT_RULES, ids=[n for n, _ in TEXT_RULES])
@given(value=st.one_of(st.text(_AWKWARD, max_size=6), s.texts(40)))
@example(value="a\tb")
@example(value="a\nb")
@example(value="a\r\nb")
@example(value="a\x00b")
@example(value="a\x85b")
@example(value="\u00a0a")
@example(value="\u200b")
@example(value="a\u200b")
@example(value="a\u2029b")
@example(value="\u200b \u200b \u200b")
@example(value="")
def test_text_rules_agree_with_validation(name, rules, value):
    assert def_validator(name).is_valid(value) == _accepted_by_validation(value, rules), repr(value)


@pytest.mark.parametrize("value", ["\u200b \u200b \u200b", "\ufeff\u00a0\u200d\n\u2060 \u200c"])
def test_zero_width_characters_between_spaces_are_blank_text(value):
    """Blank is white space and zero-width characters alone, in any order: not only at the two ends."""
    with pytest.raises(ValidationError, match="must not be empty or blank"):
        _check_text(value, "$.reason", short=False, required=True)
    assert not def_validator("requiredLongText").is_valid(value)


@pytest.mark.parametrize(("name", "rules"), TEXT_RULES, ids=[n for n, _ in TEXT_RULES])
@pytest.mark.parametrize("length", [1000, 1001, 20000, 20001])
def test_text_length_limits_agree_with_validation(name, rules, length):
    value = "ș" * length
    assert def_validator(name).is_valid(value) == _accepted_by_validation(value, rules)


@given(s.texts(300))
def test_generated_texts_are_valid_short_texts(value):
    assert def_validator("shortText").is_valid(value)
    assert _accepted_by_validation(value, dict(short=True, required=True))


def _edtf_ok(value: str) -> bool:
    try:
        dates.validate_edtf(value)
    except DateError:
        return False
    return True


@given(st.one_of(s.gregorian_edtf(), st.text("0123456789X-~?%/.[]{},SYETZ: u^", max_size=12)))
@example("1925~")
@example("193X")
@example("1938-21")
@example("1936/1939")
@example("1985/..")
@example("../1985")
@example("1985/")
@example("1984?")
@example("2004-06~")
@example(" 1938")
@example("1938-05-12T10:00")
def test_edtf_schema_accepts_every_date_the_archive_accepts(value):
    if _edtf_ok(value):
        assert def_validator("edtf").is_valid(value), value


@given(s.claim_dates())
def test_generated_claim_dates_pass_the_archive_date_rules(date):
    dates.check_claim_date(as_written=date.as_written, edtf=date.edtf, calendar=date.calendar,
                           original=date.original)


def test_a_julian_leap_day_the_gregorian_calendar_lacks_is_a_valid_original():
    # 29 February 1900 Old Style (Julian 1900 is a leap year) is 13 March 1900 New Style.
    assert dates.julian_to_gregorian(1900, 2, 29) == (1900, 3, 13)
    dates.check_claim_date(as_written="29 februarie 1900 (stil vechi)", edtf="1900-03-13", calendar="julian",
                           original="1900-02-29")
    assert "$.date" not in schema_error_paths(validator_for("ClaimRecorded", CURRENT_VERSIONS["ClaimRecorded"]),
                                              _claim_with(ClaimDate(as_written="29 februarie 1900", edtf="1900-03-13",
                                                                    calendar="julian", original="1900-02-29")))


@pytest.mark.parametrize("value", ["١٩٣٨", "１９３８", "1938\n"])
def test_edtf_is_plain_ascii_for_the_archive_and_the_schema(value):
    assert not _edtf_ok(value)
    assert not def_validator("edtf").is_valid(value)


def _claim_with(date: ClaimDate) -> dict[str, Any]:
    return to_dict(ClaimRecorded(
        event_id="7ff422a6-f792-5f32-9231-45d4739bd2d5", recorded_at=datetime(2026, 11, 23, tzinfo=timezone.utc),
        curator="founding-team", claim_id="s000-c24", subject_id="khrushchev", predicate="held_office",
        source_id="sha256:" + "0" * 64, selector=TextSelector(exact="Kiev", start=0, end=4), date=date,
    ))


@given(s.claim_dates())
def test_schema_and_dates_agree_on_when_original_is_needed(date):
    data = _claim_with(date)
    if "original" in data["date"]:
        del data["date"]["original"]  # a julian or dual date without its Julian reading
    else:
        data["date"]["original"] = data["date"]["edtf"]  # a gregorian date with one
    # a missing original is named; an unwanted one fails the date's "else: not required original"
    assert schema_error_paths(validator_for(data["type"], data["version"]), data) & {"$.date.original", "$.date"}
    assert not EVENT_VALIDATOR.is_valid(data)
    with pytest.raises(DateError) as info:
        dates.check_claim_date(**data["date"])
    assert info.value.path == "$.date.original"


# -- generated events -----------------------------------------------------------

EVENT_STRATEGIES = s.EVENT_STRATEGIES


def test_there_is_a_strategy_for_every_event_type():
    assert set(EVENT_STRATEGIES) == set(EVENT_TYPES)


@pytest.mark.parametrize("type_name", sorted(EVENT_STRATEGIES))
@given(data=st.data())
def test_generated_events_validate_against_their_schema_and_the_event_schema(type_name, data):
    event = data.draw(EVENT_STRATEGIES[type_name])
    payload = to_dict(event)
    errors = [e.message for e in validator_for(event.TYPE, event.VERSION).iter_errors(payload)]
    assert not errors
    assert EVENT_VALIDATOR.is_valid(payload)
    # and exactly one branch of event.json: the one of its type and version
    matching = [branch["$ref"] for branch in SCHEMAS["event.json"]["oneOf"]
                if validator(branch["$ref"]).is_valid(payload)]
    assert matching == [f"{event.TYPE}.v{event.VERSION}.json"]


@given(s.source_recorded())
def test_source_metadata_validates_as_a_source_record(event):
    record = {k: v for k, v in to_dict(event).items() if k not in ENVELOPE}
    check = validator("source-record.json")
    assert not [e.message for e in check.iter_errors(record)]
    assert not check.is_valid({**record, "curator": event.curator})
    without_title = dict(record)
    del without_title["title"]
    assert not check.is_valid(without_title)


@pytest.mark.parametrize("kind", ["ClaimRecorded", "ConclusionRecorded", "ClaimRecorded.v1"])
@given(data=st.data(), object_id=s.slugs())
def test_a_statement_with_two_objects_is_refused(kind, data, object_id):
    strategy = s.claim_recorded() if kind.startswith("ClaimRecorded") else s.conclusion_recorded()
    event = data.draw(strategy)
    event = attrs.evolve(event, object_id=object_id, object_literal=event.object_literal or "Kiev")
    payload = s.downgrade(event, 1) if kind.endswith(".v1") else to_dict(event)
    assert "$" in schema_error_paths(validator_for(payload["type"], payload["version"]), payload)
    assert not EVENT_VALIDATOR.is_valid(payload)


@given(s.claim_recorded(), st.sampled_from(["reported", "reader"]))
def test_a_reported_or_reader_claim_must_name_its_speaker(event, voice):
    payload = to_dict(attrs.evolve(event, voice=voice, speaker=None, speaker_id=None))
    assert "$" in schema_error_paths(validator_for("ClaimRecorded", CURRENT_VERSIONS["ClaimRecorded"]), payload)
    assert not EVENT_VALIDATOR.is_valid(payload)
    for named in ({"speaker": "Taubman"}, {"speaker_id": "taubman"}):
        assert EVENT_VALIDATOR.is_valid({**payload, **named})


@given(s.source_recorded(), s.source_ids(), st.sampled_from(["derived_from", "derivation"]))
def test_a_derived_text_needs_both_derived_from_and_derivation(event, other, keep):
    payload = to_dict(attrs.evolve(event, derived_from=other, derivation="Navigation lines removed."))
    check = validator_for("SourceRecorded", CURRENT_VERSIONS["SourceRecorded"])
    assert check.is_valid(payload)
    del payload["derivation" if keep == "derived_from" else "derived_from"]
    assert "$" in schema_error_paths(check, payload)
    assert not EVENT_VALIDATOR.is_valid(payload)


@given(s.conclusion_recorded(), st.data())
def test_a_conclusion_rests_on_distinct_claims(event, data):
    payload = to_dict(event)
    check = validator_for("ConclusionRecorded", 1)
    assert "$.rests_on" in schema_error_paths(check, dict(payload, rests_on=[]))
    twice = payload["rests_on"] + [data.draw(st.sampled_from(payload["rests_on"]))]
    assert "$.rests_on" in schema_error_paths(check, dict(payload, rests_on=twice))
    assert "$.rests_on[0]" in schema_error_paths(check, dict(payload, rests_on=["not an id"]))


# -- superseded versions -----------------------------------------------------------

OLD_KEYS = sorted(s.OLD_VERSIONS)
OLD_IDS = [f"{t}.v{v}" for t, v in OLD_KEYS]


@pytest.mark.parametrize("key", OLD_KEYS, ids=OLD_IDS)
@given(data=st.data())
def test_old_version_dicts_validate_against_their_own_schema_only(key, data):
    payload = data.draw(s.OLD_VERSION_STRATEGIES[key])
    type_name, version = key
    assert not [e.message for e in validator_for(type_name, version).iter_errors(payload)]
    assert EVENT_VALIDATOR.is_valid(payload)
    current = CURRENT_VERSIONS[type_name]
    rename, _ = s.OLD_VERSIONS[key]
    retagged = dict(payload, version=current)
    # A version that only added optional fields reads as the current one; a renamed field does not.
    assert validator_for(type_name, current).is_valid(retagged) == (not rename)


@given(s.name_recorded_v1_dicts())
def test_a_v1_name_carrying_language_instead_of_lang_is_refused(data):
    data = dict(data)
    data["language"] = data.pop("lang")
    paths = schema_error_paths(validator_for("NameRecorded", 1), data)
    assert paths == {"$.lang", "$.language"}
    assert not EVENT_VALIDATOR.is_valid(data)


def _newer_fields(key: tuple[str, int]) -> list[str]:
    rename, drop = s.OLD_VERSIONS[key]
    return list(drop) + list(rename)


@pytest.mark.parametrize("key", OLD_KEYS, ids=OLD_IDS)
@given(data=st.data())
def test_an_old_version_with_fields_of_the_current_version_is_refused(key, data):
    type_name, version = key
    event = data.draw(EVENT_STRATEGIES[type_name])
    current = to_dict(event)
    payload = s.downgrade(event, version)
    field = data.draw(st.sampled_from(_newer_fields(key)))
    value = current.get(field, data.draw(st.sampled_from(["Latn", "reported", True, "sha256:" + "1" * 64])))
    payload[field] = value
    assert f"$.{field}" in schema_error_paths(validator_for(type_name, version), payload)
    assert not EVENT_VALIDATOR.is_valid(payload)


@pytest.mark.parametrize("key", OLD_KEYS, ids=OLD_IDS)
@given(data=st.data())
def test_current_events_tagged_with_an_old_version_are_refused_when_they_use_new_fields(key, data):
    type_name, version = key
    payload = to_dict(data.draw(EVENT_STRATEGIES[type_name]))
    rename, drop = s.OLD_VERSIONS[key]
    tagged = dict(payload, version=version)
    if set(rename) & set(payload) or set(drop) & set(payload):
        assert not EVENT_VALIDATOR.is_valid(tagged)
    else:  # nothing new in it: it is a valid old event too
        assert EVENT_VALIDATOR.is_valid(tagged)


# -- docs/events.md ----------------------------------------------------------------

EVENTS_PAGE = ROOT / "docs" / "events.md"
JSON_BLOCK = re.compile(r"^```json\n(.*?)^```$", re.S | re.M)


def doc_examples() -> list[dict[str, Any]]:
    return [json.loads(body) for body in JSON_BLOCK.findall(EVENTS_PAGE.read_text(encoding="utf-8"))]


def fixture_sources() -> dict[str, Path]:
    return {"sha256:" + hashlib.sha256(p.read_bytes()).hexdigest(): p for p in (FIXTURE_BUNDLE / "sources").iterdir()}


def test_the_event_reference_has_an_example_of_every_type_and_version():
    examples = doc_examples()
    assert {(e["type"], e["version"]) for e in examples} == known_versions()


@pytest.mark.parametrize("index", range(len(doc_examples())))
def test_every_example_in_the_event_reference_is_a_valid_event(index):
    data = doc_examples()[index]
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator_for(data["type"], data["version"])
              .iter_errors(data)]
    assert not errors
    assert EVENT_VALIDATOR.is_valid(data)
    event = from_dict(data)
    if data["version"] == CURRENT_VERSIONS[data["type"]]:
        assert to_dict(event) == data, "examples of current versions must be in canonical form (defaults omitted)"
    else:
        assert event.VERSION == CURRENT_VERSIONS[data["type"]]


@pytest.mark.parametrize("index", range(len(doc_examples())))
def test_examples_quote_the_shipped_corpus_faithfully(index):
    data = doc_examples()[index]
    sources = fixture_sources()
    if data["type"] == "SourceRecorded" and "derived_from" in data:
        assert data["derived_from"] in sources, "a derived text example must derive from a shipped document"
    elif data["type"] == "SourceRecorded":
        assert data["source_id"] in sources, "a source example must describe a shipped document"
        assert sources[data["source_id"]].name == data["filename"]
    elif data["type"] in ("ClaimRecorded", "WorkCited"):
        event = from_dict(data)
        assert event.source_id in sources, "a claim example must quote a shipped document"
        text = sources[event.source_id].read_text(encoding="utf-8")
        check_selector(text, event.selector)
        if getattr(event, "date", None) is not None:
            dates.check_claim_date(as_written=event.date.as_written, edtf=event.date.edtf,
                                   calendar=event.date.calendar, original=event.date.original)
    assert isinstance(from_dict(data), EVENT_TYPES[data["type"]])
