"""Source text: decoding the stored bytes, and anchoring quotes in them.

A selector's offsets count Unicode code points of the decoded text exactly as
stored: no normalisation (NFC/NFD), no newline translation. What a curator
sees in the file is what the offsets count.
"""

from __future__ import annotations

import re
import unicodedata

from .errors import ValidationError
from .model import TextSelector

__all__ = ["charset_of", "decode_text", "make_selector", "occurrences", "fold", "CONTEXT"]

#: How many characters of prefix and suffix a selector made by us carries.
CONTEXT = 32

_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([A-Za-z0-9._-]+)\"?", re.IGNORECASE)


def charset_of(media_type: str) -> str | None:
    """The charset a media type declares; utf-8 for text without one; None for non-text."""
    found = _CHARSET.search(media_type)
    if found:
        return found.group(1).lower()
    if media_type.split(";")[0].strip().lower().startswith("text/"):
        return "utf-8"
    return None


def decode_text(content: bytes, media_type: str, *, path: str = "$.media_type") -> str | None:
    """The text of a source, or None when its media type is not text."""
    charset = charset_of(media_type)
    if charset is None:
        return None
    try:
        return content.decode(charset)
    except LookupError:
        raise ValidationError("unknown charset", path=path, value=media_type) from None
    except UnicodeDecodeError as exc:
        raise ValidationError(
            f"the source's bytes are not valid {charset} (byte {exc.start})", path=path, value=media_type,
            hint="declare the charset the file really uses, e.g. 'text/plain; charset=windows-1251'",
        ) from None


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of ``quote`` in ``text`` (overlapping ones too)."""
    found, start = [], text.find(quote)
    while start != -1 and quote:
        found.append(start)
        start = text.find(quote, start + 1)
    return found


def make_selector(text: str, quote: str, *, occurrence: int | None = None, context: int = CONTEXT) -> TextSelector:
    """A selector for the ``occurrence``-th (1-based) appearance of ``quote`` in ``text``.

    Without ``occurrence`` the quote must appear exactly once: a quote found in several places
    would otherwise be anchored, silently, to whichever came first.
    """
    if not quote:
        raise ValidationError("the quote is empty", path="$.selector.exact", value=quote)
    starts = occurrences(text, quote)
    if not starts:
        raise ValidationError(
            "the quote does not occur in the source", path="$.selector.exact", value=quote,
            hint="copy it exactly, with the source's accents, quotation marks and spaces",
        )
    if occurrence is None:
        if len(starts) > 1:
            raise ValidationError(
                f"the quote occurs {len(starts)} times in the source, so it does not say which passage is meant",
                path="$.selector.exact", value=quote,
                hint=f"quote more of the passage, or give occurrence=1 to {len(starts)}: "
                     + "; ".join(f"{number} is {_in_context(text, start, len(quote))}"
                                 for number, start in enumerate(starts[:_SHOWN], start=1))
                     + ("; …" if len(starts) > _SHOWN else ""),
            )
        occurrence = 1
    if not 1 <= occurrence <= len(starts):
        raise ValidationError(
            f"the quote occurs {len(starts)} time(s), so occurrence must be 1 to {len(starts)}",
            path="$.occurrence", value=occurrence,
        )
    start = starts[occurrence - 1]
    end = start + len(quote)
    return TextSelector(
        exact=quote, start=start, end=end,
        prefix=text[max(0, start - context): start], suffix=text[end: end + context],
    )


#: How many occurrences of an ambiguous quote its error shows, and with how many characters each side.
_SHOWN, _SHOWN_CONTEXT = 5, 25


def _in_context(text: str, start: int, length: int) -> str:
    """An occurrence at ``start`` with a little text each side, on one line: ``…before [quote] after…``, ``…`` where the text goes on."""
    first, last = max(0, start - _SHOWN_CONTEXT), start + length + _SHOWN_CONTEXT
    shown = (("…" if first > 0 else "") + f"{text[first:start]}[{text[start: start + length]}]"
             + text[start + length: last] + ("…" if last < len(text) else ""))
    return " ".join(shown.split())


def check_selector(text: str, selector: TextSelector, *, path: str = "$.selector") -> None:
    """Raise unless the selector's quote, prefix and suffix are at its offsets in ``text``."""
    exact, start, end = selector.exact, selector.start, selector.end
    if not exact:
        raise ValidationError("the quote is empty", path=f"{path}.exact", value=exact)
    if start < 0 or end > len(text) or start > end:
        raise ValidationError(
            f"offsets out of range: the source text has {len(text)} characters", path=f"{path}.start",
            value=[start, end], hint="start and end must satisfy 0 <= start <= end <= length",
        )
    if text.startswith(exact, start) and end - start != len(exact):
        raise ValidationError(
            f"end - start is {end - start} but the quote has {len(exact)} characters", path=f"{path}.end", value=end,
            hint=f"end should be {start + len(exact)}",
        )
    if text[start:end] != exact:
        starts = occurrences(text, exact)
        if not starts:
            raise ValidationError(
                "the quote does not occur in the source", path=f"{path}.exact", value=exact,
                hint="copy it exactly, with the source's accents, quotation marks and spaces",
            )
        where = ", ".join(str(s) for s in starts[:5]) + (" …" if len(starts) > 5 else "")
        raise ValidationError(
            "the quote is not at these offsets", path=f"{path}.start", value=start,
            hint=f"it occurs at start = {where}",
        )
    if selector.prefix and text[max(0, start - len(selector.prefix)): start] != selector.prefix:
        raise ValidationError("the prefix does not come right before the quote", path=f"{path}.prefix",
                              value=selector.prefix)
    if selector.suffix and text[end: end + len(selector.suffix)] != selector.suffix:
        raise ValidationError("the suffix does not come right after the quote", path=f"{path}.suffix",
                              value=selector.suffix)


def fold(text: str) -> str:
    """A name as a search key: case, accents and diacritics folded away.

    Hrușciov, Hruşciov (cedilla) and HRUSCIOV all fold to ``hrusciov``; Хрущёв and
    Хрущев to ``хрущев`` — which SQLite's own tokenizer does not do for Cyrillic.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
