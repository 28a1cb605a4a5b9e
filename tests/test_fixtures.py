"""The shipped corpus: the originals are intact, every claim is anchored, the bundle is reproducible."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest
import sqlite_utils

import archive
from archive.bundle import import_bundle, read_bundle
from archive.catalogue import rebuild

from .builders import file_digest
from .conftest import FIXTURE_BUNDLE, ROOT, SHARED_SEEDS

SOURCES = FIXTURE_BUNDLE / "sources"


def _events():
    return [json.loads(line) for line in (FIXTURE_BUNDLE / "events.jsonl").read_text(encoding="utf-8").splitlines()]


ORIGINALS = ["000_86313e570668b3cd.txt", "001_d6524c954a5bb581.txt", "002_22645e381148fb95.txt",
             "003_30729a4cfe1fed99.txt"]


def test_every_source_file_is_recorded_under_its_sha256():
    recorded = {e["source_id"]: e for e in _events() if e["type"] == "SourceRecorded"}
    files = sorted(p.name for p in SOURCES.iterdir())
    assert sorted(e["filename"] for e in recorded.values()) == files
    for source_id, event in recorded.items():
        assert "sha256:" + hashlib.sha256((SOURCES / event["filename"]).read_bytes()).hexdigest() == source_id
    # the four originals are originals; everything else in sources/ is a recorded derivation of one of them
    originals = {e["filename"] for e in recorded.values() if "derived_from" not in e}
    assert sorted(originals) == ORIGINALS
    for event in recorded.values():
        if "derived_from" in event:
            assert recorded[event["derived_from"]]["filename"] in ORIGINALS and event["derivation"]


@pytest.mark.skipif(not SHARED_SEEDS.exists(), reason="../shared/seeds is only beside a developer's or CI's clone")
def test_sources_are_byte_for_byte_the_seeds():
    seeds = sorted(p for p in SHARED_SEEDS.iterdir() if p.suffix == ".txt")
    assert [p.name for p in seeds] == ORIGINALS
    for seed in seeds:
        assert (SOURCES / seed.name).read_bytes() == seed.read_bytes(), seed.name


def test_the_bundle_imports_verifies_and_every_quote_is_where_it_says(log_path):
    with archive.open(log_path) as arc:
        import_bundle(arc, FIXTURE_BUNDLE)
        assert arc.verify().ok
        claims = [e for e in arc.events() if isinstance(e, archive.ClaimRecorded)]
        for claim in claims:
            text = arc.source_text(claim.source_id)
            assert text[claim.selector.start:claim.selector.end] == claim.selector.exact, claim.claim_id
    by_source = {}
    for claim in claims:
        by_source.setdefault(claim.source_id, []).append(claim)
    # Issue 3: seed 000 fully curated (about fifteen dated appointments or more).
    assert len(by_source["sha256:31002498182e9fbc5c15a4708461fe658037c7ace990420f691fc3077ed6d6ab"]) >= 15


def test_the_1938_appointment_is_found_by_searching_ukraine(log_path, catalogue_path):
    with archive.open(log_path) as arc:
        import_bundle(arc, FIXTURE_BUNDLE)
        rebuild(arc.log, catalogue_path)
    rows = list(sqlite_utils.Database(catalogue_path)["claims"].search("Ukraine"))
    assert any(r["date_edtf"] == "1938" and r["predicate"] == "held_office" for r in rows)


def test_rebuilding_the_shipped_catalogue_twice_gives_the_same_bytes(tmp_path):
    digests = []
    for n in (1, 2):
        with archive.open(tmp_path / f"log{n}.db") as arc:
            import_bundle(arc, FIXTURE_BUNDLE)
            rebuild(arc.log, tmp_path / f"catalogue{n}.db")
        digests.append(file_digest(tmp_path / f"catalogue{n}.db"))
    assert digests[0] == digests[1]


def test_the_bundle_is_what_the_curation_sheets_say():
    completed = subprocess.run([sys.executable, str(ROOT / "fixtures" / "build.py"), "--check"],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_the_bundle_reads_cleanly():
    bundle = read_bundle(FIXTURE_BUNDLE)
    assert len(bundle.events) == len(_events())
    assert len(bundle.blobs) == len([e for e in _events() if e["type"] == "SourceRecorded"])
