"""archive: keep historical sources and what they say, forever; browse a catalogue built from them.

The public surface is small and listed in ``__all__``::

    import archive
    with archive.open("archive.db") as arc:
        source = arc.record_source(b"...", title="...", language="pt", filename="a.txt", curator="me")
"""

from __future__ import annotations

__version__ = "0.1.0"

from .core import Archive, open_archive as open  # noqa: E402  (``archive.open`` is the entry point)
from .errors import (  # noqa: E402
    ArchiveError,
    BundleError,
    CatalogueError,
    ConcurrencyError,
    DamagedLogError,
    DateError,
    DuplicateEventError,
    IntegrityError,
    LogBusyError,
    UnknownReferenceError,
    ValidationError,
)
from .ids import new_id  # noqa: E402
from .model import (  # noqa: E402
    ClaimAssessed,
    ClaimDate,
    ClaimRecorded,
    ClaimRetracted,
    ClaimSuperseded,
    ConclusionRecorded,
    EntitiesMerged,
    EntitySplit,
    EntityRecorded,
    Event,
    NameRecorded,
    SourceDescriptionCorrected,
    SourceRecorded,
    TextSelector,
    WorkCited,
    WorkDescriptionCorrected,
    WorkRecorded,
)

__all__ = [
    "__version__",
    "open",
    "Archive",
    "new_id",
    "Event",
    "SourceRecorded",
    "SourceDescriptionCorrected",
    "EntityRecorded",
    "NameRecorded",
    "ClaimRecorded",
    "ClaimRetracted",
    "ClaimSuperseded",
    "ClaimAssessed",
    "ConclusionRecorded",
    "EntitiesMerged",
    "EntitySplit",
    "WorkRecorded",
    "WorkDescriptionCorrected",
    "WorkCited",
    "TextSelector",
    "ClaimDate",
    "ArchiveError",
    "ValidationError",
    "UnknownReferenceError",
    "DateError",
    "DuplicateEventError",
    "ConcurrencyError",
    "LogBusyError",
    "IntegrityError",
    "DamagedLogError",
    "BundleError",
    "CatalogueError",
]
