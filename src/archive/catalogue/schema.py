"""Every table, column and view of the catalogue, with what it means.

This is the one place the catalogue's shape is written down: the projector
creates tables from it, the ``_documentation`` table and Datasette metadata are
generated from it, and docs/catalogue.md is checked against it.

Naming follows the dogsheep tools: plural snake_case tables, ``<thing>_id``
foreign keys declared at creation, ``_``-prefixed bookkeeping tables, full-text
search in ``<table>_fts``.
"""

from __future__ import annotations

import attrs

__all__ = ["Column", "Table", "View", "TABLES", "VIEWS", "SCHEMA_VERSION", "FTS", "table"]

#: Bump when the catalogue's shape changes; ``update`` then asks for a rebuild.
SCHEMA_VERSION = 1


@attrs.frozen
class Column:
    name: str
    type: type  # str, int
    description: str
    not_null: bool = False


@attrs.frozen
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    pk: str
    foreign_keys: tuple[tuple[str, str, str], ...] = ()  # (column, other table, other column)
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


@attrs.frozen
class View:
    name: str
    description: str
    sql: str
    columns: tuple[tuple[str, str], ...]  # (name, meaning)


def _c(name: str, kind: type, description: str, not_null: bool = False) -> Column:
    return Column(name, kind, description, not_null)


_RECORDED = (
    _c("curator", str, "Who recorded the event this row comes from.", True),
    _c("recorded_at", str, "When it was recorded (RFC 3339, UTC).", True),
    _c("position", int, "Log position of the event this row comes from.", True),
)

TABLES: tuple[Table, ...] = (
    Table(
        "sources",
        "Source documents held by the archive, one row per document, with their metadata and full text.",
        (
            _c("source_id", str, "Content address of the document's exact bytes: sha256:<hex>.", True),
            _c("title", str, "Title of the document.", True),
            _c("language", str, "Language of the document (BCP 47 tag, e.g. pt, ro, en).", True),
            _c("media_type", str, "Media type of the bytes, with charset for text.", True),
            _c("filename", str, "File name the document was delivered under.", True),
            _c("kind", str, "What sort of text it is (encyclopedia article, web page, blog post…)."),
            _c("author", str, "Author, where the document states one."),
            _c("publisher", str, "Publisher or web site."),
            _c("origin_url", str, "Where the document was retrieved from."),
            _c("published", str, "Publication date (EDTF), where known."),
            _c("retrieved", str, "Retrieval date (EDTF), where known."),
            _c("note", str, "Curator's note on the document."),
            _c("byte_length", int, "Size of the document in bytes.", True),
            _c("char_length", int, "Length of the decoded text in characters (code points); null if not text."),
            _c("text", str, "The decoded text, exactly as stored; quote offsets count its characters."),
            *_RECORDED,
        ),
        pk="source_id",
        indexes=(("language",),),
    ),
    Table(
        "entities",
        "People, organisations, offices, places, events and other things the claims are about.",
        (
            _c("entity_id", str, "Identifier chosen by the curator (a readable slug or a UUID).", True),
            _c("kind", str, "person, organisation, office, place, event, award, work or other.", True),
            _c("label", str, "The curator's working label for the entity (English).", True),
            _c("note", str, "Curator's note on the entity."),
            *_RECORDED,
        ),
        pk="entity_id",
        indexes=(("kind",),),
    ),
    Table(
        "entity_names",
        "Every name an entity goes by, in each language and script the sources use.",
        (
            _c("name_id", str, "Identifier of this name record (the event id that recorded it).", True),
            _c("entity_id", str, "The entity that bears the name.", True),
            _c("name", str, "The name exactly as recorded.", True),
            _c("language", str, "Language of the name (BCP 47).", True),
            _c("script", str, "Script of the name (ISO 15924: Latn, Cyrl…), where recorded."),
            _c("preferred", int, "1 if this is the preferred name in its language.", True),
            *_RECORDED,
        ),
        pk="name_id",
        foreign_keys=(("entity_id", "entities", "entity_id"),),
        indexes=(("entity_id",), ("name",)),
    ),
    Table(
        "claims",
        "What the sources say: one row per claim, anchored to the exact quote in its source.",
        (
            _c("claim_id", str, "Identifier of the claim.", True),
            _c("subject_id", str, "The entity the claim is about.", True),
            _c("subject_label", str, "Label of the subject entity (for reading and full-text search).", True),
            _c("predicate", str, "What is said of the subject (held_office, member_of, born…).", True),
            _c("object_id", str, "The entity the claim relates the subject to, if any."),
            _c("object_label", str, "Label of the object entity, if any."),
            _c("object_literal", str, "A literal value instead of an entity (e.g. a rank), if any."),
            _c("date_as_written", str, "The date exactly as the source words it."),
            _c("date_edtf", str, "The date normalised to EDTF, proleptic Gregorian."),
            _c("date_calendar", str, "Calendar the source used: gregorian, julian or dual."),
            _c("date_original", str, "The source's own (Julian) reading as EDTF, for julian and dual dates."),
            _c("date_earliest", str, "Earliest day the date can mean (ISO, Gregorian); sort by this."),
            _c("date_latest", str, "Latest day the date can mean (ISO, Gregorian)."),
            _c("source_id", str, "The source that makes the claim.", True),
            _c("quote", str, "The exact words of the source the claim rests on.", True),
            _c("quote_prefix", str, "Text just before the quote in the source.", True),
            _c("quote_suffix", str, "Text just after the quote in the source.", True),
            _c("quote_start", int, "Offset of the quote's first character in the source text.", True),
            _c("quote_end", int, "Offset just past the quote's last character.", True),
            _c("note", str, "Curator's note: the claim in plain words, and any judgement made."),
            *_RECORDED,
        ),
        pk="claim_id",
        foreign_keys=(
            ("subject_id", "entities", "entity_id"),
            ("object_id", "entities", "entity_id"),
            ("source_id", "sources", "source_id"),
        ),
        indexes=(("subject_id",), ("object_id",), ("source_id", "quote_start"), ("predicate",), ("date_earliest",)),
    ),
    Table(
        "_catalogue",
        "Bookkeeping: the log position and head hash this catalogue was built from.",
        (
            _c("id", int, "Always 1: there is one row.", True),
            _c("schema_version", int, "Version of the catalogue's shape.", True),
            _c("log_position", int, "Last log position applied.", True),
            _c("log_head_hash", str, "Hash of the event at log_position (the log's hash chain).", True),
        ),
        pk="id",
    ),
    Table(
        "_documentation",
        "What every table, view and column of this catalogue means.",
        (
            _c("table_name", str, "Table or view.", True),
            _c("column_name", str, "Column, or empty for the table itself.", True),
            _c("description", str, "What it means.", True),
        ),
        pk="table_name, column_name",
    ),
)

#: Full-text search: table -> searchable columns.
FTS: dict[str, tuple[str, ...]] = {
    "claims": ("subject_label", "predicate", "object_label", "object_literal", "date_as_written", "quote", "note"),
    "entity_names": ("name",),
    "sources": ("title", "text"),
}

#: How the FTS indexes split words: case- and accent-insensitive, so Hrușciov finds Hrusciov.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

VIEWS: tuple[View, ...] = (
    View(
        "claim_details",
        "Claims in readable form: who, what, when, according to which source, in which words.",
        """
SELECT
  claims.claim_id,
  claims.subject_label AS subject,
  claims.predicate,
  COALESCE(claims.object_label, claims.object_literal) AS object,
  claims.date_as_written,
  claims.date_edtf,
  claims.date_earliest,
  claims.date_latest,
  sources.title AS source,
  sources.language AS source_language,
  claims.quote,
  claims.note,
  claims.curator,
  claims.recorded_at,
  claims.subject_id,
  claims.object_id,
  claims.source_id
FROM claims
JOIN sources ON sources.source_id = claims.source_id
ORDER BY claims.subject_id, claims.date_earliest, claims.source_id, claims.quote_start, claims.claim_id
""",
        (
            ("claim_id", "Identifier of the claim."),
            ("subject", "Label of the entity the claim is about."),
            ("predicate", "What is said of the subject."),
            ("object", "Label of the object entity, or the literal value."),
            ("date_as_written", "The date as the source words it."),
            ("date_edtf", "The date normalised to EDTF."),
            ("date_earliest", "Earliest day the date can mean."),
            ("date_latest", "Latest day the date can mean."),
            ("source", "Title of the source."),
            ("source_language", "Language of the source."),
            ("quote", "The source's exact words."),
            ("note", "Curator's note."),
            ("curator", "Who recorded the claim."),
            ("recorded_at", "When it was recorded."),
            ("subject_id", "Subject entity id."),
            ("object_id", "Object entity id, if any."),
            ("source_id", "Source id."),
        ),
    ),
)


VIEWS = VIEWS + (
    View(
        "timeline",
        "Every dated claim about each entity, in date order: a biography as the sources tell it.",
        """
SELECT
  claims.subject_id AS entity_id,
  claims.subject_label AS entity,
  claims.date_as_written,
  claims.date_edtf,
  claims.date_earliest,
  claims.date_latest,
  claims.predicate,
  COALESCE(claims.object_label, claims.object_literal) AS object,
  sources.title AS source,
  claims.quote,
  claims.claim_id
FROM claims
JOIN sources ON sources.source_id = claims.source_id
WHERE claims.date_earliest IS NOT NULL
ORDER BY claims.subject_id, claims.date_earliest, claims.date_latest, claims.predicate, claims.claim_id
""",
        (
            ("entity_id", "The entity the claim is about."),
            ("entity", "Its label."),
            ("date_as_written", "The date as the source words it."),
            ("date_edtf", "The date normalised to EDTF."),
            ("date_earliest", "Earliest day the date can mean; the timeline is sorted by it."),
            ("date_latest", "Latest day the date can mean."),
            ("predicate", "What is said."),
            ("object", "Label of the object entity, or the literal value."),
            ("source", "Title of the source."),
            ("quote", "The source's exact words."),
            ("claim_id", "The claim."),
        ),
    ),
)


def table(name: str) -> Table:
    for candidate in TABLES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
