"""The in-memory reference log passes the event-log contract."""

from __future__ import annotations

import pytest

from archive.log.memory import MemoryEventLog

from .log_contract import EventLogContract


class TestMemoryEventLog(EventLogContract):
    @pytest.fixture
    def make_log(self):
        named: dict[str, MemoryEventLog] = {}

        def make(name: str | None = None) -> MemoryEventLog:
            if name is None:
                return MemoryEventLog()
            return named.setdefault(name, MemoryEventLog())

        return make

    def reopen(self, log: MemoryEventLog) -> MemoryEventLog:
        # Nothing outlives the object: "reopening" is looking at it again.
        return log
