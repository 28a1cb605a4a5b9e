"""The event log: the narrow interface every storage backend implements.

Backends: :mod:`archive.log.sqlite` (the real one: one SQLite file) and
:mod:`archive.log.memory` (a reference implementation used to keep the
contract honest). A PostgreSQL backend would implement the same
:class:`EventLog` protocol and pass ``tests/contract``.
"""

from .base import GENESIS_HASH, EventLog, Head, NewEvent, StoredEvent, chain_hash

__all__ = ["EventLog", "NewEvent", "StoredEvent", "Head", "GENESIS_HASH", "chain_hash"]
