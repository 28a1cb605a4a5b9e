"""Hypothesis strategies for the archive's values and events, shared by every test module.

Import them as ``from .strategies import claim_recorded, texts`` (tests is a package). The names
below are a stable interface: other test modules rely on them, so extend rather than rename.

Values
    ``event_ids()``          canonical lower-case UUID strings (random versions, like the log accepts).
    ``timestamps()``         timezone-aware UTC datetimes with microseconds, years 2000 to 2100.
    ``curators()``           curator names: realistic handles and arbitrary :func:`texts`.
    ``slugs()``              entity and claim ids matching ``archive.validation.ID_PATTERN``.
    ``predicates()``         predicates matching ``PREDICATE_PATTERN`` (``held_office``).
    ``languages()``          BCP 47 tags matching ``LANGUAGE_PATTERN`` (``pt``, ``ro-RO``, ``sr-Latn``).
    ``scripts()``            ISO 15924 script codes (``Latn``, ``Cyrl``).
    ``source_ids()``         ``sha256:`` + 64 lower-case hex digits (of nothing in particular).
    ``media_types()``        realistic text and non-text media types, charsets Python knows.
    ``filenames()``          file names (never paths, never ``.`` or ``..``).
    ``gregorian_edtf()``     simple EDTF values: valid ``YYYY``, ``YYYY-MM`` and ``YYYY-MM-DD``.
    ``texts(max_size=200)``  text valid for any text field of the model: non-blank, no white space at
                             either end, no control characters (no Cc at all, no surrogates), and
                             rich in non-ASCII: Cyrillic, Romanian ș ț, combining accents, curly
                             quotes, non-breaking spaces, emoji with zero-width joiners.
    ``notes(max_size=600)``  free text for ``note`` fields: :func:`texts` joined by line breaks.
    ``source_texts()``       a document's text: :func:`texts` joined by spaces and line breaks.
    ``selectors(text)``      a ``TextSelector`` anchored in ``text`` (its quote is ``text[start:end]``,
                             not blank, with up to 32 code points of prefix and suffix).
    ``claim_dates()``        ``ClaimDate`` values: Gregorian ``YYYY``/``YYYY-MM``/``YYYY-MM-DD``, and
                             Julian or dual days whose ``original`` is the Julian day and ``edtf`` its
                             Gregorian conversion by ``archive.dates.julian_to_gregorian``.

Events (each passes ``archive.codec`` and its JSON Schema, and keeps the rules of one event that
``archive.validation`` checks without the log: no claim with two objects, a reported voice names
its speaker, a derived text says how it was derived, no merge of an entity into itself. They are
*not* referentially consistent: a claim's subject and source are not recorded anywhere)
    ``source_recorded()``       current version (2); a third are derived texts.
    ``entity_recorded()``, ``name_recorded()`` (version 2)
    ``claim_recorded()``        current version (3), every voice, sometimes naming a cited work.
    ``claim_retracted()``, ``claim_superseded()``, ``claim_assessed()``
    ``conclusion_recorded()``, ``entities_merged()``, ``entity_split()``
    ``work_recorded()``, ``work_cited()``   cited works and their citations.
    ``reasons()``               the ``reason`` text of the retractions … splits.
    ``EVENT_STRATEGIES``        ``{type name: strategy}`` for every event class the codec knows.
    ``events()``                any one of them.
    ``name_recorded_v1_dicts()``    dicts of NameRecorded version 1 (``lang``, no script/preferred).
    ``source_recorded_v1_dicts()``  dicts of SourceRecorded version 1 (no derived_from/derivation).
    ``claim_recorded_v1_dicts()``   dicts of ClaimRecorded version 1 (no voice/speaker/speaker_id/cited_work_id).
    ``claim_recorded_v2_dicts()``   dicts of ClaimRecorded version 2 (no cited_work_id).
    ``OLD_VERSIONS``            ``{(type, version): (renamed fields, missing fields)}`` of superseded versions.
    ``downgrade(event, v)``     the dict version ``v`` of the event's type would hold.
    ``OLD_VERSION_STRATEGIES``  ``{(type, version): strategy}`` for every superseded version.
    ``event_dicts()``           tagged dicts as stored: ``to_dict`` of :func:`events`, or an old version.

Every event's optional fields are sometimes set and sometimes left at their default.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from archive.codec import to_dict
from archive.dates import LAST_JULIAN_DAY, julian_to_gregorian
from archive.model import (
    CLEARABLE_FIELDS,
    ENTITY_KINDS,
    WORK_CLEARABLE_FIELDS,
    RANKS,
    VOICES,
    WORK_KINDS,
    ClaimAssessed,
    ClaimDate,
    ClaimRecorded,
    ClaimRetracted,
    ClaimSuperseded,
    ConclusionRecorded,
    EntitiesMerged,
    EntityRecorded,
    EntitySplit,
    NameRecorded,
    SourceDescriptionCorrected,
    SourceRecorded,
    TextSelector,
    WorkCited,
    WorkDescriptionCorrected,
    WorkRecorded,
)
from archive.validation import ID_PATTERN, LANGUAGE_PATTERN, PREDICATE_PATTERN, SCRIPT_PATTERN

__all__ = [
    "event_ids",
    "timestamps",
    "curators",
    "slugs",
    "predicates",
    "languages",
    "scripts",
    "source_ids",
    "media_types",
    "filenames",
    "gregorian_edtf",
    "texts",
    "notes",
    "source_texts",
    "selectors",
    "claim_dates",
    "reasons",
    "source_recorded",
    "entity_recorded",
    "name_recorded",
    "claim_recorded",
    "claim_retracted",
    "claim_superseded",
    "claim_assessed",
    "conclusion_recorded",
    "entities_merged",
    "entity_split",
    "work_recorded",
    "work_cited",
    "EVENT_STRATEGIES",
    "events",
    "name_recorded_v1_dicts",
    "source_recorded_v1_dicts",
    "claim_recorded_v1_dicts",
    "claim_recorded_v2_dicts",
    "OLD_VERSIONS",
    "downgrade",
    "OLD_VERSION_STRATEGIES",
    "event_dicts",
]

# -- text ---------------------------------------------------------------------

#: Characters that make text handling go wrong when it is careless: Cyrillic (with ё and a
#: combining acute, as in "Ники́та"), Romanian comma-below letters and their cedilla look-alikes,
#: Portuguese accents, combining marks, curly and angle quotes, dashes, a non-breaking and a thin
#: space, emoji (one outside the BMP, a ZWJ family, a flag), and CJK.
_TRICKY = (
    "ХрущёвНикитаСергеевичИосифСталинъьЁё"
    "șțȘȚşţăâîĂÂÎ"
    "ãçéêíóõúÇ"
    "\u0301\u0300\u0308\u0327"
    "„“”‘’«»‹›—–…"
    "\u00a0\u2009 "
    "🙂🇷🇴👨\u200d👩\u200d👧"
    "漢字"
    "aeiou Kiev"
)

#: Realistic values from the Khrushchev corpus and around it.
_PHRASES = (
    "Nikita Khrushchev",
    "Krushchev",
    "Hrușciov",
    "Hruşciov",
    "Никита Хрущёв",
    "Ники\u0301та Серге\u0301евич Хрущёв",
    "Carreira política sob Stalin",
    "enviado a Kiev como primeiro secretário da organização do partido ucraniano",
    "3/15 aprilie 1894",
    "„Discursul Secret”",
    "“The Rise of Khrushchev”",
    "Đóńńęŕ˙ âĺđńč˙",
    "caf\u00e9 vs cafe\u0301",
    "Um ano depois",
    "🙂",
)

_TEXT_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))
#: Zero-width characters: short text may hold them, but not at either end, and not only them.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"


def _tidy(text: str) -> str:
    """``text`` without white space or zero-width characters at either end (what short text must be)."""
    while text != (tidied := text.strip().strip(_INVISIBLE)):
        text = tidied
    return text


def texts(max_size: int = 200) -> st.SearchStrategy[str]:
    """Strings valid for every text field of the model, at most ``max_size`` code points.

    Non-blank, stripped of white space and zero-width characters at both ends, free of control
    characters and line or paragraph separators. A third are drawn from
    all of Unicode (but Cc and Cs), a third from :data:`_TRICKY` characters and a third are
    realistic phrases, so non-ASCII text shows up in nearly every example.
    """
    if max_size < 1:
        raise ValueError("max_size must be at least 1")
    phrases = [p for p in _PHRASES if len(p) <= max_size]
    options = [
        st.text(_TEXT_CHARACTERS, min_size=1, max_size=max_size),
        st.text(st.sampled_from(_TRICKY), min_size=1, max_size=max_size),
    ]
    if phrases:
        options.append(st.sampled_from(phrases))
    return st.one_of(options).map(_tidy).filter(bool)


def notes(max_size: int = 600) -> st.SearchStrategy[str]:
    """Free text for ``note`` fields: one or more :func:`texts` joined by line breaks."""
    part = max(1, max_size // 4)
    return st.lists(texts(part), min_size=1, max_size=4).map("\n".join).filter(lambda s: len(s) <= max_size)


def source_texts(max_size: int = 400) -> st.SearchStrategy[str]:
    """The text of a document: :func:`texts` joined by spaces, line breaks and blank lines."""
    separators = st.sampled_from([" ", "\n", "\n\n", " \u00a0", "\r\n"])
    part = max(1, max_size // 5)
    return st.lists(st.tuples(texts(part), separators), min_size=1, max_size=5).map(
        lambda pieces: "".join(text + sep for text, sep in pieces)[:max_size]
    )


# -- identifiers and tags ------------------------------------------------------

def event_ids() -> st.SearchStrategy[str]:
    """Canonical lower-case UUID strings (versions 1, 3, 4, 5 as hypothesis draws them)."""
    return st.uuids().map(str)


def timestamps() -> st.SearchStrategy[datetime]:
    """Timezone-aware UTC datetimes, microseconds included, from 2000 to 2100."""
    return st.datetimes(
        min_value=datetime(2000, 1, 1), max_value=datetime(2100, 12, 31, 23, 59, 59, 999_999),
        timezones=st.just(timezone.utc),
    ).map(lambda moment: moment.replace(fold=0))  # fold means nothing in UTC; keep reprs plain


def curators() -> st.SearchStrategy[str]:
    """Who records events: team handles, personal names in several scripts, arbitrary texts."""
    handles = st.sampled_from(["founding-team", "ana", "Ioana Țurcanu", "Мария Петрова"])
    return st.one_of(handles, texts(60))


def slugs() -> st.SearchStrategy[str]:
    """Entity and claim ids: realistic slugs, UUIDs, and anything ``ID_PATTERN`` matches."""
    return st.one_of(
        st.sampled_from(["khrushchev", "stalin", "kiev", "s000-c24", "first-secretary-communist-party-of-ukraine",
                         "urn:archive:1.2"]),
        st.uuids().map(str),
        st.from_regex(ID_PATTERN, fullmatch=True),
    )


def predicates() -> st.SearchStrategy[str]:
    """Snake_case predicates: the corpus's and anything ``PREDICATE_PATTERN`` matches."""
    return st.one_of(
        st.sampled_from(["held_office", "sent_to", "member_of", "candidate_member_of", "awarded", "born_in"]),
        st.from_regex(PREDICATE_PATTERN, fullmatch=True),
    )


def languages() -> st.SearchStrategy[str]:
    """BCP 47 tags: common ones and anything ``LANGUAGE_PATTERN`` matches."""
    return st.one_of(
        st.sampled_from(["pt", "pt-BR", "ro", "ro-RO", "ru", "uk", "en", "en-GB", "sr-Latn", "sl-IT-nedis",
                         "de-CH-1901", "ru-petr1708", "la-x-medieval"]),
        st.from_regex(LANGUAGE_PATTERN, fullmatch=True),
    )


def scripts() -> st.SearchStrategy[str]:
    """ISO 15924 script codes: ``Latn``, ``Cyrl`` and anything ``SCRIPT_PATTERN`` matches."""
    return st.one_of(st.sampled_from(["Latn", "Cyrl", "Grek", "Hans"]), st.from_regex(SCRIPT_PATTERN, fullmatch=True))


def source_ids() -> st.SearchStrategy[str]:
    """``sha256:<hex>`` ids (of random bytes: no such source is stored anywhere)."""
    return st.binary(max_size=32).map(lambda b: "sha256:" + hashlib.sha256(b).hexdigest())


def media_types() -> st.SearchStrategy[str]:
    """Media types that decode (text with a charset Python knows) and some that are not text."""
    return st.sampled_from([
        "text/plain; charset=utf-8",
        "text/plain",
        "text/plain;charset=\"utf-8\"",
        "text/html; charset=windows-1251",
        "text/markdown; charset=utf-8",
        "application/pdf",
        "image/jpeg",
    ])


def filenames() -> st.SearchStrategy[str]:
    """File names, never paths."""
    return st.one_of(
        st.sampled_from(["000_86313e570668b3cd.txt", "scrisoare.txt", "письмо 1938.txt", ".hidden"]),
        texts(80).map(lambda s: s.replace("/", "_").replace("\\", "_")).filter(lambda s: s not in (".", "..")),
    )


# -- dates ---------------------------------------------------------------------

def gregorian_edtf() -> st.SearchStrategy[str]:
    """Valid level-0 EDTF values: a year, a month or a day, from 1000 to 2100."""
    return st.tuples(st.dates(date(1000, 1, 1), date(2100, 12, 31)), st.sampled_from([4, 7, 10])).map(
        lambda pair: pair[0].isoformat()[: pair[1]]
    )


_RO_MONTHS = ("ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
              "octombrie", "noiembrie", "decembrie")
_PT_MONTHS = ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro",
              "novembro", "dezembro")


def _julian_month_length(year: int, month: int) -> int:
    return 29 if month == 2 and year % 4 == 0 else [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]


@st.composite
def _gregorian_dates(draw) -> ClaimDate:
    edtf = draw(gregorian_edtf())
    year = edtf[:4]
    if len(edtf) == 10:
        words = f"{int(edtf[8:])} de {_PT_MONTHS[int(edtf[5:7]) - 1]} de {year}"
    elif len(edtf) == 7:
        words = f"{_PT_MONTHS[int(edtf[5:7]) - 1]} de {year}"
    else:
        words = f"Em {year}"
    as_written = draw(st.one_of(st.just(words), texts(60)))
    return ClaimDate(as_written=as_written, edtf=edtf)


@st.composite
def _julian_dates(draw) -> ClaimDate:
    last = date.fromisoformat(LAST_JULIAN_DAY)
    year = draw(st.integers(1000, last.year))
    month = draw(st.integers(1, 12))
    # Julian leap years include 1700, 1800 and 1900: 29 February 1900 Old Style is 13 March 1900.
    day = draw(st.integers(1, _julian_month_length(year, month)))
    gy, gm, gd = julian_to_gregorian(year, month, day)
    edtf = f"{gy:04d}-{gm:02d}-{gd:02d}"
    assume(edtf <= LAST_JULIAN_DAY)
    kind = draw(st.sampled_from(["julian", "dual"]))
    if kind == "dual":
        if (gy, gm) == (year, month):
            words = f"{day}/{gd} {_RO_MONTHS[month - 1]} {year}"
        else:
            words = f"{day} {_RO_MONTHS[month - 1]} {year} / {gd} {_RO_MONTHS[gm - 1]} {gy}"
    else:
        words = f"{day} {_RO_MONTHS[month - 1]} {year} (stil vechi)"
    as_written = draw(st.one_of(st.just(words), texts(60)))
    return ClaimDate(as_written=as_written, edtf=edtf, calendar=kind, original=f"{year:04d}-{month:02d}-{day:02d}")


def claim_dates() -> st.SearchStrategy[ClaimDate]:
    """Dates of claims: Gregorian years, months and days; Julian and dual days up to 1923."""
    return st.one_of(_gregorian_dates(), _julian_dates())


# -- selectors -----------------------------------------------------------------

@st.composite
def selectors(draw, text: str) -> TextSelector:
    """A selector of a non-blank stretch of ``text``, with up to 32 code points of context.

    ``text`` must hold a non-space character outside control characters (any :func:`source_texts`
    or :func:`texts` value does). Offsets count code points, as :mod:`archive.text` does.
    """
    anchors = [i for i, ch in enumerate(text) if not ch.isspace()]
    if not anchors:
        raise ValueError(f"no quote can be selected in the blank text {text!r}")
    anchor = draw(st.sampled_from(anchors))
    start = draw(st.integers(0, anchor))
    end = draw(st.integers(anchor + 1, len(text)))
    exact = text[start:end]
    assume(all(ch in "\t\n\r" or not (ord(ch) < 32 or ord(ch) == 127) for ch in exact))
    before = draw(st.integers(0, min(32, start)))
    after = draw(st.integers(0, min(32, len(text) - end)))
    return TextSelector(exact=exact, start=start, end=end, prefix=text[start - before:start],
                        suffix=text[end:end + after])


# -- events --------------------------------------------------------------------

def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _envelope() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({"event_id": event_ids(), "recorded_at": timestamps(), "curator": curators()})


def reasons() -> st.SearchStrategy[str]:
    """Why a curator changed something: a realistic sentence or :func:`notes`."""
    return st.one_of(
        st.sampled_from([
            "Misread: the quote is about Kaganovich, not Khrushchev.",
            "A later passage of the same source gives 1939.",
            "Krushchev is the Portuguese text's variant spelling of Khrushchev.",
        ]),
        notes(300),
    )


@st.composite
def source_recorded(draw) -> SourceRecorded:
    """A ``SourceRecorded`` with every optional field sometimes set; a third are derived texts."""
    source_id = draw(source_ids())
    derived = draw(st.booleans()) and draw(st.booleans())
    derived_from = draw(source_ids().filter(lambda other: other != source_id)) if derived else None
    return SourceRecorded(
        **draw(_envelope()),
        source_id=source_id,
        title=draw(texts(120)),
        language=draw(languages()),
        media_type=draw(media_types()),
        filename=draw(filenames()),
        kind=draw(_maybe(st.one_of(st.sampled_from(["encyclopedia article", "web page", "blog post"]), texts(40)))),
        author=draw(_maybe(texts(60))),
        publisher=draw(_maybe(texts(60))),
        origin_url=draw(_maybe(st.sampled_from(["https://www.allrussias.com/soviet_russia/khrushchev_1.asp",
                                                 "https://ro.wikipedia.org/wiki/Nikita_Hru%C8%99ciov"]))),
        published=draw(_maybe(gregorian_edtf())),
        retrieved=draw(_maybe(gregorian_edtf())),
        note=draw(_maybe(notes())),
        derived_from=derived_from,
        derivation=draw(st.one_of(
            st.just("The mojibake line re-decoded: its bytes were read as windows-1250, they are windows-1251."),
            notes(300))) if derived else None,
    )


def _correction(draw, values: dict[str, st.SearchStrategy[str]], clearable: tuple[str, ...]) -> dict[str, Any]:
    """Some fields given, some others cleared, never none: what a correction of a description changes."""
    given = draw(st.sets(st.sampled_from(sorted(values))))
    left = [name for name in clearable if name not in given]
    cleared = draw(st.lists(st.sampled_from(left), unique=True, min_size=0 if given else 1)) if left else []
    return {"cleared": tuple(cleared), **{name: draw(values[name]) for name in sorted(given)}}


@st.composite
def source_description_corrected(draw) -> SourceDescriptionCorrected:
    """A ``SourceDescriptionCorrected`` giving some fields and removing some others, never none."""
    values = {
        "title": texts(120), "language": languages(), "kind": texts(40), "author": texts(60), "publisher": texts(60),
        "origin_url": st.just("https://www.allrussias.com/soviet_russia/khrushchev_1.asp"),
        "published": gregorian_edtf(), "retrieved": gregorian_edtf(),
        "note": notes(),  # lines of texts(): never blank, as a correction's note must not be
    }
    return SourceDescriptionCorrected(**draw(_envelope()), source_id=draw(source_ids()), reason=draw(reasons()),
                                      **_correction(draw, values, CLEARABLE_FIELDS))


@st.composite
def work_description_corrected(draw) -> WorkDescriptionCorrected:
    """A ``WorkDescriptionCorrected`` giving some fields and removing some others, never none."""
    values = {
        "title": texts(120), "kind": st.sampled_from(WORK_KINDS), "author": texts(60), "published": gregorian_edtf(),
        "publisher": texts(60), "identifier": st.sampled_from(["ISBN 978-0-393-32484-6", "ISSN 0024-3019"]),
        "language": languages(), "note": notes(),
    }
    return WorkDescriptionCorrected(**draw(_envelope()), work_id=draw(slugs()), reason=draw(reasons()),
                                    **_correction(draw, values, WORK_CLEARABLE_FIELDS))


@st.composite
def entity_recorded(draw) -> EntityRecorded:
    """An ``EntityRecorded`` of any kind, sometimes with a note."""
    return EntityRecorded(
        **draw(_envelope()),
        entity_id=draw(slugs()),
        kind=draw(st.sampled_from(ENTITY_KINDS)),
        label=draw(texts(100)),
        note=draw(_maybe(notes())),
    )


@st.composite
def name_recorded(draw) -> NameRecorded:
    """A ``NameRecorded`` (version 2), sometimes with a script, sometimes preferred."""
    return NameRecorded(
        **draw(_envelope()),
        entity_id=draw(slugs()),
        name=draw(texts(100)),
        language=draw(languages()),
        script=draw(_maybe(scripts())),
        preferred=draw(st.booleans()),
    )


@st.composite
def _statement(draw) -> dict[str, Any]:
    """Predicate, object (an entity, a literal or none, never both) and date of a claim or conclusion."""
    obj = draw(st.sampled_from(["none", "id", "literal"]))
    return {
        "subject_id": draw(slugs()),
        "predicate": draw(predicates()),
        "object_id": draw(slugs()) if obj == "id" else None,
        "object_literal": draw(texts(100)) if obj == "literal" else None,
        "date": draw(_maybe(claim_dates())),
    }


@st.composite
def claim_recorded(draw) -> ClaimRecorded:
    """A ``ClaimRecorded`` (version 3) whose selector is anchored in a text of its own (not a stored source).

    It has an entity object, a literal object or none, never both; sometimes a date and a note.
    Its voice is the author's (the default) or a reported or reader voice with a speaker, a
    speaker entity or both. Author and reported claims sometimes name a cited work.
    """
    text = draw(source_texts())
    voice = draw(st.sampled_from(VOICES))
    speaker = speaker_id = None
    if voice != "author":
        named = draw(st.sampled_from(["speaker", "speaker_id", "both"]))
        if named in ("speaker", "both"):
            speaker = draw(st.one_of(st.sampled_from(["Taubman", "William Taubman", "Anonymous"]), texts(60)))
        if named in ("speaker_id", "both"):
            speaker_id = draw(slugs())
    elif draw(st.booleans()) and draw(st.booleans()):
        speaker = draw(texts(60))  # an author may be named too
    return ClaimRecorded(
        **draw(_envelope()),
        **draw(_statement()),
        claim_id=draw(slugs()),
        source_id=draw(source_ids()),
        selector=draw(selectors(text)),
        note=draw(_maybe(notes())),
        voice=voice,
        speaker=speaker,
        speaker_id=speaker_id,
        cited_work_id=draw(_maybe(slugs())) if voice != "reader" else None,
    )


@st.composite
def claim_retracted(draw) -> ClaimRetracted:
    """A ``ClaimRetracted`` of some claim id."""
    return ClaimRetracted(**draw(_envelope()), claim_id=draw(slugs()), reason=draw(reasons()))


@st.composite
def claim_superseded(draw) -> ClaimSuperseded:
    """A ``ClaimSuperseded``: some claim id replaced by another."""
    claim_id = draw(slugs())
    return ClaimSuperseded(**draw(_envelope()), claim_id=claim_id,
                           by_claim_id=draw(slugs().filter(lambda other: other != claim_id)), reason=draw(reasons()))


@st.composite
def claim_assessed(draw) -> ClaimAssessed:
    """A ``ClaimAssessed`` of any rank."""
    return ClaimAssessed(**draw(_envelope()), claim_id=draw(slugs()), rank=draw(st.sampled_from(RANKS)),
                         reason=draw(reasons()))


@st.composite
def conclusion_recorded(draw) -> ConclusionRecorded:
    """A ``ConclusionRecorded`` resting on one to four distinct claim ids."""
    return ConclusionRecorded(
        **draw(_envelope()),
        **draw(_statement()),
        conclusion_id=draw(slugs()),
        rests_on=tuple(draw(st.lists(slugs(), min_size=1, max_size=4, unique=True))),
        reason=draw(reasons()),
    )


@st.composite
def entities_merged(draw) -> EntitiesMerged:
    """An ``EntitiesMerged`` of two different entity ids."""
    entity_id = draw(slugs())
    return EntitiesMerged(**draw(_envelope()), entity_id=entity_id,
                          into_id=draw(slugs().filter(lambda other: other != entity_id)), reason=draw(reasons()))


@st.composite
def entity_split(draw) -> EntitySplit:
    """An ``EntitySplit`` of some entity id."""
    return EntitySplit(**draw(_envelope()), entity_id=draw(slugs()), reason=draw(reasons()))


@st.composite
def work_recorded(draw) -> WorkRecorded:
    """A ``WorkRecorded`` of any kind, every optional field sometimes set."""
    return WorkRecorded(
        **draw(_envelope()),
        work_id=draw(slugs()),
        title=draw(st.one_of(st.sampled_from(["Russia: A History", "Khrushchev: The Man and His Era"]), texts(120))),
        kind=draw(st.sampled_from(WORK_KINDS)),
        author=draw(_maybe(texts(60))),
        published=draw(_maybe(gregorian_edtf())),
        publisher=draw(_maybe(texts(60))),
        identifier=draw(_maybe(st.sampled_from(["ISBN 978-0-393-32484-6", "ISSN 0024-3019"]))),
        language=draw(_maybe(languages())),
        note=draw(_maybe(notes())),
    )


@st.composite
def work_cited(draw) -> WorkCited:
    """A ``WorkCited`` whose selector is anchored in a text of its own (not a stored source)."""
    return WorkCited(
        **draw(_envelope()),
        work_id=draw(slugs()),
        source_id=draw(source_ids()),
        selector=draw(selectors(draw(source_texts()))),
        note=draw(_maybe(notes())),
    )


#: One strategy per event class the codec knows, by type name.
EVENT_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "SourceRecorded": source_recorded(),
    "SourceDescriptionCorrected": source_description_corrected(),
    "EntityRecorded": entity_recorded(),
    "NameRecorded": name_recorded(),
    "ClaimRecorded": claim_recorded(),
    "ClaimRetracted": claim_retracted(),
    "ClaimSuperseded": claim_superseded(),
    "ClaimAssessed": claim_assessed(),
    "ConclusionRecorded": conclusion_recorded(),
    "EntitiesMerged": entities_merged(),
    "EntitySplit": entity_split(),
    "WorkRecorded": work_recorded(),
    "WorkCited": work_cited(),
    "WorkDescriptionCorrected": work_description_corrected(),
}


def events() -> st.SearchStrategy[Any]:
    """Any event of the current versions, of any type."""
    return st.one_of(list(EVENT_STRATEGIES.values()))


#: How each superseded (type, version) differs from the current version of its type:
#: ({current field name: its old name}, current fields the old version did not have).
OLD_VERSIONS: dict[tuple[str, int], tuple[dict[str, str], tuple[str, ...]]] = {
    ("SourceRecorded", 1): ({}, ("derived_from", "derivation")),
    ("NameRecorded", 1): ({"language": "lang"}, ("script", "preferred")),
    ("ClaimRecorded", 1): ({}, ("voice", "speaker", "speaker_id", "cited_work_id")),
    ("ClaimRecorded", 2): ({}, ("cited_work_id",)),
}


def downgrade(event: Any, version: int) -> dict[str, Any]:
    """The dict an old version of ``event``'s type would hold for it (see :data:`OLD_VERSIONS`)."""
    rename, drop = OLD_VERSIONS[(event.TYPE, version)]
    data = {rename.get(k, k): v for k, v in to_dict(event).items() if k not in drop}
    data["version"] = version
    return data


def name_recorded_v1_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Tagged dicts of NameRecorded version 1 as an old log holds them: ``lang``, no script, no preferred."""
    return name_recorded().map(lambda e: downgrade(e, 1))


def source_recorded_v1_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Tagged dicts of SourceRecorded version 1: no derived_from, no derivation."""
    return source_recorded().map(lambda e: downgrade(e, 1))


def claim_recorded_v1_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Tagged dicts of ClaimRecorded version 1: no voice, speaker, speaker_id or cited_work_id."""
    return claim_recorded().map(lambda e: downgrade(e, 1))


def claim_recorded_v2_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Tagged dicts of ClaimRecorded version 2: no cited_work_id."""
    return claim_recorded().map(lambda e: downgrade(e, 2))


#: Dicts of every superseded (type, version) the codec still reads.
OLD_VERSION_STRATEGIES: dict[tuple[str, int], st.SearchStrategy[dict[str, Any]]] = {
    ("SourceRecorded", 1): source_recorded_v1_dicts(),
    ("NameRecorded", 1): name_recorded_v1_dicts(),
    ("ClaimRecorded", 1): claim_recorded_v1_dicts(),
    ("ClaimRecorded", 2): claim_recorded_v2_dicts(),
}


def event_dicts() -> st.SearchStrategy[dict[str, Any]]:
    """Tagged event dicts as stored: current events through ``to_dict``, and dicts of old versions."""
    return st.one_of(events().map(to_dict), *OLD_VERSION_STRATEGIES.values())
