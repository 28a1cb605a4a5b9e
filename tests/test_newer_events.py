"""A log holding an event a newer version of archive wrote: named as such, not only as damage.

An archive that adds an event type (or a version of one) writes events an older
library cannot read. Their hashes are sound, so calling the log "damaged" alone
would send a curator looking for tampering that never happened: every reader
says the newer-version possibility first, and nothing is projected as if it
were an event the library knows.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import archive
from archive.annotations import annotations_json
from archive.catalogue import rebuild, update
from archive.cli import cli
from archive.errors import DamagedLogError
from archive.log.base import NewEvent

from .builders import file_digest
from .conftest import FIXTURE_BUNDLE

FUTURE = {
    "an unknown type": ("EntityRenamed", 1, "it is a EntityRenamed event, a type this version of archive does not know"),
    "a newer version": ("ClaimAssessed", 9, "it is ClaimAssessed version 9; this version of archive reads up to 1"),
}


@pytest.fixture
def shipped(tmp_path):
    log = tmp_path / "archive.db"
    with archive.open(log) as arc:
        archive.bundle.import_bundle(arc, FIXTURE_BUNDLE)
    return log


def _append_future(log, type_name: str, version: int) -> int:
    """Append, below the validation a newer library would do, an event of a type or version we do not know."""
    data = {"type": type_name, "version": version, "event_id": "0b2f7a64-9c1d-4e3a-8f55-7d6c2e1a9b30",
            "recorded_at": "2030-01-01T00:00:00Z", "curator": "a newer archive", "claim_id": "s003-c04",
            "rank": "deprecated", "reason": "r", "entity_id": "khrushchev", "label": "N. S. Khrushchev"}
    with archive.open(log) as arc:
        result = arc.log.append([NewEvent(event_id=data["event_id"], stream_id="entity:khrushchev",
                                          type=type_name, version=version,
                                          payload=json.dumps(data, sort_keys=True, separators=(",", ":")).encode())])
        return result.stored[0].position


@pytest.mark.parametrize("case", sorted(FUTURE))
def test_every_reader_names_a_newer_libraries_event_as_such(shipped, tmp_path, case):
    type_name, version, said = FUTURE[case]
    position = _append_future(shipped, type_name, version)
    with archive.open(shipped) as arc:
        report = arc.verify()
        assert not report.ok and [p.position for p in report.problems] == [position]
        assert "upgrade archive" in str(report.problems[0])
        for read in (lambda: list(arc.events()), lambda: annotations_json(arc.log),
                     lambda: rebuild(arc.log, tmp_path / "catalogue.db"), lambda: rebuild(arc.log, tmp_path / "c2.db",
                                                                                           processes=1)):
            with pytest.raises(DamagedLogError) as info:
                read()
            assert info.value.position == position and info.value.newer, case
            assert said in str(info.value) and "upgrade archive" in str(info.value)
        rebuild(arc.log, tmp_path / "before.db", as_of=position - 1)
    before = file_digest(tmp_path / "before.db")
    with archive.open(shipped) as arc, pytest.raises(DamagedLogError, match="upgrade archive"):
        update(arc.log, tmp_path / "before.db")
    assert file_digest(tmp_path / "before.db") == before  # the catalogue is as it was
    done = CliRunner().invoke(cli, ["rebuild", str(shipped), str(tmp_path / "cli.db")])
    assert done.exit_code == 1
    assert f"position {position}: {said}: if a newer version of archive wrote it, upgrade archive" in done.output
    assert f"archive verify {shipped}" in done.output
