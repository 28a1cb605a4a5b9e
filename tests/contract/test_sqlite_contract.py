"""The SQLite log passes the event-log contract, on real files."""

from __future__ import annotations

import itertools

import pytest

from archive.log.sqlite import SQLiteEventLog

from .log_contract import EventLogContract


class TestSQLiteEventLog(EventLogContract):
    @pytest.fixture
    def make_log(self, tmp_path):
        opened: list[SQLiteEventLog] = []
        self._opened = opened
        fresh = itertools.count(1)

        def make(name: str | None = None) -> SQLiteEventLog:
            path = tmp_path / (f"named-{name}.db" if name is not None else f"fresh-{next(fresh)}.db")
            if name is None:
                assert not path.exists()
            log = SQLiteEventLog(path)
            opened.append(log)
            return log

        yield make
        for log in opened:
            log.close()

    def reopen(self, log: SQLiteEventLog) -> SQLiteEventLog:
        # A new connection to the same file after closing the old one: what a
        # restarted process sees (the WAL is checkpointed on the last close).
        path = log.path
        log.close()
        reopened = SQLiteEventLog(path, create=False)
        getattr(self, "_opened", []).append(reopened)
        return reopened
