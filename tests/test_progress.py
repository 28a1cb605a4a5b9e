"""The progress bar: on stderr when it is a terminal, nowhere else."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import archive

from .builders import Builder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("progress") / "archive.db"
    build = Builder(seed="progress")
    with archive.open(path) as arc:
        arc.append([build.entity(f"e{i}") for i in range(2500)])
    return path


def _run(args: list[str], *, tty: bool) -> tuple[int, str, str]:
    if not tty:
        done = subprocess.run([sys.executable, "-m", "archive", *args], capture_output=True, text=True)
        return done.returncode, done.stdout, done.stderr
    master, slave = os.openpty()
    child = subprocess.Popen([sys.executable, "-m", "archive", *args], stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    out = child.stdout.read().decode()
    code = child.wait()
    os.close(master)
    return code, out, b"".join(chunks).decode(errors="replace")


@pytest.mark.parametrize("command, label", [("verify", "verifying"), ("rebuild", "rebuilding")])
def test_a_bar_on_a_terminal_and_none_in_a_pipe(big_log, tmp_path, command, label):
    args = [command, str(big_log)] + ([str(tmp_path / "c.db")] if command == "rebuild" else [])
    code, out, err = _run(args, tty=True)
    assert code == 0 and label in err and "100%" in err
    assert label not in out  # the bar never pollutes stdout
    code, out, err = _run(args, tty=False)
    assert code == 0 and err == "" and label not in out


def test_the_import_bar_counts_lines_on_a_terminal(tmp_path):
    events = tmp_path / "events.jsonl"
    build = Builder(seed="import-bar")
    events.write_text("".join(archive.codec.encode(build.entity(f"e{i}")).decode() + "\n" for i in range(2500)),
                      encoding="utf-8")
    code, out, err = _run(["import", str(tmp_path / "log.db"), str(events)], tty=True)
    assert code == 0 and "reading" in err and "100%" in err and "imported 2500 event(s)" in out


@pytest.mark.parametrize("tty", [False, True])
def test_an_import_never_reads_the_events_file_whole(tmp_path, tty):
    """A 250 MB file that is not an events file (no line breaks): refused at its first line, in bounded memory.

    Before, the command read the whole file to count its lines for the bar; the peak memory of the child
    that runs it (measured by a parent that has no other child) stays far below the file's size now.
    """
    events = tmp_path / "not-events.jsonl"
    with open(events, "wb") as handle:
        for _ in range(250):
            handle.write(b"x" * (1 << 20))
    runner = ("import os, pty, resource, subprocess, sys\n"
              "args = [sys.executable, '-m', 'archive', 'import', sys.argv[1], sys.argv[2]]\n"
              "if sys.argv[3] == 'tty':\n"
              "    master, slave = pty.openpty()\n"
              "    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=slave)\n"
              "else:\n"
              "    done = subprocess.run(args, capture_output=True)\n"
              "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n")
    done = subprocess.run([sys.executable, "-c", runner, str(tmp_path / "log.db"), str(events),
                           "tty" if tty else "pipe"], capture_output=True, text=True, check=True)
    code, peak_kb = map(int, done.stdout.split())
    assert code == 1  # refused: the line is too long to be an event
    assert peak_kb < 200 * 1024, f"peak RSS {peak_kb // 1024} MB for a 250 MB file"
    assert not (tmp_path / "log.db").exists()  # the log this call created is gone again
