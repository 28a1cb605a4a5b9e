"""Datasette metadata generated from the schema: its content, its YAML, and Datasette serving the catalogue with it.

The tests at the end need Datasette (``pip install 'archive[datasette]'``) and
are skipped without it. They run against Datasette 0.64/0.65, which reads one
metadata file, and against 1.0 alphas, which take titles and descriptions from
the metadata and everything else from ``datasette.yaml``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.catalogue.datasette import (
    CANNED_QUERIES, FTS_SHADOW_SUFFIXES, metadata, split_for_datasette_1, to_yaml,
)
from archive.catalogue.schema import FTS, TABLES, VIEWS
from archive.cli import cli

from .conftest import FIXTURE_BUNDLE

SHADOW_TABLES = [f"{name}_fts{suffix}" for name in FTS for suffix in FTS_SHADOW_SUFFIXES]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("datasette")
    assert run("import", work / "archive.db", FIXTURE_BUNDLE).exit_code == 0
    assert run("rebuild", work / "archive.db", work / "catalogue.db").exit_code == 0
    return work / "catalogue.db"


def _tables(meta: dict, name: str = "catalogue") -> dict:
    return meta["databases"][name]["tables"]


# -- the metadata itself ----------------------------------------------------------------------------------


def test_every_table_view_and_column_is_described_as_in_the_schema():
    tables = _tables(metadata())
    for table in TABLES:
        assert tables[table.name]["description"] == table.description
        assert tables[table.name]["columns"] == {c.name: c.description for c in table.columns}
    for view in VIEWS:
        assert tables[view.name]["description"] == view.description
        assert tables[view.name]["columns"] == dict(view.columns)


def test_bookkeeping_and_fts_shadow_tables_are_hidden_and_nothing_else(catalogue):
    tables = _tables(metadata())
    hidden = {name for name, entry in tables.items() if entry.get("hidden")}
    expected = {t.name for t in TABLES if t.name.startswith("_")} | set(SHADOW_TABLES) | {f"{n}_fts" for n in FTS}
    assert hidden == expected
    conn = sqlite3.connect(catalogue)
    actual = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    conn.close()
    assert set(SHADOW_TABLES) <= actual, "the shadow table names no longer match what SQLite creates"
    assert actual - {name for name in actual if name.startswith("sqlite_")} <= set(tables), (
        "a table of the catalogue has no metadata")


def test_facets_labels_sorts_and_search_name_real_columns(catalogue):
    conn = sqlite3.connect(catalogue)
    columns = {name: {row[1] for row in conn.execute(f"PRAGMA table_info([{name}])")}
               for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    conn.close()
    tables = _tables(metadata())
    for name, entry in tables.items():
        for facet in entry.get("facets", []):
            assert facet in columns[name], (name, facet)
        for key in ("label_column", "sort", "sort_desc"):
            if key in entry:
                assert entry[key] in columns[name], (name, key)
        if "fts_table" in entry:
            assert entry["fts_table"] in columns and entry["fts_pk"] == "rowid"
    assert tables["claims"]["facets"] == ["predicate", "source_id", "rank", "status", "voice"]
    assert tables["entities"]["facets"] == ["kind"] and tables["sources"]["facets"] == ["language"]
    assert (tables["sources"]["label_column"], tables["entities"]["label_column"],
            tables["predicates"]["label_column"]) == ("title", "label", "predicate")


def test_canned_queries_run_on_the_catalogue_and_hide_no_table(catalogue):
    queries = metadata()["databases"]["catalogue"]["queries"]
    assert set(queries) == set(CANNED_QUERIES)
    assert not set(queries) & ({t.name for t in TABLES} | {v.name for v in VIEWS})
    conn = sqlite3.connect(catalogue)
    conn.row_factory = sqlite3.Row
    source_id = conn.execute("SELECT source_id FROM claims WHERE claim_id = 's000-c24'").fetchone()[0]
    values = {"entity": "Nikita Khrushchev", "source_id": source_id}
    results = {}
    for name, query in queries.items():
        params = {p: values[p] for p in query.get("params", [])}
        results[name] = [dict(r) for r in conn.execute(query["sql"], params)]
    assert any(r["claim_id"] == "s000-c24" and r["date_edtf"] == "1938" for r in results["person_timeline"])
    starts = [r["quote_start"] for r in results["claims_of_a_source"]]
    assert starts == sorted(starts) and len(starts) == conn.execute(
        "SELECT count(*) FROM claims WHERE source_id = ?", (source_id,)).fetchone()[0]
    pairs = conn.execute("SELECT count(*) FROM conflicts").fetchone()[0]
    assert len(results["where_sources_disagree"]) * 2 == pairs  # each pair once
    assert {r["voice"] for r in results["who_said_what"]} <= {"author", "reported", "reader"}
    def timeline_of(entity: str) -> list[str]:
        return [r["claim_id"] for r in conn.execute(queries["person_timeline"]["sql"], {"entity": entity})]

    expected = [r["claim_id"] for r in results["person_timeline"]]
    assert expected == [r[0] for r in conn.execute(
        "SELECT claim_id FROM timeline WHERE entity_id = 'khrushchev' "
        "ORDER BY date_earliest, date_latest, predicate, claim_id")]
    assert timeline_of("khrushchev") == timeline_of("NIKITA KHRUSHCHEV") == expected
    assert timeline_of("Никита Хрущёв") == expected  # a recorded name, in any language
    # Case in every script (SQL's lower() folds Latin letters only), and accents left out.
    assert timeline_of("НИКИТА ХРУЩЁВ") == timeline_of("никита хрущев") == expected
    assert timeline_of("Никита Сергеевич Хрущев") == timeline_of("NIKITA HRUSCIOV") == expected
    assert timeline_of("Nikita") == timeline_of("Хрущёв Никита") == []  # a part of a name, or another order
    assert timeline_of('"') == timeline_of("") == timeline_of('a" OR "b') == timeline_of("Nobody at all") == []
    conn.close()


def test_the_person_timeline_finds_every_recorded_name_however_it_is_typed(catalogue):
    # Every name of the shipped corpus, in upper case, in lower case and with its accents left out:
    # the query must find the entity it names (and so all of that entity's dated claims).
    from archive.text import fold

    sql = CANNED_QUERIES["person_timeline"][2]
    conn = sqlite3.connect(catalogue)
    names = conn.execute("SELECT name, current_entity_id FROM entity_names").fetchall()
    assert len(names) > 200
    checked = 0
    for name, entity_id in names:
        own = {r[0] for r in conn.execute("SELECT claim_id FROM timeline WHERE entity_id = ?", (entity_id,))}
        for typed in {name.upper(), name.lower(), fold(name)}:
            found = {r[-1] for r in conn.execute(sql, {"entity": typed})}
            assert own <= found, (name, typed)
            checked += bool(own)
    assert checked > 100
    conn.close()


def test_split_for_datasette_1_moves_configuration_and_keeps_descriptions():
    meta = metadata()
    described, config = split_for_datasette_1(meta)
    assert "queries" not in described["databases"]["catalogue"]
    assert config["databases"]["catalogue"]["queries"] == meta["databases"]["catalogue"]["queries"]
    for name, entry in _tables(meta).items():
        kept = described["databases"]["catalogue"]["tables"].get(name, {})
        moved = config["databases"]["catalogue"]["tables"].get(name, {})
        assert {**kept, **moved} == entry and not set(kept) & set(moved)
        assert "facets" not in kept and "hidden" not in kept and "description" not in moved
    assert described["title"] == meta["title"] and "title" not in config


# -- YAML -----------------------------------------------------------------------------------------------------


def test_the_yaml_reads_back_as_the_metadata():
    yaml = pytest.importorskip("yaml")
    meta = metadata()
    assert yaml.safe_load(to_yaml(meta)) == meta
    for part in split_for_datasette_1(meta):
        assert yaml.safe_load(to_yaml(part)) == part


def test_the_yaml_writer_quotes_what_yaml_would_misread():
    yaml = pytest.importorskip("yaml")
    tricky = {
        "words": ["yes", "No", "off", "null", "~", "1938", "1938-05-04", "0x1F", "", " leading", "trailing ",
                  "a: b", "# not a comment", "- not a list", "{x}", "'single'", '"double"', "back\\slash",
                  "Хрущёв ș ț", "tab\there", "bell\a", "del\x7f", "nel\x85", "ls\u2028ps\u2029", "bom\ufeff",
                  "emoji 😀", "two\nlines", "ends with newline\n", "\nstarts with newline", "trailing space \nx"],
        "sql": "select *\nfrom claims\n  where x = ':y'",
        "y": True, "n": False, "on": None, "count": 3, "key with space": {}, "empty": [],
        "nested": [{"a": 1, "b": [1, [2, 3]]}, ["x", {"c": "d"}]],
    }
    text = to_yaml(tricky)
    assert yaml.safe_load(text) == tricky
    assert "sql: |-\n  select *\n  from claims\n    where x = ':y'\n" in text  # SQL stays readable


def test_archive_metadata_writes_yaml_named_after_the_catalogue_file(catalogue, tmp_path):
    copy = tmp_path / "my-archive.db"
    copy.write_bytes(catalogue.read_bytes())
    out = tmp_path / "metadata.yaml"
    result = run("metadata", copy, "-o", out)
    assert result.exit_code == 0, result.output
    assert "database 'my-archive'" in result.output and f"datasette {copy} -m {out}" in result.output
    assert out.read_text(encoding="utf-8") == to_yaml(metadata("my-archive"))
    assert run("metadata", copy).output == to_yaml(metadata("my-archive"))
    config = tmp_path / "datasette.yaml"
    assert run("metadata", copy, "-o", out, "-c", config).exit_code == 0
    described, configuration = split_for_datasette_1(metadata("my-archive"))
    assert out.read_text(encoding="utf-8") == to_yaml(described)
    assert config.read_text(encoding="utf-8") == to_yaml(configuration)


@pytest.mark.parametrize("same", ["the same path", "a link to the metadata's file"])
def test_archive_metadata_refuses_one_file_for_both_halves(catalogue, tmp_path, same):
    # Written one after the other, the metadata would replace the configuration, and the command say it wrote both.
    out = tmp_path / "metadata.yaml"
    out.write_text("kept\n", encoding="utf-8")
    config = out
    if same != "the same path":
        config = tmp_path / "datasette.yaml"
        config.symlink_to(out.name)
    result = run("metadata", catalogue, "-o", out, "-c", config)
    assert result.exit_code == 2 and "write the metadata and the configuration to two different files" in result.output
    assert out.read_text(encoding="utf-8") == "kept\n"


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="/dev/stdout as a link to a descriptor is Linux's")
def test_archive_metadata_refuses_both_halves_on_standard_output_however_it_is_named(catalogue, tmp_path):
    # '-o' defaults to standard output; '-c /dev/stdout' is standard output too, as the exports take it.
    collected = tmp_path / "collected"
    with open(collected, "wb") as stdout:
        completed = subprocess.run([sys.executable, "-m", "archive", "metadata", str(catalogue), "-c", "/dev/stdout"],
                                   stdout=stdout, stderr=subprocess.PIPE, text=True)
    assert completed.returncode == 2 and "write at most one of the two files to standard output" in completed.stderr
    assert collected.read_bytes() == b""


def test_archive_metadata_refuses_what_is_not_a_catalogue(tmp_path):
    result = CliRunner().invoke(cli, ["metadata", str(tmp_path / "missing.db"), "-o", str(tmp_path / "m.yaml")])
    assert result.exit_code == 1 and result.output.startswith("Error: no catalogue at")
    assert not (tmp_path / "m.yaml").exists()


# -- Datasette serving the catalogue ------------------------------------------------------------------------


def _datasette(catalogue: Path):
    pytest.importorskip("datasette")
    from datasette.app import Datasette
    from datasette.version import __version__

    meta = metadata(catalogue.stem)
    if __version__.startswith("0."):
        return Datasette([str(catalogue)], metadata=meta)
    described, config = split_for_datasette_1(meta)  # Datasette 1.0 reads configuration separately
    return Datasette([str(catalogue)], metadata=described, config=config)


def _get(catalogue: Path, *paths: str) -> list:
    """Responses of a Datasette serving ``catalogue``, through its test client."""

    async def fetch():
        ds = _datasette(catalogue)
        await ds.invoke_startup()
        return [await ds.client.get(path) for path in paths]

    return asyncio.run(fetch())


def _facets(body: dict) -> dict:
    facets = body["facet_results"]
    return facets.get("results", facets)  # 1.0 nests them under "results"


def test_datasette_shows_the_default_facets_of_claims_with_sources_by_title(catalogue):
    (response,) = _get(catalogue, "/catalogue/claims.json?_extra=facet_results")
    assert response.status_code == 200
    facets = _facets(response.json())
    assert list(facets) == ["predicate", "source_id", "rank", "status", "voice"]
    predicates = {r["value"]: r["count"] for r in facets["predicate"]["results"]}
    assert predicates["held_office"] >= 1 and sum(predicates.values()) >= 41
    assert "Carreira política sob Stalin" in [r["label"] for r in facets["source_id"]["results"]]


def test_datasette_full_text_search_finds_the_1938_appointment(catalogue):
    (response,) = _get(catalogue, "/catalogue/claims.json?_search=Ukraine&_shape=array")
    assert response.status_code == 200
    rows = response.json()
    assert any(r["date_edtf"] == "1938" and r["predicate"] == "held_office"
               and r["object_id"] == "first-secretary-communist-party-of-ukraine" for r in rows)
    assert all("Ukraine" in (r["object_label"] or "") + (r["note"] or "") + r["quote"] for r in rows)


def test_datasette_hides_the_bookkeeping_tables(catalogue):
    (response,) = _get(catalogue, "/catalogue.json")
    hidden = {t["name"]: t["hidden"] for t in response.json()["tables"]}
    assert hidden["_catalogue"] and hidden["_documentation"]
    assert all(hidden.get(name, True) for name in SHADOW_TABLES)  # Datasette 1.0 does not even list them
    assert not any(hidden[t.name] for t in TABLES if not t.name.startswith("_"))


def test_datasette_shows_table_and_column_descriptions(catalogue):
    claims, timeline = _get(catalogue, "/catalogue/claims", "/catalogue/timeline")
    assert claims.status_code == timeline.status_code == 200
    claims_table = next(t for t in TABLES if t.name == "claims")
    assert claims_table.description in claims.text
    assert "The subject after all entity merges: browse by this." in claims.text
    assert next(v for v in VIEWS if v.name == "timeline").description in timeline.text


def test_datasette_runs_the_canned_queries(catalogue):
    conn = sqlite3.connect(catalogue)
    source_id = conn.execute("SELECT source_id FROM claims WHERE claim_id = 's000-c24'").fetchone()[0]
    conn.close()
    timeline, by_source, disagree, who = _get(
        catalogue,
        "/catalogue/person_timeline.json?_shape=array&entity=Никита Хрущёв",
        f"/catalogue/claims_of_a_source.json?_shape=array&source_id={source_id}",
        "/catalogue/where_sources_disagree.json?_shape=array",
        "/catalogue/who_said_what.json?_shape=array",
    )
    assert [r.status_code for r in (timeline, by_source, disagree, who)] == [200] * 4
    rows = timeline.json()
    assert any(r["claim_id"] == "s000-c24" and r["date_edtf"] == "1938" for r in rows)
    assert len(rows) == len({r["claim_id"] for r in rows}) > 1
    starts = [r["quote_start"] for r in by_source.json()]
    assert starts == sorted(starts) and len(starts) >= 41
    assert isinstance(disagree.json(), list) and who.json()
