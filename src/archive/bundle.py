"""Bundles: an archive as plain files, for exchange and for review.

A bundle is a directory holding ``events.jsonl`` (one event per line, in log
order, each line the event's canonical JSON) and ``sources/`` (each source
document's bytes, under the file name its ``SourceRecorded`` event gives).
A bare ``.jsonl`` file is a bundle without documents: its sources must already
be in the log.

Importing is atomic: the whole file lands, or nothing does, and the error
names the file, the line and the field. Events already in the log are
recognised by id and skipped, so importing the same bundle twice changes
nothing. Exporting writes the stored bytes as they are, so export → import
into an empty log reproduces positions and hashes exactly; it checks each
event against its hash as it goes, and refuses a log changed behind its back
(whose bundle would pass the change off as recorded: an import gives a changed
event a hash of its own), unless asked to copy it as stored, for a rescue.

An import reads, validates and appends the file a chunk of lines at a time,
all inside one transaction of the log (one write lock, one commit), so its
memory does not grow with the bundle and a failure anywhere leaves the log as
it was.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Callable, Iterator

import attrs

from .codec import chain_break, decode_with_payload, duplicate_key, first_damaged, parse_json_line, upcast
from .core import Archive
from .errors import BundleError, DamagedLogError, IntegrityError, Place, ValidationError
from .log.base import GENESIS_HASH, AppendResult, EventLog, StoredEvent, blob_id, damaged
from .model import Event
from .safety import is_sqlite_database, resolve_target

__all__ = ["read_bundle", "import_bundle", "export_bundle", "LoadedBundle", "EVENTS_FILE", "SOURCES_DIR"]

EVENTS_FILE = "events.jsonl"
SOURCES_DIR = "sources"

#: The longest line an events file may have. Every text field of an event is capped
#: (20,000 characters), so a real event line is far shorter; a longer one is a file
#: that is not an events file (or lost its line breaks), and reading it whole could
#: take all the memory there is.
MAX_LINE_BYTES = 16 * 1024 * 1024


@attrs.frozen
class LoadedBundle:
    """A bundle read into memory, ready for one atomic append."""

    events: list[dict[str, Any]] = attrs.field(factory=list)
    places: list[Place] = attrs.field(factory=list)
    blobs: dict[str, bytes] = attrs.field(factory=dict)
    decoded: list[Event] = attrs.field(factory=list)
    #: The canonical bytes of each event, made as it was decoded.
    payloads: list[bytes] = attrs.field(factory=list)


def _events_path(path: Path) -> tuple[Path, Path | None]:
    if path.is_dir():
        events = path / EVENTS_FILE
        if not events.is_file():
            raise BundleError(f"{path} is not a bundle: it has no {EVENTS_FILE}")
        return events, path / SOURCES_DIR
    if path.is_file():
        return path, None
    raise BundleError(f"{path}: no such bundle directory or .jsonl file")


def _check_filename(filename: str, place: Place) -> None:
    if not filename or "/" in filename or "\\" in filename or filename in (".", "..") or "\x00" in filename:
        raise ValidationError("the file name must be a plain name inside the bundle's sources/", path="$.filename",
                              value=filename, place=place)


def _read_source(sources: Path, filename: str, place: Place) -> bytes:
    """Bytes of ``sources/filename``, refusing anything that would leave the bundle."""
    _check_filename(filename, place)
    candidate = sources / filename
    if candidate.is_symlink():
        raise ValidationError("the source file is a symbolic link; bundles hold real files only", path="$.filename",
                              value=filename, place=place)
    try:
        resolved = candidate.resolve(strict=True)
    except (FileNotFoundError, OSError):
        raise ValidationError(f"no such file in {sources}", path="$.filename", value=filename, place=place) from None
    if resolved.parent != sources.resolve() or not resolved.is_file():
        raise ValidationError("the source file lies outside the bundle's sources/", path="$.filename",
                              value=filename, place=place)
    return resolved.read_bytes()


#: Lines an import reads, validates and appends at a time (inside its one transaction).
IMPORT_CHUNK = 2000


def read_bundle(path: str | os.PathLike, *, progress: Callable[[int], None] | None = None) -> LoadedBundle:
    """Read and parse a whole bundle (or .jsonl file); raises with file:line on the first bad line."""
    chunks = list(_read_chunks(path, progress=progress, size=None))
    return chunks[0] if chunks else LoadedBundle()


def _read_chunks(path: str | os.PathLike, *, progress: Callable[[int], None] | None,
                 size: int | None) -> Iterator[LoadedBundle]:
    """The bundle ``size`` lines at a time (all of it at once if None), each line parsed and decoded.

    Raises with file:line on the first bad line of a chunk, before the chunk is returned.
    """
    events_path, sources = _events_path(Path(path))
    if is_sqlite_database(events_path):  # most likely a log given where the bundle belongs
        raise BundleError(f"{events_path} is a SQLite database, not a bundle or an events file; give the log "
                          "first and the bundle second: archive import LOG BUNDLE")
    shown = str(events_path)
    chunk = LoadedBundle()
    number = 0
    with open(events_path, "rb") as handle:  # line by line: the file may be bigger than memory
        for number, line in enumerate(iter(lambda: handle.readline(MAX_LINE_BYTES + 1), b""), start=1):
            if line.endswith(b"\n"):
                line = line[:-1]
            elif len(line) > MAX_LINE_BYTES:
                raise ValidationError(
                    f"the line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB, so it cannot be one event",
                    path="$", value="", place=Place(shown, number), show_value=False,
                    hint="an events file holds one event per line (JSON Lines); is this the right file?")
            if size is not None and len(chunk.events) == size:
                yield chunk
                chunk = LoadedBundle()
            _read_line(line, Place(shown, number), sources, chunk)
            if progress is not None and number % 1000 == 0:
                progress(number)
        if progress is not None and number % 1000:  # the last lines too: a bar ends at 100 %
            progress(number)
    if chunk.events or size is None:
        yield chunk


def _read_line(line: bytes, place: Place, sources: Path | None, chunk: LoadedBundle) -> None:
    """Parse and decode one line into ``chunk``, with the source document it records, if any."""
    if not line.strip():
        raise ValidationError("empty line", path="$", value="", place=place, show_value=False,
                              hint="every line of an events file holds one event")
    data = parse_json_line(line, place)
    event, payload = decode_with_payload(data, place)  # shape errors in file order, before the chunk's checks
    if payload != line:  # a line in canonical form (any exported bundle's) cannot repeat a key
        repeated = duplicate_key(line)
        if repeated is not None:
            raise ValidationError("the key appears twice in one object, so one of its values would be lost",
                                  path=repeated, place=place, show_value=False,
                                  hint="keep only the value you mean")
    chunk.decoded.append(event)
    chunk.payloads.append(payload)
    chunk.events.append(data)
    chunk.places.append(place)
    blobs = chunk.blobs
    current = upcast(data)
    if current["type"] == "SourceRecorded" and sources is not None:
        filename = current.get("filename")
        source_id = current.get("source_id")
        if isinstance(filename, str) and isinstance(source_id, str):
            _check_filename(filename, place)
            candidates = [filename, f"{source_id.removeprefix('sha256:')}-{filename}"]
            for name in candidates:
                if (sources / name).exists() or (sources / name).is_symlink():
                    content = _read_source(sources, name, place)
                    if blob_id(content) == source_id:
                        blobs[source_id] = content
                        break
            else:
                if (sources / filename).exists() or (sources / filename).is_symlink():
                    content = _read_source(sources, filename, place)
                    raise ValidationError(
                        f"{sources / filename} does not match the event's source_id", path="$.source_id",
                        value=source_id, place=place, hint=f"the file hashes to {blob_id(content)}",
                    )


class _Imported(Sequence):
    """The events an import stored: positions ``after + 1 .. upto`` of the log, read back on demand.

    An import of a million events does not keep a million StoredEvents (with their
    payloads) in memory to return them; they are in the log, contiguous, since the
    import held the write lock throughout. Read them while the log is open.
    """

    def __init__(self, log: EventLog, after: int, upto: int):
        self._log, self._after, self._upto = log, after, upto

    def __len__(self) -> int:
        return self._upto - self._after

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("imported event index out of range")
        position = self._after + index
        return next(iter(self._log.read(after=position, upto=position + 1)))

    def __iter__(self) -> Iterator[StoredEvent]:
        return iter(self._log.read(after=self._after, upto=self._upto))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or len(other) != len(self):
            return False
        return all(a == b for a, b in zip(self, other))

    def __hash__(self) -> int:
        return hash((self._after, self._upto))

    def __repr__(self) -> str:
        return f"<{len(self)} imported events, positions {self._after + 1} to {self._upto}>"


def import_bundle(archive: Archive, path: str | os.PathLike, *,
                  progress: Callable[[int], None] | None = None) -> AppendResult:
    """Append a bundle's events (and documents) atomically; already-present events are skipped.

    The file is read, checked and appended :data:`IMPORT_CHUNK` lines at a time inside
    one transaction: an error on any line rolls back everything, and names the file,
    the line and the field (shape errors come in file order within a chunk, before
    the chunk's events are checked against the log).
    """
    already = 0
    with archive.transaction():
        start = archive.head().position
        for chunk in _read_chunks(path, progress=progress, size=IMPORT_CHUNK):
            result = archive._append_encoded(chunk.events, chunk.decoded, chunk.payloads, chunk.places, chunk.blobs)
            already += result.already_stored
        end = archive.head().position
    stored = _Imported(archive.log, start, end) if end > start else ()
    return AppendResult(stored, already)


def export_bundle(archive: Archive, directory: str | os.PathLike, *, as_stored: bool = False) -> int:
    """Write the whole log as a bundle into ``directory`` (new or empty); returns the number of events.

    The bundle is written into a temporary directory beside the target and
    renamed into place, so a failed export leaves no half bundle.

    Each event is checked against its hash and the one before it, and each document against its id,
    as they are copied: a log changed behind its back is refused (DamagedLogError, IntegrityError),
    naming the first damaged position or source, because importing its bundle would give a changed
    event a hash of its own, and hide the change. ``as_stored=True`` copies everything as it is
    stored, unchecked: to rescue what is left of a damaged log (an import then refuses each
    damaged line or document, naming it).
    """
    # A link to an empty directory is followed: the bundle takes the directory's place, the link stays.
    resolved = resolve_target(directory)
    target = resolved.path
    if resolved.kind != "absent" and (resolved.kind != "directory" or resolved.descriptor or any(target.iterdir())):
        raise BundleError(f"{resolved.where} exists and is not an empty directory; export into a new one")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.export-{os.getpid()}.tmp")
        shutil.rmtree(temp, ignore_errors=True)  # left by a killed export of a process that had this id
        temp.mkdir()  # 0o777 less the umask, as mkdir makes any directory (tempfile.mkdtemp's 0o700 would stay)
        if resolved.kind == "directory":  # the empty directory given keeps its permissions
            os.chmod(temp, stat.S_IMODE(target.stat().st_mode))
    except OSError as exc:  # said of the directory, not of a temporary name the user never gave
        raise BundleError(f"cannot create {resolved.where} in {resolved.directory} ({exc.strerror or exc}); "
                          f"nothing was written: make that directory writable, or export into another one") from None
    try:
        (temp / SOURCES_DIR).mkdir()
        used: dict[str, str] = {}
        count = 0
        prev_hash = GENESIS_HASH
        with open(temp / EVENTS_FILE, "wb") as out:
            for stored in archive.stored_events():
                count += 1
                if not as_stored:
                    # One hash per event (a third of the export's time), so that no change made behind the
                    # log's back leaves it in a bundle.
                    if (broken := chain_break(stored, count, prev_hash)) is not None:
                        raise broken
                    prev_hash = stored.hash
                out.write(stored.payload + b"\n")
                if stored.type != "SourceRecorded":
                    continue
                try:
                    data = upcast(stored.data())
                    source_id, filename = data["source_id"], data["filename"]
                    if (type(filename) is not str or not filename or filename in (".", "..")
                            or any(c in filename for c in "/\\\x00")):
                        # Written as it is, it would put the document outside sources/.
                        raise ValueError(f"its filename {filename!r} is not a plain file name")
                    content = archive.log.get_blob(source_id)
                except (DamagedLogError, KeyError, TypeError, ValueError, AttributeError) as exc:
                    if as_stored:  # its line is copied as it is; the import will name it
                        continue
                    raise first_damaged([stored]) or damaged(
                        stored.position, f"its document cannot be found from it ({type(exc).__name__}: {exc})"
                    ) from None
                if content is None or (not as_stored and blob_id(content) != source_id):
                    if as_stored:
                        continue
                    log = getattr(archive.log, "path", None) or "LOG"
                    raise IntegrityError(
                        ("its document is missing" if content is None else "its document's bytes do not hash to its "
                         "id (they were changed after they were stored)")
                        + f": the log is damaged; run 'archive verify {log}' to see what else is wrong",
                        source_id=source_id)
                name = filename
                if used.get(name, source_id) != source_id:
                    name = f"{source_id.removeprefix('sha256:')}-{filename}"
                if name in used:
                    continue
                used[name] = source_id
                (temp / SOURCES_DIR / name).write_bytes(content)
        if target.exists():
            target.rmdir()
        os.replace(temp, target)
    except DamagedLogError as exc:
        shutil.rmtree(temp, ignore_errors=True)
        raise exc.in_log(getattr(archive.log, "path", None)) from None
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return count
