"""archive.dates: EDTF bounds, the fast path, Julian/Gregorian days, claim date rules, docs/dates.md."""

from __future__ import annotations

import ast
import doctest
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from archive import dates
from archive.dates import (
    CALENDARS,
    Bounds,
    bounds,
    check_claim_date,
    gregorian_to_julian,
    julian_to_gregorian,
    normalise_edtf,
    validate_edtf,
)
from archive.errors import DateError, ValidationError

from . import edtf_corpus as corpus

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "dates.md"


def refusal(value, **kwargs) -> DateError:
    with pytest.raises(DateError) as info:
        bounds(value, **kwargs)
    return info.value


# -- Julian and Gregorian days ----------------------------------------------------

KNOWN_PAIRS = [  # (Julian, Gregorian)
    ((1894, 4, 3), (1894, 4, 15)),  # "3/15 aprilie 1894"
    ((1918, 2, 1), (1918, 2, 14)),  # Russia: Julian 31 January 1918 was followed by Gregorian 14 February
    ((1918, 1, 31), (1918, 2, 13)),
    ((1582, 10, 4), (1582, 10, 14)),  # Rome: Julian 4 October 1582 was followed by Gregorian 15 October
    ((1917, 10, 25), (1917, 11, 7)),  # the October Revolution
    ((1900, 2, 29), (1900, 3, 13)),  # a Julian leap day the Gregorian calendar does not have
    ((1900, 3, 1), (1900, 3, 14)),
    ((1923, 2, 15), (1923, 2, 28)),  # Greece: followed by Gregorian 1 March 1923
    ((1, 1, 3), (1, 1, 1)),
]


@pytest.mark.parametrize(("julian", "gregorian"), KNOWN_PAIRS)
def test_known_julian_gregorian_pairs(julian, gregorian):
    assert julian_to_gregorian(*julian) == gregorian
    assert gregorian_to_julian(*gregorian) == julian


def test_the_day_after_the_switch_follows_the_last_julian_day():
    # Russia: Julian 31 January 1918, then Gregorian 14 February 1918.
    last = date(*julian_to_gregorian(1918, 1, 31))
    assert last + timedelta(days=1) == date(1918, 2, 14)


@pytest.mark.parametrize(("function", "args", "path", "words"), [
    (gregorian_to_julian, (1900, 2, 29), "$.date.edtf", "day 29 does not exist in February 1900 in the Gregorian"),
    (julian_to_gregorian, (1894, 2, 30), "$.date.original", "day 30 does not exist in February 1894 in the Julian"),
    (julian_to_gregorian, (1894, 13, 1), "$.date.original", "month 13 does not exist"),
    (julian_to_gregorian, (1894, 0, 1), "$.date.original", "month 0 does not exist"),
    (julian_to_gregorian, (1894, 4, 0), "$.date.original", "day 0 does not exist"),
    (julian_to_gregorian, (0, 1, 1), "$.date.original", "year 0 is outside"),
    (gregorian_to_julian, (10000, 1, 1), "$.date.edtf", "year 10000 is outside"),
    (julian_to_gregorian, (1, 1, 1), "$.date.original",
     "Julian 0001-01-01 is Gregorian 0000-12-30, outside the years 0001 to 9999"),
    (julian_to_gregorian, (9999, 12, 31), "$.date.original",
     "Julian 9999-12-31 is Gregorian 10000-03-13, outside"),
    (julian_to_gregorian, (1894, "4", 3), "$.date.original", "must be integers"),
    (gregorian_to_julian, (True, 1, 1), "$.date.edtf", "must be integers"),
])
def test_impossible_days_are_refused(function, args, path, words):
    with pytest.raises(DateError) as info:
        function(*args)
    assert info.value.path == path
    assert words in info.value.problem
    assert str(info.value).startswith(f"{path}: ")
    assert repr(args) in str(info.value)


MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
julian_days = st.tuples(st.integers(2, 9998), st.integers(1, 12), st.integers(1, 31)).filter(
    lambda t: t[2] <= (29 if t[1] == 2 and t[0] % 4 == 0 else MONTH_DAYS[t[1] - 1])
)


def _julian_ordinal(year: int, month: int, day: int) -> int:
    """Days since Julian 0001-01-01 counted one by one per month (an oracle independent of the JDN)."""
    days = 365 * (year - 1) + (year - 1) // 4
    for m in range(1, month):
        days += 29 if m == 2 and year % 4 == 0 else MONTH_DAYS[m - 1]
    return days + day


@given(julian_days)
@example((1900, 2, 29))
@example((1582, 10, 4))
def test_julian_to_gregorian_round_trips_and_agrees_with_counting_days(day):
    gregorian = julian_to_gregorian(*day)
    assert gregorian_to_julian(*gregorian) == day
    # Julian 0001-01-01 is Gregorian 0000-12-30: ordinal -1 in Python's proleptic Gregorian count.
    assert date.fromordinal(_julian_ordinal(*day) - 2) == date(*gregorian)


@given(st.dates(date(1, 1, 1), date(9999, 10, 1)))
def test_gregorian_to_julian_round_trips(day):
    julian = gregorian_to_julian(day.year, day.month, day.day)
    assert julian_to_gregorian(*julian) == (day.year, day.month, day.day)
    assert date.fromordinal(_julian_ordinal(*julian) - 2) == day


# -- The EDTF corpus -----------------------------------------------------------------

ACCEPTED = corpus.LEVEL_0 + corpus.LEVEL_1


@pytest.mark.parametrize(("value", "earliest", "latest"), ACCEPTED, ids=[v for v, *_ in ACCEPTED])
def test_specification_examples_are_accepted_with_their_days(value, earliest, latest):
    assert bounds(value) == Bounds(earliest, latest)
    assert validate_edtf(value) is None
    assert normalise_edtf(value) == value


def _library_accepts(value: str) -> bool:
    from edtf import parse_edtf

    return parse_edtf(value, fail_silently=True) is not None


REFUSED = corpus.REFUSED_ON_PURPOSE + corpus.LEVEL_2


@pytest.mark.parametrize(("value", "problem"), REFUSED, ids=[v for v, _ in REFUSED])
def test_valid_edtf_the_archive_does_not_hold_is_refused_with_a_reason(value, problem):
    assert _library_accepts(value), "the corpus lists a value the EDTF parser does not accept"
    error = refusal(value)
    assert error.problem.startswith(problem)


@pytest.mark.parametrize(("value", "problem"), corpus.INVALID, ids=[repr(v)[:30] for v, _ in corpus.INVALID])
def test_invalid_values_are_refused_naming_the_field_and_the_value(value, problem):
    error = refusal(value, path="$.published")
    assert isinstance(error, ValidationError) and isinstance(error, ValueError)
    assert error.problem.startswith(problem)
    assert error.path == "$.published"
    assert error.value == value
    assert str(error).startswith(f"$.published: {error.problem} (got {repr(value)[:40]}")
    with pytest.raises(DateError):
        validate_edtf(value)
    with pytest.raises(DateError):
        normalise_edtf(value)


@pytest.mark.parametrize("value", [None, 1938, b"1938", ["1938"]])
def test_values_that_are_not_strings_are_refused(value):
    error = refusal(value)
    assert error.problem == "an EDTF date must be a string"
    assert error.value == value


@pytest.mark.parametrize("value", ["../1985-13", "../195X", "/..X", "1938-1XZ]", "../"])
def test_refusing_never_writes_to_standard_output(value, capsys):
    refusal(value)
    assert capsys.readouterr().out == ""


def test_a_cached_refusal_names_the_path_of_each_call():
    assert refusal("1938-13", path="$.first").path == "$.first"
    second = refusal("1938-13", path="$.second")
    assert second.path == "$.second"
    assert str(second).startswith("$.second: month 13 does not exist")


def test_bounds_are_never_inverted():
    with pytest.raises(ValueError):
        Bounds("1939-01-01", "1938-12-31")
    assert Bounds("1938-01-01", "1938-01-01").latest == "1938-01-01"


def test_closed_intervals_overlap_when_they_touch():
    assert Bounds("1938-01-01", "1938-06-30").overlaps(Bounds("1938-06-30", "1939-01-01"))
    assert not Bounds("1938-01-01", "1938-06-29").overlaps(Bounds("1938-06-30", "1939-01-01"))


# -- Generated EDTF values ------------------------------------------------------------

DAYS = st.dates(date(1, 1, 1), date(9999, 12, 31))
# Every kind is a value containing a given day; the chains below are ordered finest to coarsest.
CHAINS = [["day", "month", "year", "decade", "century", "millennium"],
          ["day", "day-XX", "month-XX", "decade"],
          ["day", "season", "year~"], ["month", "month~", "year~"]]
SINGLE_KINDS = sorted({k for chain in CHAINS for k in chain})
END_KINDS = ["day", "month", "year", "season"]


def _season(day: date) -> str | None:
    """The season (21-24) holding the day; Jan/Feb belong to the previous year's winter."""
    if day.month <= 2:
        return None if day.year == 1 else f"{day.year - 1:04d}-24"
    return f"{day.year:04d}-{21 + (day.month - 3) // 3}"


def containing(day: date, kind: str) -> str:
    """An EDTF value of the given kind that contains ``day`` (unqualified unless the kind says ~)."""
    iso = day.isoformat()
    y = iso[:4]
    return {
        "day": iso,
        "month": iso[:7],
        "year": y,
        "decade": y[:3] + "X",
        "century": y[:2] + "XX",
        "millennium": y[:1] + "XXX",
        "day-XX": iso[:7] + "-XX",
        "month-XX": y + "-XX",
        "season": _season(day) or y,
        "year~": y + "~",
        "month~": iso[:7] + "~",
    }[kind]


@st.composite
def singles(draw) -> str:
    text = containing(draw(DAYS), draw(st.sampled_from(SINGLE_KINDS))).rstrip("~")
    if re.fullmatch(r"[0-9]{4}-2[1-4]", text):  # a season takes no qualifier on its own
        return text
    return text + draw(st.sampled_from(["", "?", "~", "%"]))


@st.composite
def intervals(draw) -> str:
    first, second = sorted([draw(DAYS), draw(DAYS)])
    start = containing(first, draw(st.sampled_from(END_KINDS))) + draw(st.sampled_from(["", "?", "~", "%"]))
    end = containing(second, draw(st.sampled_from(END_KINDS))) + draw(st.sampled_from(["", "?", "~", "%"]))
    start = draw(st.sampled_from([start] * 4 + ["..", ""]))
    if start in ("..", ""):
        return f"{start}/{end}"
    return f"{start}/{draw(st.sampled_from([end] * 4 + ['..', '']))}"


edtf_values = st.one_of(singles(), intervals())
messy_values = st.one_of(edtf_values, st.text("0123456789X-~?%/. ", max_size=14))


@given(messy_values)
@example("1XXX~")
@example("0001~")
@example("9999-24")
@example("0XXX")
def test_earliest_is_never_after_latest(value):
    try:
        span = bounds(value)
    except DateError:
        return
    assert dates.EARLIEST_DAY <= span.earliest <= span.latest <= dates.LATEST_DAY
    date.fromisoformat(span.earliest), date.fromisoformat(span.latest)


@given(edtf_values)
def test_generated_values_are_accepted_and_round_trip(value):
    parsed = dates._parse_text(value, False)
    assert dates._format_value(parsed) == value
    assert dates._parse_text(dates._format_value(parsed), False) == parsed
    assert normalise_edtf(value) == value
    validate_edtf(value)


@given(edtf_values, edtf_values)
def test_overlap_is_symmetric(a, b):
    first, second = bounds(a), bounds(b)
    assert first.overlaps(second) == second.overlaps(first)
    assert first.overlaps(first)
    shared = max(first.earliest, second.earliest) <= min(first.latest, second.latest)
    assert first.overlaps(second) == shared


@given(DAYS, st.sampled_from(CHAINS), st.data())
def test_a_coarser_value_contains_a_finer_one_and_sorts_no_later(day, chain, data):
    i = data.draw(st.integers(0, len(chain) - 1))
    j = data.draw(st.integers(i, len(chain) - 1))
    finer, coarser = bounds(containing(day, chain[i])), bounds(containing(day, chain[j]))
    assert coarser.contains(finer)
    assert coarser.earliest <= finer.earliest
    assert coarser.earliest <= day.isoformat() <= coarser.latest


@given(st.lists(edtf_values, min_size=2, max_size=8))
def test_sorting_by_earliest_then_latest_descending_puts_containers_first(values):
    spans = [bounds(v) for v in values]
    spans.sort(key=lambda s: s.latest, reverse=True)
    spans.sort(key=lambda s: s.earliest)  # stable: latest descending within one earliest
    for i, before in enumerate(spans):
        for after in spans[i + 1:]:
            if after.contains(before):
                assert after == before


@given(intervals())
def test_an_interval_runs_from_its_start_to_its_end(value):
    span = bounds(value)
    start, end = value.split("/")
    seasonal = re.compile(r"[0-9]{4}-2[1-4][?~%]")  # a qualified season is not a value on its own
    if start in ("", ".."):
        assert span.earliest == dates.EARLIEST_DAY
    elif seasonal.fullmatch(start):
        assert span.earliest <= bounds(start[:-1]).earliest
    else:
        assert span.earliest == bounds(start).earliest
    if end in ("", ".."):
        assert span.latest == dates.LATEST_DAY
    elif seasonal.fullmatch(end):
        assert span.latest >= bounds(end[:-1]).latest
    else:
        assert span.latest == bounds(end).latest


@given(DAYS, st.sampled_from(SINGLE_KINDS))
def test_uncertain_does_not_widen_and_approximate_does(day, kind):
    plain = containing(day, kind).rstrip("~")
    assume(not re.fullmatch(r"[0-9]{4}-2[1-4]", plain))
    assert bounds(plain + "?") == bounds(plain)
    about = bounds(plain + "~")
    assert bounds(plain + "%") == about
    assert about.contains(bounds(plain))
    if dates.EARLIEST_DAY < bounds(plain).earliest:
        assert about.earliest < bounds(plain).earliest
    if bounds(plain).latest < dates.LATEST_DAY:
        assert about.latest > bounds(plain).latest


@pytest.mark.parametrize(("value", "earliest", "latest"), [
    ("1938-03-01~", "1938-02-28", "1938-03-02"),  # one day
    ("1940-03-01~", "1940-02-29", "1940-03-02"),
    ("1938-01~", "1937-12-01", "1938-02-28"),  # one month
    ("1938-21~/1938", "1937-12-01", "1938-12-31"),  # one season
    ("1938~", "1937-01-01", "1939-12-31"),  # one year
    ("193X%", "1920-01-01", "1949-12-31"),  # one decade
    ("19XX~", "1800-01-01", "2099-12-31"),  # one century
    ("1938-XX~", "1937-01-01", "1939-12-31"),  # precision year
    ("1938-03-XX~", "1938-02-01", "1938-04-30"),  # precision month
    ("0001-01-01~", "0001-01-01", "0001-01-02"),  # stops at the far bounds
    ("9999~", "9998-01-01", "9999-12-31"),
])
def test_widening_is_one_unit_of_the_precision(value, earliest, latest):
    assert bounds(value) == Bounds(earliest, latest)


# -- The fast path ---------------------------------------------------------------

@st.composite
def level0_like(draw) -> str:
    """YYYY[-MM[-DD]][q] and intervals of two, with months 00-13 and days 00-32 (some invalid)."""

    def one() -> str:
        text = f"{draw(st.integers(0, 9999)):04d}"
        if draw(st.booleans()):
            text += f"-{draw(st.integers(0, 13)):02d}"
            if draw(st.booleans()):
                text += f"-{draw(st.integers(0, 32)):02d}"
        return text + draw(st.sampled_from(["", "", "?", "~", "%"]))

    first = one()
    return first if draw(st.booleans()) else f"{first}/{one()}"


@given(st.one_of(level0_like(), edtf_values, st.from_regex(r"\A([0-9]{3}X|[0-9]{2}XX)\Z")))
@example("186X")
@example("19XX")
@example("000X")
@example("00XX")
@example("1894-02-29")
@example("2000-02-29")
@example("1939/1936")
@example("0000")
@example("1938-04?/1938-03")
def test_fast_path_equals_library_path(value):
    fast = dates._fast_bounds(value)
    library = dates._library_bounds(value)
    if fast is not None:
        assert fast == library
    shape = dates._FAST_RE.fullmatch(value)
    if isinstance(library, Bounds) and shape and all(m is None or m <= "12" for m in shape.group(2, 7)):
        assert fast is not None, "the fast path gives up on a valid value of its own shape (not a season)"


@given(st.one_of(level0_like(), edtf_values))
@example("1900-02-29")  # a Julian leap day the Gregorian calendar does not have
@example("1900-02-30")
@example("1901-02-29")
@example("1900-02")  # 29 days in the Julian calendar
@example("1582-10-05/1582-10-14")
@example("0001-01-01")
@example("0001-01-01~")  # widening stops at the far bounds
@example("9999-12-31~")
@example("1923-12-31?")
@example("1938-21")  # a season: the library's
@example("1939/1936")
@example("1894-04-03/1894-04-02")
@example("0000")
@example("1938-04?/1938-03")
def test_julian_fast_path_equals_library_path(value):
    # The Julian reading (a claim's original) has its own fast path; it must
    # agree with the edtf library in every field of the analysis, and give up
    # (so the library words the error) on everything the library refuses.
    fast = dates._fast_julian(value)
    library = dates._library_julian(value)
    if fast is not None:
        assert fast == library
    shape = dates._FAST_RE.fullmatch(value)
    if isinstance(library, dates._Analysis) and shape and all(m is None or m <= "12" for m in shape.group(2, 7)):
        assert fast is not None, "the Julian fast path gives up on a valid value of its own shape (not a season)"


def test_julian_fast_path_and_library_path_word_errors_alike():
    # check_claim_date goes through the cached entry point; a value the fast
    # path refuses must still fail with the library path's message.
    dates._cached_julian.cache_clear()
    err = claim_error(edtf="1894-03-14", calendar="julian", original="1894-02-30")
    assert err.path == "$.date.original"
    assert "day 30 does not exist in February 1894 in the Julian calendar" in str(err)
    assert dates._fast_julian("1894-02-30") is None


@given(edtf_values)
def test_level_0_and_1_grammar_parses_as_the_full_edtf_grammar(value):
    _, level01, parse_full = dates._library()
    ours, theirs = level01.parse_string(value, parse_all=True)[0], parse_full(value)
    assert type(ours) is type(theirs)
    assert str(ours) == str(theirs) == value


def test_bounds_answers_repeated_values_from_its_cache():
    dates._cached_bounds.cache_clear()
    bounds("1953-03~")
    bounds("1953-03~")
    info = dates._cached_bounds.cache_info()
    assert (info.hits, info.misses) == (1, 1)


# -- A claim's date -----------------------------------------------------------------

def claim_error(**kwargs) -> DateError:
    kwargs.setdefault("as_written", "in those days")
    with pytest.raises(DateError) as info:
        check_claim_date(**kwargs)
    return info.value


def test_a_gregorian_date_needs_no_original():
    assert check_claim_date(as_written="Em 1938", edtf="1938") is None
    error = claim_error(edtf="1938", original="1938")
    assert error.path == "$.date.original"


@pytest.mark.parametrize("as_written", ["", " 1938", "1938 ", "\t1938", None, 1938])
def test_as_written_is_non_empty_without_surrounding_spaces(as_written):
    error = claim_error(as_written=as_written, edtf="1938", path="$.claims[3].date")
    assert error.path == "$.claims[3].date.as_written"
    assert error.value == as_written


@pytest.mark.parametrize("calendar", ["Julian", "old style", "", None, "revolutionary"])
def test_an_unknown_calendar_is_refused_listing_the_allowed_ones(calendar):
    error = claim_error(edtf="1938", calendar=calendar)
    assert error.path == "$.date.calendar"
    assert error.value == calendar
    assert all(name in str(error) for name in CALENDARS)


def test_a_bad_edtf_is_reported_at_the_edtf_field():
    error = claim_error(edtf="1938-13", path="$.x")
    assert error.path == "$.x.edtf"


@pytest.mark.parametrize("calendar", ["julian", "dual"])
def test_a_julian_day_must_be_converted_exactly(calendar):
    check_claim_date(as_written="3/15 aprilie 1894", edtf="1894-04-15", calendar=calendar, original="1894-04-03")
    error = claim_error(edtf="1894-04-03", calendar=calendar, original="1894-04-03")
    assert error.path == "$.date.edtf"
    assert "is 1894-04-15 in the Gregorian calendar" in error.problem
    assert error.hint == "set edtf to '1894-04-15'"


def test_julian_leap_days_are_julian_in_original():
    check_claim_date(as_written="29 februarie 1900 (stil vechi)", edtf="1900-03-13", calendar="julian",
                     original="1900-02-29")
    error = claim_error(edtf="1900-03-13", calendar="julian", original="1900-02-30")
    assert error.path == "$.date.original"


def test_julian_intervals_of_days_convert_end_by_end():
    check_claim_date(as_written="x", edtf="1917-11-07?/..", calendar="julian", original="1917-10-25?/..")
    check_claim_date(as_written="x", edtf="1918-02-13/1918-02-14", calendar="julian", original="1918-01-31/1918-02-01")
    error = claim_error(edtf="1917-11-07/..", calendar="julian", original="1917-10-25?/..")
    assert "1917-11-07?/.." in error.problem


def test_a_coarser_julian_date_must_overlap_edtf():
    check_claim_date(as_written="aprilie 1894", edtf="1894-04", calendar="julian", original="1894-04")
    check_claim_date(as_written="aprilie 1894", edtf="1894-05", calendar="julian", original="1894-04")
    error = claim_error(edtf="1894-06", calendar="julian", original="1894-04")
    assert error.path == "$.date.edtf"
    assert "1894-04-13..1894-05-12" in error.problem


def test_julian_dates_end_with_1923():
    check_claim_date(as_written="x", edtf="1924-01-13", calendar="julian", original="1923-12-31")
    check_claim_date(as_written="x", edtf="1923/1924", calendar="dual", original="1923/1924")
    error = claim_error(edtf="1924-01-14", calendar="julian", original="1924-01-01")
    assert error.path == "$.date.original"
    assert dates.LAST_JULIAN_DAY in error.problem


def test_a_julian_date_needs_original():
    error = claim_error(edtf="1894-04-15", calendar="dual")
    assert error.path == "$.date.original"
    error = claim_error(edtf="1894-04-15", calendar="julian", original="1894-04-3")
    assert error.path == "$.date.original"


def test_a_julian_day_before_the_gregorian_years_is_refused_at_original():
    error = claim_error(edtf="0001-01-01", calendar="julian", original="0001-01-01")
    assert error.path == "$.date.original"
    assert "outside the years 0001 to 9999" in error.problem


@given(st.dates(date(1000, 1, 1), date(1923, 12, 18)), st.sampled_from(["julian", "dual"]))
def test_generated_julian_days_pass_and_a_day_off_fails(gregorian, calendar):
    julian = gregorian_to_julian(gregorian.year, gregorian.month, gregorian.day)
    original = f"{julian[0]:04d}-{julian[1]:02d}-{julian[2]:02d}"
    check_claim_date(as_written="x", edtf=gregorian.isoformat(), calendar=calendar, original=original)
    wrong = (gregorian + timedelta(days=1)).isoformat()
    error = claim_error(edtf=wrong, calendar=calendar, original=original)
    assert error.hint == f"set edtf to {gregorian.isoformat()!r}"


# -- docs/dates.md ---------------------------------------------------------------------

class MarkdownDocTestParser(doctest.DocTestParser):
    """Doctests in Markdown: fence lines end an example's expected output."""

    def parse(self, string, name="<string>"):
        return super().parse(re.sub(r"(?m)^```.*$", "", string), name)


def test_the_examples_in_docs_dates_run():
    results = doctest.testfile(str(DOCS), module_relative=False, parser=MarkdownDocTestParser(),
                               optionflags=doctest.ELLIPSIS, verbose=False)
    assert results.attempted >= 15
    assert results.failed == 0


def test_the_examples_in_the_module_run():
    results = doctest.testmod(dates, verbose=False)
    assert results.attempted >= 3
    assert results.failed == 0


def tables(text: str) -> dict[tuple[str, ...], list[list[str]]]:
    """Markdown tables by their header row; cells without surrounding backticks."""
    found: dict[tuple[str, ...], list[list[str]]] = {}
    rows: list[list[str]] = []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
            continue
        if len(rows) > 2:
            found.setdefault(tuple(rows[0]), []).extend(rows[2:])
        rows = []
    return found


def cell(text: str) -> str:
    text = text.strip("`")
    return ast.literal_eval(text) if text.startswith('"') else text


DOC_TABLES = tables(DOCS.read_text(encoding="utf-8"))


def doc_rows(*header: str) -> list[list[str]]:
    rows = DOC_TABLES.get(header, [])
    return rows or [["(the table is missing from docs/dates.md)"] * len(header)]


@pytest.mark.parametrize("row", doc_rows("EDTF", "meaning", "earliest", "latest"), ids=lambda r: r[0])
def test_the_bounds_table_in_the_docs(row):
    value, _, earliest, latest = row
    assert bounds(cell(value)) == Bounds(earliest, latest)


@pytest.mark.parametrize("row", doc_rows("Julian", "Gregorian", "what happened"), ids=lambda r: r[0])
def test_the_julian_table_in_the_docs(row):
    julian, gregorian = (tuple(int(part) for part in cell(text).split("-")) for text in row[:2])
    assert julian_to_gregorian(*julian) == gregorian


@pytest.mark.parametrize("row", doc_rows("you write", "the archive says"), ids=lambda r: r[0])
def test_the_refusals_table_in_the_docs(row):
    value = cell(row[0])
    error = refusal(value)
    assert error.problem == row[1]
    assert str(error).startswith(f"$.date.edtf: {row[1]} (got {value!r})")
