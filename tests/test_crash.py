"""Crash safety: kill ``archive import`` and ``archive rebuild`` with SIGKILL at random moments.

Each trial starts a child process, waits a seeded random delay between 30 %
and 130 % of the time a whole run takes (so kills land early, late, around
the commit and after it), and kills it with SIGKILL (no clean-up handlers run).
Then: the log holds all of the import's batch or none of it; ``verify``
passes; a fresh rebuild equals a clean one; the catalogue file is the old
catalogue or the new one, never something in between.

Trials: ``ARCHIVE_CRASH_TRIALS`` (default 12 each; the ``thorough`` profile in
docs/guarantees.md runs 200). The seed is fixed, so a failure reproduces.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import archive
from archive.bundle import export_bundle
from archive.catalogue import rebuild

from .builders import Builder, catalogue_content, file_digest

TRIALS = int(os.environ.get("ARCHIVE_CRASH_TRIALS", "12"))
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")


@pytest.fixture(scope="module")
def big_bundle(tmp_path_factory) -> Path:
    """A bundle of a few thousand events: enough for a kill to land mid-import."""
    work = tmp_path_factory.mktemp("crash")
    build = Builder(seed="crash")
    text = " ".join(f"word{i} Hrușciov" for i in range(2000))
    source, blobs = build.source(text)
    events = [source] + [build.entity(f"e{i}") for i in range(1500)]
    events += [build.claim(f"c{i}", subject_id=f"e{i}", source=source, text=text, quote=f"word{i} ", edtf="1938")
               for i in range(1500)]
    with archive.open(work / "source.db") as arc:
        arc.append(events, blobs=blobs)
        export_bundle(arc, work / "bundle")
    return work / "bundle"


def _run_and_kill(args: list[str], delay: float) -> int | None:
    child = subprocess.Popen([sys.executable, "-m", "archive", *args], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    return child.wait()


def _duration(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "archive", *args], check=True, capture_output=True)
    return time.perf_counter() - started


def test_a_killed_import_leaves_all_or_nothing(big_bundle, tmp_path):
    rng = random.Random(20261123)
    clean = tmp_path / "clean.db"
    whole = _duration(["import", str(clean), str(big_bundle)])
    with archive.open(clean) as arc:
        full_head = arc.head()
    outcomes = {"none": 0, "all": 0}
    for trial in range(TRIALS):
        log = tmp_path / f"killed-{trial}.db"
        _run_and_kill(["import", str(log), str(big_bundle)], whole * rng.uniform(0.3, 1.3))
        if not log.exists():  # killed before SQLite created the file
            outcomes["none"] += 1
            continue
        try:
            arc = archive.open(log, create=False)
        except (archive.ArchiveError, FileNotFoundError):
            # killed while the empty log was being created (an empty file, or one without its schema):
            # it holds no events, and a new import creates the log afresh
            outcomes["none"] += 1
            retry = subprocess.run([sys.executable, "-m", "archive", "import", str(log), str(big_bundle)],
                                   capture_output=True, text=True)
            assert retry.returncode == 0, retry.stderr
            continue
        with arc:
            head = arc.head()
            assert head in (full_head, archive.log.Head(0, archive.log.GENESIS_HASH)), head
            outcomes["all" if head == full_head else "none"] += 1
            report = arc.verify()
            assert report.ok, report.problems
            if head == full_head:
                rebuild(arc.log, tmp_path / f"after-{trial}.db")
                with archive.open(clean) as reference:
                    rebuild(reference.log, tmp_path / f"reference-{trial}.db")
                assert file_digest(tmp_path / f"after-{trial}.db") == file_digest(tmp_path / f"reference-{trial}.db")
    print(f"import kill trials: {TRIALS}, outcomes: {outcomes}")
    assert sum(outcomes.values()) == TRIALS


def test_a_killed_rebuild_leaves_the_old_or_the_new_catalogue(big_bundle, tmp_path):
    rng = random.Random(1894)
    log = tmp_path / "archive.db"
    subprocess.run([sys.executable, "-m", "archive", "import", str(log), str(big_bundle)], check=True,
                   capture_output=True)
    catalogue = tmp_path / "catalogue.db"
    with archive.open(log) as arc:
        rebuild(arc.log, tmp_path / "new.db")
        rebuild(arc.log, catalogue, as_of=1000)  # the "old" catalogue, behind the log
    old, new = file_digest(catalogue), file_digest(tmp_path / "new.db")
    old_content = catalogue_content(catalogue)
    whole = _duration(["rebuild", str(log), str(tmp_path / "timing.db")])
    outcomes = {"old": 0, "new": 0}
    for trial in range(TRIALS):
        _run_and_kill(["rebuild", str(log), str(catalogue)], whole * rng.uniform(0.3, 1.3))
        digest = file_digest(catalogue)
        assert digest in (old, new)
        outcomes["old" if digest == old else "new"] += 1
        if digest == new:  # put the old one back for the next trial
            with archive.open(log) as arc:
                rebuild(arc.log, catalogue, as_of=1000)
            assert catalogue_content(catalogue) == old_content
    # a later rebuild clears the temporary files the killed ones left behind
    with archive.open(log) as arc:
        rebuild(arc.log, catalogue)
    assert [p.name for p in tmp_path.glob(".catalogue.db.rebuild-*")] == []
    assert file_digest(catalogue) == new
    print(f"rebuild kill trials: {TRIALS}, outcomes: {outcomes}")


# The import, held after its last chunk is appended and before its commit (a stand-in for a long
# import caught mid-way): only the reading of the bundle is slowed, everything else is the CLI's own.
_HELD_IMPORT = """
import signal, sys, time
# A child of a process started in the background inherits SIGINT ignored; a terminal's Ctrl-C is not.
signal.signal(signal.SIGINT, signal.default_int_handler)
from archive import bundle, cli
read = bundle._read_chunks
def held(*args, **kwargs):
    yield from read(*args, **kwargs)
    open(sys.argv[1], "w").close()
    time.sleep(120)
bundle._read_chunks = held
cli.main(sys.argv[2:])
"""


@pytest.mark.parametrize("stop, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
@pytest.mark.parametrize("log_exists", [False, True])
def test_an_interrupted_import_says_so_and_leaves_the_log_as_it_was(big_bundle, tmp_path, stop, status, log_exists):
    log, ready = tmp_path / "archive.db", tmp_path / "ready"
    if log_exists:
        with archive.open(log) as arc:
            arc.append([Builder(seed="interrupted").entity("already-there")])
        before = file_digest(log)
    child = subprocess.Popen([sys.executable, "-c", _HELD_IMPORT, str(ready), "import", str(log), str(big_bundle)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert ready.exists(), child.communicate()
    child.send_signal(stop)
    out, err = child.communicate(timeout=60)
    assert child.returncode == status, err
    assert "Traceback" not in err and "Interrupted: the command stopped before it finished" in err
    if log_exists:
        assert file_digest(log) == before
        with archive.open(log) as arc:
            assert arc.head().position == 1 and arc.verify().ok
    else:  # the log this call created is gone, with its side files
        assert sorted(p.name for p in tmp_path.iterdir()) == ["ready"]
