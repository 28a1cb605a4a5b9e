"""Recompute everything the log claims about itself.

``verify`` reads every stored event and source document of any
:class:`~archive.log.EventLog` backend and checks: positions run 1, 2, 3…
without gaps; each event's ``prev_hash`` is the hash of the event before it;
each hash recomputes from the stored bytes; the payload is canonical JSON whose
id, type and version match the stored columns; stream versions run 1, 2, 3…
per stream; each source's bytes hash to its id and every recorded source has
its bytes.

It reads the events through :func:`archive.log.scan.scanner`: plain rows from
a backend that offers them (the SQLite log), :meth:`EventLog.read` from any
other. Stream versions are checked by the backend's index, not a dict of every
stream, so memory stays flat. From :data:`PARALLEL_FROM` events on, a second
process checks the later part of the log at the same time; the link between
the two parts is checked where they meet."""

from __future__ import annotations

import gc
import hashlib
import heapq
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import attrs
import orjson

from . import _child
from .codec import canonical_bytes, stream_id_of, upcast, check_tag
from .errors import IntegrityError, ValidationError
from .fastjson import has_float
from .log.base import GENESIS_HASH, EventLog, Head, chain_hash
from .log.scan import scanner

__all__ = ["VerifyReport", "verify", "parse_head"]


@attrs.frozen
class VerifyReport:
    events: int
    sources: int
    head: Head
    problems: tuple[IntegrityError, ...]
    #: The first log position found bad, even when ``limit`` left its problem out of ``problems`` (the
    #: log-wide problems come first: a dropped guard, a lost tail); None when every event is sound.
    first_bad_position: int | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _canonical_data(payload: bytes) -> dict[str, Any]:
    """The payload parsed, if it is the canonical form of what it holds; raises ValueError if not.

    ``codec.canonical_bytes`` (the json module) is the judge, and it is slow. orjson parses and writes
    the same JSON about seven times faster and, with sorted keys, writes the same bytes for every dict,
    list, string (all of Unicode: the same escapes, UTF-8 otherwise), integer, true, false and null. It
    writes some floats differently (1e-07 as 1e-7), and reads integers beyond 64 bits as floats: so
    only a payload holding no float that orjson writes back byte for byte is accepted on orjson's word;
    any other goes to the judge, which says what is wrong with it.
    """
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        pass
    else:
        if type(data) is dict and orjson.dumps(data, option=orjson.OPT_SORT_KEYS) == payload \
                and not has_float(data):
            return data
    data = json.loads(payload)
    if canonical_bytes(data) != payload:
        raise ValueError("payload is not in canonical form")
    return data


# Problems found at one position are listed in the order of the checks (positions, links, hashes,
# stream versions, payloads), whichever pass or process found them.
_GAP, _LINK, _HASH, _VERSION, _PAYLOAD = range(5)

#: From this many events on, verify splits the positions between two processes (when it can).
PARALLEL_FROM = 100_000
#: The share of the events this process checks itself when it splits: a little under half, because it
#: also checks the stream versions and the documents while the other process checks the rest.
_OWN_SHARE = 0.42

Found = tuple[int, int, str]  # (position, check, text)


@attrs.define
class _Run:
    """The checks of one run of consecutive positions, and what the run ends on.

    A run that does not start the log (``first_checked`` false) cannot know the position and hash its
    first event must follow; it leaves them to whoever knows the run before it (see ``_seam``).
    """

    limit: int
    expected_position: int = 1
    prev_hash: str = GENESIS_HASH
    first_checked: bool = True
    first: tuple[int, str] | None = None  # (position, prev_hash) of the run's first event
    count: int = 0
    found: list[Found] = attrs.Factory(list)
    sources: list[str] = attrs.Factory(list)

    def problem(self, check: int, text: str, position: int) -> None:
        if len(self.found) < self.limit:
            self.found.append((position, check, text))

    def check(self, batches, progress: Callable[[int], None] | None = None) -> None:
        # Each payload's dict is freed by reference counting as soon as the next row replaces it, and
        # nothing here makes a cycle: the cyclic collector would only walk the young dicts over and
        # over (5 % of a verify), so it is paused for the scan.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._check(batches, progress)
        finally:
            if collecting:
                gc.enable()

    def _check(self, batches, progress: Callable[[int], None] | None) -> None:
        problem = self.problem
        for rows in batches:
            if self.first is None and rows:
                self.first = (rows[0][0], rows[0][8])
                if not self.first_checked:
                    self.expected_position, self.prev_hash = rows[0][0], rows[0][8]
            expected_position, prev_hash = self.expected_position, self.prev_hash
            for position, event_id, stream_id, stream_version, type_name, version, payload, digest, prev in rows:
                if position != expected_position:
                    problem(_GAP, f"expected position {expected_position} here: positions must have no gaps",
                            position)
                expected_position = position + 1
                if prev != prev_hash:
                    problem(_LINK, "prev_hash does not match the hash of the event before it", position)
                if chain_hash(position, stream_id, stream_version, prev, payload) != digest:
                    problem(_HASH, "hash mismatch: the stored bytes are not the bytes that were hashed", position)
                prev_hash = digest
                try:
                    data = _canonical_data(payload)
                    check_tag(data)
                    if (data["event_id"], data["type"], data["version"]) != (event_id, type_name, version):
                        raise ValueError("the payload's event_id, type or version differs from the stored columns")
                    current = upcast(data)
                    if stream_id_of(current) != stream_id:
                        raise ValueError(
                            f"the payload belongs to stream {stream_id_of(current)}, not {stream_id}")
                    if current["type"] == "SourceRecorded":
                        self.sources.append(current["source_id"])
                except (ValueError, KeyError, TypeError, ValidationError) as exc:
                    problem(_PAYLOAD, f"unreadable payload: {exc}", position)
            self.expected_position, self.prev_hash = expected_position, prev_hash
            self.count += len(rows)
            if progress is not None:
                progress(self.count)

    def seam(self, later: "_Run") -> list[Found]:
        """The checks of ``later``'s first event that need this run, which comes just before it."""
        if later.first is None:
            return []
        position, prev = later.first
        problems = []
        if position != self.expected_position:
            problems.append((position, _GAP,
                             f"expected position {self.expected_position} here: positions must have no gaps"))
        if prev != self.prev_hash:
            problems.append((position, _LINK, "prev_hash does not match the hash of the event before it"))
        return problems


def verify(log: EventLog, *, progress: Callable[[int], None] | None = None, limit: int = 100,
           processes: int | None = None, expect: Head | None = None) -> VerifyReport:
    """Check the whole log; collect up to ``limit`` problems (never raises on bad data).

    ``processes``: 1 checks everything in this process; 2 lets another process check the later part
    of the log at the same time (a log another process can open, such as the SQLite log); None (the
    default) chooses 2 from :data:`PARALLEL_FROM` events on, on a machine with more than one core.

    ``expect``: a head kept outside the log (printed by an earlier verify, or a catalogue's
    ``log_head_hash``). The log must still hold that position with that hash. The chain alone cannot
    see its last events cut off, or its history rewritten with every later hash recomputed; a head
    remembered elsewhere can. ``expect.hash`` may be a prefix of 16 or more hex digits.
    """
    if expect is not None and (expect.position < 0 or not _HASH_PREFIX.fullmatch(expect.hash)):
        raise ValueError(f"expect must be a position of 0 or more and 16 to 64 lower-case hex digits of its hash "
                         f"(fewer would match too much), not {expect.position}:{expect.hash!r}")
    scan = scanner(log)
    upto = log.head().position
    if processes is None:
        processes = 2 if upto >= PARALLEL_FROM and (os.cpu_count() or 1) > 1 else 1
    split, child = upto, None
    if processes > 1 and scan.path is not None and upto > 1:
        split = int(upto * _OWN_SHARE)
        child = _start_part(scan.path, split, upto, limit)

    try:
        own = _Run(limit)
        own.check(scan.rows(upto=split), _share_of_whole(progress, split, upto) if child is not None else progress)
        # Stream versions: the backend names the streams whose versions do not run 1, 2, 3… in position
        # order (without holding every stream's version in memory); each is read again to say where.
        versions = heapq.nsmallest(limit, _version_problems(log, scan.broken_streams(upto=upto), upto),
                                   key=lambda item: item[:2])
        # The documents' hashes, while the other process is still at work.
        blob_count, bad_blobs = 0, []
        for blob in log.blob_ids():
            blob_count += 1
            content = log.get_blob(blob)
            actual = "sha256:" + hashlib.sha256(content or b"").hexdigest()
            if actual != blob:
                bad_blobs.append((f"the bytes hash to {actual}", blob))
        runs = [own]
        if split < upto:
            later = _finish_part(child, log, split, upto, limit)
            runs.append(later)
            if progress is not None:
                progress(own.count + later.count)
    except BaseException:
        # Interrupted (Ctrl-C, SIGTERM) or failed in this half: the other half must not go on reading the
        # log after verify has returned, as the rebuild's second process does not either.
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        raise
    found = [*versions]
    for run in runs:
        found.extend(run.found)
    for earlier, later in zip(runs, runs[1:]):
        found.extend(earlier.seam(later))
    found.sort(key=lambda item: item[:2])
    problems = [IntegrityError(text, position=position) for position, _, text in found[:limit]]

    def source_problem(text: str, source_id: str) -> None:
        if len(problems) < limit:
            problems.append(IntegrityError(text, source_id=source_id))

    for text, blob in bad_blobs:
        source_problem(text, blob)
    recorded_sources = [source for run in runs for source in run.sources]
    missing = set(recorded_sources) - log.has_blobs(recorded_sources)
    for source_id in sorted(missing):
        source_problem("recorded, but its bytes are missing", source_id)
    head = log.head()
    # Said first: a log that no longer guards itself explains events changed in place.
    problems[:0] = [IntegrityError(text) for text in scan.guard_problems()]
    if expect is not None:
        # Said first: a log restored from an older copy explains any other problem found with it.
        problems[:0] = _expected_head_problems(log, head, expect)
    positions = [p.position for p in problems if p.position is not None]
    del problems[limit:]
    return VerifyReport(events=sum(run.count for run in runs), sources=blob_count, head=head,
                        problems=tuple(problems), first_bad_position=min(positions) if positions else None)


def _expected_head_problems(log: EventLog, head: Head, expect: Head) -> list[IntegrityError]:
    """What is wrong with the log, if it no longer holds the head ``expect`` (empty if it does)."""
    short = expect.hash[:16]
    if expect.position > head.position:
        missing = expect.position - head.position
        return [IntegrityError(
            f"the log ends at position {head.position}, but position {expect.position} (hash {short}…) was "
            f"expected: its last {missing} event(s) are missing (was the log restored from an older copy, "
            f"cut short, or is it another log?)", position=head.position + 1)]
    if expect.position == 0:
        stored_hash = GENESIS_HASH
    else:
        stored = next(iter(log.read(after=expect.position - 1, upto=expect.position)), None)
        if stored is None:  # a gap, which the scan reports too
            return [IntegrityError(f"no event here, but one with hash {short}… was expected", position=expect.position)]
        stored_hash = stored.hash
    if not stored_hash.startswith(expect.hash):
        return [IntegrityError(
            f"the event here has hash {stored_hash[:16]}…, but {short}… was expected: the log's history up to "
            f"this position is not the one that head was taken from (rewritten, or another log)",
            position=expect.position)]
    return []


#: A hash as a head may give it: 16 to 64 of its lower-case hex digits (fewer would match too much).
_HASH_PREFIX = re.compile(r"[0-9a-f]{16,64}")
_HEAD = re.compile(rf"([0-9]+):({_HASH_PREFIX.pattern})")


def parse_head(text: str) -> Head:
    """A head written ``POSITION:HASH`` (as ``archive verify`` prints it); HASH may be cut to 16+ hex digits."""
    match = _HEAD.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a head: write POSITION:HASH, e.g. 12:3f9a0c5e7b1d2a46 with 16 to 64 "
                         f"lower-case hex digits of the hash, as 'archive verify' prints it")
    return Head(int(match.group(1)), match.group(2))


def _share_of_whole(progress: Callable[[int], None] | None, split: int, upto: int) -> Callable[[int], None] | None:
    """Progress through this process's part, shown as progress through the whole log.

    The two parts are sized to finish together, so the share of its own part this process has checked
    is the best estimate of the share of the log checked: without it the bar would stop at the part's
    end (42 %) and jump to 100 % when the other process reports. It stops at 99 %: the documents'
    hashes and the other process's report (or, if that process failed, its part checked here) are
    still to come, and only the final count says 100 %.
    """
    if progress is None or split <= 0:
        return progress
    ceiling = upto * 99 // 100
    return lambda done: progress(min(ceiling, done * upto // split))


def _version_problems(log: EventLog, streams: Iterable[str], upto: int) -> Iterator[Found]:
    for stream_id in streams:
        last = 0
        for event in sorted((e for e in log.read_stream(stream_id) if e.position <= upto), key=lambda e: e.position):
            expected = last + 1
            if event.stream_version != expected:
                yield (event.position, _VERSION,
                       f"stream {stream_id} jumps to version {event.stream_version}, expected {expected}")
            last = event.stream_version


# -- the other process ------------------------------------------------------------------------------------
# The child (archive._child) checks the positions (after, upto] and writes its _Run as JSON on stdout.
# If it cannot be started or fails, this process checks that part itself: the report never depends on it.

def _start_part(path: Path, after: int, upto: int, limit: int) -> subprocess.Popen | None:
    return _child.start("archive.verify._part_main", [str(path), str(after), str(upto), str(limit)])


def _finish_part(child: subprocess.Popen | None, log: EventLog, after: int, upto: int, limit: int) -> _Run:
    if child is not None:
        out, _ = child.communicate()
        if child.returncode == 0:
            try:
                state = json.loads(out)
                state["first"] = state["first"] and tuple(state["first"])
                state["found"] = [tuple(item) for item in state["found"]]
                return _Run(**state, limit=limit, first_checked=False)
            except (ValueError, TypeError, KeyError):
                pass
    run = _Run(limit, first_checked=False)
    run.check(scanner(log).rows(after=after, upto=upto))
    return run


def _part_main(argv: list[str]) -> None:
    from .log.sqlite import SQLiteEventLog

    path, after, upto, limit = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    run = _Run(limit, first_checked=False)
    with SQLiteEventLog(path, create=False) as log:
        run.check(scanner(log).rows(after=after, upto=upto))
    state = attrs.asdict(run, filter=lambda a, _: a.name not in ("limit", "first_checked"))
    sys.stdout.write(json.dumps(state))
