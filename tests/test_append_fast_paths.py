"""The shortcuts that make appending fast must not change what an append accepts or refuses.

* The validator remembers each claim's (subject, status) from batches that landed; another
  writer's later events, a rolled-back transaction and events earlier in the same batch must
  all win over what it remembers.
* An append is validated under the log's write lock and the log does not read again what the
  validator read: it reads the ids, the stream versions and the head once each.
* An import appends a chunk of lines at a time inside one transaction: references across chunks
  work, and an error in a later chunk leaves the log byte-identical.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import archive
from archive import bundle as bundle_module
from archive import validation
from archive.bundle import export_bundle, import_bundle
from archive.codec import to_dict
from archive.errors import ValidationError

from .builders import Builder, file_digest

TEXT = "Em 1933, ele se tornou o segundo secretário do Comitê Regional de Moscou. Um ano depois, Kiev."


@pytest.fixture
def base(log_path: Path):
    build = Builder()
    source, blobs = build.source(TEXT, language="pt")
    with archive.open(log_path) as arc:
        arc.append([source, build.entity("khrushchev"), build.entity("stalin"),
                    build.claim("c1", subject_id="khrushchev", source=source, text=TEXT, quote="Em 1933",
                                edtf="1933"),
                    build.claim("c2", subject_id="khrushchev", source=source, text=TEXT, quote="Kiev")],
                   blobs=blobs)
    return build, source


def test_a_retraction_by_another_writer_wins_over_the_remembered_state(base, log_path):
    build, _ = base
    with archive.open(log_path) as mine, archive.open(log_path) as theirs:
        mine.append([build.assess("c1", "preferred")])  # mine has now seen c1 asserted
        theirs.append([build.retract("c1")])
        with pytest.raises(ValidationError, match="already retracted"):
            mine.append([build.retract("c1")])


def test_a_rolled_back_retraction_is_forgotten(base, log_path):
    build, _ = base
    with archive.open(log_path) as mine, archive.open(log_path) as theirs:
        mine.append([build.assess("c1", "normal")])
        with pytest.raises(RuntimeError):
            with mine.transaction():
                mine.append([build.retract("c1")])
                raise RuntimeError("changed my mind")
        # Another writer takes the stream to the version the rolled-back retraction had.
        theirs.append([build.assess("c1", "preferred")])
        mine.append([build.retract("c1")])  # the claim is still asserted
        with pytest.raises(ValidationError, match="already retracted"):
            mine.append([build.retract("c1")])


def test_events_earlier_in_the_batch_win_over_the_remembered_state(base, log_path):
    build, source = base
    with archive.open(log_path) as arc:
        arc.append([build.assess("c1", "normal")])
        with pytest.raises(ValidationError, match="already retracted") as caught:
            arc.append([build.retract("c1"), build.assess("c2", "normal"), build.retract("c1")])
        assert caught.value.place.index == 2


def test_a_correction_about_another_subject_is_refused_with_remembered_states(base, log_path):
    build, source = base
    with archive.open(log_path) as arc:
        other = build.claim("c3", subject_id="stalin", source=source, text=TEXT, quote="Moscou")
        arc.append([other])
        arc.append([build.assess("c1", "normal"), build.assess("c3", "normal")])
        with pytest.raises(ValidationError, match="the correction is about stalin, the claim about khrushchev"):
            arc.append([build.supersede("c1", "c3")])
        arc.append([build.merge("stalin", "khrushchev")])  # now the same person: the correction stands
        arc.append([build.supersede("c1", "c3")])
        with pytest.raises(ValidationError, match="already superseded"):
            arc.append([build.retract("c1")])


def test_a_one_event_append_reads_ids_versions_and_head_once(base, log_path):
    build, source = base
    statements: list[str] = []
    with archive.open(log_path) as arc:
        arc.append([build.assess("c1", "normal")])  # warm the caches, as a long-running writer has them
        arc.log._conn.set_trace_callback(statements.append)
        arc.append([build.assess("c2", "preferred")])
        arc.log._conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert sum("WHERE event_id IN" in s for s in reads) == 1, reads
    assert sum("MAX(stream_version)" in s for s in reads) == 1, reads
    assert sum("ORDER BY position DESC LIMIT 1" in s for s in reads) == 1, reads
    assert statements[0] == "BEGIN IMMEDIATE" and statements[-1] == "COMMIT"


def _bundle_of(tmp_path: Path, build: Builder, count: int) -> Path:
    """A bundle whose claims, in later lines, quote a source recorded on line 1."""
    source, blobs = build.source(TEXT, language="pt")
    events = [source, build.entity("khrushchev")]
    events += [build.claim(f"k{i}", subject_id="khrushchev", source=source, text=TEXT, quote="Kiev")
               for i in range(count)]
    events += [build.retract("k0"), build.assess("k1", "preferred")]
    with archive.open(tmp_path / "origin.db") as arc:
        arc.append(events, blobs=blobs)
        export_bundle(arc, tmp_path / "bundle")
    return tmp_path / "bundle"


def test_an_import_in_chunks_reproduces_the_log_across_chunk_boundaries(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_module, "IMPORT_CHUNK", 3)
    path = _bundle_of(tmp_path, Builder(), 10)
    with archive.open(tmp_path / "copy.db") as arc:
        result = import_bundle(arc, path)
        assert len(result.stored) == 14 and result.already_stored == 0
        assert [e.position for e in result.stored] == list(range(1, 15))
        assert result.stored[-1].type == "ClaimAssessed" and result.stored[1:3] == tuple(arc.log.read(after=1, upto=3))
        assert arc.verify().ok
        again = import_bundle(arc, path)
        assert (again.stored, again.already_stored) == ((), 14)
    with archive.open(tmp_path / "origin.db") as origin, archive.open(tmp_path / "copy.db") as copy:
        assert [(e.hash, e.payload) for e in origin.stored_events()] == [(e.hash, e.payload)
                                                                         for e in copy.stored_events()]


@pytest.mark.parametrize("bad_line", [5, 13])  # in the second chunk, and in the last
def test_an_error_in_a_later_chunk_leaves_the_log_byte_identical(tmp_path, monkeypatch, bad_line):
    monkeypatch.setattr(bundle_module, "IMPORT_CHUNK", 4)
    path = _bundle_of(tmp_path, Builder(), 10)
    lines = (path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    data = json.loads(lines[bad_line - 1])
    assert data["type"] in ("ClaimRecorded", "ClaimRetracted")
    data["claim_id" if data["type"] == "ClaimRetracted" else "subject_id"] = "nobody"
    lines[bad_line - 1] = json.dumps(data, ensure_ascii=False)
    (path / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    log = tmp_path / "target.db"
    other = Builder(seed="other")
    with archive.open(log) as arc:
        arc.append([other.entity("someone")])
    before = file_digest(log)
    with archive.open(log) as arc:
        with pytest.raises(ValidationError, match=rf"events.jsonl:{bad_line}: \$\.(subject_id|claim_id): unknown"):
            import_bundle(arc, path)
        assert arc.head().position == 1
        assert list(arc.log.blob_ids()) == []
    assert file_digest(log) == before
    with archive.open(log) as arc:  # and the archive takes appends afterwards
        assert [e.position for e in arc.append([to_dict(other.entity("someone-else"))]).stored] == [2]


def test_an_import_that_fails_leaves_the_file_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setattr(bundle_module, "IMPORT_CHUNK", 4)
    path = _bundle_of(tmp_path, Builder(), 10)
    with open(path / "events.jsonl", "ab") as handle:
        handle.write(b'{"type": "ClaimRecorded", "version": 2}\n')
    log = tmp_path / "target.db"
    with archive.open(log) as arc:
        arc.append([Builder(seed="other").entity("someone")])
    before = file_digest(log)
    with archive.open(log) as arc:
        with pytest.raises(ValidationError, match=r"events.jsonl:15: "):
            import_bundle(arc, path)
    assert file_digest(log) == before


def _canonical_by_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text
    except ValueError:
        return False


@given(st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: f"urn:uuid:{u}"),
    st.uuids().map(lambda u: str(u) + "\n"),
    st.from_regex(r"[0-9a-fA-F-]{30,40}", fullmatch=True),
    st.text(max_size=40),
))
def test_the_event_id_check_accepts_exactly_the_canonical_uuids(text):
    assert bool(validation._CANONICAL_UUID.fullmatch(text)) == _canonical_by_uuid(text)


def test_a_later_claim_reads_its_sources_media_type_from_the_log(log_path):
    """The media type of a source recorded in an earlier append comes from its stored event.

    A fresh archive has nothing cached, so the claims below make it read the type
    from the log: a PDF cannot anchor a quote, and a source stored as a version-1
    event (upcast on read) decodes as the text it is.
    """
    build = Builder("media-types")
    pdf = b"%PDF-1.4 Em 1933, ele se tornou o segundo secretario."
    text_v1 = TEXT.encode("utf-8")
    with archive.open(log_path) as arc:
        arc.append([build.entity("khrushchev")])
        pdf_source = arc.record_source(pdf, title="A scan", language="pt", filename="scan.pdf", curator="tester",
                                       media_type="application/pdf")
        v1, _ = build.source(TEXT, language="pt")
        legacy = {key: value for key, value in to_dict(v1).items() if key not in ("derived_from", "derivation")}
        arc.append([{**legacy, "version": 1}], blobs={v1.source_id: text_v1})
    with archive.open(log_path) as arc:
        before = file_digest(log_path)
        with pytest.raises(ValidationError, match="the source is not text") as caught:
            arc.append([build.claim("c-pdf", subject_id="khrushchev", source=pdf_source, text=pdf.decode(),
                                    quote="Em 1933")])
        assert caught.value.path == "$.source_id"
        assert file_digest(log_path) == before
    with archive.open(log_path) as arc:
        result = arc.append([build.claim("c-v1", subject_id="khrushchev", source=v1, text=TEXT, quote="Kiev")])
        assert len(result.stored) == 1
