"""Dates as historians write them: EDTF values, their day bounds, and Julian dates.

A claim keeps the date *as written* ("Um ano depois", "3/15 aprilie 1894") and
a normalisation in EDTF (the Library of Congress Extended Date/Time Format,
levels 0 and 1): ``1938``, ``1953-03``, ``1936/1939``, ``1984?``, ``2004-06~``,
``195X``, ``2001-21`` (spring), open ``1985/..`` and unknown ``1985/`` ends.

Parsing of the level-1 forms is done by the maintained ``edtf`` package
(python-edtf): it knows seasons, qualifiers and unspecified digits, and it
refuses impossible days such as ``1894-02-30``. We chose it over ``undate``
because it is a direct implementation of the EDTF specification, whereas
``undate`` is a broader model of uncertain dates with EDTF as one format.
``edtf`` is slow (milliseconds per parse) and stumbles on open interval ends,
so this module (1) handles the common level-0 forms ``YYYY``, ``YYYY-MM`` and
``YYYY-MM-DD`` itself, (2) splits intervals itself and (3) caches results.

Bounds are ISO days in the proleptic Gregorian calendar, so that
``ORDER BY date_earliest`` sorts and two dates can be tested for overlap.
The rules (docs/dates.md repeats them):

* a value covers every day of its precision: ``1938`` → 1938-01-01..1938-12-31;
* ``?`` (uncertain) qualifies the value but does not widen it;
* ``~`` (approximate) and ``%`` widen by one unit of the value's precision on
  each side: ``1950~`` → 1949-01-01..1951-12-31, ``1953-03~`` → 1953-02-01..1953-04-30,
  ``1953-03-05~`` → 1953-03-04..1953-03-06;
* an open (``..``) or unknown (empty) interval end is as far as the calendar
  goes: 0001-01-01 or 9999-12-31;
* years before 1 and after 9999, and times of day, are refused.

Julian conversions go through the Julian Day Number.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from functools import lru_cache

import attrs

from .errors import DateError

__all__ = [
    "CALENDARS",
    "Bounds",
    "bounds",
    "validate_edtf",
    "julian_to_gregorian",
    "gregorian_to_julian",
    "check_claim_date",
    "LAST_JULIAN_DAY",
]

CALENDARS = ("gregorian", "julian", "dual")
#: After this day no country still kept the Julian calendar (Greece switched in 1923).
LAST_JULIAN_DAY = "1923-12-31"
EARLIEST = "0001-01-01"
LATEST = "9999-12-31"

_LEVEL0 = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_QUALIFIED = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([?~%])")


@attrs.frozen
class Bounds:
    """The first and last day a date can mean (ISO, proleptic Gregorian), inclusive."""

    earliest: str
    latest: str

    def overlaps(self, other: "Bounds") -> bool:
        """True when some day lies within both."""
        return self.earliest <= other.latest and other.earliest <= self.latest


def _day(year: int, month: int, day: int) -> str:
    return f"{year:04d}-{month:02d}-{day:02d}"


def _fail(problem: str, value: str, path: str, hint: str | None = None) -> DateError:
    return DateError(problem, path=path, value=value,
                     hint=hint or "write EDTF, e.g. 1938, 1953-03, 1953-03-05, 1936/1939, 1950~, 195X")


def _plain(year: int, month: int | None, day: int | None, value: str, path: str) -> tuple[str, str, str]:
    """(earliest, latest, precision) of a level-0 date, checked."""
    if year < 1:
        raise _fail("years before 1 are not supported", value, path)
    if month is None:
        return _day(year, 1, 1), _day(year, 12, 31), "year"
    if not 1 <= month <= 12:
        raise _fail(f"there is no month {month}", value, path)
    last = calendar.monthrange(year, month)[1]
    if day is None:
        return _day(year, month, 1), _day(year, month, last), "month"
    if not 1 <= day <= last:
        raise _fail(f"{calendar.month_name[month]} {year} has no day {day}", value, path)
    return _day(year, month, day), _day(year, month, day), "day"


def _widen(earliest: str, latest: str, precision: str) -> tuple[str, str]:
    lo = _dt.date.fromisoformat(earliest)
    hi = _dt.date.fromisoformat(latest)
    if precision == "year":
        lo = lo.replace(year=max(1, lo.year - 1))
        hi = hi.replace(year=min(9999, hi.year + 1))
    elif precision == "month":
        lo = (lo.replace(day=1) - _dt.timedelta(days=1)).replace(day=1) if lo.year > 1 or lo.month > 1 else lo
        if hi.year < 9999 or hi.month < 12:
            nxt = hi.replace(day=28) + _dt.timedelta(days=4)  # some day of the next month
            nxt = nxt.replace(day=1)
            following = nxt.replace(day=28) + _dt.timedelta(days=4)
            hi = following.replace(day=1) - _dt.timedelta(days=1)
    else:
        lo = lo - _dt.timedelta(days=1) if lo > _dt.date.min else lo
        hi = hi + _dt.timedelta(days=1) if hi < _dt.date.max else hi
    return lo.isoformat().zfill(10), hi.isoformat().zfill(10)


def _library_bounds(value: str, path: str) -> tuple[str, str]:
    """Bounds of a single (non-interval) level-1 value, parsed by the edtf package."""
    import edtf  # imported lazily: most dates never need it

    try:
        parsed = edtf.parse_edtf(value)
    except Exception:  # the package raises several types for bad input
        raise _fail("not a valid EDTF date", value, path) from None
    kind = type(parsed).__name__
    if kind == "DateAndTime":
        raise _fail("times of day are not supported", value, path, hint="give the day only, e.g. 1985-04-12")
    if kind == "LongYear" or value.startswith("-"):
        raise _fail("years before 1 and after 9999 are not supported", value, path)
    if "/" in str(parsed):  # an interval hidden in another form
        raise _fail("not a single date", value, path)
    lower, upper = parsed.lower_strict(), parsed.upper_strict()
    earliest, latest = _day(*lower[:3]), _day(*upper[:3])
    if lower[0] < 1 or upper[0] > 9999:
        raise _fail("years before 1 and after 9999 are not supported", value, path)
    if "~" in value or "%" in value:
        core = value.rstrip("~%?")
        precision = "day" if len(core) >= 10 else "month" if len(core) >= 7 else "year"
        earliest, latest = _widen(earliest, latest, precision)
    return earliest, latest


def _single(value: str, path: str) -> tuple[str, str]:
    if not value:
        raise _fail("empty date", value, path)
    match = _LEVEL0.fullmatch(value)
    if match and not (match.group(2) and int(match.group(2)) > 20):  # 21-24 are seasons: the library's
        year, month, day = match.groups()
        earliest, latest, _ = _plain(int(year), month and int(month), day and int(day), value, path)
        return earliest, latest
    match = _QUALIFIED.fullmatch(value)
    if match and not (match.group(2) and int(match.group(2)) > 20):
        year, month, day, qualifier = match.groups()
        earliest, latest, precision = _plain(int(year), month and int(month), day and int(day), value, path)
        if qualifier in "~%":
            earliest, latest = _widen(earliest, latest, precision)
        return earliest, latest
    return _library_bounds(value, path)


@lru_cache(maxsize=65536)
def _bounds(value: str, path: str) -> Bounds:
    if not isinstance(value, str):
        raise _fail("a date must be a string", value, path)
    if value != value.strip():
        raise _fail("white space around the date", value, path)
    if "/" in value:
        start, _, end = value.partition("/")
        if "/" in end:
            raise _fail("an interval has one '/'", value, path)
        if start in ("", "..") and end in ("", ".."):
            raise _fail("an interval needs at least one known end", value, path)
        lo = (EARLIEST, EARLIEST) if start in ("", "..") else _single(start, path)
        hi = (LATEST, LATEST) if end in ("", "..") else _single(end, path)
        if lo[0] > hi[1]:
            raise _fail("the interval ends before it starts", value, path)
        return Bounds(lo[0], hi[1])
    earliest, latest = _single(value, path)
    return Bounds(earliest, latest)


def bounds(edtf: str, *, path: str = "$.date.edtf") -> Bounds:
    """First and last day an EDTF value can mean; raises :class:`DateError` for bad input."""
    return _bounds(edtf, path)


def validate_edtf(edtf: str, *, path: str = "$.date.edtf") -> None:
    """Raise :class:`DateError` unless ``edtf`` is a supported EDTF value."""
    _bounds(edtf, path)


# -- calendars ---------------------------------------------------------------

def _check_day(year: int, month: int, day: int, leap: bool, what: str) -> None:
    if not 1 <= year <= 9999:
        raise DateError(f"{what} year out of range 1..9999", path="$", value=year)
    if not 1 <= month <= 12:
        raise DateError(f"there is no month {month}", path="$", value=month)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    if not 1 <= day <= days:
        raise DateError(f"the {what} month {month} of {year} has no day {day}", path="$", value=day)


def _julian_day_number_from_julian(year: int, month: int, day: int) -> int:
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083


def _julian_day_number_from_gregorian(year: int, month: int, day: int) -> int:
    return _dt.date(year, month, day).toordinal() + 1721425


def julian_to_gregorian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The proleptic Gregorian day of a Julian calendar day (3 April 1894 → 15 April 1894)."""
    _check_day(year, month, day, year % 4 == 0, "Julian")
    ordinal = _julian_day_number_from_julian(year, month, day) - 1721425
    if ordinal < 1:
        raise DateError("before the first Gregorian day this library handles (0001-01-01)", path="$",
                        value=f"{year}-{month}-{day}")
    result = _dt.date.fromordinal(ordinal)
    return result.year, result.month, result.day


def gregorian_to_julian(year: int, month: int, day: int) -> tuple[int, int, int]:
    """The Julian calendar day of a proleptic Gregorian day."""
    _check_day(year, month, day, calendar.isleap(year), "Gregorian")
    jdn = _julian_day_number_from_gregorian(year, month, day)
    c = jdn + 32082
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    return d - 4800 + m // 10, m + 3 - 12 * (m // 10), e - (153 * m + 2) // 5 + 1


def check_claim_date(*, as_written: str, edtf: str, calendar: str = "gregorian", original: str | None = None,
                     path: str = "$.date") -> None:
    """The rules for a claim's date (see docs/dates.md); raises :class:`DateError`."""
    if not as_written or as_written != as_written.strip():
        raise DateError("the date as written must be the source's words, without surrounding spaces",
                        path=f"{path}.as_written", value=as_written)
    if calendar not in CALENDARS:
        raise DateError("unknown calendar", path=f"{path}.calendar", value=calendar,
                        hint=f"use one of {', '.join(CALENDARS)}")
    span = bounds(edtf, path=f"{path}.edtf")
    if calendar == "gregorian":
        if original is not None:
            raise DateError("original is only for julian and dual dates", path=f"{path}.original", value=original,
                            hint="set calendar to julian or dual, or leave original out")
        return
    if original is None:
        raise DateError(f"a {calendar} date needs the Julian reading in original", path=f"{path}.original",
                        value=None, show_value=False, hint="e.g. original 1894-04-03 with edtf 1894-04-15")
    julian_span = bounds(original, path=f"{path}.original")
    if span.latest > LAST_JULIAN_DAY:
        raise DateError(f"no country used the Julian calendar after {LAST_JULIAN_DAY}", path=f"{path}.calendar",
                        value=calendar)
    match = _LEVEL0.fullmatch(original)
    if match and match.group(3):
        gy, gm, gd = julian_to_gregorian(*(int(g) for g in match.groups()))
        expected = _day(gy, gm, gd)
        if expected != edtf:
            raise DateError(f"the Julian {original} is {expected} in the Gregorian calendar", path=f"{path}.edtf",
                            value=edtf, hint=f"set edtf to {expected}")
    elif not Bounds(julian_span.earliest, julian_span.latest).overlaps(span):
        # Coarser than a day: the Julian and Gregorian readings differ by at most 13 days, so they must overlap.
        raise DateError(f"the Julian reading {original} cannot be the same time as {edtf}", path=f"{path}.edtf",
                        value=edtf)
