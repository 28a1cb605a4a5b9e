"""Ids for new events, claims and conclusions: time-ordered UUIDs (version 7, RFC 9562).

Why not random UUIDs (version 4)? The log keeps a unique index on event ids and one on
streams (``claim:<claim_id>``), and the catalogue keys its claims by id. A random id
lands on a random page of each index, so once an index outgrows SQLite's page cache
nearly every insert reads a page and every commit writes back about one page per row
per index. A version 7 id starts with the Unix time in milliseconds, so ids made later
sort later and land on the right edge of the index: the log's bare inserts of a million
rows took 55.3 s with random ids and 7.0 to 8.3 s with these
(``benchmarks/log_writes.py``, docs/performance.md).

They are still UUIDs: everything that accepts an id accepts them, and ids made elsewhere
(version 4 or 5, slugs) keep working, only with the slower index pattern. One process's
ids always increase; ids of different processes or machines sort by their clocks.

An id tells when it was made, to the millisecond. That is usually what ``recorded_at``
says too, but not for an event recorded with a ``recorded_at`` in the past: pass your own
``event_id`` (and ``claim_id``) if the moment of transcription must not show.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

__all__ = ["new_id", "time_ordered_uuid"]

_MAX_MS = (1 << 48) - 1
_COUNTER_BITS = 12
_COUNTER_MASK = (1 << _COUNTER_BITS) - 1
_RANDOM_MASK = (1 << 62) - 1

# The last (milliseconds << 12 | counter) handed out by this process, so that its ids
# strictly increase even when the clock steps back or thousands are made in one millisecond.
_last = 0
_lock = threading.Lock()


def _renew_lock_in_child() -> None:
    # A fork while another thread held the lock would leave the child's copy locked forever.
    global _lock
    _lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_renew_lock_in_child)


def time_ordered_uuid(unix_ms: int, counter: int, random_bits: int) -> str:
    """The UUID version 7 with these fields, in canonical lower-case form.

    ``unix_ms`` is the 48-bit Unix time in milliseconds, ``counter`` the 12 bits that
    order ids made in the same millisecond, ``random_bits`` the 62 bits that keep ids
    of different processes apart. Ids compare (as strings, too) as their
    ``(unix_ms, counter)`` pairs do. Deterministic, for tests and generated logs; use
    :func:`new_id` for a fresh id.
    """
    if not 0 <= unix_ms <= _MAX_MS:
        raise ValueError(f"unix_ms must be between 0 and 2**48 - 1 milliseconds, not {unix_ms!r}")
    if not 0 <= counter <= _COUNTER_MASK:
        raise ValueError(f"counter must be between 0 and {_COUNTER_MASK}, not {counter!r}")
    value = (unix_ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | (random_bits & _RANDOM_MASK)
    return str(uuid.UUID(int=value))


def new_id() -> str:
    """A fresh id: a UUID version 7 from the clock, later than every id this process made before.

    If the clock once jumped far ahead and came back, this process's later ids keep the
    time of that jump (moving on by the counter) until the clock catches up or the process
    restarts: order within the process wins over the clock, as RFC 9562 allows.
    """
    global _last
    now = time.time_ns() // 1_000_000
    with _lock:
        # A new millisecond starts its counter at 0; within one, or if the clock went back, the
        # counter moves on, and past 4,095 it carries into the milliseconds (RFC 9562, 6.2).
        stamp = max(now << _COUNTER_BITS, _last + 1)
        _last = stamp
    return time_ordered_uuid(stamp >> _COUNTER_BITS, stamp & _COUNTER_MASK,
                             int.from_bytes(os.urandom(8), "big"))
