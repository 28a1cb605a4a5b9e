"""The documentation runs.

Every ```console block in README.md and docs/*.md is a transcript: lines
starting with ``$ `` are commands, run with bash in a scratch directory that
holds the shipped fixtures; the lines after a command are its expected output.
``$ export NAME=value`` sets the variable for the rest of the page.
An expected line may contain ``...`` (any text); a line that is only ``...``
stands for any number of lines. Every ```python block is executed, in order,
in the same scratch directory, and a ```text block right after it is its
expected standard output. Blocks of one page share their directory, so a page
reads as one session.

Also: the README's two quick-start commands are the ones CI runs, and every
``archive`` command is documented in docs/cli.md.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from archive.cli import cli

from .conftest import ROOT

BIN = Path(sys.executable).parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)\n(.*?)^```\n", re.S | re.M)


def blocks(page: Path) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in FENCE.finditer(page.read_text(encoding="utf-8"))]


def quick_start() -> tuple[str, str]:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = [body.strip() for lang, body in FENCE.findall(section + "\n") if lang == "bash"]
    assert len(commands) == 2, "the quick start must have exactly two commands"
    return commands[0], commands[1]


def local(command: str) -> str:
    """A quick-start command as it runs inside this test environment: already installed."""
    steps = [s for s in command.split(" && ") if not s.startswith(("python3 -m venv", ".venv/bin/pip"))]
    return " && ".join(steps).replace(".venv/bin/", f"{BIN}/")


def matches(expected: list[str], actual: list[str]) -> bool:
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    if not actual:
        return False
    pattern = ".*".join(re.escape(part) for part in head.rstrip().split("..."))
    return re.fullmatch(pattern, actual[0].rstrip()) is not None and matches(rest, actual[1:])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A directory like a fresh clone after the quick start: fixtures, archive.db and catalogue.db."""
    work = tmp_path_factory.mktemp("docs")
    os.symlink(ROOT / "fixtures", work / "fixtures")
    completed = subprocess.run(["bash", "-c", local(quick_start()[0])], cwd=work, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "claims" in completed.stdout
    return work


def run_page(page: Path, work: Path) -> None:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}", COLUMNS="200")
    namespace: dict = {}
    previous_output: str | None = None
    for lang, body in blocks(page):
        if lang == "console":
            lines = body.rstrip("\n").split("\n")
            starts = [i for i, line in enumerate(lines) if line.startswith("$ ")]
            for n, start in enumerate(starts):
                command = lines[start][2:]
                expected = lines[start + 1: starts[n + 1] if n + 1 < len(starts) else len(lines)]
                exported = re.fullmatch(r"export (\w+)=(\S+)", command)
                if exported:  # a reader's shell keeps it for the commands that follow
                    env[exported.group(1)] = exported.group(2)
                    continue
                completed = subprocess.run(["bash", "-c", command], cwd=work, env=env, capture_output=True,
                                           text=True)
                actual = (completed.stdout + completed.stderr).rstrip("\n").split("\n")
                if actual == [""]:
                    actual = []
                assert matches(expected, actual), (
                    f"{page.name}: `{command}` printed:\n" + "\n".join(actual) + "\n--- expected:\n"
                    + "\n".join(expected))
        elif lang == "python":
            buffer = io.StringIO()
            cwd = os.getcwd()
            os.chdir(work)
            try:
                with contextlib.redirect_stdout(buffer):
                    exec(compile(body, f"{page.name} python block", "exec"), namespace)
            finally:
                os.chdir(cwd)
            previous_output = buffer.getvalue()
            continue
        elif lang == "text" and previous_output is not None:
            assert matches(body.rstrip("\n").split("\n"), previous_output.rstrip("\n").split("\n")), (
                f"{page.name}: python block printed:\n{previous_output}")
        previous_output = None


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_page_runs(page, scratch, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    for name in ("fixtures", "archive.db", "catalogue.db"):
        source = scratch / name
        if name == "fixtures":
            os.symlink(ROOT / "fixtures", work / name)
        else:
            (work / name).write_bytes(source.read_bytes())
    run_page(page, work)


def test_ci_runs_the_readme_test_command():
    _, test_command = quick_start()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command.endswith("python -m pytest")


def test_every_command_is_documented():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in cli.commands:
        assert f"## archive {name}" in reference, f"archive {name} is not documented in docs/cli.md"
        assert f"$ archive {name} " in reference or f"archive {name} --help" in reference, name


def test_documented_commands_exist():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name in re.findall(r"^## archive (\S+)", reference, re.M):
        assert name in cli.commands, f"docs/cli.md documents 'archive {name}', which does not exist"


def test_the_catalogue_reference_is_generated_from_the_schema():
    from archive.catalogue.reference import markdown

    assert (ROOT / "docs" / "catalogue.md").read_text(encoding="utf-8") == markdown(), (
        "docs/catalogue.md is stale: run python -m archive.catalogue.reference > docs/catalogue.md")


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@functools.cache
def _anchors(page: Path) -> set[str]:
    """The anchors GitHub makes for a page's headings: lower case, punctuation dropped, spaces as hyphens."""
    text = FENCE.sub("", page.read_text(encoding="utf-8"))
    headings = re.findall(r"^#{1,6} (.+)$", text, re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def test_links_between_pages_lead_somewhere():
    """A link to another page, or to a heading in one, must find it: headings get renamed."""
    broken = []
    for page in PAGES:
        for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
            if re.match(r"[a-z]+:", target):  # https:, mailto: -- not ours to check
                continue
            path, _, anchor = target.partition("#")
            linked = (page.parent / path).resolve() if path else page
            if not linked.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
                broken.append(f"{page.name}: {target} (no such heading in {linked.name})")
    assert not broken, "broken links:\n" + "\n".join(broken)
