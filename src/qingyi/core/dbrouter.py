"""Reporting reads on a read replica; everything else on the primary.

With ``REPLICA_DATABASE_URL`` set, settings add a ``replica`` database (a PostgreSQL hot
standby streaming from the primary) and install ``ReplicaRouter``. A query goes to the replica
only when all of these hold, else to the primary (``default``):

* it is a read inside ``reporting_read()`` (or a view decorated with ``@reporting``): the
  figures, reports and exports, which read much and write nothing;
* no write happened earlier in the same request or unit of work (read-after-write), nor in
  the same browser within ``REPLICA_PIN_SECONDS`` (``ReplicaPinMiddleware`` sets a short cookie
  after a request that wrote, so the page a POST redirects to reads what the POST wrote);
* the primary's connection is not inside a transaction (``atomic``): a transaction reads its
  own writes and a consistent snapshot, which only the primary has;
* the replica is reachable and its replay lag is at most ``REPLICA_MAX_LAG_SECONDS``
  (measured at most every ``REPLICA_LAG_CHECK_SECONDS`` per process, see ``replica_lag``).

Without a replica the router answers ``None`` (the default database) and nothing changes.
The replica is never migrated (a hot standby is read-only and receives the schema by
replication); in tests it is a MIRROR of the default database.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "qingyi_primary"

_reporting: ContextVar[bool] = ContextVar("qingyi_reporting_read", default=False)
_wrote: ContextVar[bool] = ContextVar("qingyi_wrote", default=False)

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def reporting_read() -> Iterator[None]:
    """Reads inside may be served by the replica (when the rules above allow it)."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reporting(view: F) -> F:
    """Serve a figures, report or export view's reads from the replica when allowed."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with reporting_read():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def mark_written() -> None:
    """A write happened: the rest of this request (or unit of work) reads from the primary."""
    _wrote.set(True)


def has_written() -> bool:
    return _wrote.get()


def start_unit_of_work(*, pinned: bool = False) -> None:
    """A new request (or task) begins: forget the previous one's writes; ``pinned`` keeps it
    on the primary (its browser wrote a moment ago)."""
    _wrote.set(pinned)


def _reset_on_request(**kwargs: Any) -> None:
    start_unit_of_work()


request_started.connect(_reset_on_request, dispatch_uid="qingyi.core.dbrouter.reset")


# --- The replica's lag ------------------------------------------------------------------

_LAG_SQL_REPLICA = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "EXTRACT(EPOCH FROM (now() - pg_last_xact_replay_timestamp()))"
)
_lag_lock = threading.Lock()
_lag_cache: tuple[float, float | None] | None = None  # (monotonic time measured, lag or None)


def measure_lag() -> float | None:
    """The replica's replay lag in seconds: 0 when it has replayed everything the primary has
    written (compared by WAL position, so an idle pair is not "late"), else the age of the last
    transaction it replayed; None when it cannot be measured (replica down, not a standby of
    this primary). Not PostgreSQL (a test mirror): 0."""
    replica = connections[REPLICA]
    if replica.vendor != "postgresql":
        return 0.0
    try:
        with replica.cursor() as cursor:
            cursor.execute(_LAG_SQL_REPLICA)
            in_recovery, replayed, age = cursor.fetchone()
        if not in_recovery:
            logger.warning("The replica database is not a standby (pg_is_in_recovery() is false)")
            return None
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [replayed])
            (behind,) = cursor.fetchone()
    except Exception as exc:  # the replica is down or refuses: the primary serves
        logger.warning("Replica lag cannot be measured: %s", exc)
        return None
    if behind is None or behind <= 0:
        return 0.0
    return max(0.0, float(age)) if age is not None else None


def replica_lag(*, now: float | None = None) -> float | None:
    """``measure_lag()``, measured at most every REPLICA_LAG_CHECK_SECONDS in this process."""
    global _lag_cache
    now = time.monotonic() if now is None else now
    cached = _lag_cache
    if cached is not None and now - cached[0] < settings.REPLICA_LAG_CHECK_SECONDS:
        return cached[1]
    with _lag_lock:
        cached = _lag_cache
        if cached is not None and now - cached[0] < settings.REPLICA_LAG_CHECK_SECONDS:
            return cached[1]
        lag = measure_lag()
        _lag_cache = (now, lag)
        return lag


def forget_lag() -> None:
    global _lag_cache
    _lag_cache = None


def replica_usable() -> bool:
    """The replica is reachable and no more than REPLICA_MAX_LAG_SECONDS behind."""
    lag = replica_lag()
    return lag is not None and lag <= settings.REPLICA_MAX_LAG_SECONDS


def read_alias() -> str:
    """Where a read issued now goes: the replica or the primary (the rules of the module)."""
    if not replica_configured() or not _reporting.get() or _wrote.get():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA if replica_usable() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry when a replica is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return read_alias()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        mark_written()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows: one database for relations

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA


class ReplicaPinMiddleware:
    """Read-after-write across requests: after a request that wrote, its browser reads from the
    primary for REPLICA_PIN_SECONDS (a cookie), so the page a form redirects to shows the write
    even when the replica is a moment behind."""

    def __init__(self, get_response: Callable[[Any], Any]):
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        if not replica_configured():
            return self.get_response(request)
        start_unit_of_work(pinned=PIN_COOKIE in request.COOKIES)
        response = self.get_response(request)
        if has_written():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
