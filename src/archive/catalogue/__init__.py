"""The catalogue: a disposable SQLite database projected from the event log.

:mod:`.schema` declares every table, column and view with its meaning;
:mod:`.projector` turns events into rows; :mod:`.build` runs full rebuilds
(into a temporary file swapped in atomically) and incremental updates.
"""

from .build import CatalogueStatus, rebuild, status, update

__all__ = ["rebuild", "update", "status", "CatalogueStatus"]
