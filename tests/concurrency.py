"""Helpers for tests that run several threads against the database."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

from django.db import connection


@contextmanager
def file_database_for_threads(tmp_path):
    """On SQLite, let the threads use a file copy of the in-memory test database.

    The test database of SQLite lives in memory with a shared cache, where concurrent
    writers fail at once with "table is locked" whatever the busy timeout; the platform runs
    on a file database (WAL, IMMEDIATE transactions, busy timeout), which is what this
    test must exercise. The main thread keeps its in-memory connection; new connections —
    the threads' — open the file. On PostgreSQL nothing changes.
    """
    settings_dict = connection.settings_dict
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrency.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    original = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    try:
        yield
    finally:
        settings_dict["NAME"] = original
