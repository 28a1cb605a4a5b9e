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
