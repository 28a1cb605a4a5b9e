"""Events to and from JSON.

One cattrs converter, configured once, turns events into plain dicts and back.
On the wire an event is a flat JSON object tagged with ``type`` and
``version``; nested values (``selector``, ``date``) are objects. Optional fields
left at their default are omitted, so adding an optional field later does not
change the bytes of old events.

Reading an older version goes through *upcasters*: small functions that turn
the dict of version N into the dict of version N+1. The log keeps the bytes
exactly as recorded; upcasting happens on every read, never in storage.

The canonical form of an event (what is hashed and stored) is its dict as
compact JSON with sorted keys, UTF-8, no ASCII escaping.
"""

from __future__ import annotations

import json
import re
import types
import typing
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Mapping

import attrs
import cattrs
import orjson
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from . import fastjson
from .errors import DamagedLogError, Place, ValidationError
from .log.base import StoredEvent, chain_hash, damaged
from .model import EVENT_CLASSES, Event

__all__ = [
    "converter",
    "to_dict",
    "from_dict",
    "upcast",
    "canonical_bytes",
    "encode",
    "decode",
    "decode_stored",
    "first_damaged",
    "chain_break",
    "parse_json_line",
    "format_timestamp",
    "EVENT_TYPES",
    "CURRENT_VERSIONS",
    "UPCASTERS",
]

EVENT_TYPES: dict[str, type[Event]] = {cls.TYPE: cls for cls in EVENT_CLASSES}
CURRENT_VERSIONS: dict[str, int] = {cls.TYPE: cls.VERSION for cls in EVENT_CLASSES}

#: (type, from_version) -> function turning that version's dict into the next version's.
UPCASTERS: dict[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = {}


def upcaster(type_name: str, from_version: int):
    """Register a function that upgrades ``type_name`` dicts from ``from_version`` to the next."""

    def register(fn: Callable[[dict[str, Any]], dict[str, Any]]):
        UPCASTERS[(type_name, from_version)] = fn
        return fn

    return register


@upcaster("NameRecorded", 1)
def _name_recorded_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v1 called the language ``lang``; v2 renamed it and added optional
    # ``script`` and ``preferred``, whose defaults are right for v1 names.
    data = dict(data)
    if "lang" in data:
        data["language"] = data.pop("lang")
    data["version"] = 2
    return data


@upcaster("SourceRecorded", 1)
def _source_recorded_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v2 added the optional derived_from/derivation; a v1 source is an original.
    return {**data, "version": 2}


@upcaster("ClaimRecorded", 1)
def _claim_recorded_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # v2 added voice/speaker; before, every claim was the author's (the default voice).
    return {**data, "version": 2}


@upcaster("ClaimRecorded", 2)
def _claim_recorded_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    # v3 added the optional cited_work_id; a v2 claim names no cited work.
    return {**data, "version": 3}


def upcast(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an event dict of any known version up to the current version.

    The dict must already have a known ``type`` and an integer ``version``.
    """
    type_name = data["type"]
    current = CURRENT_VERSIONS[type_name]
    if data["version"] > current:  # a newer library's: read as the current version it would be misread
        raise ValidationError(f"unknown version of {type_name}", path="$.version", value=data["version"],
                              hint=f"this library reads versions 1 to {current}; upgrade archive to read newer events")
    while data["version"] < current:
        step = UPCASTERS.get((type_name, data["version"]))
        if step is None:  # pragma: no cover - guarded by check_tag
            raise ValidationError(
                f"no upcaster from version {data['version']} of {type_name}", path="$.version", value=data["version"]
            )
        data = step(data)
    return data


def format_timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with microseconds, e.g. ``2026-11-23T09:40:00.000000Z``."""
    if moment.tzinfo is None:
        raise ValidationError(
            "timestamp has no timezone", path="$.recorded_at", value=moment.isoformat(), hint="use a UTC time"
        )
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def _structure_timestamp(value: Any, _type: type) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected an RFC 3339 timestamp string")
    if not _RFC3339.fullmatch(value):
        if _RFC3339.fullmatch(value + "Z") or re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("timestamp has no timezone; end it with Z for UTC")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", value):
            # Valid RFC 3339, but beyond what the log takes (and what Python's datetime keeps).
            raise ValueError("a timestamp here takes an upper-case T and Z and at most 6 fractional digits "
                             "(microseconds), e.g. 2026-11-23T09:40:00.123456Z")
        raise ValueError("not an RFC 3339 timestamp, e.g. 2026-11-23T09:40:00Z")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError("not an RFC 3339 timestamp, e.g. 2026-11-23T09:40:00Z") from None
    if moment.tzinfo is None:
        raise ValueError("timestamp has no timezone; end it with Z for UTC")
    return moment


def _strict(kind: type, label: str):
    # cattrs would happily turn 3 into "3" or "7" into 7; a mistyped field in an
    # archive is a curator's mistake to be reported, not silently repaired.
    def structure(value: Any, _type: type):
        if type(value) is not kind:
            raise TypeError(f"expected {label}, got {type(value).__name__}")
        return value

    return structure


class ItemError(TypeError):
    """A bad item of a list, with its index, so the error can say ``$.rests_on[1]``."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


def _json_kind(value: Any) -> str:
    """What a decoded JSON value is, in JSON's words."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _make_converter(detailed: bool = True) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    conv.register_structure_hook(str, _strict(str, "a string"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(datetime, _structure_timestamp)

    def structure_str_tuple(value: Any, _type: type) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise TypeError(f"expected a list of strings, got {type(value).__name__}")
        for index, item in enumerate(value):
            if type(item) is not str:
                raise ItemError(index, f"expected a string, got {type(item).__name__}")
        return tuple(value)

    def is_str_tuple(kind: Any) -> bool:
        return kind == tuple[str, ...]

    conv.register_structure_hook_func(is_str_tuple, structure_str_tuple)
    if detailed:
        # A nested object (a date, a selector) given as something else: say what it should be, not
        # what Python tried ("'str' object has no attribute 'keys'"). Only here: the fast converter's
        # failures are worded by this one.
        def nested_object(kind: type) -> Callable[[Any, type], Any]:
            structure = make_dict_structure_fn(kind, conv)
            names = [a.name for a in attrs.fields(kind) if a.default is attrs.NOTHING]
            needed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)

            def structure_object(value: Any, cls: type) -> Any:
                if not isinstance(value, Mapping):
                    raise TypeError(f"expected an object with {needed}, got {_json_kind(value)}")
                return structure(value, cls)

            return structure_object

        conv.register_structure_hook_factory(lambda kind: attrs.has(kind) and kind not in EVENT_CLASSES,
                                             nested_object)
    if not detailed:
        # Here an optional field's hook is its own type's, which refuses null: a null anywhere makes
        # the fast path fail, and ``decode_dict`` then names it. So the events that have nothing
        # wrong are never searched for nulls (that search was a fifth of decoding).
        def optional_of(kind: Any) -> Any:
            args = typing.get_args(kind)
            if typing.get_origin(kind) in (typing.Union, types.UnionType) and len(args) == 2 and type(None) in args:
                return args[0] if args[1] is type(None) else args[1]
            return None

        conv.register_structure_hook_factory(lambda kind: optional_of(kind) is not None,
                                             lambda kind: conv.get_structure_hook(optional_of(kind)))
        # An event's own fields are checked by ``_decode`` (its dict also holds type and version,
        # which a copy without them would cost as much as the rest of the check); nested objects
        # still refuse unknown keys here.
        conv.register_structure_hook_factory(
            lambda kind: kind in EVENT_CLASSES,
            lambda kind: make_dict_structure_fn(kind, conv, _cattrs_forbid_extra_keys=False),
        )
    def unstructure_str_tuple(value: Any) -> list:
        if isinstance(value, (str, bytes)):  # list("c1") would be ["c", "1"]
            raise TypeError(f"expected a list of strings, got {type(value).__name__}")
        return list(value)

    conv.register_unstructure_hook_func(is_str_tuple, unstructure_str_tuple)
    conv.register_unstructure_hook(datetime, format_timestamp)
    # Omit optional fields left at their default: compact, and stable when a
    # later version adds an optional field.
    conv.register_unstructure_hook_factory(
        lambda cls: hasattr(cls, "__attrs_attrs__"),
        lambda cls: make_dict_unstructure_fn(
            cls,
            conv,
            _cattrs_omit_if_default=True,
            **{a.name: override(omit_if_default=False) for a in cls.__attrs_attrs__ if a.default is attrs.NOTHING},
        ),
    )
    return conv




converter = _make_converter()
# The same rules without detailed validation (which collects every error into a tree to say
# where each is): about twice as fast, for the events that have nothing wrong. A failure is
# structured again by ``converter`` to word the error.
_fast_converter = _make_converter(detailed=False)


def to_dict(event: Event) -> dict[str, Any]:
    """The JSON-ready dict of an event, tagged with its type and version."""
    data = converter.unstructure(event)
    data["type"] = event.TYPE
    data["version"] = event.VERSION
    return data


def to_dict_checked(event: Event, place: Place | None = None) -> dict[str, Any]:
    """:func:`to_dict`, with a ValidationError naming the field when a value cannot be written.

    attrs does not check types, so an event built in Python may hold a string where a
    ClaimDate belongs; the converter then fails inside its generated code.
    """
    try:
        return to_dict(event)
    except ValidationError as exc:  # already names its field (a time without a timezone)
        raise exc.at(place) from None
    except Exception:  # noqa: BLE001 - found again, field by field, to say which
        hints = typing.get_type_hints(type(event))
        for field in attrs.fields(type(event)):
            value = getattr(event, field.name)
            try:
                converter.unstructure(value, unstructure_as=hints[field.name])
            except Exception:  # noqa: BLE001
                hint = hints[field.name]
                expected = (str(hint).replace("archive.model.", "") if typing.get_origin(hint) is not None
                            else getattr(hint, "__name__", str(hint)))
                raise ValidationError(f"expected {expected}, got {type(value).__name__}", path=f"$.{field.name}",
                                      value=value, place=place) from None
        raise


def _plain(node: Any) -> bool:
    """True when ``node`` holds only what orjson writes exactly as json does.

    That is: str keys; str, bool, None, 64-bit int, list, tuple and dict values
    (exact types, not subclasses). Not floats: the two libraries spell some
    differently (1e-07 and 1e-7).
    """
    kind = type(node)
    if kind is dict:
        for key, value in node.items():
            # Strings first, without a call: they are most of an event.
            if type(key) is not str or (type(value) is not str and not _plain(value)):
                return False
        return True
    if kind is str or kind is bool or node is None:
        return True
    if kind is int:
        return -(1 << 63) <= node < (1 << 63)
    if kind is list or kind is tuple:
        return all(_plain(value) for value in node)
    return False


def canonical_bytes(data: dict[str, Any]) -> bytes:
    """The canonical serialisation that is stored and hashed.

    Defined as ``json.dumps(data, sort_keys=True, separators=(",", ":"),
    ensure_ascii=False)`` in UTF-8. Event dicts are written by orjson, which
    gives the same bytes for the values :func:`_plain` admits (sorted keys,
    compact, the same escapes) four times faster; anything else, and anything
    orjson refuses (lone surrogates: json then raises as it always did), goes
    through json itself.
    """
    if _plain(data):
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        path, value = _find_surrogate(data, "$") or ("$", None)
        raise ValidationError(
            "the text holds a lone surrogate (half of a UTF-16 pair), which is not a character",
            path=path, value=value,
            hint="a JSON escape such as \\ud83d must be followed by its pair (\\ude00); fix the text where it was made",
        ) from None


_SURROGATE = re.compile("[\ud800-\udfff]")


def _find_surrogate(node: Any, path: str) -> tuple[str, str] | None:
    """(path, string) of the first string, or object key, holding a lone surrogate."""
    if isinstance(node, str):
        return (path, node) if _SURROGATE.search(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and _SURROGATE.search(key):
                return f"{path}.{key}", key
            found = _find_surrogate(value, f"{path}.{key}")
            if found:
                return found
    elif isinstance(node, (list, tuple)):
        for index, value in enumerate(node):
            found = _find_surrogate(value, f"{path}[{index}]")
            if found:
                return found
    return None


def encode(event: Event) -> bytes:
    """Canonical bytes of an event."""
    return canonical_bytes(to_dict(event))


def check_tag(data: Any, place: Place | None = None) -> tuple[str, int]:
    """Check that ``data`` is an object with a known ``type`` and ``version``."""
    if not isinstance(data, dict):
        raise ValidationError("an event must be a JSON object", path="$", value=data, place=place)
    type_name = data.get("type")
    if type_name is None:
        raise ValidationError(
            "the event has no type", path="$.type", value=None, place=place,
            hint=f"add one of {sorted(EVENT_TYPES)}", show_value=False,
        )
    if not isinstance(type_name, str) or type_name not in EVENT_TYPES:
        raise ValidationError(
            "unknown event type", path="$.type", value=type_name, place=place,
            hint=f"expected one of {sorted(EVENT_TYPES)}; if a newer version of archive wrote the event, "
                 "upgrade archive to read it",
        )
    version = data.get("version")
    current = CURRENT_VERSIONS[type_name]
    if type(version) is not int:
        raise ValidationError(
            "the event version must be an integer", path="$.version", value=version, place=place
        )
    if version < 1 or version > current:
        raise ValidationError(
            f"unknown version of {type_name}", path="$.version", value=version, place=place,
            hint=f"this library reads versions 1 to {current}"
                 + ("; upgrade archive to read newer events" if version > current else "; versions start at 1"),
        )
    return type_name, version


def _lookup(data: Any, path: str) -> Any:
    """The value at a ``$.a.b[0]`` path, or None if it is not there."""
    node = data
    for part in path.lstrip("$").replace("[", ".").replace("]", "").split("."):
        if not part:
            continue
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _first_problem(exc: BaseException, data: Any, path: str = "$") -> tuple[str, str, Any]:
    """(problem, path, value) of the first leaf error in a cattrs exception tree."""
    if isinstance(exc, ForbiddenExtraKeysError):
        extra = sorted(exc.extra_fields)
        return (f"unknown field{'s' if len(extra) > 1 else ''} {', '.join(extra)}", f"{path}.{extra[0]}",
                _lookup(data, f"{path}.{extra[0]}"))
    if isinstance(exc, ClassValidationError):
        # Missing fields first: they are usually the root cause.
        ordered = sorted(exc.exceptions, key=lambda e: not isinstance(e, KeyError))
        for sub in ordered:
            name = None
            for note in getattr(sub, "__notes__", []):
                name = getattr(note, "name", None)
                if name is not None:
                    break
            sub_path = f"{path}.{name}" if name else path
            return _first_problem(sub, data, sub_path)
    if isinstance(exc, KeyError):
        return ("required field missing", path, None)
    if isinstance(exc, ItemError):
        path = f"{path}[{exc.index}]"
    message = str(exc) or type(exc).__name__
    return (message, path, _lookup(data, path))


#: Fields an old version does not have, and fields it named differently (current name -> old name).
#: An old event is checked against its own version's fields before it is upcast.
LEGACY = {
    ("NameRecorded", 1): ({"script", "preferred"}, {"language": "lang"}),
    ("SourceRecorded", 1): ({"derived_from", "derivation"}, {}),
    ("ClaimRecorded", 1): ({"voice", "speaker", "speaker_id", "cited_work_id"}, {}),
    ("ClaimRecorded", 2): ({"cited_work_id"}, {}),
}


#: The keys an event dict of the current version may hold: its fields, type and version.
_EVENT_KEYS = {cls.TYPE: frozenset(a.name for a in cls.__attrs_attrs__) | {"type", "version"} for cls in EVENT_CLASSES}


def _find_null(node: Any, path: str) -> str | None:
    if isinstance(node, dict):
        for key, value in node.items():
            if value is None:
                return f"{path}.{key}"
            if isinstance(value, dict):  # only objects are searched (a call per value cost 10 % of decoding)
                found = _find_null(value, f"{path}.{key}")
                if found:
                    return found
    return None


def decode_dict(data: Any, place: Place | None = None) -> Event:
    """The one way a dict from outside becomes an event: tag, old-version shape, upcast, structure.

    Errors name fields as the event's own version names them (``$.lang`` in a v1 name).
    """
    return _decode(_as_dict(data), place)[0]


def decode_with_payload(data: dict[str, Any], place: Place | None = None) -> tuple[Event, bytes]:
    """:func:`decode_dict` and :func:`canonical_bytes` of the same dict, in one.

    A dict the strict converter took whole holds only strings, integers, booleans, lists of
    strings and objects with the model's string keys (every field's type is one of those), so
    orjson writes it without :func:`_plain`'s walk. Some hooks take subclasses (a list subclass
    of strings, a str subclass as a timestamp), which orjson would write from their raw contents
    where json iterates them: orjson is told to refuse every subclass, and json writes those dicts.
    """
    data = _as_dict(data)
    event, strict = _decode(data, place)
    if strict:
        try:
            return event, orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_SUBCLASS)
        except orjson.JSONEncodeError:  # a subclass, an integer beyond 64 bits, a lone surrogate: json decides
            pass
    try:
        return event, canonical_bytes(data)
    except ValidationError as exc:
        raise exc.at(place) from None


def _as_dict(data: Any) -> Any:
    """A Mapping read once into a plain dict (a defaultdict would make up missing fields)."""
    return dict(data) if type(data) is not dict and isinstance(data, Mapping) else data


def _structure_fast(data: dict[str, Any], type_name: str) -> Event | None:
    """The event, if the fast converter takes the tagged, current-version ``data`` as it is; else None.

    The fast converter leaves an event's own keys to this check (its dict also holds type and
    version, which a copy without them would cost as much as the rest of the check).
    """
    if data.keys() <= _EVENT_KEYS[type_name]:
        try:
            return _fast_converter.structure(data, EVENT_TYPES[type_name])
        except Exception:  # noqa: BLE001 - whatever it was, the detailed converter words it
            pass
    return None


def _decode(data: Any, place: Place | None) -> tuple[Event, bool]:
    """The event, and whether the fast converter took ``data`` as it is (see decode_with_payload)."""
    type_name, version = check_tag(data, place)
    missing_in_old, renamed = LEGACY.get((type_name, version), (set(), {}))
    if version < CURRENT_VERSIONS[type_name]:
        cls = EVENT_TYPES[type_name]
        allowed = ({a.name for a in cls.__attrs_attrs__} - missing_in_old - set(renamed)) | set(renamed.values())
        for key in data:
            if key not in allowed and key not in ("type", "version"):
                raise ValidationError(f"unknown field in version {version} of {type_name}", path=f"$.{key}",
                                      value=data[key], place=place,
                                      hint=f"version {version} has {', '.join(sorted(allowed))}")
    current = upcast(data)
    event = _structure_fast(current, type_name)
    if event is not None:
        return event, True
    null = _find_null(data, "$")
    if null is not None:
        raise ValidationError("null is not a value: leave an optional field out instead", path=null, value=None,
                              place=place, show_value=False)
    try:
        return _structure_detailed(current, place), False
    except ValidationError as exc:
        back = {f"$.{new}": f"$.{old}" for new, old in renamed.items()}
        if exc.path in back:
            exc.path = back[exc.path]
            Exception.__init__(exc, exc._message())
        raise


def structure(data: dict[str, Any], place: Place | None = None) -> Event:
    """Turn a tagged, current-version dict into its event, with a pathful error."""
    return _structure_fast(data, data["type"]) or _structure_detailed(data, place)


def _structure_detailed(data: dict[str, Any], place: Place | None) -> Event:
    """Structure with the detailed converter, whose errors say where (slow: for dicts the fast one refused)."""
    body = {k: v for k, v in data.items() if k not in ("type", "version")}
    try:
        return converter.structure(body, EVENT_TYPES[data["type"]])
    except (ClassValidationError, ForbiddenExtraKeysError, TypeError, ValueError) as exc:
        problem, path, value = _first_problem(exc, data)
        raise ValidationError(problem, path=path, value=value, place=place,
                              show_value=problem != "required field missing") from None


def from_dict(data: Any, place: Place | None = None) -> Event:
    """Decode a tagged event dict of any known version to the current event class."""
    return decode_dict(data, place)


def parse_json_line(line: bytes | str, place: Place | None = None) -> dict[str, Any]:
    """Parse one JSONL line strictly: UTF-8, no BOM, no NUL, one JSON object."""
    if isinstance(line, bytes):
        if line.startswith(b"\xef\xbb\xbf"):
            raise ValidationError("the line starts with a byte order mark", path="$", value=line[:3], place=place,
                                  hint="save the file as UTF-8 without BOM")
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(f"not UTF-8 (byte {exc.start})", path="$", value=line[exc.start: exc.start + 4],
                                  place=place, hint="event files must be UTF-8") from None
    if "\x00" in line:
        raise ValidationError("NUL character in the line", path="$", value=line[:40], place=place)
    try:
        data = fastjson.loads(line)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"malformed JSON ({exc.msg}, column {exc.colno})", path="$", value=line[:60],
                              place=place) from None
    except ValueError:  # Python reads at most 4,300 digits of an integer (a guard against slow parsing)
        raise ValidationError("a number with more digits than can be read (4,300)", path="$", value=line[:60],
                              place=place, hint="no field of an event is a number that long") from None
    except RecursionError:
        raise ValidationError("arrays or objects nested too deeply to read", path="$", value=line[:60],
                              place=place, hint="no event nests more than a few levels") from None
    if not isinstance(data, dict):
        raise ValidationError("an event must be a JSON object", path="$", value=data, place=place)
    return data


class _Pairs(list):
    """A JSON object's (key, value) pairs in the order the parser met them, repeated keys included."""


def duplicate_key(line: bytes | str) -> str | None:
    """The path of the first key a JSON text gives twice in one object (``$.kind``), or None.

    Parsers keep the last of two values and drop the other without a word, so a line that writes
    a key twice would lose what a curator wrote. Slow (a second, pure-Python parse): callers run it
    only on lines that are not already in canonical form, which cannot repeat a key.
    """
    try:
        tree = json.loads(line, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError):  # not JSON: parse_json_line says why
        return None
    return _first_duplicate(tree, "$")


def _first_duplicate(node: Any, path: str) -> str | None:
    if isinstance(node, _Pairs):
        keys: set[str] = set()
        for key, _ in node:
            if key in keys:
                return f"{path}.{key}"
            keys.add(key)
        children = ((f"{path}.{key}", value) for key, value in node)
    elif isinstance(node, list):
        children = ((f"{path}[{index}]", value) for index, value in enumerate(node))
    else:
        return None
    for child_path, child in children:
        found = _first_duplicate(child, child_path)
        if found is not None:
            return found
    return None


def decode(payload: bytes, place: Place | None = None) -> Event:
    """Decode stored canonical bytes into the current event class."""
    return from_dict(fastjson.loads(payload), place)


def unknown_kind(position: int, data: Any) -> DamagedLogError | None:
    """The error for a stored event of a type or version this library does not know, or None.

    A newer library may have written it (an archive that adds an event type or version), so the
    error says so beside the other possibility, a change made behind the log's back.
    """
    if type(data) is not dict:
        return None
    type_name, version = data.get("type"), data.get("version")
    if type(type_name) is not str or type(version) is not int:
        return None
    if type_name not in EVENT_TYPES:
        what = f"it is a {type_name} event, a type this version of archive does not know"
    elif version > CURRENT_VERSIONS[type_name]:
        what = f"it is {type_name} version {version}; this version of archive reads up to {CURRENT_VERSIONS[type_name]}"
    else:
        return None
    return damaged(position, what, newer=True)


def decode_stored(stored: StoredEvent) -> Event:
    """Decode an event the log holds; DamagedLogError, naming its position, if it is not a valid event.

    Every event was valid when it was appended: one that is not now was changed behind the log's back,
    and an error about its fields alone would read as if the caller's input were wrong.
    """
    data = stored.data()
    try:
        return from_dict(data)
    except ValidationError as exc:
        raise unknown_kind(stored.position, data) or damaged(
            stored.position, f"it is not a valid event ({exc.path}: {exc.problem})") from None


def first_damaged(events: Iterable[StoredEvent]) -> DamagedLogError | None:
    """The error for the first of these stored events that is not a valid event, or not its hash's, or None.

    Slow (it decodes every event): for failure paths, to say which event a reader that trusts the
    log's events (the projector, the annotation export) tripped over, or whether it was one at all.
    The hash finds what decoding cannot: a claim about an entity that was never recorded, say.
    """
    for stored in events:
        try:
            decode_stored(stored)
        except DamagedLogError as exc:
            return exc
        if chain_hash(stored.position, stored.stream_id, stored.stream_version, stored.prev_hash,
                      stored.payload) != stored.hash:
            return damaged(stored.position, "its bytes do not match its hash (one of them was changed after it "
                                            "was stored)")
    return None


def chain_break(stored: StoredEvent, position: int, prev_hash: str) -> DamagedLogError | None:
    """Why ``stored`` is not the sound event expected at ``position`` after an event hashed ``prev_hash``, or None.

    For the readers that pass the log on as recorded (the bundle and the annotation export), read in
    order from position 1 and after GENESIS_HASH: one hash per event, and the link to the one before,
    so that neither a changed event nor one removed (a retraction, say) goes out as if recorded.
    The reasons are worked out only for a bad one.
    """
    if (stored.position == position and stored.prev_hash == prev_hash and b"\n" not in stored.payload
            and chain_hash(position, stored.stream_id, stored.stream_version, prev_hash, stored.payload) == stored.hash):
        return None
    if stored.position != position:
        return damaged(stored.position, f"the log skips from position {position - 1} to it (an event was removed)")
    if stored.prev_hash != prev_hash:
        return damaged(position, "it does not follow the event before it (its prev_hash is not that event's hash)")
    if b"\n" in stored.payload:  # canonical JSON has none: it would split its line of events.jsonl in two
        return first_damaged([stored]) or damaged(position, "its payload holds a line break")
    # Says whether it can still be read as an event.
    return first_damaged([stored]) or damaged(position, "its bytes do not match its hash")


def iter_decoded(payloads: Iterable[bytes]) -> Iterable[Event]:
    for payload in payloads:
        yield decode(payload)


#: Which field of each event type names its stream, and the stream's prefix.
_STREAM_KEYS = {
    "SourceRecorded": ("source", "source_id"),
    "SourceDescriptionCorrected": ("source", "source_id"),
    "EntityRecorded": ("entity", "entity_id"),
    "NameRecorded": ("entity", "entity_id"),
    "ClaimRecorded": ("claim", "claim_id"),
    "ClaimRetracted": ("claim", "claim_id"),
    "ClaimSuperseded": ("claim", "claim_id"),
    "ClaimAssessed": ("claim", "claim_id"),
    "ConclusionRecorded": ("conclusion", "conclusion_id"),
    "EntitiesMerged": ("entity", "entity_id"),
    "EntitySplit": ("entity", "entity_id"),
    "WorkRecorded": ("work", "work_id"),
    "WorkDescriptionCorrected": ("work", "work_id"),
    "WorkCited": ("work", "work_id"),
}


def stream_id_of(data: dict[str, Any]) -> str:
    """The stream of an (upcast) event dict, without building the event object."""
    prefix, key = _STREAM_KEYS[data["type"]]
    return f"{prefix}:{data[key]}"
