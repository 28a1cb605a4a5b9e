"""Historians' dates: EDTF values, the days they cover, Julian and Gregorian days.

A claim keeps its date three ways (see docs/dates.md): ``as_written``, the words
of the source; ``edtf``, a normalised value in the Library of Congress Extended
Date/Time Format, always read in the proleptic Gregorian calendar so that every
date sorts on one time line; and, when the source counts in the Julian calendar,
``original``, the Julian reading as EDTF.

The archive accepts EDTF levels 0 and 1 for the years 0001 to 9999: a year,
month or day (``1938``, ``1953-03``, ``1953-03-01``); a season (``1938-21`` …
``1938-24``); unspecified digits on the right (``195X``, ``19XX``, ``1953-XX``,
``1953-03-XX``, ``1953-XX-XX``); a qualifier on a whole date (``?`` uncertain,
``~`` approximate, ``%`` both); and intervals of dates or seasons, each end
optionally qualified, open (``..``) or unknown (empty). Level 2, times of day,
negative years and ``Y`` long years are refused with a message that says so.

Which parser, and why. Parsing uses the ``edtf`` package (python-edtf, 5.x):
it is maintained, pure Python on top of pyparsing and python-dateutil, covers
levels 0, 1 and 2 of the 2019 specification, and turns every value it parses
back into the same string, which our round trip relies on. We also looked at
``undate`` (0.x): it has calendar support, but it needs numpy, lark and
convertdate, does not parse seasons, writes ``1985-04-12/..`` back as
``1985-04-12/`` (open and unknown ends become one thing) and drops qualifiers
when it formats. We take only the *grammar* from ``edtf``; the days a value
covers are computed here, because ``edtf``'s own bounds follow rules we do not
want (``?`` widens a value as ``~`` does, an unknown end is ten years away, winter
is December alone) and its grammar lets 29 February through in every year; we
check the day against the calendar ourselves.

Speed. ``edtf`` needs about 1 to 2 ms for one value even when asked for levels 0
and 1 only (about 5 ms with its level 2 alternatives). Bounds are computed for
every claim when a catalogue is built, so :func:`bounds` first tries a small
regular expression for the common level-0 shapes (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD``, each with an optional qualifier, and intervals of two of them),
falls back to ``edtf`` for everything else, and keeps recent answers in an LRU
cache. Anything the fast path finds wrong is handed to the library path, so
every error message comes from one place; tests check with generated values
that both paths give the same bounds. ``edtf`` (and pyparsing) is imported only
when the first value needs it.
"""

from __future__ import annotations

import contextlib
import functools
import io
import re
import threading
from typing import Any

import attrs

from archive.errors import DateError

__all__ = [
    "CALENDARS",
    "EARLIEST_DAY",
    "LATEST_DAY",
    "LAST_JULIAN_DAY",
    "Bounds",
    "bounds",
    "validate_edtf",
    "normalise_edtf",
    "julian_to_gregorian",
    "gregorian_to_julian",
    "check_claim_date",
]

CALENDARS = ("gregorian", "julian", "dual")

#: The far bounds: an open or unknown interval end, and any widening that would
#: leave the years 0001–9999, stops here (ISO days, proleptic Gregorian).
EARLIEST_DAY = "0001-01-01"
LATEST_DAY = "9999-12-31"

#: The last Julian day a claim may start on: Greece, the last country to leave
#: the Julian calendar for civil use, switched in February 1923.
LAST_JULIAN_DAY = "1923-12-31"

#: Values longer than this are refused before any parsing (a date is short).
MAX_LENGTH = 100

_FORMS_HINT = (
    "write EDTF, e.g. 1938, 1953-03, 1953-03-01, 1936/1939, 195X, 1938?, 1938~ "
    "(see docs/dates.md)"
)


# --------------------------------------------------------------------------
# Bounds
# --------------------------------------------------------------------------


@attrs.frozen
class Bounds:
    """The first and last day an EDTF value can mean (ISO days, proleptic Gregorian).

    Both are ``YYYY-MM-DD`` strings with four-digit years, so comparing the
    strings compares the days, and ``ORDER BY earliest`` sorts chronologically.
    """

    earliest: str
    latest: str = attrs.field()

    @latest.validator
    def _check(self, _attribute: Any, value: str) -> None:
        if value < self.earliest:
            raise ValueError(f"latest {value!r} is before earliest {self.earliest!r}")

    def overlaps(self, other: "Bounds") -> bool:
        """True when the two closed intervals share at least one day."""
        return self.earliest <= other.latest and other.earliest <= self.latest

    def contains(self, other: "Bounds") -> bool:
        """True when every day of ``other`` is also a day of this interval."""
        return self.earliest <= other.earliest and other.latest <= self.latest


# --------------------------------------------------------------------------
# Calendar arithmetic (Julian Day Numbers)
# --------------------------------------------------------------------------


def _gregorian_jdn(year: int, month: int, day: int) -> int:
    """Julian Day Number of a proleptic Gregorian date (valid for years > -4800)."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def _julian_jdn(year: int, month: int, day: int) -> int:
    """Julian Day Number of a proleptic Julian date (valid for years > -4800)."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083


def _jdn_to_gregorian(jdn: int) -> tuple[int, int, int]:
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return (
        100 * b + d - 4800 + m // 10,
        m + 3 - 12 * (m // 10),
        e - (153 * m + 2) // 5 + 1,
    )


def _jdn_to_julian(jdn: int) -> tuple[int, int, int]:
    c = jdn + 32082
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return (
        d - 4800 + m // 10,
        m + 3 - 12 * (m // 10),
        e - (153 * m + 2) // 5 + 1,
    )


def _jdn(year: int, month: int, day: int, julian: bool) -> int:
    return _julian_jdn(year, month, day) if julian else _gregorian_jdn(year, month, day)


def _is_leap(year: int, julian: bool) -> bool:
    if julian:
        return year % 4 == 0
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June", "July",
    "August", "September", "October", "November", "December",
)  # fmt: skip


def _days_in_month(year: int, month: int, julian: bool) -> int:
    if month == 2 and _is_leap(year, julian):
        return 29
    return _MONTH_DAYS[month - 1]


_MIN_JDN = _gregorian_jdn(1, 1, 1)
_MAX_JDN = _gregorian_jdn(9999, 12, 31)
_LAST_JULIAN_JDN = _julian_jdn(1923, 12, 31)


def _iso(jdn: int) -> str:
    year, month, day = _jdn_to_gregorian(jdn)
    return f"{year:04d}-{month:02d}-{day:02d}"


def _calendar_name(julian: bool) -> str:
    return "Julian" if julian else "Gregorian"


def _check_day(year: Any, month: Any, day: Any, julian: bool, path: str) -> None:
    """Raise DateError unless (year, month, day) is a day of the calendar, years 1..9999."""
    value = (year, month, day)
    name = _calendar_name(julian)
    if not all(isinstance(part, int) and not isinstance(part, bool) for part in value):
        raise DateError("year, month and day must be integers", path=path, value=value)
    if not 1 <= year <= 9999:
        raise DateError(
            f"year {year} is outside the years 0001 to 9999 the archive holds", path=path, value=value
        )
    if not 1 <= month <= 12:
        raise DateError(f"month {month} does not exist", path=path, value=value, hint="months are 1 to 12")
    last = _days_in_month(year, month, julian)
    if not 1 <= day <= last:
        raise DateError(
            f"day {day} does not exist in {_MONTH_NAMES[month - 1]} {year:04d} "
            f"in the {name} calendar ({last} days)",
            path=path,
            value=value,
        )


def _convert(year: int, month: int, day: int, *, julian_in: bool, path: str) -> tuple[int, int, int]:
    _check_day(year, month, day, julian_in, path)
    jdn = _jdn(year, month, day, julian_in)
    result = _jdn_to_gregorian(jdn) if julian_in else _jdn_to_julian(jdn)
    if not 1 <= result[0] <= 9999:
        # Say what the day becomes: "0001-01-01 falls outside the years 0001 to 9999" reads as a contradiction.
        source, target = _calendar_name(julian_in), _calendar_name(not julian_in)
        raise DateError(
            f"{source} {year:04d}-{month:02d}-{day:02d} is {target} {_signed_year(result[0])}-{result[1]:02d}-"
            f"{result[2]:02d}, outside the years 0001 to 9999 that dates can have",
            path=path,
            value=(year, month, day),
        )
    return result


def _signed_year(year: int) -> str:
    return f"{year:04d}" if year >= 0 else f"-{-year:04d}"


def julian_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The proleptic Gregorian (year, month, day) of a proleptic Julian day.

    Years 1 to 9999 in both calendars. Julian 29 February exists in every year
    divisible by 4 (1900 too). Raises :class:`DateError` (path ``$.date.original``,
    where the Julian reading of a claim lives) for a day that does not exist or a
    result outside the years 0001–9999 (Julian 0001-01-01 and 0001-01-02 are still
    in the year 0 of the Gregorian calendar).

    >>> julian_to_gregorian(1894, 4, 3)
    (1894, 4, 15)
    """
    return _convert(year, month, day, julian_in=True, path="$.date.original")


def gregorian_to_julian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The proleptic Julian (year, month, day) of a proleptic Gregorian day.

    Raises :class:`DateError` (path ``$.date.edtf``, where the Gregorian reading of a
    claim lives) for a day that does not exist, e.g. Gregorian 1900-02-29.

    >>> gregorian_to_julian(1918, 2, 14)
    (1918, 2, 1)
    """
    return _convert(year, month, day, julian_in=False, path="$.date.edtf")


# --------------------------------------------------------------------------
# The parsed form of an EDTF value (our own; the library only recognises it)
# --------------------------------------------------------------------------

OPEN = ".."  # an interval end that does not exist (still going on, or "since ever")
UNKNOWN = ""  # an interval end that exists but is not known


@attrs.frozen
class _Point:
    """One date of level 0/1, spelt as in EDTF.

    ``year`` is four characters, digits then ``X``s (``1938``, ``195X``);
    ``month`` is ``01``–``12``, ``XX`` or a season ``21``–``24``; ``day`` is
    ``01``–``31`` or ``XX``; ``qualifier`` is ``""``, ``?``, ``~`` or ``%``.
    """

    year: str
    month: str | None = None
    day: str | None = None
    qualifier: str = ""


@attrs.frozen
class _Value:
    """A single date (``end is None``) or an interval; interval ends may be OPEN/UNKNOWN."""

    start: _Point | str
    end: _Point | str | None = None


def _format_point(point: _Point) -> str:
    text = point.year
    if point.month is not None:
        text += "-" + point.month
        if point.day is not None:
            text += "-" + point.day
    return text + point.qualifier


def _format_value(value: _Value) -> str:
    """The EDTF string of a parsed value (the inverse of parsing)."""

    def part(end: _Point | str) -> str:
        return end if isinstance(end, str) else _format_point(end)

    if value.end is None:
        return part(value.start)
    return f"{part(value.start)}/{part(value.end)}"


class _Bad(Exception):
    """Internal: what is wrong with a value (turned into DateError with a path)."""

    def __init__(self, problem: str, hint: str | None = _FORMS_HINT):
        super().__init__(problem)
        self.problem = problem
        self.hint = hint


# -- The days a point covers -------------------------------------------------

_SEASON_FIRST_MONTH = {"21": 3, "22": 6, "23": 9, "24": 12}  # spring, summer, autumn, winter
_YEAR_RE = re.compile(r"[0-9]{1,4}X{0,3}")
# Widening for ~ and %: one unit of the precision written, in months (days: 1 day).
_UNIT_MONTHS_BY_X = (12, 120, 1200, 12000)  # year, decade, century, millennium
_LEVEL2_HINT = "use a level 1 form instead, e.g. 1938?/1939, 195X or 1938-05~ (see docs/dates.md)"
_RANGE_HINT = "the archive holds the years 0001 to 9999; keep the source's words in as_written"


def _first_day(month_index: int, julian: bool) -> int:
    year, month0 = divmod(month_index, 12)
    return _jdn(year, month0 + 1, 1, julian)


def _last_day(month_index: int, julian: bool) -> int:
    return _first_day(month_index + 1, julian) - 1


def _clamp(jdn: int) -> int:
    return _MIN_JDN if jdn < _MIN_JDN else _MAX_JDN if jdn > _MAX_JDN else jdn


def _point_span(point: _Point, julian: bool) -> tuple[int, int, int, int]:
    """(strict first, strict last, widened first, widened last) days as JDNs.

    Strict days are what the date says; widened days add the approximation
    margin of ``~`` and ``%``. All four are clamped to 0001-01-01..9999-12-31.
    Raises _Bad for a date that does not exist.
    """
    year = point.year
    if year.startswith("-"):
        raise _Bad("years before 0001 cannot be stored", _RANGE_HINT)
    if len(year) != 4 or not _YEAR_RE.fullmatch(year):
        if "X" in year and len(year) == 4:
            raise _Bad(
                "uses EDTF level 2 (unspecified digits that are not at the right of the year), "
                "which the archive does not support",
                _LEVEL2_HINT,
            )
        raise _Bad("a year has four digits", _FORMS_HINT)
    digits = year.rstrip("X")
    n_x = 4 - len(digits)
    if n_x == 0 and year == "0000":
        raise _Bad("year 0000 cannot be stored", _RANGE_HINT)
    y_lo = int(digits) * 10**n_x
    y_hi = y_lo + 10**n_x - 1
    month, day = point.month, point.day
    exact: int | None = None
    if month is None or month == "XX":
        if day is not None and day != "XX":
            raise _Bad("a day needs a month", _FORMS_HINT)
        first, last = y_lo * 12, y_hi * 12 + 11
        unit = _UNIT_MONTHS_BY_X[n_x]
    elif month in _SEASON_FIRST_MONTH:
        if day is not None or n_x:
            raise _Bad(f"season {month} cannot take a day or unspecified digits", _FORMS_HINT)
        first = y_lo * 12 + _SEASON_FIRST_MONTH[month] - 1
        last = first + 2
        unit = 3
    else:
        if n_x:
            raise _Bad(
                "uses EDTF level 2 (a month after unspecified year digits), "
                "which the archive does not support",
                _LEVEL2_HINT,
            )
        if not (len(month) == 2 and month.isdigit() and 1 <= int(month) <= 12):
            raise _Bad(f"month {month} does not exist", "months are 01 to 12; 21 to 24 are seasons")
        m = int(month)
        first = last = y_lo * 12 + m - 1
        unit = 1
        if day is not None and day != "XX":
            days = _days_in_month(y_lo, m, julian)
            if not (len(day) == 2 and day.isdigit() and 1 <= int(day) <= days):
                raise _Bad(
                    f"day {day} does not exist in {_MONTH_NAMES[m - 1]} {year} "
                    f"in the {_calendar_name(julian)} calendar ({days} days)",
                    None,
                )
            exact = _jdn(y_lo, m, int(day), julian)
    if exact is not None:
        strict_lo = strict_hi = exact
    else:
        strict_lo, strict_hi = _first_day(first, julian), _last_day(last, julian)
    if point.qualifier in ("~", "%"):
        if exact is not None:
            wide_lo, wide_hi = exact - 1, exact + 1
        else:
            wide_lo, wide_hi = _first_day(first - unit, julian), _last_day(last + unit, julian)
    elif point.qualifier in ("", "?"):
        wide_lo, wide_hi = strict_lo, strict_hi
    else:
        raise _Bad(f"unknown qualifier {point.qualifier!r}; use ?, ~ or %", _FORMS_HINT)
    return _clamp(strict_lo), _clamp(strict_hi), _clamp(wide_lo), _clamp(wide_hi)


@attrs.frozen
class _Analysis:
    value: _Value
    strict_lo: int
    strict_hi: int
    lo: int
    hi: int


def _analyse_value(value: _Value, julian: bool) -> _Analysis:
    start, end = value.start, value.end
    if end is None:
        if isinstance(start, str):
            raise _Bad("an open or unknown end needs an interval", _FORMS_HINT)
        return _Analysis(value, *_point_span(start, julian))
    if isinstance(start, str) and isinstance(end, str):
        raise _Bad("an interval needs at least one known end", _FORMS_HINT)
    if isinstance(start, str):
        s_strict_lo = s_lo = _MIN_JDN
    else:
        s_strict_lo, s_strict_hi, s_lo, _ = _point_span(start, julian)
    if isinstance(end, str):
        e_strict_hi = e_hi = _MAX_JDN
    else:
        _, e_strict_hi, _, e_hi = _point_span(end, julian)
    if e_strict_hi < s_strict_lo:
        raise _Bad(
            f"the interval ends ({_format_value(_Value(end))}) before it starts "
            f"({_format_value(_Value(start))})",
            "write the earlier date first",
        )
    return _Analysis(value, s_strict_lo, e_strict_hi, s_lo, e_hi)


# -- The library path ----------------------------------------------------------

_PARSE_LOCK = threading.Lock()  # pyparsing's packrat cache is shared state

_LEVEL2_FEATURES = {
    "PartialUncertainOrApproximate": "a qualifier on part of a date",
    "PartialUnspecified": "unspecified digits inside a date",
    "OneOfASet": "a set of possible dates in [ ]",
    "MultipleDates": "a list of dates in { }",
    "Level2Interval": "an interval with level 2 ends",
    "Level2Season": "a season numbered 25 to 41",
    "Consecutives": "a range of consecutive dates with ..",
    "EarlierConsecutives": "a range of consecutive dates with ..",
    "LaterConsecutives": "a range of consecutive dates with ..",
}


@functools.cache
def _library() -> tuple[Any, Any, Any]:
    """(edtf.parser module, level 0/1 grammar or None, full parse function), imported once."""
    import edtf.parser as parser

    try:
        from edtf.parser import grammar

        level01 = grammar.level0Expression ^ grammar.level1Expression
    except (ImportError, AttributeError):  # pragma: no cover - another edtf layout
        level01 = None
    return parser, level01, parser.parse_edtf


def _library_parse(text: str) -> Any:
    """The edtf object for ``text``, or None when the library cannot parse it.

    Tries the level 0 and 1 grammar first (about five times faster than the full
    grammar), then the full grammar so that level 2 values get their own message.

    edtf 5.0.2 print()s a line before re-raising when one of its parse actions
    fails (it happens for ``../`` or ``/..`` followed by something that is not a
    level 1 end, and for some malformed level 2 values). A library must not write
    to standard output, so those calls run with stdout sent nowhere; they are the
    rare ones (the common values never reach them), because redirecting stdout
    is process-wide for as long as the call lasts.
    """
    parser, level01, parse_all = _library()
    with _PARSE_LOCK:
        if level01 is not None:
            try:
                if text.startswith(("../", "/..")):
                    return _quietly(level01.parse_string, text, True)[0]
                return level01.parse_string(text, parse_all=True)[0]
            except Exception:  # noqa: BLE001 - any failure means "not level 0/1"
                pass
        try:
            return _quietly(parse_all, text)
        except Exception:  # noqa: BLE001 - edtf raises more than its own exception
            return None


def _quietly(function: Any, *args: Any) -> Any:
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args)


def _ua(ua: Any) -> str:
    return str(ua) if ua else ""


def _point_from_library(obj: Any, qualifier: str) -> _Point:
    parser, _, _ = _library()
    kind = type(obj)
    if kind is parser.Season:
        return _Point(obj.year, obj.season, None, qualifier)
    if kind is parser.Date:
        if obj.significant_digits:
            raise _Bad(
                "uses EDTF level 2 (significant digits), which the archive does not support",
                _LEVEL2_HINT,
            )
        return _Point(obj.year, obj.month, obj.day, qualifier)
    raise _level2(obj)


def _interval_end(obj: Any) -> _Point | str:
    parser, _, _ = _library()
    if type(obj) is parser.UnspecifiedIntervalSection:
        return OPEN if obj.is_open else UNKNOWN
    if type(obj) is parser.UncertainOrApproximate:
        if obj.date == ".." or isinstance(obj.date, str):
            return OPEN
        return _point_from_library(obj.date, _ua(obj.ua))
    raise _level2(obj)


def _level2(obj: Any) -> _Bad:
    feature = _LEVEL2_FEATURES.get(type(obj).__name__, "a level 2 feature")
    return _Bad(f"uses EDTF level 2 ({feature}), which the archive does not support", _LEVEL2_HINT)


def _value_from_library(obj: Any) -> _Value:
    parser, _, _ = _library()
    kind = type(obj)
    if kind is parser.Date or kind is parser.Season:
        return _Value(_point_from_library(obj, ""))
    if kind is parser.UncertainOrApproximate:
        return _Value(_point_from_library(obj.date, _ua(obj.ua)))
    if kind is parser.Unspecified:
        return _Value(_Point(obj.year, obj.month, obj.day, _ua(obj.ua)))
    if kind is parser.Interval:
        return _Value(_point_from_library(obj.lower, ""), _point_from_library(obj.upper, ""))
    if kind is parser.Level1Interval:
        return _Value(_interval_end(obj.lower), _interval_end(obj.upper))
    if kind is parser.DateAndTime:
        raise _Bad(
            "times of day are not stored: a claim's date is a day or coarser",
            f"use the day ({obj.date}) and keep the time in as_written",
        )
    if kind is parser.LongYear or kind is parser.ExponentialYear:
        raise _Bad(f"year {obj.year} cannot be stored", _RANGE_HINT)
    raise _level2(obj)


_PART_RE = re.compile(r"(-?)([0-9]+)(?:-([0-9]{2}))?(?:-([0-9]{2}))?[?~%]?")


def _diagnose(text: str, julian: bool) -> _Bad:
    """Why the library refused ``text``: a precise reason for common slips."""
    for part in text.split("/", 1) if text.count("/") == 1 else [text]:
        match = _PART_RE.fullmatch(part)
        if match is None:
            continue
        _, year, month, day = match.groups()
        if len(year) > 4:
            return _Bad(
                "a year has four digits (EDTF writes longer years as Y12345, "
                "and the archive holds only 0001 to 9999)",
                _FORMS_HINT,
            )
        if len(year) < 4:
            return _Bad("a year has four digits; pad it with zeros, e.g. 0938", _FORMS_HINT)
        if month in _SEASON_FIRST_MONTH and day is not None:
            return _Bad(f"a season ({month}) has no days", "write the month instead, e.g. 1938-04-12")
        if month is not None and not (1 <= int(month) <= 12 or month in _SEASON_FIRST_MONTH):
            return _Bad(f"month {month} does not exist", "months are 01 to 12; 21 to 24 are seasons")
        if month is not None and day is not None and 1 <= int(month) <= 12:
            m = int(month)
            days = _days_in_month(int(year), m, julian)
            if not 1 <= int(day) <= days:
                return _Bad(
                    f"day {day} does not exist in {_MONTH_NAMES[m - 1]} {year} "
                    f"in the {_calendar_name(julian)} calendar ({days} days)",
                    None,
                )
    if "T" in text and ":" in text:
        return _Bad("times of day are not stored: a claim's date is a day or coarser", _FORMS_HINT)
    return _Bad("is not an EDTF date the archive understands", _FORMS_HINT)


def _parse_text(text: Any, julian: bool) -> _Value:
    """Parse an EDTF string into our own form (checks the syntax only)."""
    if not isinstance(text, str):
        raise _Bad("an EDTF date must be a string", _FORMS_HINT)
    if not text:
        raise _Bad("the date is empty", _FORMS_HINT)
    if text != text.strip():
        raise _Bad("the date has spaces at the start or end", "remove them; as_written keeps the source's words")
    if len(text) > MAX_LENGTH:
        raise _Bad(f"is too long to be an EDTF date (over {MAX_LENGTH} characters)", _FORMS_HINT)
    parts = text.split("/")
    if len(parts) == 2 and parts[0] in (OPEN, UNKNOWN) and parts[1] in (OPEN, UNKNOWN):
        # edtf 5.0.2 fails on these with a TypeError (and prints); answer first.
        raise _Bad("an interval needs at least one known end", _FORMS_HINT)
    obj = _library_parse(text)
    if obj is None:
        raise _diagnose(text, julian)
    return _value_from_library(obj)


def _analyse_text(text: Any, julian: bool) -> _Analysis:
    return _analyse_value(_parse_text(text, julian), julian)


def _library_bounds(text: str) -> Bounds | _Bad:
    """Bounds through the edtf library (no fast path, no cache)."""
    try:
        analysis = _analyse_text(text, False)
    except _Bad as bad:
        return bad.with_traceback(None)  # cached: keep no frames alive
    return Bounds(_iso(analysis.lo), _iso(analysis.hi))


# -- The fast path ---------------------------------------------------------------

_FAST_RE = re.compile(
    r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%]?)"
    r"(?:(/)([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%]?))?"
)
_DAYS_TEXT = {28: "28", 29: "29", 30: "30", 31: "31"}


def _fast_point(year: str, month: str | None, day: str | None, qualifier: str) -> tuple[str, str, str, str] | None:
    """(strict first, strict last, first, last) ISO days, or None to let the library decide."""
    if year == "0000":
        return None
    if month is None:
        lo, hi = year + "-01-01", year + "-12-31"
    else:
        m = int(month)
        if not 0 < m < 13:
            return None
        days = _days_in_month(int(year), m, False)
        if day is None:
            lo, hi = f"{year}-{month}-01", f"{year}-{month}-{_DAYS_TEXT[days]}"
        else:
            if not 0 < int(day) <= days:
                return None
            lo = hi = f"{year}-{month}-{day}"
    if qualifier == "~" or qualifier == "%":
        _, _, wide_lo, wide_hi = _point_span(_Point(year, month, day, qualifier), False)
        return lo, hi, _iso(wide_lo), _iso(wide_hi)
    return lo, hi, lo, hi


#: A decade or century with unspecified digits and nothing else (186X, 19XX): common in sources.
_FAST_UNSPECIFIED_RE = re.compile(r"([0-9]{3}X|[0-9]{2}XX)")


def _fast_bounds(text: str) -> Bounds | None:
    """Bounds of a plain level-0 shape by regular expression, or None (not handled here)."""
    if _FAST_UNSPECIFIED_RE.fullmatch(text):
        first, last = text.replace("X", "0"), text.replace("X", "9")
        if first == "0000":
            return None  # year 0 is the library's to refuse
        return Bounds(f"{first}-01-01", f"{last}-12-31")
    match = _FAST_RE.fullmatch(text)
    if match is None:
        return None
    y1, m1, d1, q1, slash, y2, m2, d2, q2 = match.groups()
    start = _fast_point(y1, m1, d1, q1)
    if start is None:
        return None
    if slash is None:
        return Bounds(start[2], start[3])
    end = _fast_point(y2, m2, d2, q2)
    if end is None or end[1] < start[0]:
        return None
    return Bounds(start[2], end[3])


# 16,384 values: the common ones stay (years, popular days); the fast path answers the rest in
# microseconds, and a bigger cache was a quarter of a million-event append's growth in memory.
@functools.lru_cache(maxsize=1 << 14)
def _cached_bounds(text: str) -> Bounds | _Bad:
    fast = _fast_bounds(text)
    if fast is not None:
        return fast
    return _library_bounds(text)


# --------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------


def _raise(bad: _Bad, path: str, value: Any) -> None:
    raise DateError(bad.problem, path=path, value=value, hint=bad.hint)


def bounds(edtf: str, *, path: str = "$.date.edtf") -> Bounds:
    """The first and last day (proleptic Gregorian) an EDTF value can mean.

    ``1938`` → 1938-01-01..1938-12-31; ``195X`` → 1950-01-01..1959-12-31;
    ``~`` and ``%`` widen by one unit of the precision written (a day, a month,
    a season, a year, a decade for ``195X~``...); ``?`` does not widen; an open
    (``..``) or unknown (empty) interval end is 0001-01-01 or 9999-12-31.
    Raises :class:`DateError` naming ``path`` and the value when it is not a date
    the archive accepts.

    >>> bounds("1936/1939")
    Bounds(earliest='1936-01-01', latest='1939-12-31')
    """
    if type(edtf) is not str:
        _raise(_Bad("an EDTF date must be a string", _FORMS_HINT), path, edtf)
    result = _cached_bounds(edtf)
    if type(result) is Bounds:
        return result
    _raise(result, path, edtf)
    raise AssertionError("unreachable")  # pragma: no cover


def validate_edtf(edtf: str, *, path: str = "$.date.edtf") -> None:
    """Return None when ``edtf`` is a date the archive accepts; raise DateError otherwise."""
    bounds(edtf, path=path)


def normalise_edtf(edtf: str, *, path: str = "$.date.edtf") -> str:
    """The canonical EDTF string of a value (checked, then parsed and written back).

    For the levels the archive accepts the canonical string is the value itself;
    this is the function to call when a value arrives from elsewhere.
    """
    try:
        value = _analyse_text(edtf, False).value
    except _Bad as bad:
        _raise(bad, path, edtf)
    return _format_value(value)


def _fast_julian(text: str) -> _Analysis | None:
    """The Julian analysis of a plain level-0 shape without the edtf library, or None (not handled here).

    Dual-dated claims (Russian sources before 1918) are mostly single days, and
    pyparsing takes milliseconds over each. The regular expression only splits
    the text into the same points the library would give; the days are counted
    by :func:`_analyse_value`, as on the library path. Seasons and anything
    wrong (a day that does not exist, year 0000, an interval that ends before
    it starts) go to the library path, so every error message comes from one place.
    """
    match = _FAST_RE.fullmatch(text)
    if match is None:
        return None
    y1, m1, d1, q1, slash, y2, m2, d2, q2 = match.groups()
    if (m1 is not None and m1 > "12") or (m2 is not None and m2 > "12"):
        return None  # seasons (21-24) and months that do not exist
    start = _Point(y1, m1, d1, q1)
    value = _Value(start) if slash is None else _Value(start, _Point(y2, m2, d2, q2))
    try:
        return _analyse_value(value, True)
    except _Bad:
        return None


@functools.lru_cache(maxsize=4096)
def _cached_julian(text: str) -> _Analysis | _Bad:
    fast = _fast_julian(text)
    if fast is not None:
        return fast
    return _library_julian(text)


def _library_julian(text: str) -> _Analysis | _Bad:
    """The Julian analysis through the edtf library (no fast path, no cache)."""
    try:
        return _analyse_text(text, True)
    except _Bad as bad:
        return bad.with_traceback(None)


def _julian_analysis(text: Any, path: str) -> _Analysis:
    if type(text) is not str:
        _raise(_Bad("an EDTF date must be a string", _FORMS_HINT), path, text)
    result = _cached_julian(text)
    if isinstance(result, _Bad):
        _raise(result, path, text)
    return result


def _gregorian_of_julian_days(value: _Value, path: str) -> str | None:
    """The Gregorian EDTF of a Julian value whose known ends are all single days, else None."""
    ends = [value.start] if value.end is None else [value.start, value.end]
    converted: list[_Point | str] = []
    for end in ends:
        if isinstance(end, str):
            converted.append(end)
            continue
        if end.day is None or end.day == "XX" or end.month in (None, "XX") or "X" in end.year:
            return None
        try:
            y, m, d = _convert(int(end.year), int(end.month), int(end.day), julian_in=True, path=path)
        except DateError as err:
            raise DateError(err.problem, path=path, value=_format_value(value), hint=err.hint) from None
        converted.append(_Point(f"{y:04d}", f"{m:02d}", f"{d:02d}", end.qualifier))
    if len(converted) == 1:
        return _format_value(_Value(converted[0]))
    return _format_value(_Value(converted[0], converted[1]))


def check_claim_date(
    *,
    as_written: str,
    edtf: str,
    calendar: str = "gregorian",
    original: str | None = None,
    path: str = "$.date",
) -> None:
    """Check the rules for a claim's date; raise DateError at the first broken one.

    * ``as_written``: the source's words, a non-empty string without spaces at
      its start or end (``{path}.as_written``).
    * ``calendar``: one of :data:`CALENDARS` (``{path}.calendar``).
    * ``edtf``: an accepted EDTF value, always the proleptic Gregorian reading
      (``{path}.edtf``).
    * ``calendar="gregorian"``: ``original`` must be None.
    * ``calendar="julian"`` or ``"dual"``: ``original`` is the EDTF of the Julian
      reading (valid with Julian leap years) and must not start after
      1923-12-31 (``{path}.original``). When every known end of ``original`` is a
      single day, ``edtf`` must be exactly its Gregorian conversion, qualifiers
      and open/unknown ends kept; otherwise the days of ``original`` and ``edtf``
      must overlap (``{path}.edtf``).
    """
    where = f"{path}.as_written"
    if not isinstance(as_written, str) or not as_written:
        raise DateError(
            "as_written must be a non-empty string: the date in the source's own words",
            path=where,
            value=as_written,
        )
    if as_written != as_written.strip():
        raise DateError(
            "as_written has spaces at the start or end",
            path=where,
            value=as_written,
            hint="quote the source's words without the surrounding spaces",
        )
    if not isinstance(calendar, str) or calendar not in CALENDARS:
        raise DateError(
            f"unknown calendar; use one of {', '.join(CALENDARS)}",
            path=f"{path}.calendar",
            value=calendar,
        )
    gregorian = bounds(edtf, path=f"{path}.edtf")
    where = f"{path}.original"
    if calendar == "gregorian":
        if original is not None:
            raise DateError(
                "original is only for a source that counts in the Julian calendar",
                path=where,
                value=original,
                hint="drop original, or set calendar to 'julian' or 'dual'",
            )
        return
    if original is None:
        raise DateError(
            f"calendar {calendar!r} needs original: the source's Julian date as EDTF",
            path=where,
            value=original,
            hint="e.g. original '1894-04-03' with edtf '1894-04-15' for '3/15 aprilie 1894'",
        )
    julian = _julian_analysis(original, where)
    if julian.strict_lo > _LAST_JULIAN_JDN:
        raise DateError(
            f"a Julian date must start by {LAST_JULIAN_DAY} (Greece, the last country "
            "to leave the Julian calendar, switched in 1923)",
            path=where,
            value=original,
            hint="if the source counts in the Gregorian calendar, set calendar to 'gregorian' and drop original",
        )
    expected = _gregorian_of_julian_days(julian.value, where)
    where = f"{path}.edtf"
    if expected is not None:
        if expected != edtf:
            raise DateError(
                f"the Julian date {original} is {expected} in the Gregorian calendar, "
                "and edtf must be that Gregorian reading",
                path=where,
                value=edtf,
                hint=f"set edtf to {expected!r}",
            )
        return
    lo, hi = _iso(julian.lo), _iso(julian.hi)
    if not Bounds(lo, hi).overlaps(gregorian):
        raise DateError(
            f"the Julian date {original} covers {lo}..{hi} in the Gregorian calendar, "
            f"which does not overlap edtf ({gregorian.earliest}..{gregorian.latest})",
            path=where,
            value=edtf,
            hint="edtf holds the Gregorian reading of original",
        )
