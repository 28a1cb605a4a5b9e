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
SCHEMA_VERSION = 4


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



def _anchored(words: str) -> tuple[Column, ...]:
    """Where a row's words sit in its source (a claim's quote, a citation's words): the selector, flattened."""
    return (
        _c("quote", str, f"The exact words of the source {words}.", True),
        _c("quote_prefix", str, "Text just before the quote in the source.", True),
        _c("quote_suffix", str, "Text just after the quote in the source.", True),
        _c("quote_start", int, "Offset of the quote's first character in the source text.", True),
        _c("quote_end", int, "Offset just past the quote's last character.", True),
    )


def _corrections(thing: str, table: str, key: str, event: str, fields: str) -> Table:
    """The table listing every change curators made to the descriptions in ``table`` (a source's, a work's)."""
    return Table(
        f"{thing}_corrections",
        f"Every change curators made to a {thing}'s description ({event}), one row per field, in log order; "
        f"{table} shows the description with all of them applied.",
        (
            _c(key, str, f"The {thing} whose description was corrected.", True),
            _c("field", str, f"The field changed ({fields}).", True),
            _c("previous_value", str, "What the field said before (null if it was not given)."),
            _c("value", str, "What it says now (null if the correction removed it)."),
            _c("reason", str, "The curator's reason.", True),
            _c("event_id", str, "The correction's event.", True),
            *_RECORDED,
        ),
        pk=f"{key}, position, field",
        foreign_keys=((key, table, key),),
        indexes=(("position",),),
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
            _c("derived_from", str, "For a derived text: the source it was made from."),
            _c("derivation", str, "For a derived text: how it was made from derived_from."),
            _c("original_source_id", str, "The original this text ultimately derives from (itself for an original).",
               True),
            _c("byte_length", int, "Size of the document in bytes.", True),
            _c("char_length", int, "Length of the decoded text in characters (code points); null if not text."),
            _c("text", str, "The decoded text, exactly as stored; quote offsets count its characters."),
            *_RECORDED,
        ),
        pk="source_id",
        foreign_keys=(("derived_from", "sources", "source_id"), ("original_source_id", "sources", "source_id")),
        indexes=(("language",), ("original_source_id",)),
    ),
    Table(
        "entities",
        "People, organisations, offices, places, events and other things the claims are about.",
        (
            _c("entity_id", str, "Identifier chosen by the curator (a readable slug or a UUID).", True),
            _c("kind", str, "person, organisation, office, place, event, award, work or other.", True),
            _c("label", str, "The curator's working label for the entity (English).", True),
            _c("note", str, "Curator's note on the entity."),
            _c("merged_into", str, "If this entity was found to be the same as another: that other entity."),
            _c("current_id", str, "The entity this id stands for after all merges (itself if not merged).", True),
            *_RECORDED,
        ),
        pk="entity_id",
        foreign_keys=(("merged_into", "entities", "entity_id"), ("current_id", "entities", "entity_id")),
        indexes=(("kind",), ("current_id",)),
    ),
    Table(
        "entity_names",
        "Every name an entity goes by, in each language and script the sources use.",
        (
            _c("name_id", str, "Identifier of this name record (the event id that recorded it).", True),
            _c("entity_id", str, "The entity the name was recorded for.", True),
            _c("current_entity_id", str, "The entity that bears the name after all merges.", True),
            _c("name", str, "The name exactly as recorded.", True),
            _c("name_folded", str, "The name with case and accents folded (Хрущёв → хрущев), for searching.",
               True),
            _c("language", str, "Language of the name (BCP 47).", True),
            _c("script", str, "Script of the name (ISO 15924: Latn, Cyrl…), where recorded."),
            _c("preferred", int, "1 if this is the preferred name in its language.", True),
            *_RECORDED,
        ),
        pk="name_id",
        foreign_keys=(("entity_id", "entities", "entity_id"), ("current_entity_id", "entities", "entity_id")),
        indexes=(("entity_id",), ("current_entity_id",), ("name",)),
    ),
    Table(
        "cited_works",
        "Works the sources cite but the archive does not hold (books, articles, memoirs): sources without bytes, "
        "with their bibliographic metadata. Which sources cite them is in citations.",
        (
            _c("work_id", str, "Identifier chosen by the curator (a readable slug such as taubman-2003, or a UUID).",
               True),
            _c("title", str, "Title of the work as published.", True),
            _c("kind", str, "book, chapter, article, newspaper article, memoir, speech, web page or other.", True),
            _c("author", str, "Author, as the curator reads the citation (the citation's own words are in citations)."),
            _c("published", str, "Publication date (EDTF), where known."),
            _c("published_earliest", str, "Earliest day the publication date can mean (ISO, Gregorian); sort by this."),
            _c("publisher", str, "Publisher, journal or newspaper."),
            _c("identifier", str, "ISBN, ISSN, DOI or URL as the citation prints it."),
            _c("language", str, "Language of the work (BCP 47), where known."),
            _c("note", str, "Curator's note on the work."),
            *_RECORDED,
        ),
        pk="work_id",
        indexes=(("kind",), ("published_earliest",)),
    ),
    Table(
        "citations",
        "Where a source cites a work, in the source's own words (a bibliography entry, a mention in the text).",
        (
            _c("citation_id", str, "Identifier of the citation (the event id that recorded it).", True),
            _c("work_id", str, "The work cited.", True),
            _c("source_id", str, "The source that cites it.", True),
            *_anchored("that cite the work"),
            _c("note", str, "Curator's note on the citation."),
            *_RECORDED,
        ),
        pk="citation_id",
        foreign_keys=(("work_id", "cited_works", "work_id"), ("source_id", "sources", "source_id")),
        indexes=(("work_id",), ("source_id", "quote_start")),
    ),
    Table(
        "claims",
        "What the sources say: one row per claim, anchored to the exact quote in its source.",
        (
            _c("claim_id", str, "Identifier of the claim.", True),
            _c("subject_id", str, "The entity the claim is about, as recorded.", True),
            _c("subject_current_id", str, "The subject after all entity merges: browse by this.", True),
            _c("subject_label", str, "Label of the (current) subject entity, for reading and search.", True),
            _c("predicate", str, "What is said of the subject (held_office, member_of, born…).", True),
            _c("object_id", str, "The entity the claim relates the subject to, if any, as recorded."),
            _c("object_current_id", str, "The object entity after all merges."),
            _c("object_label", str, "Label of the (current) object entity, if any."),
            _c("object_literal", str, "A literal value instead of an entity (e.g. a rank), if any."),
            _c("date_as_written", str, "The date exactly as the source words it."),
            _c("date_edtf", str, "The date normalised to EDTF, proleptic Gregorian."),
            _c("date_calendar", str, "Calendar the source used: gregorian, julian or dual."),
            _c("date_original", str, "The source's own (Julian) reading as EDTF, for julian and dual dates."),
            _c("date_earliest", str, "Earliest day the date can mean (ISO, Gregorian); sort by this."),
            _c("date_latest", str, "Latest day the date can mean (ISO, Gregorian)."),
            _c("source_id", str, "The source that makes the claim.", True),
            *_anchored("the claim rests on"),
            _c("note", str, "Curator's note: the claim in plain words, and any judgement made."),
            _c("voice", str, "Who in the source says it: author, reported (someone the author reports) or reader.",
               True),
            _c("speaker", str, "The person speaking, as the source names them (for reported and reader claims)."),
            _c("speaker_id", str, "The speaker as an entity, where catalogued."),
            _c("cited_work_id", str, "The cited work the source gives for the claim (where the reported speaker "
               "says it, or the author's reference), if any."),
            _c("status", str, "asserted, retracted (withdrawn by a curator) or superseded (replaced by a correction).",
               True),
            _c("superseded_by", str, "The correction that replaced this claim, if superseded."),
            _c("rank", str, "The curators' weighing: preferred, normal or deprecated (latest assessment).", True),
            _c("rank_reason", str, "Why the claim has its rank."),
            *_RECORDED,
        ),
        pk="claim_id",
        foreign_keys=(
            ("subject_id", "entities", "entity_id"),
            ("subject_current_id", "entities", "entity_id"),
            ("object_id", "entities", "entity_id"),
            ("object_current_id", "entities", "entity_id"),
            ("speaker_id", "entities", "entity_id"),
            ("source_id", "sources", "source_id"),
            ("cited_work_id", "cited_works", "work_id"),
            ("superseded_by", "claims", "claim_id"),
        ),
        indexes=(("subject_id",), ("subject_current_id", "predicate"), ("object_id",), ("source_id", "quote_start"),
                 ("predicate",), ("date_earliest",), ("cited_work_id",)),
    ),
    Table(
        "claim_history",
        "Every event that touched a claim, in log order: recorded, assessed, retracted, superseded.",
        (
            _c("claim_id", str, "The claim.", True),
            _c("position", int, "Log position of the event.", True),
            _c("event_type", str, "The event's type (ClaimRecorded, ClaimAssessed, ClaimRetracted, ClaimSuperseded).",
               True),
            _c("summary", str, "What the event did to this claim, in words.", True),
            _c("reason", str, "The curator's reason, where the event gives one."),
            _c("curator", str, "Who recorded the event.", True),
            _c("recorded_at", str, "When it was recorded (RFC 3339, UTC).", True),
        ),
        pk="claim_id, position",
        foreign_keys=(("claim_id", "claims", "claim_id"),),
        indexes=(("position",),),
    ),
    Table(
        "conclusions",
        "The archive's own readings (not what a source says), each resting on claims listed in conclusion_claims.",
        (
            _c("conclusion_id", str, "Identifier of the conclusion.", True),
            _c("subject_id", str, "The entity concluded about, as recorded.", True),
            _c("subject_current_id", str, "The subject after all merges.", True),
            _c("subject_label", str, "Label of the (current) subject.", True),
            _c("predicate", str, "What is concluded.", True),
            _c("object_id", str, "Object entity, as recorded."),
            _c("object_current_id", str, "Object entity after all merges."),
            _c("object_label", str, "Label of the (current) object entity."),
            _c("object_literal", str, "A literal value instead of an entity."),
            _c("date_as_written", str, "The date as the curator words it."),
            _c("date_edtf", str, "The date in EDTF (Gregorian)."),
            _c("date_calendar", str, "gregorian, julian or dual."),
            _c("date_original", str, "The Julian reading, for julian and dual dates."),
            _c("date_earliest", str, "Earliest day the date can mean."),
            _c("date_latest", str, "Latest day the date can mean."),
            _c("reason", str, "Why the curators conclude this.", True),
            *_RECORDED,
        ),
        pk="conclusion_id",
        foreign_keys=(
            ("subject_id", "entities", "entity_id"),
            ("subject_current_id", "entities", "entity_id"),
            ("object_id", "entities", "entity_id"),
            ("object_current_id", "entities", "entity_id"),
        ),
        # subject_id and object_id: a merge re-points the rows naming the merged entity (projector.py).
        indexes=(("subject_current_id",), ("subject_id",), ("object_id",)),
    ),
    Table(
        "conclusion_claims",
        "Which claims each conclusion rests on.",
        (
            _c("conclusion_id", str, "The conclusion.", True),
            _c("claim_id", str, "A claim it rests on.", True),
        ),
        pk="conclusion_id, claim_id",
        foreign_keys=(("conclusion_id", "conclusions", "conclusion_id"), ("claim_id", "claims", "claim_id")),
        indexes=(("claim_id",),),
    ),
    _corrections("source", "sources", "source_id", "SourceDescriptionCorrected",
                 "title, language, kind, author, publisher, origin_url, published, retrieved or note"),
    _corrections("work", "cited_works", "work_id", "WorkDescriptionCorrected",
                 "title, kind, author, published, publisher, identifier, language or note"),
    Table(
        "predicates",
        "The predicates of the archive's vocabulary; single-valued ones can conflict between sources.",
        (
            _c("predicate", str, "The predicate as claims use it.", True),
            _c("description", str, "What it means.", True),
            _c("single_valued", int, "1 if it has one true value and time (born, died, occurred).", True),
        ),
        pk="predicate",
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
    "entity_names": ("name", "name_folded"),
    "sources": ("title", "text"),
    "cited_works": ("title", "author", "publisher"),
}

#: How the FTS indexes split words: case- and accent-insensitive, so Hrușciov finds Hrusciov.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

#: A claim that counts: neither withdrawn nor replaced, and not judged worthless.
_ACTIVE = "{t}.status = 'asserted' AND {t}.rank != 'deprecated'"
#: What a claim says, as one comparable value: the current object entity, else the literal, else ''.
_VALUE = "COALESCE({t}.object_current_id, {t}.object_literal, '')"
#: Two claims disagree on the value only when both give one: a claim that names no object (a birth
#: without its place) is silent on it, not saying something else.
_DIFFERENT_VALUES = (f"({_VALUE.format(t='a')} != '' AND {_VALUE.format(t='b')} != '' "
                     f"AND {_VALUE.format(t='a')} != {_VALUE.format(t='b')})")

VIEWS: tuple[View, ...] = (
    View(
        "claim_details",
        "Claims in readable form: who, what, when, according to whom in which source, in which words.",
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
  claims.voice,
  claims.speaker,
  cited_works.title AS cited_work,
  claims.quote,
  claims.status,
  claims.rank,
  claims.note,
  claims.curator,
  claims.recorded_at,
  claims.subject_current_id AS subject_id,
  claims.object_current_id AS object_id,
  claims.source_id,
  claims.cited_work_id
FROM claims
JOIN sources ON sources.source_id = claims.source_id
LEFT JOIN cited_works ON cited_works.work_id = claims.cited_work_id
ORDER BY claims.subject_current_id, claims.date_earliest, claims.source_id, claims.quote_start, claims.claim_id
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
            ("voice", "author, reported or reader."),
            ("speaker", "Who speaks, for reported and reader claims."),
            ("cited_work", "Title of the cited work the source gives for the claim, if any."),
            ("quote", "The source's exact words."),
            ("status", "asserted, retracted or superseded."),
            ("rank", "preferred, normal or deprecated."),
            ("note", "Curator's note."),
            ("curator", "Who recorded the claim."),
            ("recorded_at", "When it was recorded."),
            ("subject_id", "Subject entity id (after merges)."),
            ("object_id", "Object entity id (after merges), if any."),
            ("source_id", "Source id."),
            ("cited_work_id", "Cited work id, if any."),
        ),
    ),
    View(
        "timeline",
        "Dated claims about each entity that still stand (not retracted or superseded), in date order.",
        """
SELECT
  claims.subject_current_id AS entity_id,
  claims.subject_label AS entity,
  claims.date_as_written,
  claims.date_edtf,
  claims.date_earliest,
  claims.date_latest,
  claims.predicate,
  COALESCE(claims.object_label, claims.object_literal) AS object,
  sources.title AS source,
  claims.voice,
  claims.rank,
  claims.quote,
  claims.claim_id
FROM claims
JOIN sources ON sources.source_id = claims.source_id
WHERE claims.date_earliest IS NOT NULL AND claims.status = 'asserted'
ORDER BY claims.subject_current_id, claims.date_earliest, claims.date_latest, claims.predicate, claims.claim_id
""",
        (
            ("entity_id", "The entity the claim is about (after merges)."),
            ("entity", "Its label."),
            ("date_as_written", "The date as the source words it."),
            ("date_edtf", "The date normalised to EDTF."),
            ("date_earliest", "Earliest day the date can mean; the timeline is sorted by it."),
            ("date_latest", "Latest day the date can mean."),
            ("predicate", "What is said."),
            ("object", "Label of the object entity, or the literal value."),
            ("source", "Title of the source."),
            ("voice", "author, reported or reader."),
            ("rank", "preferred, normal or deprecated."),
            ("quote", "The source's exact words."),
            ("claim_id", "The claim."),
        ),
    ),
    View(
        "conflicts",
        "Where sources disagree: pairs of standing claims (not retracted, superseded or deprecated) from different "
        "original sources about the same subject and single-valued predicate, that give different values (a claim "
        "naming no object is silent on it, not different) or dates that cannot overlap. Each pair is listed both "
        "ways round.",
        f"""
SELECT
  a.claim_id,
  b.claim_id AS other_claim_id,
  a.subject_current_id AS subject_id,
  a.subject_label AS subject,
  a.predicate,
  CASE WHEN {_DIFFERENT_VALUES} THEN 'different values' ELSE 'dates cannot overlap' END AS disagreement,
  COALESCE(a.object_label, a.object_literal) AS value,
  COALESCE(b.object_label, b.object_literal) AS other_value,
  a.date_as_written,
  b.date_as_written AS other_date_as_written,
  a.date_edtf,
  b.date_edtf AS other_date_edtf,
  source_a.title AS source,
  source_b.title AS other_source,
  a.quote,
  b.quote AS other_quote
FROM claims a
JOIN claims b ON b.subject_current_id = a.subject_current_id AND b.predicate = a.predicate AND b.claim_id != a.claim_id
JOIN predicates ON predicates.predicate = a.predicate AND predicates.single_valued = 1
JOIN sources source_a ON source_a.source_id = a.source_id
JOIN sources source_b ON source_b.source_id = b.source_id
WHERE {_ACTIVE.format(t="a")} AND {_ACTIVE.format(t="b")}
  AND source_a.original_source_id != source_b.original_source_id
  AND (
    {_DIFFERENT_VALUES}
    OR a.date_latest < b.date_earliest
    OR b.date_latest < a.date_earliest
  )
ORDER BY a.subject_current_id, a.predicate, a.claim_id, b.claim_id
""",
        (
            ("claim_id", "One claim of the pair."),
            ("other_claim_id", "The claim it disagrees with."),
            ("subject_id", "The subject both are about (after merges)."),
            ("subject", "Its label."),
            ("predicate", "The single-valued predicate both use."),
            ("disagreement", "'different values' or 'dates cannot overlap'."),
            ("value", "What the first claim says (object or literal)."),
            ("other_value", "What the other claim says."),
            ("date_as_written", "The first claim's date as written."),
            ("other_date_as_written", "The other claim's date as written."),
            ("date_edtf", "The first claim's date (EDTF)."),
            ("other_date_edtf", "The other claim's date (EDTF)."),
            ("source", "The first claim's source."),
            ("other_source", "The other claim's source."),
            ("quote", "The first claim's words."),
            ("other_quote", "The other claim's words."),
        ),
    ),
    View(
        "corroboration",
        "For each standing claim (not retracted, superseded or deprecated): how many distinct original sources say "
        "at least as much: the same subject and predicate, the same value (any, if the claim names none) and a "
        "date within the claim's (any, if it has none). So '5 March 1953' corroborates '1953', but '1953' does not "
        "corroborate '5 March 1953', nor does an undated claim a dated one. Derived texts count with their "
        "original.",
        f"""
SELECT
  a.claim_id,
  a.subject_label AS subject,
  a.predicate,
  COALESCE(a.object_label, a.object_literal) AS value,
  a.date_edtf,
  COUNT(DISTINCT source_b.original_source_id) AS sources,
  COUNT(DISTINCT b.claim_id) AS claims,
  group_concat(DISTINCT b.claim_id) AS supporting_claims
FROM claims a
JOIN claims b ON b.subject_current_id = a.subject_current_id AND b.predicate = a.predicate
  AND ({_VALUE.format(t="a")} = '' OR {_VALUE.format(t="b")} = {_VALUE.format(t="a")})
  AND (a.date_earliest IS NULL
       OR (a.date_earliest <= b.date_earliest AND b.date_latest <= a.date_latest))
JOIN sources source_b ON source_b.source_id = b.source_id
WHERE {_ACTIVE.format(t="a")} AND {_ACTIVE.format(t="b")}
GROUP BY a.claim_id
ORDER BY sources DESC, a.claim_id
""",
        (
            ("claim_id", "The claim."),
            ("subject", "Its subject."),
            ("predicate", "Its predicate."),
            ("value", "Its object or literal."),
            ("date_edtf", "Its date."),
            ("sources", "Distinct original sources that say at least as much (including its own)."),
            ("claims", "Standing claims that say at least as much (including itself)."),
            ("supporting_claims", "Their ids."),
        ),
    ),
    View(
        "citation_details",
        "Which source cites which work, in which words, with the work's bibliographic data and how many of the "
        "source's claims it gives as their authority.",
        """
SELECT
  citations.citation_id,
  cited_works.title AS work,
  cited_works.author,
  cited_works.published,
  cited_works.kind,
  sources.title AS cited_by,
  sources.language AS cited_by_language,
  citations.quote,
  (SELECT COUNT(*) FROM claims
    WHERE claims.cited_work_id = citations.work_id AND claims.source_id = citations.source_id
      AND claims.status = 'asserted') AS claims,
  citations.note,
  citations.work_id,
  citations.source_id
FROM citations
JOIN cited_works ON cited_works.work_id = citations.work_id
JOIN sources ON sources.source_id = citations.source_id
ORDER BY cited_works.published_earliest, cited_works.title, citations.source_id, citations.quote_start
""",
        (
            ("citation_id", "The citation."),
            ("work", "Title of the work cited."),
            ("author", "Its author."),
            ("published", "When it was published (EDTF)."),
            ("kind", "What sort of work it is."),
            ("cited_by", "Title of the source that cites it."),
            ("cited_by_language", "Language of that source."),
            ("quote", "The source's words that cite the work."),
            ("claims", "Standing claims (not retracted or superseded) of this source that name the work as "
                       "where they come from (counted in every citation of the same source and work)."),
            ("note", "Curator's note on the citation."),
            ("work_id", "The work's id."),
            ("source_id", "The citing source's id."),
        ),
    ),
    View(
        "conclusion_details",
        "The archive's conclusions with the claims they rest on, apart from what the sources say.",
        """
SELECT
  conclusions.conclusion_id,
  conclusions.subject_label AS subject,
  conclusions.predicate,
  COALESCE(conclusions.object_label, conclusions.object_literal) AS object,
  conclusions.date_as_written,
  conclusions.date_edtf,
  conclusions.reason,
  group_concat(conclusion_claims.claim_id, ', ') AS rests_on,
  conclusions.curator,
  conclusions.recorded_at
FROM conclusions
JOIN conclusion_claims ON conclusion_claims.conclusion_id = conclusions.conclusion_id
GROUP BY conclusions.conclusion_id
ORDER BY conclusions.subject_current_id, conclusions.date_earliest, conclusions.conclusion_id
""",
        (
            ("conclusion_id", "The conclusion."),
            ("subject", "What it is about."),
            ("predicate", "What is concluded."),
            ("object", "Object or literal."),
            ("date_as_written", "The date as the curator words it."),
            ("date_edtf", "The date (EDTF)."),
            ("reason", "Why."),
            ("rests_on", "The claims it rests on."),
            ("curator", "Who concluded it."),
            ("recorded_at", "When."),
        ),
    ),
)


def table(name: str) -> Table:
    for candidate in TABLES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
