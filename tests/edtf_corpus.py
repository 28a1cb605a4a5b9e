"""EDTF test corpus: the specification's level 0 and level 1 examples, as data.

The values follow the examples of the Library of Congress EDTF specification
(2019, the basis of ISO 8601-2) for levels 0 and 1, with the days the archive
says each one covers (see docs/dates.md for the rules). Values the
specification allows but the archive refuses on purpose (times of day, years
outside 0001–9999) are listed apart with the start of the problem we report;
so are level 2 values, which the ``edtf`` package parses and we refuse. The
invalid values are ones a curator could plausibly type.
"""

from __future__ import annotations

FAR_START = "0001-01-01"
FAR_END = "9999-12-31"

# (EDTF, earliest, latest)
LEVEL_0: list[tuple[str, str, str]] = [
    # Date
    ("1985-04-12", "1985-04-12", "1985-04-12"),
    ("1985-04", "1985-04-01", "1985-04-30"),
    ("1985", "1985-01-01", "1985-12-31"),
    # Time interval
    ("1964/2008", "1964-01-01", "2008-12-31"),
    ("2004-06/2006-08", "2004-06-01", "2006-08-31"),
    ("2004-02-01/2005-02-08", "2004-02-01", "2005-02-08"),
    ("2004-02-01/2005-02", "2004-02-01", "2005-02-28"),
    ("2004-02-01/2005", "2004-02-01", "2005-12-31"),
    ("2005/2006-02", "2005-01-01", "2006-02-28"),
]

LEVEL_1: list[tuple[str, str, str]] = [
    # Seasons
    ("2001-21", "2001-03-01", "2001-05-31"),
    ("2001-22", "2001-06-01", "2001-08-31"),
    ("2001-23", "2001-09-01", "2001-11-30"),
    ("2001-24", "2001-12-01", "2002-02-28"),
    ("2003-24", "2003-12-01", "2004-02-29"),
    # Qualification of a date (complete)
    ("1984?", "1984-01-01", "1984-12-31"),
    ("2004-06~", "2004-05-01", "2004-07-31"),
    ("2004-06-11%", "2004-06-10", "2004-06-12"),
    # Unspecified digit(s) from the right
    ("201X", "2010-01-01", "2019-12-31"),
    ("20XX", "2000-01-01", "2099-12-31"),
    ("2004-XX", "2004-01-01", "2004-12-31"),
    ("1985-04-XX", "1985-04-01", "1985-04-30"),
    ("1985-XX-XX", "1985-01-01", "1985-12-31"),
    # Extended interval: open end, open start
    ("1985-04-12/..", "1985-04-12", FAR_END),
    ("1985-04/..", "1985-04-01", FAR_END),
    ("1985/..", "1985-01-01", FAR_END),
    ("../1985-04-12", FAR_START, "1985-04-12"),
    ("../1985-04", FAR_START, "1985-04-30"),
    ("../1985", FAR_START, "1985-12-31"),
    # Extended interval: unknown end, unknown start
    ("1985-04-12/", "1985-04-12", FAR_END),
    ("1985-04/", "1985-04-01", FAR_END),
    ("1985/", "1985-01-01", FAR_END),
    ("/1985-04-12", FAR_START, "1985-04-12"),
    ("/1985-04", FAR_START, "1985-04-30"),
    ("/1985", FAR_START, "1985-12-31"),
    # Extended interval: qualified ends
    ("1984~/2004-06", "1983-01-01", "2004-06-30"),
    ("1984/2004-06~", "1984-01-01", "2004-07-31"),
    ("1984~/2004~", "1983-01-01", "2005-12-31"),
    ("1984?/2004%", "1984-01-01", "2005-12-31"),
    ("1984-06?/2004-08?", "1984-06-01", "2004-08-31"),
    ("1984-06-02?/2004-08-08~", "1984-06-02", "2004-08-09"),
    ("1984-06-02?/", "1984-06-02", FAR_END),
    # Seasons as interval ends
    ("2001-21/2002-22~", "2001-03-01", "2002-11-30"),
]

# Valid EDTF (levels 0 and 1) that the archive refuses on purpose: (value, start of the problem).
REFUSED_ON_PURPOSE: list[tuple[str, str]] = [
    ("1985-04-12T23:20:30", "times of day are not stored"),
    ("1985-04-12T23:20:30Z", "times of day are not stored"),
    ("1985-04-12T23:20:30-04", "times of day are not stored"),
    ("1985-04-12T23:20:30+04:30", "times of day are not stored"),
    ("Y170000002", "year 170000002 cannot be stored"),
    ("Y-170000002", "year -170000002 cannot be stored"),
    ("-1985", "years before 0001 cannot be stored"),
    ("0000", "year 0000 cannot be stored"),
]

# Valid EDTF level 2, which the archive does not support: (value, start of the problem).
LEVEL_2: list[tuple[str, str]] = [
    ("2004-06-~11", "uses EDTF level 2 (a qualifier on part of a date)"),
    ("?2004-06-~11", "uses EDTF level 2 (a qualifier on part of a date)"),
    ("2004?-06-11", "uses EDTF level 2 (a qualifier on part of a date)"),
    ("156X-12-25", "uses EDTF level 2 (unspecified digits inside a date)"),
    ("1XXX-12", "uses EDTF level 2 (unspecified digits inside a date)"),
    ("1X5X", "uses EDTF level 2 (unspecified digits that are not at the right of the year)"),
    ("[1667, 1668, 1670..1672]", "uses EDTF level 2 (a set of possible dates in [ ])"),
    ("{1667,1668,1670..1672}", "uses EDTF level 2 (a list of dates in { })"),
    ("1950S2", "uses EDTF level 2 (significant digits)"),
    ("2001-25", "uses EDTF level 2 (a season numbered 25 to 41)"),
    ("1XXX/2000", "uses EDTF level 2 (an interval with level 2 ends)"),
    ("2004-06-~01/2004-06-~20", "uses EDTF level 2 (an interval with level 2 ends)"),
]

# Not EDTF at all, or impossible days: (value, start of the problem).
INVALID: list[tuple[str, str]] = [
    ("", "the date is empty"),
    ("abc", "is not an EDTF date the archive understands"),
    ("1894-02-30", "day 30 does not exist in February 1894"),
    ("1894-02-29", "day 29 does not exist in February 1894"),
    ("1900-02-29", "day 29 does not exist in February 1900"),
    ("1938-04-31", "day 31 does not exist in April 1938"),
    ("1938-06-31~", "day 31 does not exist in June 1938"),
    ("1938-13", "month 13 does not exist"),
    ("1938-00", "month 00 does not exist"),
    ("1938-00-12", "month 00 does not exist"),
    ("1938-04-00", "day 00 does not exist in April 1938"),
    ("1939/1936", "the interval ends (1936) before it starts (1939)"),
    ("1938-04-12/1938-04-11", "the interval ends (1938-04-11) before it starts (1938-04-12)"),
    ("1938-22/1938-21", "the interval ends (1938-21) before it starts (1938-22)"),
    ("19388", "a year has four digits"),
    ("938", "a year has four digits"),
    ("1938-1", "is not an EDTF date the archive understands"),
    (" 1938", "the date has spaces at the start or end"),
    ("1938 ", "the date has spaces at the start or end"),
    ("../..", "an interval needs at least one known end"),
    ("../", "an interval needs at least one known end"),
    ("/..", "an interval needs at least one known end"),
    ("/", "an interval needs at least one known end"),
    ("1938/1939/1940", "is not an EDTF date the archive understands"),
    ("1938??", "is not an EDTF date the archive understands"),
    ("1938-21-01", "a season (21) has no days"),
    ("\u0661\u0669\u0663\u0668", "is not an EDTF date the archive understands"),  # Arabic-Indic digits
    ("1938-04-12 ", "the date has spaces at the start or end"),
    ("1938" * 30, "is too long to be an EDTF date"),
    ("1938\n", "the date has spaces at the start or end"),
]
