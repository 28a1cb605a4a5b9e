"""Bundles: an archive as plain files, for exchange and for review.

A bundle is a directory holding ``events.jsonl`` (one event per line, in log
order, each line the event's canonical JSON) and ``sources/`` (each source
document's bytes, under the file name its ``SourceRecorded`` event gives).
A bare ``.jsonl`` file is a bundle without documents: its sources must already
be in the log.

Importing is one atomic append: the whole file lands, or nothing does, and the
error names the file, the line and the field. Events already in the log are
recognised by id and skipped, so importing the same bundle twice changes
nothing. Exporting writes the stored bytes as they are, so export → import
into an empty log reproduces positions and hashes exactly.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

import attrs

from .codec import decode_dict, parse_json_line, upcast
from .core import Archive
from .errors import BundleError, Place, ValidationError
from .log.base import AppendResult, blob_id
from .model import Event

__all__ = ["read_bundle", "import_bundle", "export_bundle", "LoadedBundle", "EVENTS_FILE", "SOURCES_DIR"]

EVENTS_FILE = "events.jsonl"
SOURCES_DIR = "sources"


@attrs.frozen
class LoadedBundle:
    """A bundle read into memory, ready for one atomic append."""

    events: list[dict[str, Any]]
    places: list[Place]
    blobs: dict[str, bytes]
    decoded: list[Event]


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


def read_bundle(path: str | os.PathLike, *, progress: Callable[[int], None] | None = None) -> LoadedBundle:
    """Read and parse a bundle (or .jsonl file); raises with file:line on the first bad line."""
    events_path, sources = _events_path(Path(path))
    shown = str(events_path)
    events: list[dict[str, Any]] = []
    decoded: list[Event] = []
    places: list[Place] = []
    blobs: dict[str, bytes] = {}
    raw = events_path.read_bytes()
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    for number, line in enumerate(lines, start=1):
        place = Place(shown, number)
        if not line.strip():
            raise ValidationError("empty line", path="$", value="", place=place, show_value=False,
                                  hint="every line of an events file holds one event")
        data = parse_json_line(line, place)
        decoded.append(decode_dict(data, place))  # shape errors in file order, before anything else
        if progress is not None and number % 1000 == 0:
            progress(number)
        events.append(data)
        places.append(place)
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
    return LoadedBundle(events, places, blobs, decoded)


def import_bundle(archive: Archive, path: str | os.PathLike, *,
                  progress: Callable[[int], None] | None = None) -> AppendResult:
    """Append a bundle's events (and documents) atomically; already-present events are skipped."""
    bundle = read_bundle(path, progress=progress)
    return archive.append_decoded(bundle.events, bundle.decoded, blobs=bundle.blobs, places=bundle.places)


def export_bundle(archive: Archive, directory: str | os.PathLike) -> int:
    """Write the whole log as a bundle into ``directory`` (new or empty); returns the number of events.

    The bundle is written into a temporary directory beside the target and
    renamed into place, so a failed export leaves no half bundle.
    """
    target = Path(directory)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BundleError(f"{target} exists and is not an empty directory; export into a new one")
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        (temp / SOURCES_DIR).mkdir()
        used: dict[str, str] = {}
        count = 0
        with open(temp / EVENTS_FILE, "wb") as out:
            for stored in archive.stored_events():
                out.write(stored.payload + b"\n")
                count += 1
                if stored.type != "SourceRecorded":
                    continue
                data = upcast(stored.data())
                source_id, filename = data["source_id"], data["filename"]
                name = filename
                if used.get(name, source_id) != source_id:
                    name = f"{source_id.removeprefix('sha256:')}-{filename}"
                if name in used:
                    continue
                used[name] = source_id
                (temp / SOURCES_DIR / name).write_bytes(archive.source_bytes(source_id))
        if target.exists():
            target.rmdir()
        os.replace(temp, target)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    return count
