"""The catalogue: its shape, full rebuilds, incremental updates, atomic swaps."""

from __future__ import annotations

import gc
import os
import re
import sqlite3
import weakref
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

import archive
from archive.catalogue import rebuild, status, update
from archive.catalogue.projector import Projector
from archive.catalogue.schema import FTS, TABLES, VIEWS
from archive.errors import CatalogueError
from archive.log.memory import MemoryEventLog

from .builders import Builder, archive_bound_by_permissions, catalogue_content, damage_event, file_digest
from .generators import archive_batches

def _fill(arc: archive.Archive, batches) -> None:
    for events, blobs in batches:
        arc.append(events, blobs=blobs)


@pytest.fixture
def khrushchev_text() -> str:
    from .conftest import FIXTURE_BUNDLE
    return (FIXTURE_BUNDLE / "sources" / "000_86313e570668b3cd.txt").read_text(encoding="utf-8")


@pytest.fixture
def small_archive(log_path: Path, khrushchev_text: str):
    build = Builder()
    source, blobs = build.source(khrushchev_text, filename="000.txt", title="Carreira política sob Stalin",
                                 language="pt")
    events = [
        source,
        build.entity("khrushchev", label="Nikita Khrushchev"),
        build.entity("first-secretary-cpu", kind="office", label="First Secretary of the Communist Party of Ukraine"),
        build.name("khrushchev", "Hrușciov", language="ro"),
        build.name("khrushchev", "Хрущёв", language="ru", script="Cyrl"),
        build.claim("c1938", subject_id="khrushchev", source=source, text=khrushchev_text,
                    quote="enviado a Kiev como primeiro secretário da organização do partido ucraniano",
                    object_id="first-secretary-cpu", edtf="1938"),
    ]
    with archive.open(log_path) as arc:
        arc.append(events, blobs=blobs)
        yield arc


def test_catalogue_has_the_documented_tables_views_and_foreign_keys(small_archive, catalogue_path):
    rebuild(small_archive.log, catalogue_path)
    db = sqlite_utils.Database(catalogue_path)
    for table in TABLES:
        assert db[table.name].exists(), table.name
        assert db[table.name].pks == [p.strip() for p in table.pk.split(",")]
        declared = {(fk.column, fk.other_table, fk.other_column) for fk in db[table.name].foreign_keys}
        assert declared == set(table.foreign_keys)
    assert {v.name for v in VIEWS} <= set(db.view_names())
    for name in FTS:
        assert db[name].detect_fts() == f"{name}_fts"
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    documented = {(r["table_name"], r["column_name"]) for r in db["_documentation"].rows}
    for table in TABLES:
        for column in table.column_names:
            assert (table.name, column) in documented
    # docs/catalogue.md names each index idx_<table>_<columns>: those are the catalogue's indexes, no more
    for table in TABLES:
        built = {i.name: tuple(i.columns) for i in db[table.name].indexes if not i.name.startswith("sqlite_")}
        assert built == {f"idx_{table.name}_{'_'.join(columns)}": columns for columns in table.indexes}


def test_claims_carry_quote_dates_and_labels(small_archive, catalogue_path, khrushchev_text):
    rebuild(small_archive.log, catalogue_path)
    db = sqlite_utils.Database(catalogue_path)
    claim = db["claims"].get("c1938")
    assert khrushchev_text[claim["quote_start"]:claim["quote_end"]] == claim["quote"]
    assert (claim["date_edtf"], claim["date_earliest"], claim["date_latest"]) == ("1938", "1938-01-01", "1938-12-31")
    assert claim["object_label"] == "First Secretary of the Communist Party of Ukraine"
    assert [r["claim_id"] for r in db["claims"].search("Ukraine")] == ["c1938"]
    source = db["sources"].get(claim["source_id"])
    assert source["text"] == khrushchev_text and source["byte_length"] == len(khrushchev_text.encode())


@pytest.mark.parametrize("query", ["Hrușciov", "Hrusciov", "hrusciov", "Хрущёв"])
def test_name_search_ignores_case_and_diacritics(small_archive, catalogue_path, query):
    rebuild(small_archive.log, catalogue_path)
    rows = list(sqlite_utils.Database(catalogue_path)["entity_names"].search(query))
    assert [r["entity_id"] for r in rows] == ["khrushchev"]


@settings(max_examples=15)
@given(batches=archive_batches())
def test_rebuild_is_byte_identical(tmp_path_factory, batches):
    work = tmp_path_factory.mktemp("rebuild")
    with archive.open(work / "log.db") as arc:
        _fill(arc, batches)
        rebuild(arc.log, work / "one.db")
        rebuild(arc.log, work / "two.db")
        rebuild(arc.log, work / "one.db")  # over an existing file, too
    assert file_digest(work / "one.db") == file_digest(work / "two.db")


@settings(max_examples=20)
@given(batches=archive_batches())
def test_incremental_update_equals_full_rebuild(tmp_path_factory, batches):
    work = tmp_path_factory.mktemp("incremental")
    with archive.open(work / "log.db") as arc:
        rebuild(arc.log, work / "incremental.db")  # start from an empty catalogue
        for events, blobs in batches:
            arc.append(events, blobs=blobs)
            update(arc.log, work / "incremental.db")
        rebuild(arc.log, work / "full.db")
        head = arc.head()
    assert catalogue_content(work / "incremental.db") == catalogue_content(work / "full.db")
    assert status(work / "incremental.db").position == head.position


def test_update_with_nothing_new_leaves_the_file_untouched(small_archive, catalogue_path):
    rebuild(small_archive.log, catalogue_path)
    before = (file_digest(catalogue_path), os.stat(catalogue_path).st_mtime_ns)
    result = update(small_archive.log, catalogue_path)
    assert result.applied == 0
    assert (file_digest(catalogue_path), os.stat(catalogue_path).st_mtime_ns) == before


def test_update_builds_a_missing_catalogue(small_archive, catalogue_path):
    result = update(small_archive.log, catalogue_path)
    assert result.rebuilt and status(catalogue_path).position == small_archive.head().position


def test_update_refuses_a_catalogue_of_another_log(small_archive, catalogue_path, tmp_path, khrushchev_text):
    build = Builder(seed="other")
    source, blobs = build.source("an entirely different log", filename="x.txt")
    with archive.open(tmp_path / "other.db") as other:
        other.append([source, build.entity("a"), build.entity("b"), build.entity("c"), build.entity("d"),
                      build.entity("e"), build.entity("f")], blobs=blobs)
        rebuild(other.log, catalogue_path)
    before = file_digest(catalogue_path)
    with pytest.raises(CatalogueError, match="not built from this log|the catalogue is another log's"):
        update(small_archive.log, catalogue_path)
    assert file_digest(catalogue_path) == before


class ExplodingLog(MemoryEventLog):
    """A log whose reads fail after a few events: a stand-in for a crash mid-rebuild."""

    def __init__(self, inner, fail_after: int):
        super().__init__()
        self.inner, self.fail_after = inner, fail_after

    def head(self):
        return self.inner.head()

    def get_blob(self, blob_id):
        return self.inner.get_blob(blob_id)

    def read(self, *, after=0, upto=None):
        for count, stored in enumerate(self.inner.read(after=after, upto=upto)):
            if count >= self.fail_after:
                raise OSError("disk went away")
            yield stored


def test_a_failed_rebuild_leaves_the_old_catalogue_and_no_temporary_file(small_archive, catalogue_path):
    rebuild(small_archive.log, catalogue_path)
    before = file_digest(catalogue_path)
    with pytest.raises(OSError, match="disk went away"):
        rebuild(ExplodingLog(small_archive.log, fail_after=3), catalogue_path)
    assert file_digest(catalogue_path) == before
    assert sorted(p.name for p in catalogue_path.parent.iterdir() if "catalogue" in p.name) == ["catalogue.db"]


def _not_catalogues(log_path: Path, tmp_path: Path) -> dict[str, Path]:
    """Files a typo might name as the catalogue: none of them may be turned into one."""
    foreign = tmp_path / "research.db"
    sqlite3.connect(foreign).execute("CREATE TABLE letters (body TEXT)")
    other_log = tmp_path / "other-archive.db"
    with archive.open(other_log) as arc:
        arc.append([Builder("other").entity("odessa", kind="place")])
    text = tmp_path / "thesis.txt"
    text.write_text("chapter one\n", encoding="utf-8")
    link = tmp_path / "link-to-the-log.db"
    link.symlink_to(log_path)
    return {"the log itself": log_path, "the log by another path": tmp_path / "." / log_path.name,
            "a link to the log": link, "another event log": other_log, "a SQLite database of someone else's": foreign,
            "a text file": text, "a directory": tmp_path}


@pytest.mark.parametrize("kind", ["the log itself", "the log by another path", "a link to the log",
                                  "another event log", "a SQLite database of someone else's", "a text file",
                                  "a directory"])
def test_a_rebuild_replaces_nothing_but_a_catalogue(small_archive, tmp_path, kind):
    small_archive.close()
    log_path = small_archive.log.path
    target = _not_catalogues(log_path, tmp_path)[kind]
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink())
    before = {p: file_digest(p) for p in files}
    with archive.open(log_path) as arc:
        with pytest.raises(CatalogueError, match="event log itself|replaces only a catalogue|is a directory"):
            rebuild(arc.log, target)
    assert {p: file_digest(p) for p in files} == before
    assert sorted(p for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()) == files  # no leftovers


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_a_rebuild_never_writes_the_files_sqlite_keeps_beside_a_database(small_archive, tmp_path, suffix):
    # An open log's -wal may be empty and still be where its next commits go: replacing it loses them.
    log_path = small_archive.log.path
    sidecar = log_path.with_name(log_path.name + suffix)
    existed = sidecar.exists()
    before = file_digest(sidecar) if existed else None
    with pytest.raises(CatalogueError, match="files SQLite keeps beside"):
        rebuild(small_archive.log, sidecar)
    assert sidecar.exists() == existed and (file_digest(sidecar) if existed else None) == before
    rebuild(small_archive.log, tmp_path / "notes-wal")  # a name like it, with no database beside it, is fine


def test_a_rebuild_for_a_log_without_a_file_checks_the_target_alone(tmp_path):
    log = MemoryEventLog()
    assert rebuild(log, tmp_path / "catalogue.db").position == 0
    (tmp_path / "thesis.txt").write_text("chapter one", encoding="utf-8")
    with pytest.raises(CatalogueError, match="replaces only a catalogue"):
        rebuild(log, tmp_path / "thesis.txt")


def test_a_rebuild_replaces_a_catalogue_an_empty_file_or_nothing(small_archive, tmp_path):
    empty = tmp_path / "empty.db"
    empty.touch()
    for target in (tmp_path / "new.db", empty, tmp_path / "new.db"):
        assert rebuild(small_archive.log, target).position == small_archive.head().position
        assert status(target).position == small_archive.head().position


def test_a_position_the_log_has_not_reached_is_refused_and_nothing_is_written(small_archive, catalogue_path,
                                                                             tmp_path):
    head = small_archive.head().position
    rebuild(small_archive.log, catalogue_path, as_of=1)
    before = file_digest(catalogue_path)
    for beyond in (head + 1, -1):
        with pytest.raises(CatalogueError, match=f"no position {beyond}: it ends at position {head}"):
            rebuild(small_archive.log, catalogue_path, as_of=beyond)
        assert file_digest(catalogue_path) == before
        with pytest.raises(CatalogueError):
            rebuild(small_archive.log, tmp_path / "fresh.db", as_of=beyond)
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("fresh", ".fresh"))) == []
    # the head itself and 0 are positions of the log
    assert rebuild(small_archive.log, catalogue_path, as_of=head).position == head
    assert rebuild(small_archive.log, catalogue_path, as_of=0).position == 0


def test_a_failed_update_changes_nothing(small_archive, catalogue_path, khrushchev_text):
    rebuild(small_archive.log, catalogue_path, as_of=3)
    before = catalogue_content(catalogue_path)
    with pytest.raises(OSError):
        update(ExplodingLog(small_archive.log, fail_after=1), catalogue_path)
    assert catalogue_content(catalogue_path) == before


def test_status_of_something_that_is_not_a_catalogue(small_archive, tmp_path):
    with pytest.raises(CatalogueError, match="not an archive catalogue"):
        status(small_archive.log.path)
    with pytest.raises(CatalogueError, match="no catalogue"):
        status(tmp_path / "missing.db")


def test_a_rebuild_through_a_link_replaces_the_catalogue_it_leads_to_and_keeps_the_link(small_archive, tmp_path):
    catalogue = tmp_path / "catalogue.db"
    rebuild(small_archive.log, catalogue, as_of=1)
    (tmp_path / "current.db").symlink_to("catalogue.db")
    (tmp_path / "later.db").symlink_to("new.db")  # leads to no file yet: the rebuild makes it
    head = small_archive.head().position
    for link in ("current.db", "later.db"):
        assert rebuild(small_archive.log, tmp_path / link).position == head
    assert os.readlink(tmp_path / "current.db") == "catalogue.db" and os.readlink(tmp_path / "later.db") == "new.db"
    assert status(catalogue).position == status(tmp_path / "new.db").position == head
    assert file_digest(catalogue) == file_digest(tmp_path / "new.db")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("kind", ["named pipe", "character device", "file descriptor"])
def test_a_rebuild_replaces_nothing_that_is_not_a_plain_file(small_archive, tmp_path, kind):
    target = tmp_path / "catalogue.db"
    if kind == "named pipe":
        os.mkfifo(target)
    elif kind == "character device":
        target.symlink_to(os.devnull)
    elif Path("/proc/self/fd").is_dir():
        target.symlink_to("/proc/self/fd/1")
    else:
        pytest.skip("process descriptors as links are Linux's /proc")
    before = os.lstat(target)
    shown = re.escape(str(target))
    with pytest.raises(CatalogueError, match=f"^{shown} (.*)?is a {kind}.*, so nothing was written: .*a file's path"):
        rebuild(small_archive.log, target)
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_rebuild_into_a_missing_directory_names_the_directory(small_archive, tmp_path):
    target = tmp_path / "nowhere" / "catalogue.db"
    with pytest.raises(CatalogueError, match=f"^there is no directory {re.escape(str(target.parent))} to build "
                                             f"{re.escape(str(target))} in, so nothing was written: create the "
                                             f"directory first"):
        rebuild(small_archive.log, target)
    assert not target.parent.exists()


def test_a_rebuild_into_a_read_only_directory_names_the_directory_and_keeps_the_catalogue(small_archive, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    rebuild(small_archive.log, locked / "catalogue.db", as_of=1)
    before = file_digest(locked / "catalogue.db")
    small_archive.close()
    completed = archive_bound_by_permissions("rebuild", small_archive.log.path, locked / "catalogue.db",
                                             read_only=(locked,))
    assert completed.returncode == 1
    assert completed.stderr == (f"Error: cannot create a file in {locked} (Permission denied) to build "
                                f"{locked / 'catalogue.db'} in, so nothing was written: make the directory writable, "
                                f"or give the catalogue a path in another directory\n")
    assert file_digest(locked / "catalogue.db") == before
    assert [p.name for p in locked.iterdir()] == ["catalogue.db"]


@pytest.mark.parametrize("locked", ["the catalogue", "its directory"])
def test_an_update_of_a_read_only_catalogue_says_so_and_changes_nothing(small_archive, tmp_path, locked):
    folder = tmp_path / "catalogues"
    folder.mkdir()
    catalogue = folder / "catalogue.db"
    rebuild(small_archive.log, catalogue, as_of=small_archive.head().position - 1)
    small_archive.close()
    before = file_digest(catalogue)
    completed = archive_bound_by_permissions("update", small_archive.log.path, catalogue,
                                             read_only=(catalogue if locked == "the catalogue" else folder,))
    assert completed.returncode == 1
    assert completed.stderr == (f"Error: {catalogue} cannot be written (attempt to write a readonly database): it, or "
                                f"its directory {folder} (where an update keeps catalogue.db-journal), is read-only; "
                                f"it was left as it was: make both writable, or rebuild the catalogue somewhere "
                                f"writable\n")
    assert file_digest(catalogue) == before and [p.name for p in folder.iterdir()] == ["catalogue.db"]


@pytest.mark.parametrize("damage, detail", [
    ("DROP TABLE claims", "missing: claims"),
    ("ALTER TABLE claims RENAME COLUMN status TO state", "no such column: status"),
])
def test_an_update_of_a_damaged_catalogue_says_to_rebuild_it_and_changes_nothing(small_archive, catalogue_path,
                                                                                  damage, detail):
    rebuild(small_archive.log, catalogue_path)
    conn = sqlite3.connect(catalogue_path)
    conn.execute(damage)
    conn.close()
    before = file_digest(catalogue_path)
    small_archive.retract("c1938", reason="to have something to update", curator="ana")
    with pytest.raises(CatalogueError, match=(
            f"^{re.escape(str(catalogue_path))} is damaged, or is not a catalogue of schema \\d+ \\({detail}\\); it "
            f"was left as it was: rebuild it with 'archive rebuild {re.escape(str(small_archive.log.path))} "
            f"{re.escape(str(catalogue_path))}'$")):
        update(small_archive.log, catalogue_path)
    assert file_digest(catalogue_path) == before


def test_the_catalogue_reads_while_a_rebuild_replaces_it(small_archive, catalogue_path):
    rebuild(small_archive.log, catalogue_path)
    reader = sqlite3.connect(catalogue_path)
    cursor = reader.execute("SELECT count(*) FROM claims")
    rebuild(small_archive.log, catalogue_path)
    assert cursor.fetchone() == (1,)  # the old file stays readable through the open handle
    reader.close()


# -- an update checks the rows it writes for dangling references ------------------------------------

def _remove_entity_row(catalogue: Path, entity_id: str) -> None:
    """Damage a catalogue behind the projector's back: one entity's row goes, nothing else changes."""
    conn = sqlite3.connect(catalogue)
    with conn:
        assert conn.execute("DELETE FROM entities WHERE entity_id = ?", (entity_id,)).rowcount == 1
    conn.close()


def test_an_update_that_would_insert_a_dangling_reference_is_refused(small_archive, catalogue_path):
    build = Builder(seed="dangling-insert")
    small_archive.append([build.entity("moscow", kind="place", label="Moscow")])
    rebuild(small_archive.log, catalogue_path)
    _remove_entity_row(catalogue_path, "moscow")  # nothing refers to it yet: the catalogue is still sound
    before = catalogue_content(catalogue_path)
    small_archive.append([build.name("moscow", "Москва", language="ru", script="Cyrl")])
    with pytest.raises(CatalogueError, match="dangling reference"):
        update(small_archive.log, catalogue_path)
    assert catalogue_content(catalogue_path) == before


def test_an_update_that_would_repoint_rows_to_a_missing_entity_is_refused(small_archive, catalogue_path):
    """A merge writes no new row: it changes the references of rows recorded long before (here the
    office's own row and the claim that names it as its object)."""
    build = Builder(seed="dangling-merge")
    small_archive.append([build.entity("cpu-secretary", kind="office", label="Party secretary")])
    rebuild(small_archive.log, catalogue_path)
    _remove_entity_row(catalogue_path, "cpu-secretary")
    before = catalogue_content(catalogue_path)
    small_archive.append([build.merge("first-secretary-cpu", "cpu-secretary")])
    with pytest.raises(CatalogueError, match="dangling reference"):
        update(small_archive.log, catalogue_path)
    assert catalogue_content(catalogue_path) == before
    assert status(catalogue_path).position == small_archive.head().position - 1


# -- a rebuild checks every reference ----------------------------------------------------------------------

def _unvalidated_log(build: Builder, khrushchev_text: str, *, speaker_id: str | None = None,
                     name_for: str | None = None) -> MemoryEventLog:
    """A log written past the validator (the log itself stores any well-formed event)."""
    from archive.codec import canonical_bytes, to_dict
    from archive.log.base import NewEvent

    source, blobs = build.source(khrushchev_text, filename="000.txt")
    claim = build.claim("c1", subject_id="khrushchev", source=source, text=khrushchev_text,
                        quote="enviado a Kiev", voice="reported", speaker="someone")
    events = [source, build.entity("khrushchev"), claim] + ([build.name(name_for, "Ghost")] if name_for else [])
    log = MemoryEventLog()
    new = []
    for event in events:
        data = to_dict(event)
        if event is claim and speaker_id:
            data["speaker_id"] = speaker_id
        new.append(NewEvent(event.event_id, event.stream_id, data["type"], data["version"], canonical_bytes(data)))
    log.append(new, blobs=blobs)
    return log


@pytest.mark.parametrize("dangling", [
    {"name_for": "ghost"},  # entity_names.entity_id: an indexed column, checked by its distinct values
    {"speaker_id": "ghost"},  # claims.speaker_id: no index, checked row by row
])
def test_a_rebuild_with_a_dangling_reference_is_refused(tmp_path, khrushchev_text, dangling):
    log = _unvalidated_log(Builder(seed="ghost"), khrushchev_text, **dangling)
    with pytest.raises(CatalogueError, match="dangling reference"):
        rebuild(log, tmp_path / "catalogue.db")
    assert list(tmp_path.iterdir()) == []
    rebuild(_unvalidated_log(Builder(seed="ghost"), khrushchev_text), tmp_path / "catalogue.db")  # sound


def test_a_projector_is_freed_as_soon_as_it_is_dropped(small_archive, catalogue_path):
    """No reference cycle keeps a projector and its caches alive until the cyclic collector runs: a
    process that updates after every append would otherwise pile them up (the benchmark's update_one)."""
    rebuild(small_archive.log, catalogue_path)
    conn = sqlite3.connect(catalogue_path)
    gc.disable()
    try:
        for bulk in (False, True):
            written = []  # the batches, kept out of the catalogue: only the projector's lifetime matters here
            projector = Projector(conn, small_archive.log.get_blob, bulk=bulk, write=written.append)
            for stored in small_archive.log.read():
                projector.apply(stored)
            projector.flush()
            dropped = weakref.ref(projector)
            del projector
            assert written and dropped() is None
        # As update() makes one: writing through its own connection (nothing is flushed here).
        projector = Projector(conn, small_archive.log.get_blob)
        for stored in small_archive.log.read():
            projector.apply(stored)
        dropped = weakref.ref(projector)
        del projector
        assert dropped() is None
    finally:
        gc.enable()
        conn.close()


@pytest.mark.parametrize(("query", "text", "found"), [
    ("Hrusciov", "Nikita Hrușciov", True),  # Latin diacritics folded
    ("HRUŞCIOV", "Nikita Hrușciov", True),  # cedilla and comma below alike
    ("хрущёв", "Никита Хрущёв", True),  # case folded in Cyrillic
    ("Хрущев", "Никита Хрущёв", False),  # but not ё: what docs/catalogue.md warns of
    ("Хрущев OR Хрущёв", "Никита Хрущёв", True),  # the search it suggests
])
def test_full_text_search_folds_what_the_catalogue_reference_says(tmp_path, query, text, found):
    from archive.catalogue.schema import FTS_TOKENIZE
    from archive.text import fold

    conn = sqlite3.connect(tmp_path / "fts.db")
    conn.execute(f"CREATE VIRTUAL TABLE t USING fts5(name, name_folded, tokenize='{FTS_TOKENIZE}')")
    conn.execute("INSERT INTO t VALUES (?, ?)", (text, fold(text)))
    assert bool(conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f"name : ({query})",)).fetchone()[0]) is found
    # The folded column finds the name whichever way it is typed without marks.
    words = " OR ".join(fold(word) for word in query.split(" OR "))
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f"name_folded : ({words})",)).fetchone()[0]
    conn.close()


@pytest.mark.parametrize("damage, said", [
    ("UPDATE _catalogue SET log_position = 'abc'", "gives log_position as 'abc'"),
    ("UPDATE _catalogue SET log_position = -1", "gives log_position as -1"),
    ("UPDATE _catalogue SET log_head_hash = '123'", "gives log_head_hash as '123'"),
    ("UPDATE _catalogue SET schema_version = x'00'", "gives schema_version as b'\\x00'"),
    ("UPDATE _catalogue SET log_position = x'0102'", "gives log_position as b'\\x01\\x02'"),
    ("DELETE FROM _catalogue", "its bookkeeping row (_catalogue) is missing"),
    ("ALTER TABLE _catalogue DROP COLUMN log_head_hash", "cannot be read (no such column: log_head_hash)"),
])
def test_a_catalogue_with_damaged_bookkeeping_is_named_and_left_alone_until_rebuilt(small_archive, catalogue_path,
                                                                                   damage, said):
    rebuild(small_archive.log, catalogue_path)
    with sqlite3.connect(catalogue_path) as conn:
        conn.execute(damage)
    conn.close()
    before = file_digest(catalogue_path)
    log = small_archive.log.path
    # status() is not told the log, and says LOG; update() names the log it was given.
    for attempt, named in ((lambda: status(catalogue_path), "LOG"), (lambda: status(catalogue_path, log=log), log),
                           (lambda: update(small_archive.log, catalogue_path), log)):
        with pytest.raises(CatalogueError) as caught:
            attempt()
        assert str(caught.value).startswith(f"{catalogue_path} is damaged: ") and said in str(caught.value)
        assert str(caught.value).endswith(f"; rebuild it with 'archive rebuild {named} {catalogue_path}'")
        assert file_digest(catalogue_path) == before
    assert rebuild(small_archive.log, catalogue_path).position == small_archive.head().position  # as it says


def test_what_is_not_a_catalogue_says_what_it_is(tmp_path):
    noise = tmp_path / "noise.db"
    noise.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(CatalogueError, match="not a SQLite database"):
        status(noise)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (a)").connection.close()
    with pytest.raises(CatalogueError, match="no _catalogue table"):
        status(other)


def test_a_log_or_a_corrupt_database_given_as_a_catalogue_is_called_what_it_is(small_archive, catalogue_path):
    log = small_archive.log.path
    with pytest.raises(CatalogueError) as caught:
        status(log)
    assert str(caught.value) == (f"{log} is not an archive catalogue (it is an archive event log); give the catalogue "
                                 f"built from it, or build one with 'archive rebuild {log} catalogue.db'")
    # A catalogue whose schema page was overwritten past its header: a SQLite file SQLite cannot read.
    rebuild(small_archive.log, catalogue_path)
    with open(catalogue_path, "r+b") as handle:
        handle.seek(100)
        handle.write(bytes(range(256)) * 15)
    before = file_digest(catalogue_path)
    for attempt in (lambda: status(catalogue_path, log=log), lambda: update(small_archive.log, catalogue_path)):
        with pytest.raises(CatalogueError) as caught:
            attempt()
        assert str(caught.value).startswith(f"{catalogue_path} is a SQLite database that SQLite cannot read (")
        assert str(caught.value).endswith(f"remove it (and any catalogue.db-journal beside it) and build it again "
                                          f"with 'archive rebuild {log} {catalogue_path}'")
        assert file_digest(catalogue_path) == before
    catalogue_path.unlink()  # as it says
    assert rebuild(small_archive.log, catalogue_path).position == small_archive.head().position


def test_a_catalogue_ahead_of_its_log_says_the_log_may_be_an_older_copy(small_archive, catalogue_path, tmp_path):
    rebuild(small_archive.log, catalogue_path)
    older = tmp_path / "older.db"
    with archive.open(older) as arc:  # the same log, as it stood one event earlier
        events = list(small_archive.events())
        arc.append(events[:-1], blobs={k: small_archive.source_bytes(k) for k in small_archive.log.blob_ids()})
        before = file_digest(catalogue_path)
        with pytest.raises(CatalogueError) as caught:
            update(arc.log, catalogue_path)
    assert "restored from an older copy, its last 1 event(s) are lost" in str(caught.value)
    assert file_digest(catalogue_path) == before


@pytest.mark.parametrize("payload", ["{}", "[]", "null", b"\xff\x00", '{"type": "ClaimRecorded", "version": 2}',
                                     '{"type": "NoSuchEvent", "version": 1}'])
@pytest.mark.parametrize("processes", [1, 2])
def test_an_event_changed_behind_the_logs_back_stops_the_rebuild_at_its_position(small_archive, catalogue_path,
                                                                                payload, processes):
    rebuild(small_archive.log, catalogue_path, as_of=1)
    before = file_digest(catalogue_path)
    with sqlite3.connect(small_archive.log.path, isolation_level=None) as conn:
        conn.execute("DROP TRIGGER events_are_append_only_update")
        conn.execute("UPDATE events SET payload = ? WHERE position = 4", (payload,))
    conn.close()
    # The same error from the second process as from this one: its type, its position, the log named.
    with pytest.raises(archive.DamagedLogError) as caught:
        rebuild(small_archive.log, catalogue_path, processes=processes)
    assert caught.value.position == 4 and str(caught.value).startswith("position 4: ")
    assert str(caught.value).endswith(f": the log is damaged; run 'archive verify {small_archive.log.path}' to see "
                                      f"what else is wrong")
    assert file_digest(catalogue_path) == before
    assert [p.name for p in catalogue_path.parent.iterdir() if ".rebuild-" in p.name] == []
    with pytest.raises(archive.IntegrityError, match="position 4: .*the log is damaged"):
        list(small_archive.events())


def _wrong(field: str, value):
    return lambda data: {**data, field: value}


#: Damage to the claim at position 6 that the projector does not stumble over itself: SQLite does, later
#: (a dict it cannot store, a NOT NULL label), or nothing does (a subject never recorded, found by its hash).
WRONG_FIELDS = [
    pytest.param(_wrong("note", {"a": 1}), "it is not a valid event ($.note: expected a string, got dict)",
                 id="a note SQLite cannot store"),
    pytest.param(_wrong("subject_id", 5), "it is not a valid event ($.subject_id: expected a string, got int)",
                 id="a subject id that is a number"),
    pytest.param(_wrong("subject_id", "nobody"), "its bytes do not match its hash (one of them was changed after it "
                                                 "was stored)", id="a subject never recorded"),
    pytest.param('{"type": "NameRecorded", "version": 2}', "its payload is NameRecorded version 2, where the log's row "
                                                           "says ClaimRecorded version 3", id="another type's event"),
]


@pytest.mark.parametrize("change, said", WRONG_FIELDS)
@pytest.mark.parametrize("how", ["rebuild", "rebuild in two processes", "update"])
def test_an_event_of_the_wrong_shape_is_named_by_its_position_not_by_sqlite(small_archive, catalogue_path, change,
                                                                          said, how):
    rebuild(small_archive.log, catalogue_path, as_of=5)
    before = file_digest(catalogue_path)
    damage_event(small_archive.log.path, 6, change)
    with pytest.raises(archive.DamagedLogError) as caught:
        if how == "update":
            update(small_archive.log, catalogue_path)
        else:
            rebuild(small_archive.log, catalogue_path, processes=2 if "two" in how else 1)
    assert str(caught.value) == (f"position 6: {said}: the log is damaged; run 'archive verify "
                                 f"{small_archive.log.path}' to see what else is wrong")
    assert file_digest(catalogue_path) == before
    assert [p.name for p in catalogue_path.parent.iterdir() if p.name.startswith((".catalogue", "catalogue.db-"))] == []


def test_a_rebuild_as_of_a_time_names_an_event_whose_time_cannot_be_read(small_archive, catalogue_path):
    damage_event(small_archive.log.path, 3, _wrong("recorded_at", "not a time"))
    with pytest.raises(archive.DamagedLogError) as caught:
        rebuild(small_archive.log, catalogue_path, as_of=datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert caught.value.position == 3 and "$.recorded_at" in str(caught.value)
    assert not catalogue_path.exists()
