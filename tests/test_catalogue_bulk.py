"""A rebuild that reads the log in a second process writes the same file as one that does not.

``tests/test_catalogue.py`` checks rebuilds against incremental updates (and so the projector's bulk
mode, which re-points merged entities once at the end, against its one-merge-at-a-time mode); here the
two ways of running a rebuild are checked against each other, and what happens when the second
process fails.
"""

from __future__ import annotations

import io
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import archive
from archive import _child
from archive.catalogue import build, rebuild
from archive.errors import CatalogueError

from .builders import Builder, file_digest
from .generators import archive_batches
from .test_catalogue import _fill, khrushchev_text, small_archive  # noqa: F401 (fixtures)


@settings(max_examples=12)
@given(batches=archive_batches(), data=st.data())
def test_a_rebuild_in_two_processes_writes_the_same_bytes(tmp_path_factory, batches, data):
    work = tmp_path_factory.mktemp("two-processes")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        as_of = data.draw(st.one_of(st.none(), st.integers(0, arc.head().position)), label="as_of")
        one = rebuild(arc.log, work / "one.db", as_of=as_of, processes=1)
        two = rebuild(arc.log, work / "two.db", as_of=as_of, processes=2)
    assert file_digest(work / "one.db") == file_digest(work / "two.db")
    assert (one.position, one.head_hash, one.applied) == (two.position, two.head_hash, two.applied)


@pytest.fixture
def small_log(small_archive):
    """The small archive of test_catalogue, with a merge, as a closed file."""
    small_archive.append([Builder(seed="bulk").merge("first-secretary-cpu", "khrushchev")])
    return small_archive.log.path


def test_a_failing_reader_fails_the_rebuild_and_leaves_the_old_catalogue(small_log, tmp_path, monkeypatch):
    target = tmp_path / "catalogue.db"
    with archive.open(small_log) as arc:
        rebuild(arc.log, target, processes=1)
        before = file_digest(target)
        start = _child.start
        monkeypatch.setattr(_child, "start", lambda function, args, **options: start("sys.exit", ["3"], **options))
        with pytest.raises(CatalogueError, match="reading the log for the rebuild failed"):
            rebuild(arc.log, target, processes=2)
    assert file_digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if "catalogue" in p.name) == ["catalogue.db"]


def test_without_a_second_process_the_rebuild_runs_here(small_log, tmp_path, monkeypatch):
    with archive.open(small_log) as arc:
        rebuild(arc.log, tmp_path / "one.db", processes=1)
        monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
        rebuild(arc.log, tmp_path / "two.db", processes=2)
    assert file_digest(tmp_path / "one.db") == file_digest(tmp_path / "two.db")


class _Finished:
    """Stands in for the reader's Popen once it has written everything to ``stdout`` and exited."""

    returncode = 0

    def __init__(self, output: bytes):
        self.stdout = io.BufferedReader(io.BytesIO(output))

    def poll(self):
        return 0

    def kill(self):
        pass

    def wait(self):
        return 0


def test_batches_orjson_cannot_write_go_as_json(small_log, tmp_path, monkeypatch):
    """Integers beyond 64 bits and lone surrogates: the stream falls back to json for such a batch."""
    output = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(output))

    def refuse(value):
        raise TypeError("not for orjson")

    monkeypatch.setattr(build.orjson, "dumps", refuse)
    with archive.open(small_log) as arc:
        head = arc.head().position
        build._reader_main([str(small_log), str(head)])
        captured = output.getvalue()
        monkeypatch.undo()
        kinds, stream = [], captured
        while stream:
            kind, length = build._FRAME.unpack(stream[:build._FRAME.size])
            kinds.append(kind)
            stream = stream[build._FRAME.size + length:]
        assert build._BATCH_JSON in kinds and build._BATCH not in kinds and kinds[-1] == build._END

        rebuild(arc.log, tmp_path / "here.db", processes=1)

        def from_stream(path, args, **options):
            return _Finished(captured)

        monkeypatch.setattr(_child, "start", from_stream)
        rebuild(arc.log, tmp_path / "streamed.db", processes=2)
    assert file_digest(tmp_path / "here.db") == file_digest(tmp_path / "streamed.db")
