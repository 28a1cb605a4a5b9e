"""Benchmark harness: the archive at 10k to 1M events, beside the floor and eventsourcing.

For each size N it writes (once, cached) a deterministic synthetic bundle of N
events (:mod:`benchmarks.synth`), then measures, each operation in fresh child
processes (:mod:`benchmarks.worker`) so that each peak RSS is the operation's
own:

* ``append_batched`` — build the log by appending 1,000 events per call;
* ``append_single`` — one event per call, each durable, on the N-event log;
* ``import_bundle`` — ``archive import`` of the bundle into a new log;
* ``rebuild`` — the full catalogue from the N-event log;
* ``update_one`` — ``archive update`` after one new event, on the N-event catalogue;
* ``verify`` and ``export``;

and, in the same run, the baselines:

* ``floor`` — plain ``json.loads`` + ``executemany`` of the claims into the
  catalogue's claims table with its indexes;
* ``append_floor`` — the log's own INSERTs of the N events' stored rows (read
  from the built log: nothing parsed, validated, encoded or hashed), 1,000 per
  transaction, into a new log: what no batched append can beat;
* ``es_batched`` / ``es_single`` — the eventsourcing library's SQLite
  recorders (``SQLiteApplicationRecorder``, and ``SQLiteAggregateRecorder``)
  inserting the same events, 1,000 per call and one per call (install with
  ``pip install -e '.[bench]'``; without it those fields are null, with the reason).

It prints tables and, with ``--json PATH``, writes every figure, ratio and
target. ``--quick`` runs small sizes in under a minute. ``--profile OP``
runs one operation under cProfile and prints its top functions instead.
See docs/performance.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archive.verify import PARALLEL_FROM

from . import synth

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"
JSON_VERSION = 1

#: Operations of the archive, in the order they run, and what each is called in the table.
OPERATIONS = {
    "append_batched": "append, 1,000 events per call",
    "append_single": "append, 1 event per call (durable)",
    "import_bundle": "import bundle (one atomic append)",
    "rebuild": "full rebuild of the catalogue",
    "update_one": "update catalogue after 1 new event",
    "verify": "verify",
    "export": "export bundle",
}
BASELINES = {
    "floor": "floor: json.loads + executemany of the claims",
    "append_floor": "append floor: the log's INSERTs of the stored rows, 1,000 per transaction",
    "es_application_batched": "eventsourcing ApplicationRecorder, 1,000 per call",
    "es_application_single": "eventsourcing ApplicationRecorder, 1 per call",
    "es_aggregate_batched": "eventsourcing AggregateRecorder, 1,000 per call",
    "es_aggregate_single": "eventsourcing AggregateRecorder, 1 per call",
}
#: Operations timed per event rather than per run.
PER_EVENT = {"append_single", "update_one", "es_application_single", "es_aggregate_single"}
#: Operations repeated only --big-repeats times at N >= --big-from (they take minutes at a million events).
HEAVY = {"append_batched", "import_bundle", "rebuild", "verify", "export", "floor", "append_floor",
         "es_application_batched",
         "es_aggregate_batched"}

RSS_LIMIT_MB = 200.0
TARGETS_AT = 1_000_000
RSS_REFERENCE_AT = 100_000


class WorkerError(RuntimeError):
    pass


def _eventsourcing_version() -> str | None:
    if importlib.util.find_spec("eventsourcing") is None:
        return None
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("eventsourcing")
    except PackageNotFoundError:  # pragma: no cover - importable but not installed as a distribution
        return "unknown"


def _worker(op: str, bundle: Path, work: Path, *, count: int = 0, recorder: str | None = None,
            profile: Path | None = None) -> dict:
    command = [sys.executable, "-m", "benchmarks.worker", op, "--bundle", str(bundle), "--work", str(work)]
    if count:
        command += ["--count", str(count)]
    if recorder:
        command += ["--recorder", recorder]
    if profile is not None:
        command += ["--profile", str(profile)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    load = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    completed = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        tail = "\n".join(completed.stderr.strip().splitlines()[-8:])
        raise WorkerError(f"{op} failed (exit {completed.returncode}):\n{tail}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["load_average"] = load  # of the machine (1 minute) as the run started: other processes compete for it
    return result


def _mb(kib: int) -> float:
    return round(kib * 1024 / 1e6, 1)


def _empty(reason: str, per_event: bool) -> dict:
    return {"seconds": None, "unit": "event" if per_event else "run", "samples": [], "cpu_seconds": None,
            "cpu_samples": [], "runs": 0, "events": None, "events_per_second": None, "peak_rss_mb": None,
            "peak_rss_mb_runs": [], "load_average": [], "reason": reason}


def _summarise(name: str, results: list[dict]) -> dict:
    per_event = name in PER_EVENT
    samples = [s for r in results for s in r["samples"]]
    seconds = statistics.median(samples)
    events = results[-1]["events"]
    cpu = [s for r in results for s in r.get("cpu_samples", [])]
    summary = {
        "seconds": round(seconds, 6),
        "unit": "event" if per_event else "run",
        "samples": [round(s, 6) for s in samples],
        "cpu_seconds": round(statistics.median(cpu), 6) if cpu else None,
        "cpu_samples": [round(s, 6) for s in cpu],
        "runs": len(results),
        "events": events,
        "events_per_second": round((1 if per_event else events) / seconds, 1) if seconds > 0 else None,
        "peak_rss_mb": max(_mb(r["peak_rss_kib"]) for r in results),
        "peak_rss_mb_runs": [_mb(r["peak_rss_kib"]) for r in results],
        # the operation's own second process, if it started one (rebuild and verify of big logs)
        "child_peak_rss_mb": max(_mb(r.get("child_peak_rss_kib", 0)) for r in results),
    }
    if per_event:
        ordered = sorted(samples)
        summary["p90_seconds"] = round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))], 6)
    summary["load_average"] = [r.get("load_average") for r in results]
    for key in ("synchronous", "journal_mode"):
        if key in results[-1]:
            summary[key] = results[-1][key]
    return summary


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


class Harness:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.cache: Path = args.cache
        self.es_version = None if args.no_eventsourcing else _eventsourcing_version()
        self.failures: list[str] = []

    def log(self, message: str) -> None:
        if not self.args.silent:
            print(message, file=sys.stderr, flush=True)

    def repeats(self, name: str, n: int) -> int:
        if name in HEAVY and n >= self.args.big_from:
            return self.args.big_repeats
        return self.args.repeats

    # -- one size -------------------------------------------------------------------------------------
    def bundle(self, n: int) -> Path:
        """The cached bundle of n events, generated (once) in a child process to keep this one small."""
        started = time.perf_counter()
        path = synth.bundle_dir(self.cache, n, self.args.seed, self.args.ids)
        if not (path / "manifest.json").is_file():
            completed = subprocess.run(
                [sys.executable, "-m", "benchmarks.synth", str(n), str(self.cache), "--seed", str(self.args.seed),
                 "--ids", self.args.ids],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL if self.args.silent else None)
            if completed.returncode != 0:
                raise WorkerError(f"generating the bundle of {n} events failed (exit {completed.returncode})")
        self.log(f"[{n:,}] bundle {path.name} ready ({time.perf_counter() - started:.1f} s)")
        return path

    def run_op(self, name: str, n: int, bundle: Path, work: Path) -> dict:
        per_event = name in PER_EVENT
        if name.startswith("es_") and self.es_version is None:
            reason = ("eventsourcing is not installed: pip install -e '.[bench]'" if not self.args.no_eventsourcing
                      else "skipped (--no-eventsourcing)")
            return _empty(reason, per_event)
        op, recorder, count = name, None, 0
        if name.startswith("es_"):
            _, recorder, mode = name.split("_")
            op = f"es_{mode}"
        if name in ("append_single", "es_application_single", "es_aggregate_single"):
            count = self.args.single_count + 1
        elif name == "update_one":
            count = self.args.update_count
        if name == "import_bundle" and n > self.args.import_limit:
            return _empty(f"not run above --import-limit {self.args.import_limit:,} events", per_event)
        runs = 1 if per_event else self.repeats(name, n)
        results = []
        try:
            for run in range(runs):
                started = time.perf_counter()
                results.append(_worker(op, bundle, work, count=count, recorder=recorder))
                elapsed = time.perf_counter() - started
                self.log(f"[{n:,}] {name} run {run + 1}/{runs}: {statistics.median(results[-1]['samples']):.4f} s "
                         f"(wall {elapsed:.1f} s)")
                if elapsed > self.args.max_repeat_seconds and run + 1 < runs:
                    self.log(f"[{n:,}] {name}: one run took over {self.args.max_repeat_seconds:.0f} s; not repeated")
                    break
        except WorkerError as exc:
            self.failures.append(f"[{n}] {exc}")
            self.log(f"[{n:,}] {exc}")
            return _empty(str(exc), per_event)
        return _summarise(name, results)

    def size(self, n: int) -> dict:
        bundle = self.bundle(n)
        manifest = synth.load_manifest(bundle)
        work = self.cache / f"work-{bundle.name}"
        work.mkdir(parents=True, exist_ok=True)
        record: dict[str, Any] = {
            "events": n,
            "bundle": {k: manifest[k] for k in ("by_type", "claims_with_date", "events_bytes", "sources_bytes")},
            "operations": {},
            "baselines": {},
        }
        # append_batched writes the log every other operation reads; rebuild the catalogue update_one and the
        # floor read; the batched eventsourcing runs the databases the single ones copy.
        order = ["append_batched", "rebuild", "update_one", "append_single", "import_bundle", "verify", "export",
                 "floor", "append_floor", "es_application_batched", "es_application_single", "es_aggregate_batched",
                 "es_aggregate_single"]
        for name in order:
            result = self.run_op(name, n, bundle, work)
            (record["operations"] if name in OPERATIONS else record["baselines"])[name] = result
            if name == "append_batched" and result["seconds"] is None:
                break  # nothing else can run without the log
        for name in OPERATIONS:
            record["operations"].setdefault(name, _empty("not run: the log could not be built", name in PER_EVENT))
        for name in BASELINES:
            record["baselines"].setdefault(name, _empty("not run: the log could not be built", name in PER_EVENT))
        record["single_paired"] = self.single_paired(n, bundle, work, record)
        record["ratios"] = self.ratios(record)
        record["ratios_cpu"] = self.cpu_ratios(record)
        if not self.args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
        return record

    def single_paired(self, n: int, bundle: Path, work: Path, record: dict) -> dict:
        """One-event appends of the archive and eventsourcing taken in turns (see worker.single_paired)."""
        empty = {"archive_seconds": None, "es_application_seconds": None, "es_aggregate_seconds": None,
                 "archive_cpu_seconds": None, "es_application_cpu_seconds": None, "es_aggregate_cpu_seconds": None,
                 "floor_seconds": None, "floor_cpu_seconds": None, "fsync_seconds": None, "samples": 0,
                 "ratio": None, "floor_ratio": None}
        if self.es_version is None:
            return {**empty, "reason": record["baselines"]["es_application_single"]["reason"]}
        if any(record["baselines"][k]["seconds"] is None for k in ("es_application_batched", "es_aggregate_batched")):
            return {**empty, "reason": "not run: an eventsourcing database could not be built"}
        try:
            result = _worker("single_paired", bundle, work, count=self.args.single_count + 1)
        except WorkerError as exc:
            self.failures.append(f"[{n}] {exc}")
            return {**empty, "reason": str(exc)}

        def median(key: str) -> float:
            return round(statistics.median(result[key]), 6)

        found = {
            "archive_seconds": median("samples"), "es_application_seconds": median("es_application"),
            "es_aggregate_seconds": median("es_aggregate"), "archive_cpu_seconds": median("cpu_samples"),
            "es_application_cpu_seconds": median("es_application_cpu"),
            "es_aggregate_cpu_seconds": median("es_aggregate_cpu"), "floor_seconds": median("floor_samples"),
            "floor_cpu_seconds": median("floor_cpu"), "fsync_seconds": median("fsync_samples"),
            "samples": len(result["samples"]),
        }
        # eventsourcing's faster latency over the archive's: >= 1 means the archive is at least as fast
        found["ratio"] = _ratio(min(found["es_application_seconds"], found["es_aggregate_seconds"]),
                                found["archive_seconds"])
        # the same for the log's bare INSERT + COMMIT: the most the archive's ratio could be
        found["floor_ratio"] = _ratio(min(found["es_application_seconds"], found["es_aggregate_seconds"]),
                                      found["floor_seconds"])
        self.log(f"[{n:,}] single_paired: archive {found['archive_seconds'] * 1000:.2f} ms, eventsourcing "
                 f"{found['es_application_seconds'] * 1000:.2f} / {found['es_aggregate_seconds'] * 1000:.2f} ms, "
                 f"log floor {found['floor_seconds'] * 1000:.2f} ms, fsync {found['fsync_seconds'] * 1000:.2f} ms")
        return found

    @staticmethod
    def ratios(record: dict) -> dict:
        ops, base = record["operations"], record["baselines"]

        def rate(entry: dict) -> float | None:
            return entry["events_per_second"]

        es_batched = [rate(base[k]) for k in ("es_application_batched", "es_aggregate_batched")
                      if rate(base[k]) is not None]
        es_single = [base[k]["seconds"] for k in ("es_application_single", "es_aggregate_single")
                     if base[k]["seconds"] is not None]
        return {
            # time ratio: how many times the floor's time a full rebuild takes (target <= 1.5 at 1M)
            "rebuild_vs_floor": _ratio(ops["rebuild"]["seconds"], base["floor"]["seconds"]),
            # throughput ratios: the archive's events per second over eventsourcing's (target >= 2)
            "append_batched_vs_es_application": _ratio(rate(ops["append_batched"]),
                                                       rate(base["es_application_batched"])),
            "append_batched_vs_es_aggregate": _ratio(rate(ops["append_batched"]), rate(base["es_aggregate_batched"])),
            "append_batched_vs_eventsourcing": _ratio(rate(ops["append_batched"]), max(es_batched))
            if es_batched else None,
            # the log's bare INSERTs over eventsourcing: the most append_batched_vs_eventsourcing could be
            "append_floor_vs_eventsourcing": _ratio(rate(base["append_floor"]), max(es_batched))
            if es_batched else None,
            # speed ratios of one durable append: eventsourcing's latency over the archive's (target >= 1)
            "append_single_vs_es_application": _ratio(base["es_application_single"]["seconds"],
                                                      ops["append_single"]["seconds"]),
            "append_single_vs_es_aggregate": _ratio(base["es_aggregate_single"]["seconds"],
                                                    ops["append_single"]["seconds"]),
            "append_single_vs_eventsourcing": _ratio(min(es_single), ops["append_single"]["seconds"])
            if es_single else None,
            "import_vs_append_batched": _ratio(ops["import_bundle"]["seconds"], ops["append_batched"]["seconds"]),
        }

    @staticmethod
    def cpu_ratios(record: dict) -> dict:
        """The same ratios from CPU seconds: less disturbed by other processes, blind to waiting on the disk."""
        ops, base = record["operations"], record["baselines"]

        def cpu_rate(entry: dict) -> float | None:
            cpu = entry["cpu_seconds"]
            if not cpu or entry["events"] is None:
                return None
            return (1 if entry["unit"] == "event" else entry["events"]) / cpu

        es = [cpu_rate(base[k]) for k in ("es_application_batched", "es_aggregate_batched")]
        es = [r for r in es if r is not None]
        return {
            "rebuild_vs_floor": _ratio(ops["rebuild"]["cpu_seconds"], base["floor"]["cpu_seconds"]),
            "append_batched_vs_eventsourcing": _ratio(cpu_rate(ops["append_batched"]), max(es)) if es else None,
        }

    # -- the whole run ----------------------------------------------------------------------------------
    def run(self) -> dict:
        started = datetime.now(timezone.utc)
        commit = _git_commit()
        idle = None
        try:
            idle = _mb(_worker("idle", self.cache, self.cache)["peak_rss_kib"])
        except WorkerError as exc:  # pragma: no cover - reported, not fatal
            self.failures.append(str(exc))
        sizes = [self.size(n) for n in self.args.sizes]
        report = {
            "version": JSON_VERSION,
            "meta": {
                "started": started.isoformat(timespec="seconds"),
                "seconds": round((datetime.now(timezone.utc) - started).total_seconds(), 1),
                "command": " ".join(["python -m benchmarks.run", *self.args.argv]),
                "quick": self.args.quick,
                "seed": self.args.seed,
                "ids": self.args.ids,
                "generator_version": synth.GENERATOR_VERSION,
                "repeats": self.args.repeats,
                "big_repeats": self.args.big_repeats,
                "big_from": self.args.big_from,
                "max_repeat_seconds": self.args.max_repeat_seconds,
                "import_limit": self.args.import_limit,
                "single_count": self.args.single_count,
                "update_count": self.args.update_count,
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
                "archive": _archive_version(),
                "git_commit": commit,
                "eventsourcing": self.es_version,
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
                "idle_worker_rss_mb": idle,
            },
            "sizes": sizes,
        }
        report["rss_vs_100k"] = self.rss_growth(sizes)
        report["targets"] = self.targets(sizes, report["rss_vs_100k"])
        report["failures"] = self.failures
        return report

    @staticmethod
    def rss_growth(sizes: list[dict]) -> dict:
        """Peak RSS at the largest size over the peak at 100k (or the largest smaller size), per operation."""
        if len(sizes) < 2:
            return {"from_events": None, "to_events": None, "ratios": {name: None for name in OPERATIONS}}
        big = sizes[-1]
        smaller = [s for s in sizes[:-1] if s["events"] <= RSS_REFERENCE_AT] or sizes[:-1]
        ref = max(smaller, key=lambda s: s["events"])
        return {
            "from_events": ref["events"],
            "to_events": big["events"],
            "ratios": {name: _ratio(big["operations"][name]["peak_rss_mb"], ref["operations"][name]["peak_rss_mb"])
                       for name in OPERATIONS},
        }

    @staticmethod
    def targets(sizes: list[dict], growth: dict) -> list[dict]:
        if not sizes:
            return []
        big = sizes[-1]
        n = big["events"]
        note = None if n >= TARGETS_AT else f"measured at {n:,} events, not {TARGETS_AT:,}"
        ops, ratios = big["operations"], big["ratios"]

        def target(name: str, text: str, measured: float | None, unit: str, ok: bool | None, **extra: Any) -> dict:
            return {"name": name, "target": text, "measured": measured, "unit": unit,
                    "met": None if measured is None else ok, "at_events": n, "note": note, **extra}

        found = [
            target("rebuild_vs_floor", "full rebuild <= 1.5 x the floor's time", ratios["rebuild_vs_floor"], "x",
                   ratios["rebuild_vs_floor"] is not None and ratios["rebuild_vs_floor"] <= 1.5),
        ]
        for name in OPERATIONS:
            rss = ops[name]["peak_rss_mb"]
            growth_ratio = growth["ratios"].get(name)
            ok = rss is not None and rss <= RSS_LIMIT_MB and (growth_ratio is None or growth_ratio <= 1.2)
            found.append(target(f"rss_{name}", f"peak RSS of {name} <= {RSS_LIMIT_MB:.0f} MB and <= 1.2 x its "
                                f"{RSS_REFERENCE_AT:,}-event peak", rss, "MB", ok,
                                growth=growth_ratio, growth_from_events=growth["from_events"]))
        batched = ratios["append_batched_vs_eventsourcing"]
        paired = big.get("single_paired", {}).get("ratio")
        single = paired if paired is not None else ratios["append_single_vs_eventsourcing"]
        update, verify = ops["update_one"]["seconds"], ops["verify"]["seconds"]
        found += [
            target("append_batched_vs_eventsourcing", "batched append >= 2 x eventsourcing's events per second",
                   batched, "x", batched is not None and batched >= 2,
                   bound=ratios["append_floor_vs_eventsourcing"]),
            target("append_single_vs_eventsourcing", "one durable append at least as fast as eventsourcing's",
                   single, "x", single is not None and single >= 1,
                   basis="taken in turns (single_paired)" if paired is not None else "separate runs",
                   bound=big.get("single_paired", {}).get("floor_ratio")),
            target("update_one", "update after 1 new event <= 50 ms", None if update is None else update * 1000,
                   "ms", update is not None and update <= 0.050),
            target("verify", "verify <= 5 s", verify, "s", verify is not None and verify <= 5,
                   # Below PARALLEL_FROM verify runs in one process, so scaling it up would double the 1M figure.
                   extrapolated_to_1m=None if verify is None or n >= TARGETS_AT or n < PARALLEL_FROM
                   else round(verify * TARGETS_AT / n, 1)),
        ]
        return found


def _archive_version() -> str:
    import archive

    return archive.__version__


def _git_commit() -> str | None:
    """The checked-out commit (and whether src/ has changes), read-only; None outside a git work tree."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + (" (src/ modified)" if dirty.stdout.strip() else "")


# -- printing ----------------------------------------------------------------------------------------------

def _seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.2f} ms"
    return f"{value:.2f} s"


def _number(value: float | None, digits: int = 0) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def tables(report: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table the run prints."""
    found = []
    for size in report["sizes"]:
        n = size["events"]
        bundle = size["bundle"]
        title = (f"{n:,} events — {bundle['by_type'].get('ClaimRecorded', 0):,} claims, "
                 f"{bundle['by_type'].get('SourceRecorded', 0):,} sources, "
                 f"{bundle['events_bytes'] / 1e6:,.1f} MB of events")
        rows = []
        for group, names in ((size["operations"], OPERATIONS), (size["baselines"], BASELINES)):
            for name, label in names.items():
                entry = group[name]
                per = " / event" if entry["unit"] == "event" and name != "update_one" else ""
                rows.append([label, _seconds(entry["seconds"]) + per, _seconds(entry["cpu_seconds"]),
                             str(entry["runs"] if entry["unit"] == "run" else len(entry["samples"])),
                             _number(entry["events_per_second"]) if name != "update_one" else "—",
                             _number(entry["peak_rss_mb"], 1)])
        found.append((title, ["operation", "median (wall)", "CPU", "samples", "events/s", "peak RSS MB"], rows))
        paired = size.get("single_paired") or {}
        if paired.get("archive_seconds") is not None:
            rows.append(["1 event per call, in turns: archive / eventsourcing App / Agg / log floor / bare fsync",
                         " / ".join(_seconds(paired[k]) for k in ("archive_seconds", "es_application_seconds",
                                                                   "es_aggregate_seconds", "floor_seconds",
                                                                   "fsync_seconds")),
                         " / ".join(_seconds(paired[k]) for k in ("archive_cpu_seconds", "es_application_cpu_seconds",
                                                                   "es_aggregate_cpu_seconds", "floor_cpu_seconds")),
                         str(paired["samples"]), "—", "—"])
        ratio_rows = [[key, _number(value, 2)] for key, value in size["ratios"].items()]
        ratio_rows.append(["append_single_vs_eventsourcing, in turns", _number(paired.get("ratio"), 2)])
        ratio_rows.append(["log floor's single append vs eventsourcing, in turns", _number(paired.get("floor_ratio"), 2)])
        ratio_rows += [[f"{key} (CPU seconds)", _number(value, 2)] for key, value in size.get("ratios_cpu", {}).items()]
        found.append((f"{n:,} events — ratios", ["ratio", "value"], ratio_rows))
    rows = []
    for t in report["targets"]:
        measured = _number(t["measured"], 2 if t["unit"] in ("x", "s") else 1)
        if t["measured"] is not None:
            measured += f" {t['unit']}" if t["unit"] != "x" else " x"
        if t["name"].startswith("rss_") and t.get("growth") is not None:
            measured += f" ({t['growth']:.2f} x the {t['growth_from_events']:,}-event peak)"
        if t.get("bound") is not None:
            measured += f" (the log's bare INSERTs: {t['bound']:.2f} x)"
        if t.get("extrapolated_to_1m") is not None:
            measured += f" (extrapolated to 1M: {t['extrapolated_to_1m']} s)"
        met = {True: "met", False: "NOT met", None: "not measured"}[t["met"]]
        rows.append([t["target"], measured, met + (f" ({t['note']})" if t["note"] else "")])
    found.append(("Targets", ["target", "measured", "result"], rows))
    return found


def render(report: dict, markdown: bool = False) -> str:
    out = []
    for title, header, rows in tables(report):
        if markdown:
            out.append(f"**{title}**\n")
            out.append("| " + " | ".join(header) + " |")
            out.append("|" + "|".join(" --- " for _ in header) + "|")
            out.extend("| " + " | ".join(row) + " |" for row in rows)
        else:
            widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
            out.append(title)
            out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
            out.append("  ".join("-" * w for w in widths))
            out.extend("  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows)
        out.append("")
    return "\n".join(out)


# -- profiling ---------------------------------------------------------------------------------------------

NEEDS = {"rebuild": "append_batched", "update_one": "rebuild", "verify": "append_batched",
         "export": "append_batched", "append_single": "append_batched", "floor": "rebuild"}


def profile(args: argparse.Namespace) -> None:
    harness = Harness(args)
    for n in args.sizes:
        bundle = harness.bundle(n)
        work = args.cache / f"work-{bundle.name}"
        work.mkdir(parents=True, exist_ok=True)
        needed, chain = NEEDS.get(args.profile), []
        while needed:
            chain.insert(0, needed)
            needed = NEEDS.get(needed)
        for prerequisite in chain:
            if not (work / {"append_batched": "log.db", "rebuild": "catalogue.db"}[prerequisite]).exists():
                harness.log(f"[{n:,}] {prerequisite} first")
                _worker(prerequisite, bundle, work)
        stats_path = args.cache / f"profile-{args.profile}-{n}.prof"
        count = args.update_count if args.profile == "update_one" else args.single_count + 1
        result = _worker(args.profile, bundle, work, count=count, profile=stats_path)
        print(f"{args.profile} at {n:,} events: {statistics.median(result['samples']):.3f} s "
              f"(under cProfile), peak RSS {_mb(result['peak_rss_kib'])} MB; stats in {stats_path}")
        print_profile(stats_path, args.top)


def _short(path: str) -> str:
    """``archive/validation.py`` rather than the whole path, ``pyparsing/core.py`` rather than ``core.py``."""
    for marker in ("/site-packages/", "/src/", "/lib/python3.", "/work/main/"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return tail.split("/", 1)[1] if marker == "/lib/python3." and "/" in tail else tail
    return path


def print_profile(path: Path, top: int = 25) -> None:
    """Print the ``top`` functions of a cProfile stats file by cumulative time, with short paths."""
    import pstats

    stats = pstats.Stats(str(path), stream=sys.stdout)
    renamed = {}
    for (file, line, name), (cc, nc, tt, ct, callers) in stats.stats.items():
        renamed[(_short(file), line, name)] = (cc, nc, tt, ct,
                                               {(_short(f), ln, fn): v for (f, ln, fn), v in callers.items()})
    stats.stats = renamed
    stats.fcn_list = None
    stats.sort_stats("cumulative").print_stats(top)


# -- command line ------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0],
                                     epilog="See docs/performance.md.")
    parser.add_argument("--sizes", type=int, nargs="+", metavar="N", help="numbers of events (default 10000 100000 "
                        "1000000; --quick: 1000 10000)")
    parser.add_argument("--quick", action="store_true", help="small sizes and few repeats: under a minute")
    parser.add_argument("--repeats", type=int, help="runs of each operation, whose median is reported (default 3; "
                        "--quick: 2)")
    parser.add_argument("--big-repeats", type=int, default=1, help="runs of the heavy operations at N >= --big-from "
                        "(default 1)")
    parser.add_argument("--big-from", type=int, default=500_000)
    parser.add_argument("--max-repeat-seconds", type=float, default=120.0, help="an operation whose run took "
                        "longer than this is not repeated (default 120)")
    parser.add_argument("--import-limit", type=int, default=10_000_000, help="largest size at which the bundle "
                        "import is measured (default 10000000; lower it to save the two minutes a million-event "
                        "import takes)")
    parser.add_argument("--single-count", type=int, help="events appended one per call (default 50; --quick: 20)")
    parser.add_argument("--update-count", type=int, help="updates of one event each (default 5; --quick: 3)")
    parser.add_argument("--seed", type=int, default=synth.DEFAULT_SEED)
    parser.add_argument("--ids", choices=synth.IDS, default="time", help="event and claim ids of the synthetic log: "
                        "time-ordered UUID 7, as the library makes them (default), or name-based UUID 5, which land "
                        "anywhere in an index (a log whose ids were made elsewhere)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="where bundles and work files go "
                        "(default benchmarks/.cache)")
    parser.add_argument("--keep-work", action="store_true", help="keep each size's log, catalogue and databases")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write every figure as JSON here")
    parser.add_argument("--markdown", type=Path, metavar="PATH", help="write the tables as Markdown here")
    parser.add_argument("--no-eventsourcing", action="store_true", help="skip the eventsourcing baseline")
    parser.add_argument("--profile", choices=sorted(OPERATIONS) + ["floor"], metavar="OP",
                        help="run OP once per size under cProfile and print its top functions")
    parser.add_argument("--top", type=int, default=25, help="functions --profile prints (default 25)")
    parser.add_argument("--silent", action="store_true", help="no progress lines on stderr")
    parser.add_argument("--render", type=Path, metavar="JSON", help="print the tables of an earlier run's JSON "
                        "(with --markdown PATH: also as Markdown) and exit")
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    args.sizes = args.sizes or ([1000, 10_000] if args.quick else [10_000, 100_000, 1_000_000])
    args.repeats = args.repeats or (2 if args.quick else 3)
    args.single_count = args.single_count or (20 if args.quick else 50)
    args.update_count = args.update_count or (3 if args.quick else 5)
    if min(args.sizes) < 20:
        parser.error("sizes must be at least 20 events")
    if args.profile:
        args.keep_work = True
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.render:
        report = json.loads(args.render.read_text(encoding="utf-8"))
        if args.markdown:
            args.markdown.write_text(render(report, markdown=True), encoding="utf-8")
        print(render(report))
        return 0
    args.cache.mkdir(parents=True, exist_ok=True)
    if args.profile:
        profile(args)
        return 0
    report = Harness(args).run()
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.markdown:
        args.markdown.write_text(render(report, markdown=True), encoding="utf-8")
    print(render(report))
    if report["failures"]:
        print(f"{len(report['failures'])} operation(s) failed:", *report["failures"], sep="\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
