"""The ``archive`` command line.

Like sqlite-utils: the file being worked on comes first, every command's help
ends with an ``Example:``, and the library's errors become one clean line on
stderr with a non-zero exit status — never a traceback.
"""

from __future__ import annotations

import functools
import os
import signal
import sqlite3
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import click

from . import __version__
from .bundle import export_bundle, import_bundle
from .catalogue import rebuild as rebuild_catalogue
from .catalogue import update as update_catalogue
from .core import open_archive
from .errors import ArchiveError, DamagedLogError, IntegrityError
from .safety import is_sqlite_database, resolve_target, sqlite_file_beside
from .model import CLEARABLE_FIELDS, WORK_CLEARABLE_FIELDS, WORK_KINDS

LOG = click.argument("log", type=click.Path(dir_okay=False, path_type=Path))
CATALOGUE = click.argument("catalogue", type=click.Path(dir_okay=False, path_type=Path))


def _existing_log(path: Path):
    if not path.exists():
        raise click.ClickException(f"no event log at {path}; create one with 'archive import {path} BUNDLE'")
    return open_archive(path, create=False)


class _Progress:
    """A progress bar on stderr, only when stderr is a terminal; a no-op otherwise (pipes, CI, logs).

    Calling it with a running count moves the bar; the library reports counts, not deltas.
    """

    def __init__(self, label: str, total: int):
        self.bar = None
        self.done = 0
        if total >= 1000 and sys.stderr.isatty():
            self.bar = click.progressbar(length=total, label=label, file=sys.stderr)
            self.bar.__enter__()

    def __call__(self, count: int) -> None:
        if self.bar is not None:
            self.bar.update(count - self.done)
            self.done = count

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


def _count_lines(path: Path) -> int:
    count = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            count += chunk.count(b"\n")
    return count


class _Stopped(KeyboardInterrupt):
    """SIGTERM (``kill``, a service stopping), raised where the program is, so it unwinds as Ctrl-C does."""


def _stop(signum: int, frame: Any) -> None:
    raise _Stopped()


def clean_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the library's errors into one line and exit status 1; an interruption into 130 (143 for SIGTERM)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except click.ClickException:
            raise
        except KeyboardInterrupt as exc:
            # Each command writes whole or not at all: on the way out, its transaction was rolled
            # back and its temporary files removed, and a log this call created was deleted.
            click.echo("Interrupted: the command stopped before it finished, and nothing it was writing "
                       "was kept; run it again.", err=True)
            sys.exit(143 if isinstance(exc, _Stopped) else 130)
        except BrokenPipeError:  # `archive timeline … | head`: the reader left; that is not an error
            sys.stdout = open(os.devnull, "w")
            return None
        except DamagedLogError as exc:  # named by the file given: the library may not have known it
            raise click.ClickException(str(exc.in_log(kwargs.get("log", kwargs.get("path"))))) from None
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"SQLite: {exc}") from None
        except OSError as exc:
            raise click.ClickException(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)) from None

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="archive")
def cli() -> None:
    """Keep historical sources and what they say, and build a browsable catalogue.

    The event log (LOG) is one SQLite file holding the source documents and
    every event; the catalogue (CATALOGUE) is a SQLite file built from it,
    for browsing with sqlite-utils or Datasette.

    Example:

    \b
        archive import archive.db fixtures/khrushchev
        archive rebuild archive.db catalogue.db
    """


@cli.command(name="import")
@LOG
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@clean_errors
def import_(log: Path, path: Path) -> None:
    """Append a bundle (a directory with events.jsonl and sources/) or a .jsonl file to LOG.

    LOG is created if it does not exist. The import is atomic: if any event is
    rejected, nothing is appended and the error names the file, line and field.
    Events already in LOG are skipped, so importing twice is harmless.

    Example:

        archive import archive.db fixtures/khrushchev
    """
    created = not log.exists()
    started = time.perf_counter()
    try:
        # The bar's length, only where a bar is drawn, and a chunk at a time: an events file may be bigger
        # than memory (the import itself streams it).
        lines = _count_lines(path / "events.jsonl" if path.is_dir() else path) if sys.stderr.isatty() else 0
        with open_archive(log) as archive, _Progress("reading", lines) as progress:
            result = import_bundle(archive, path, progress=progress)
            head = archive.head()
    except BaseException:
        if created:  # leave no trace of a log that this failed call created
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{log}{suffix}").unlink(missing_ok=True)
        raise
    elapsed = time.perf_counter() - started
    click.echo(f"imported {len(result.stored)} event(s), {result.already_stored} already present; "
               f"log at position {head.position} ({elapsed:.2f}s)")


@cli.command()
@LOG
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--as-stored", is_flag=True,
              help="Copy the events and documents as they are stored, without checking them: to rescue "
                   "what is left of a damaged log (the import then refuses each damaged line, naming it).")
@clean_errors
def export(log: Path, directory: Path, as_stored: bool) -> None:
    """Write LOG as a bundle into DIRECTORY (which must be new or empty).

    Each event is checked against its hash as it is copied, and each document
    against its id: a log changed behind its back is refused, naming the first
    damaged position, and nothing is written.

    Example:

    \b
        archive export archive.db exported-bundle
        archive export damaged.db rescued-bundle --as-stored
    """
    with _existing_log(log) as archive:
        try:
            count = export_bundle(archive, directory, as_stored=as_stored)
        except IntegrityError as exc:
            # The library's error, and the way out that only this command has.
            raise click.ClickException(f"{exc.in_log(log) if isinstance(exc, DamagedLogError) else exc}; nothing "
                                       f"was written: to rescue what is sound, export it with --as-stored "
                                       f"and repair or remove the lines the import refuses") from None
    click.echo(f"exported {count} event(s) to {directory}")


@cli.command()
@LOG
@CATALOGUE
@click.option("--as-of", "as_of", default=None, metavar="POSITION|TIME",
              help="Build the catalogue as it stood at this log position, or at this time "
                   "(RFC 3339, e.g. 2026-11-23T10:00:00Z).")
@clean_errors
def rebuild(log: Path, catalogue: Path, as_of: str | None) -> None:
    """Build CATALOGUE from scratch from LOG, replacing it atomically.

    The same log always gives a byte-identical catalogue file. With --as-of,
    the catalogue shows the archive as it stood then (time travel).

    Example:

    \b
        archive rebuild archive.db catalogue.db
        archive rebuild archive.db then.db --as-of 120
        archive rebuild archive.db then.db --as-of 2026-11-23T10:01:00Z
    """
    point: int | datetime | None = None
    if as_of is not None:
        if as_of.isdigit():
            point = int(as_of)
        else:
            try:
                point = datetime.fromisoformat(as_of)
            except ValueError:
                raise click.BadParameter("give a log position (a whole number) or an RFC 3339 time",
                                         param_hint="--as-of") from None
            if point.tzinfo is None:
                raise click.BadParameter("the time needs a timezone, e.g. end it with Z for UTC",
                                         param_hint="--as-of")
    started = time.perf_counter()
    with _existing_log(log) as archive, _Progress("rebuilding", archive.head().position) as progress:
        result = rebuild_catalogue(archive.log, catalogue, as_of=point, progress=progress)
    elapsed = time.perf_counter() - started
    click.echo(f"rebuilt {catalogue} from {result.applied} event(s), at position {result.position} ({elapsed:.2f}s)")


@cli.command()
@LOG
@CATALOGUE
@clean_errors
def update(log: Path, catalogue: Path) -> None:
    """Bring CATALOGUE up to date by applying only the events it has not seen.

    Builds it from scratch if it does not exist; leaves the file untouched if
    nothing is new.

    Example:

        archive update archive.db catalogue.db
    """
    with _existing_log(log) as archive, _Progress("updating", archive.head().position) as progress:
        result = update_catalogue(archive.log, catalogue, progress=progress)
    if result.rebuilt:
        click.echo(f"built {catalogue} from {result.applied} event(s), at position {result.position}")
    elif result.applied:
        click.echo(f"applied {result.applied} new event(s) to {catalogue}, now at position {result.position}")
    else:
        click.echo(f"{catalogue} is up to date at position {result.position}")


def _head_option(ctx: click.Context, param: click.Parameter, value: str | None):
    if value is None:
        return None
    from .verify import parse_head

    try:
        return parse_head(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@cli.command()
@LOG
@click.option("--expect-head", "expect", metavar="POSITION:HASH", callback=_head_option,
              help="A head kept from an earlier verify: the log must still hold it.")
@click.option("--catalogue", "catalogue", type=click.Path(dir_okay=False, path_type=Path),
              help="A catalogue built from this log: the log must still hold the head it was built at.")
@clean_errors
def verify(log: Path, expect, catalogue: Path | None) -> None:
    """Recompute every hash in LOG; exit 1 and name the first bad position on any mismatch.

    Checks the hash chain, gap-free positions, canonical payloads and each
    source document against its sha256, and prints the head (POSITION:HASH).

    The chain cannot show that the last events were cut off (a log restored
    from an older copy), nor a history rewritten with every later hash
    recomputed. Keep the printed head somewhere else and pass it back with
    --expect-head, or name a catalogue built from the log with --catalogue.

    Example:

    \b
        archive verify archive.db
        archive verify archive.db --expect-head 61:3f9a0c5e7b1d2a46
        archive verify archive.db --catalogue catalogue.db
    """
    from .catalogue import status
    from .log.base import Head

    if expect is not None and catalogue is not None:
        raise click.UsageError("give --expect-head or --catalogue, not both")
    if catalogue is not None:
        built = status(catalogue, log=log)
        expect = Head(built.position, built.head_hash)
    with _existing_log(log) as archive, _Progress("verifying", archive.head().position) as progress:
        report = archive.verify(progress=progress, expect=expect)
    if report.ok:
        # The head last, so that the line's end can be kept and given back as it is.
        kept = f", the expected head at position {expect.position} still there" if expect is not None else ""
        click.echo(f"ok: {report.events} event(s), {report.sources} source document(s){kept}, "
                   f"head {report.head.position}:{report.head.hash}")
        return
    first = report.problems[0]
    for problem in report.problems:
        click.echo(f"bad: {problem}", err=True)
    where = (f"position {report.first_bad_position}" if report.first_bad_position
             else f"source {first.source_id}" if first.source_id else "the log's own safeguards")
    raise click.ClickException(f"verification failed: {len(report.problems)} problem(s); first at {where}")


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("entity")
@clean_errors
def timeline(path: Path, entity: str) -> None:
    """Print the dated claims about ENTITY in date order, from a catalogue or a log (PATH).

    ENTITY is an entity id, its label or any of its names, in any language;
    case and accents do not matter.

    Example:

    \b
        archive timeline catalogue.db khrushchev
        archive timeline archive.db "Hrusciov"
    """
    from tabulate import tabulate

    from .timeline import COLUMNS
    from .timeline import timeline as read_timeline

    label, rows = read_timeline(path, entity)
    click.echo(f"{label}: {len(rows)} dated claim(s)")
    if rows:
        click.echo(tabulate([[r[c] for c in COLUMNS] for r in rows], headers=list(COLUMNS),
                            tablefmt="simple", maxcolwidths=[24, 12, 20, 40, 28, 10]))


CURATOR = click.option("--curator", required=True, envvar="ARCHIVE_CURATOR", show_envvar=True,
                       help="Who records this (your name).")
REASON = click.option("--reason", required=True, help="Why: it is kept with the event for ever.")


@cli.command()
@LOG
@click.argument("claim_id")
@REASON
@CURATOR
@clean_errors
def retract(log: Path, claim_id: str, reason: str, curator: str) -> None:
    """Withdraw claim CLAIM_ID, recorded in error. It stays in the catalogue, marked retracted.

    Example:

        archive retract archive.db s000-c07 --reason "duplicate of s000-c06" --curator ana
    """
    with _existing_log(log) as archive:
        event = archive.retract(claim_id, reason=reason, curator=curator)
    click.echo(f"retracted {claim_id} (event {event.event_id})")


@cli.command()
@LOG
@click.argument("claim_id")
@click.argument("rank", type=click.Choice(["preferred", "normal", "deprecated"]))
@REASON
@CURATOR
@clean_errors
def assess(log: Path, claim_id: str, rank: str, reason: str, curator: str) -> None:
    """Weigh claim CLAIM_ID: preferred, normal or deprecated. The latest assessment counts.

    Deprecated claims stay browsable but leave the conflicts and corroboration views.

    Example:

        archive assess archive.db s003-c12 deprecated --reason "spam comment" --curator ana
    """
    with _existing_log(log) as archive:
        archive.assess(claim_id, rank=rank, reason=reason, curator=curator)
    click.echo(f"assessed {claim_id} as {rank}")


@cli.command()
@LOG
@click.argument("entity_id")
@click.argument("into_id")
@REASON
@CURATOR
@clean_errors
def merge(log: Path, entity_id: str, into_id: str, reason: str, curator: str) -> None:
    """Record that ENTITY_ID is the same as INTO_ID: its names and claims move to INTO_ID.

    Merges chain (A into B, B into C); one that would make a cycle is refused.
    Undo with 'archive split'.

    Example:

        archive merge archive.db krushchev khrushchev --reason "a spelling variant" --curator ana
    """
    with _existing_log(log) as archive:
        archive.merge(entity_id, into_id=into_id, reason=reason, curator=curator)
    click.echo(f"merged {entity_id} into {into_id}")


@cli.command()
@LOG
@click.argument("entity_id")
@REASON
@CURATOR
@clean_errors
def split(log: Path, entity_id: str, reason: str, curator: str) -> None:
    """Undo the merge of ENTITY_ID: it is its own entity again.

    Example:

        archive split archive.db krushchev --reason "not the same person after all" --curator ana
    """
    with _existing_log(log) as archive:
        archive.split(entity_id, reason=reason, curator=curator)
    click.echo(f"split {entity_id} from the entity it was merged into")


@cli.command(name="correct-source")
@LOG
@click.argument("source_id")
@click.option("--title", help="The source's title.")
@click.option("--language", help="Its language, as a BCP 47 tag (pt, ro, en-GB).")
@click.option("--kind", help="What sort of text it is.")
@click.option("--author", help="Its author.")
@click.option("--publisher", help="Its publisher or web site.")
@click.option("--origin-url", help="Where it was retrieved from.")
@click.option("--published", help="When it was published (EDTF).")
@click.option("--retrieved", help="When it was retrieved (EDTF).")
@click.option("--note", help="The curator's note on it.")
@click.option("--clear", "cleared", multiple=True, type=click.Choice(CLEARABLE_FIELDS),
              help="Remove a field that should not have been given (repeatable).")
@REASON
@CURATOR
@clean_errors
def correct_source(log: Path, source_id: str, cleared: tuple[str, ...], reason: str, curator: str,
                   **changes: str | None) -> None:
    """Correct the description of source SOURCE_ID: give the fields that change, --clear those to remove.

    The document's bytes and the event that recorded it stay as they are; the
    catalogue shows the corrected description and lists every change in
    source_corrections. A title and a language can be corrected, not removed.

    Example:

    \b
        archive correct-source archive.db \\
            sha256:07090910e4a03dc3962a6ab338390bd7a3041e0c01cada2d879f854dde00ca17 \\
            --published 2007/2017 --reason "its footer: (c) 2007-2017" --curator ana
    """
    _correct(log, "correct_source", source_id, reason, curator, cleared, changes)


def _correct(log: Path, method: str, item: str, reason: str, curator: str, cleared: tuple[str, ...],
             options: dict[str, str | None]) -> None:
    """Record a correction of a description with the options given (those left out keep their values)."""
    given = {name: value for name, value in options.items() if value is not None}
    with _existing_log(log) as archive:
        event = getattr(archive, method)(item, reason=reason, curator=curator, cleared=cleared, **given)
    click.echo(f"corrected {', '.join(event.changes())} of {item} (event {event.event_id})")


@cli.command(name="correct-work")
@LOG
@click.argument("work_id")
@click.option("--title", help="The work's title as published.")
@click.option("--kind", type=click.Choice(WORK_KINDS), help="What sort of work it is.")
@click.option("--author", help="Its author.")
@click.option("--published", help="When it was published (EDTF).")
@click.option("--publisher", help="Its publisher, journal or newspaper.")
@click.option("--identifier", help="Its ISBN, ISSN, DOI or URL as printed.")
@click.option("--language", help="Its language, as a BCP 47 tag.")
@click.option("--note", help="The curator's note on it.")
@click.option("--clear", "cleared", multiple=True, type=click.Choice(WORK_CLEARABLE_FIELDS),
              help="Remove a field that should not have been given (repeatable).")
@REASON
@CURATOR
@clean_errors
def correct_work(log: Path, work_id: str, cleared: tuple[str, ...], reason: str, curator: str,
                 **changes: str | None) -> None:
    """Correct the bibliographic data of cited work WORK_ID, as correct-source does a source's.

    The event that recorded the work stays as it is; the catalogue's cited_works
    shows the corrected data and work_corrections lists every change. A title
    and a kind can be corrected, not removed.

    Example:

    \b
        archive correct-work archive.db perrie-2006 --author "Suny, Ronald Grigor" \\
            --reason "Suny edited volume 3; Perrie edited volume 1" --curator ana
    """
    _correct(log, "correct_work", work_id, reason, curator, cleared, changes)


# -- browse, cite and exchange ----------------------------------------------------------------------

OUT = click.argument("out", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))


def _destination(out: Path) -> str | Path:
    """Where :func:`_write_out` puts ``out``: ``"-"`` for standard output, else the file its name leads to."""
    if str(out) == "-":
        return "-"
    target = resolve_target(out)
    return "-" if target.is_standard_output() else target.path


def _write_out(out: Path, text: str) -> bool:
    """Write ``text`` (UTF-8) to ``out``, or to standard output for ``-``; False if it went to standard output.

    A file is written beside its final name and renamed into place, so a failed
    export never leaves half a file behind. A symbolic link is followed, and the
    file it leads to is the one checked and replaced (the link stays). A named
    pipe or a character device (a terminal, ``/dev/null``) is written into: a
    rename would put a plain file in its place. A descriptor of standard output
    (``/dev/stdout``) is standard output, as ``-`` is.
    """
    if str(out) == "-":
        click.echo(text, nl=False)
        return False
    target = resolve_target(out)
    if target.is_standard_output():
        click.echo(text, nl=False)
        return False
    if target.streamed:
        try:
            with open(os.open(target.path, os.O_WRONLY), "wb") as handle:  # no O_CREAT, no O_TRUNC: it is no file
                handle.write(text.encode("utf-8"))
        except BrokenPipeError:  # the reader left, as with `| head`
            raise
        except OSError as exc:
            raise click.ClickException(f"writing into {target.where}, a {target.kind}, failed ({exc.strerror or exc}): "
                                       f"check that it can take the export, or give a file's path") from None
        return True
    if target.descriptor:  # a regular file open in some process: only the descriptor's owner knows where to write
        raise click.ClickException(f"{out} is a file descriptor of a running process, not a file's name; nothing "
                                   f"was written: give the file's own path, or - for standard output")
    if target.kind not in ("file", "absent"):
        raise click.ClickException(f"{target.where} is a {target.kind}; nothing was written: "
                                   f"give the path of a file to write")
    # An earlier export may be replaced; a log, a catalogue or the files SQLite keeps beside them never.
    owner = sqlite_file_beside(target.path)
    if owner is not None:
        raise click.ClickException(f"{target.where} is one of the files SQLite keeps beside {owner}; "
                                   f"nothing was written: give the export another name")
    if is_sqlite_database(target.path):
        raise click.ClickException(f"{target.where} is a SQLite database (an event log or a catalogue?); "
                                   f"nothing was written: give the export another name")
    directory = target.directory
    if not directory.is_dir():
        raise click.ClickException(f"there is no directory {directory} to write {target.where} in; nothing was "
                                   f"written: create the directory first, or give another path")
    temp = target.path.with_name(f".{target.path.name}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(text.encode("utf-8"))
        os.replace(temp, target.path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        # Said of the directory, not of the temporary file the user never named.
        raise click.ClickException(f"cannot write {target.where} ({exc.strerror or exc}) in {directory}; nothing "
                                   f"was written: check that the directory is writable and has room, or give a "
                                   f"path in another one") from None
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return True


@cli.command(name="export-annotations")
@LOG
@OUT
@clean_errors
def export_annotations(log: Path, out: Path) -> None:
    """Write every claim in LOG as a W3C Web Annotation (JSON-LD) to OUT ('-': standard output).

    One AnnotationCollection, sorted by claim id. Each annotation targets the
    claim's exact words in its source (a TextQuoteSelector and a
    TextPositionSelector); its body states the claim and carries its fields,
    status and rank under 'archive:claim'. The same log gives the same bytes.

    Example:

        archive export-annotations archive.db claims.jsonld
    """
    from .annotations import annotations, dumps

    with _existing_log(log) as archive:
        document = annotations(archive.log)
    if _write_out(out, dumps(document)):
        click.echo(f"exported {document['total']} annotation(s) to {out}")


@cli.command(name="export-claims")
@CATALOGUE
@OUT
@click.option("--format", "format_", type=click.Choice(["csv", "json"]), default=None,
              help="Output format. Default: json if OUT ends in .json, else csv.")
@clean_errors
def export_claims(catalogue: Path, out: Path, format_: str | None) -> None:
    """Write the claims of CATALOGUE as a flat table, one row per claim, to OUT ('-': standard output).

    For spreadsheets: CSV (UTF-8 without a byte-order mark, a header line) or a
    JSON array of objects, with the columns of the claim_details view plus
    status details and quote offsets. Retracted and superseded claims are
    included and marked. The same catalogue gives the same bytes.

    Example:

    \b
        archive export-claims catalogue.db claims.csv
        archive export-claims catalogue.db claims.json
    """
    from .annotations import claim_rows, claims_csv, claims_json

    if format_ is None:
        format_ = "json" if out.suffix.lower() == ".json" else "csv"
    rows = claim_rows(catalogue)
    if _write_out(out, claims_json(rows) if format_ == "json" else claims_csv(rows)):
        click.echo(f"exported {len(rows)} claim(s) to {out} as {format_.upper()}")


@cli.command(name="metadata")
@CATALOGUE
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
              default=Path("-"), show_default="standard output", help="Write the metadata (YAML) here.")
@click.option("-c", "--config", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path), default=None,
              help="For Datasette 1.0: write facets, labels, sorts, hidden tables and canned queries to this "
                   "datasette.yaml instead, leaving only titles and descriptions in the metadata.")
@clean_errors
def metadata_(catalogue: Path, output: Path, config: Path | None) -> None:
    """Write Datasette metadata (YAML) for CATALOGUE: descriptions, facets, labels, canned queries.

    Generated from the catalogue's schema, so it describes every table, view
    and column. Serve it with Datasette 0.64 or later (pip install
    'archive[datasette]'): datasette CATALOGUE -m metadata.yaml. Datasette 1.0
    reads configuration from a separate file: add -c datasette.yaml here and
    there.

    Example:

    \b
        archive metadata catalogue.db -o metadata.yaml
        archive metadata catalogue.db -o metadata.yaml -c datasette.yaml
    """
    from .catalogue import status
    from .catalogue.datasette import metadata, split_for_datasette_1, to_yaml

    status(catalogue)  # a clear error if it is missing or not a catalogue
    described = metadata(database_name=catalogue.stem)
    if config is not None:
        # Compared where _write_out puts them: '/dev/stdout' is standard output, a link its file.
        if (where := _destination(config)) == _destination(output):
            raise click.BadParameter("write at most one of the two files to standard output" if where == "-" else
                                     "write the metadata and the configuration to two different files",
                                     param_hint="--config")
        described, configuration = split_for_datasette_1(described)
        to_files = _write_out(config, to_yaml(configuration))
    else:
        to_files = True
    if _write_out(output, to_yaml(described)) and to_files:  # a line of our own would spoil standard output
        serve = f"datasette {catalogue} -m {output}" + (f" -c {config}" if config is not None else "")
        click.echo(f"wrote Datasette metadata for database '{catalogue.stem}' to {output}"
                   + (f" and configuration to {config}" if config is not None else "") + f"; serve it with: {serve}")


def main(argv: list[str] | None = None) -> None:
    # Without this, SIGTERM ends the process where it stands: no rollback of the open transaction
    # (SQLite's journal undoes it later), but a log this call created, a rebuild's temporary file
    # and a bundle half exported would stay behind.
    signal.signal(signal.SIGTERM, _stop)
    cli.main(args=argv, prog_name="archive")


if __name__ == "__main__":  # pragma: no cover
    main()
