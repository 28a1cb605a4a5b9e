"""Datasette metadata for the catalogue, generated from :mod:`.schema`.

``metadata()`` returns the dict Datasette reads from ``metadata.yaml``
(``datasette catalogue.db -m metadata.yaml``): a title and description, and for
every table and view its description, what each column means, which column
labels a row where other tables point at it, the facets shown by default, the
default sort, the full-text index, which tables are bookkeeping (hidden), and
canned queries for the questions historians ask most.

Everything said about a table or column comes from the schema, the one place
the catalogue is described, so the metadata cannot drift from the catalogue.
What only Datasette needs (facets, labels, sorts, queries) is declared here.

``to_yaml()`` writes that structure as YAML without a YAML library: the
structure is small (mappings, lists, strings, numbers and booleans), so every
string is written double-quoted with JSON's escapes, which YAML reads the same,
except the SQL of canned queries, which is written as a literal block so it
stays readable.

Written against Datasette 0.64/0.65, where all of this lives in one metadata
file. Datasette 1.0 reads descriptions from the metadata file and the rest from
``datasette.yaml``; :func:`split_for_datasette_1` divides the dict accordingly.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .schema import FTS, TABLES, VIEWS

__all__ = ["metadata", "to_yaml", "split_for_datasette_1", "CANNED_QUERIES", "FTS_SHADOW_SUFFIXES"]

#: The tables SQLite's FTS5 creates beside each ``<table>_fts`` index.
FTS_SHADOW_SUFFIXES = ("_data", "_idx", "_docsize", "_config")

#: The column that names a row when another table links to it (Datasette shows it instead of the bare id).
_LABEL_COLUMNS = {
    "sources": "title",
    "entities": "label",
    "entity_names": "name",
    "claims": "quote",
    "predicates": "predicate",
    "cited_works": "title",
}

#: Facets shown on a table's or view's page without asking.
_FACETS = {
    "claims": ["predicate", "source_id", "rank", "status", "voice"],
    "entities": ["kind"],
    "sources": ["language"],
    "entity_names": ["language", "script"],
    "claim_history": ["event_type", "curator"],
    "claim_details": ["predicate", "source", "status", "rank", "voice"],
    "timeline": ["entity", "predicate"],
    "conflicts": ["subject", "predicate", "disagreement"],
    "cited_works": ["kind"],
    "citations": ["source_id", "work_id"],
    "citation_details": ["cited_by", "kind"],
}

#: Default order of a table's page, where the primary key is not the useful one.
_SORT = {
    "entities": ("sort", "label"),
    "entity_names": ("sort", "name"),
    "sources": ("sort", "title"),
    "cited_works": ("sort", "published_earliest"),
    "claim_history": ("sort_desc", "position"),  # the latest changes first
}

#: Canned queries: name -> (title, description, SQL). Names must not be table or view names,
#: or the query would hide the table's page.
CANNED_QUERIES: dict[str, tuple[str, str, str]] = {
    "person_timeline": (
        "A person's timeline",
        "What the sources say about one entity, in date order. Give its id (khrushchev), its label or any "
        "recorded name in any language, whole; case does not matter, nor accents left out (НИКИТА ХРУЩЕВ finds "
        "Никита Хрущёв).",
        """\
select
  timeline.date_as_written,
  timeline.date_edtf,
  timeline.predicate,
  timeline.object,
  timeline.source,
  timeline.voice,
  timeline.rank,
  timeline.quote,
  timeline.claim_id
from timeline
where timeline.entity_id in (
  select current_id from entities
  where entity_id = :entity or lower(label) = lower(:entity)
  union
  select current_entity_id from entity_names
  where lower(name) = lower(:entity)
  -- Any script: the name index folds case in every script, and accents in Latin letters; its
  -- name_folded column has every accent removed (хрущёв -> хрущев), for names typed without them.
  -- The name must start with the words given, as a phrase, and have as many words, so that
  -- "Nikita" does not find "Nikita Khrushchev".
  or (
    rowid in (
      select rowid from entity_names_fts
      where entity_names_fts match '{name name_folded} : ^"' || replace(:entity, '"', '""') || '"'
    )
    and length(name) - length(replace(name, ' ', '')) = length(:entity) - length(replace(:entity, ' ', ''))
  )
)
order by timeline.date_earliest, timeline.date_latest, timeline.predicate, timeline.claim_id""",
    ),
    "claims_of_a_source": (
        "All claims of one source, in text order",
        "Every claim resting on one source (give its source_id, sha256:...), in the order of its quotes "
        "in the text, with retracted and superseded claims marked.",
        """\
select
  claims.quote_start,
  claims.quote_end,
  claims.quote,
  claims.subject_label as subject,
  claims.predicate,
  coalesce(claims.object_label, claims.object_literal) as object,
  claims.date_as_written,
  claims.date_edtf,
  claims.voice,
  claims.speaker,
  claims.status,
  claims.rank,
  claims.claim_id
from claims
where claims.source_id = :source_id
order by claims.quote_start, claims.quote_end, claims.claim_id""",
    ),
    "where_sources_disagree": (
        "Where sources disagree",
        "Pairs of standing claims from different original sources that give a single-valued fact (birth, "
        "death, an event's date...) different values or dates that cannot overlap; each pair once.",
        """\
select
  conflicts.subject,
  conflicts.predicate,
  conflicts.disagreement,
  conflicts.value,
  conflicts.date_as_written,
  conflicts.date_edtf,
  conflicts.source,
  conflicts.other_value,
  conflicts.other_date_as_written,
  conflicts.other_date_edtf,
  conflicts.other_source,
  conflicts.claim_id,
  conflicts.other_claim_id
from conflicts
where conflicts.claim_id < conflicts.other_claim_id
order by conflicts.subject_id, conflicts.predicate, conflicts.claim_id, conflicts.other_claim_id""",
    ),
    "who_said_what": (
        "Who said what",
        "Standing claims by who in the source says them: the author (named where the source names one), "
        "someone the author reports, or a reader commenting.",
        """\
select
  claims.voice,
  case when claims.voice = 'author' then coalesce(claims.speaker, sources.author, sources.publisher,
                                                  sources.title)
       else coalesce(claims.speaker, claims.speaker_id) end as speaker,
  claims.subject_label as subject,
  claims.predicate,
  coalesce(claims.object_label, claims.object_literal) as object,
  claims.date_as_written,
  claims.quote,
  sources.title as source,
  claims.claim_id
from claims
join sources on sources.source_id = claims.source_id
where claims.status = 'asserted'
order by claims.voice, speaker, sources.title, claims.quote_start, claims.claim_id""",
    ),
}

_PARAMETER = re.compile(r"(?<![:\w]):(\w+)")


def _parameters(sql: str) -> list[str]:
    found: list[str] = []
    for name in _PARAMETER.findall(sql):
        if name not in found:
            found.append(name)
    return found


def metadata(database_name: str = "catalogue") -> dict[str, Any]:
    """Datasette metadata for a catalogue served under ``database_name`` (its file name without ``.db``)."""
    tables: dict[str, dict[str, Any]] = {}
    for table in TABLES:
        entry: dict[str, Any] = {"description": table.description,
                                 "columns": {c.name: c.description for c in table.columns}}
        if table.name in _LABEL_COLUMNS:
            entry["label_column"] = _LABEL_COLUMNS[table.name]
        if table.name in _FACETS:
            entry["facets"] = list(_FACETS[table.name])
        if table.name in _SORT:
            key, column = _SORT[table.name]
            entry[key] = column
        if table.name in FTS:
            entry["fts_table"] = f"{table.name}_fts"
            entry["fts_pk"] = "rowid"
        if table.name.startswith("_"):
            entry["hidden"] = True
        tables[table.name] = entry
    for view in VIEWS:
        entry = {"description": view.description, "columns": dict(view.columns)}
        if view.name in _FACETS:
            entry["facets"] = list(_FACETS[view.name])
        tables[view.name] = entry
    for name, columns in FTS.items():
        tables[f"{name}_fts"] = {
            "description": f"Full-text index of {name} ({', '.join(columns)}); search it from the {name} page.",
            "hidden": True,
        }
        for suffix in FTS_SHADOW_SUFFIXES:
            tables[f"{name}_fts{suffix}"] = {"description": f"SQLite's internal storage for {name}_fts.",
                                             "hidden": True}
    queries = {
        name: {"title": title, "description": description, "sql": sql, "params": _parameters(sql)}
        for name, (title, description, sql) in CANNED_QUERIES.items()
    }
    for query in queries.values():
        if not query["params"]:
            del query["params"]
    return {
        "title": "archive catalogue",
        "description": (
            "What historical sources say, claim by claim, each anchored to the exact words of its source; "
            "built from the archive's append-only event log. Start with claim_details or timeline; "
            "conflicts shows where sources disagree."
        ),
        "databases": {
            database_name: {
                "description": "The catalogue: sources, entities and their names, claims with their evidence "
                               "and history, the archive's conclusions.",
                "tables": tables,
                "queries": queries,
            }
        },
    }


#: Keys Datasette 1.0 reads from datasette.yaml rather than from the metadata file.
_CONFIG_TABLE_KEYS = ("label_column", "facets", "sort", "sort_desc", "fts_table", "fts_pk", "hidden")


def split_for_datasette_1(meta: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Divide :func:`metadata` into Datasette 1.0's ``(metadata.yaml, datasette.yaml)``.

    Datasette 1.0 keeps titles and descriptions in the metadata file and moves
    configuration (canned queries and table options) to ``datasette.yaml``.
    """
    described: dict[str, Any] = {k: v for k, v in meta.items() if k != "databases"}
    config: dict[str, Any] = {}
    described["databases"], config["databases"] = {}, {}
    for name, database in meta.get("databases", {}).items():
        described_db = {k: v for k, v in database.items() if k not in ("tables", "queries")}
        config_db: dict[str, Any] = {}
        if database.get("queries"):
            config_db["queries"] = database["queries"]
        described_tables: dict[str, Any] = {}
        config_tables: dict[str, Any] = {}
        for table, entry in database.get("tables", {}).items():
            kept = {k: v for k, v in entry.items() if k not in _CONFIG_TABLE_KEYS}
            moved = {k: v for k, v in entry.items() if k in _CONFIG_TABLE_KEYS}
            if kept:
                described_tables[table] = kept
            if moved:
                config_tables[table] = moved
        if described_tables:
            described_db["tables"] = described_tables
        if config_tables:
            config_db["tables"] = config_tables
        described["databases"][name] = described_db
        config["databases"][name] = config_db
    return described, config


# -- YAML ---------------------------------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Words YAML 1.1 readers (PyYAML among them) take for booleans or null when unquoted.
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _printable(char: str) -> bool:
    """YAML's printable set, less the characters it treats as line breaks inside quotes."""
    code = ord(char)
    if char in "\u2028\u2029\ufeff":
        return False
    return code in (0x09, 0x0A) or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD \
        or code >= 0x10000


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, plus escapes for what YAML would not read back."""
    body = json.dumps(text, ensure_ascii=False)
    return "".join(c if _printable(c) or c in '"\\' else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF
                   else f"\\U{ord(c):08x}" for c in body)


def _literal_ok(text: str) -> bool:
    """Can ``text`` be a literal block (``|-``) that reads back exactly?"""
    lines = text.split("\n")
    return (
        "\n" in text and not text.endswith("\n") and not text.startswith((" ", "\n"))
        and all(_printable(c) and c != "\t" for c in text.replace("\n", ""))
        and all(line == line.rstrip() for line in lines)
    )


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _quoted(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML here")


def _key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError("YAML mapping keys must be strings here")
    if _PLAIN_KEY.fullmatch(key) and key.lower() not in _YAML_WORDS:
        return key
    return _quoted(key)


def _emit(value: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            head = f"{pad}{_key(key)}:"
            if isinstance(item, dict) and item:
                out.append(head)
                _emit(item, indent + 2, out)
            elif isinstance(item, list) and item:
                out.append(head)
                _emit(item, indent + 2, out)
            elif isinstance(item, str) and _literal_ok(item):
                out.append(f"{head} |-")
                out.extend(f"{pad}  {line}" if line else "" for line in item.split("\n"))
            else:
                out.append(f"{head} {_inline(item)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and item:
                nested: list[str] = []
                _emit(item, indent + 2, nested)
                first = nested[0][indent + 2:]
                out.append(f"{pad}- {first}")
                out.extend(nested[1:])
            else:
                out.append(f"{pad}- {_inline(item)}")
    else:
        out.append(f"{pad}{_inline(value)}")


def _inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value)


def to_yaml(data: dict[str, Any]) -> str:
    """``data`` (mappings, lists, strings, ints, booleans, None) as a YAML document."""
    out: list[str] = []
    _emit(data, 0, out)
    return "\n".join(out) + "\n"
