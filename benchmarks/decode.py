"""What turning an event's JSON line into the model's object costs, step by step, per event.

Reads the first N events of a synthetic bundle (``benchmarks.synth``, by default the harness's
100,000-event one; written into
``--cache`` if it is not there yet) and times each step over all N lines, as the median
of ``--repeats`` passes, in microseconds per event:

* ``json_loads`` and ``orjson_loads``: the line parsed into a dict;
* ``cattrs_structure``: the dict structured into its attrs event by the codec's fast cattrs
  converter, the path a valid event takes on append;
* ``decode_with_payload``: what an append does with each dict (``archive.codec``): the tag and
  key checks, the structuring, and the canonical bytes;
* ``msgspec_convert``: the same dicts converted into the same attrs classes by msgspec, if it is
  installed (``pip install -e '.[bench]'``), with ``msgspec_differs``, how many of its objects are
  not equal to cattrs' (the comparison is like for like only when that is 0).

Nothing is written to a log: this isolates the codec, which the append profile in
docs/performance.md shows with everything else around it.

Example::

    python -m benchmarks.decode 50000 --cache /tmp/benchcache --repeats 5
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import orjson

from archive.codec import EVENT_TYPES, _fast_converter, decode_with_payload
from benchmarks import synth

#: The bundle the steps read their lines from: the harness's own 100,000-event one (synth.py).
BUNDLE_EVENTS = 100_000


def _per_event(step: Callable[[Any], object], inputs: list, repeats: int) -> float:
    """Median microseconds per input of ``step`` over every input, ``repeats`` passes."""
    passes = []
    for _ in range(repeats):
        started = time.perf_counter()
        for item in inputs:
            step(item)
        passes.append(time.perf_counter() - started)
    return statistics.median(passes) / len(inputs) * 1e6


def _structure(data: dict) -> object:
    return _fast_converter.structure(data, EVENT_TYPES[data["type"]])


def measure(lines: list[bytes], repeats: int) -> dict[str, Any]:
    """Microseconds per event of each step over ``lines`` (and msgspec's if it is installed)."""
    dicts = [json.loads(line) for line in lines]
    result: dict[str, Any] = {
        "events": len(lines),
        "repeats": repeats,
        "json_loads": _per_event(json.loads, lines, repeats),
        "orjson_loads": _per_event(orjson.loads, lines, repeats),
        "cattrs_structure": _per_event(_structure, dicts, repeats),
        "decode_with_payload": _per_event(decode_with_payload, dicts, repeats),
        "msgspec_convert": None,
        "msgspec_differs": None,
    }
    try:
        import msgspec
    except ImportError:
        return result

    def convert(data: dict) -> object:
        return msgspec.convert(data, EVENT_TYPES[data["type"]])

    result["msgspec_convert"] = _per_event(convert, dicts, repeats)
    result["msgspec_differs"] = sum(1 for data in dicts if convert(data) != _structure(data))
    return result


def read_lines(cache: Path, events: int, bundle_events: int = BUNDLE_EVENTS) -> list[bytes]:
    """The first ``events`` lines of the ``bundle_events``-event bundle (written into ``cache`` if absent)."""
    if not 0 < events <= bundle_events:
        raise SystemExit(f"decode {events} events of a {bundle_events}-event bundle? give 1 to {bundle_events}")
    bundle = synth.write_bundle(cache, bundle_events)
    with open(bundle / "events.jsonl", "rb") as lines:
        return list(itertools.islice(lines, events))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("events", type=int, help="how many of the bundle's events to decode")
    parser.add_argument("--cache", type=Path, required=True, help="where the synthetic bundles are (or go)")
    parser.add_argument("--bundle-events", type=int, default=BUNDLE_EVENTS,
                        help="the size of the bundle whose first EVENTS lines are read (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    figures = measure(read_lines(args.cache, args.events, args.bundle_events), args.repeats)
    print(f"{figures['events']:,} events, median of {figures['repeats']} passes, microseconds per event:")
    for step in ("json_loads", "orjson_loads", "cattrs_structure", "decode_with_payload", "msgspec_convert"):
        value = figures[step]
        print(f"  {step:<20} {'not installed' if value is None else f'{value:6.2f}'}")
    if figures["msgspec_differs"] is not None:
        print(f"  msgspec objects not equal to cattrs': {figures['msgspec_differs']}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
