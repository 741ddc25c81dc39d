"""Django's SQLite backend, and a retry for the tests' in-memory database.

Django tests on SQLite with a shared-cache in-memory database. There a connection that meets
another's table lock (a REST call writing while a session's store thread does) fails at once
with "database table is locked": SQLite reports the shared cache's locks without waiting for
its busy timeout. The statement did nothing, so it is tried again until the connection's
timeout has passed. File databases, as served, wait in SQLite itself and never get here.
"""

import sqlite3
import time
from collections.abc import Callable
from typing import Any

from django.db.backends.sqlite3 import base

RETRY_PAUSE_SECONDS = 0.005


def _table_locked(error: sqlite3.OperationalError) -> bool:
    return getattr(error, "sqlite_errorcode", None) in (
        sqlite3.SQLITE_LOCKED,
        getattr(sqlite3, "SQLITE_LOCKED_SHAREDCACHE", 262),
    )


class SQLiteCursorWrapper(base.SQLiteCursorWrapper):
    timeout = 20.0

    def execute(self, query: str, params: Any = None) -> Any:
        return self._retrying(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        rows = list(param_list)  # a generator could not be read twice
        return self._retrying(super().executemany, query, rows)

    def _retrying(self, run: Callable[..., Any], *arguments: Any) -> Any:
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                return run(*arguments)
            except sqlite3.OperationalError as error:
                if not _table_locked(error) or time.monotonic() > deadline:
                    raise
                time.sleep(RETRY_PAUSE_SECONDS)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> SQLiteCursorWrapper:
        return self.connection.cursor(factory=SQLiteCursorWrapper)
