"""Liveness and readiness for a load balancer or an orchestrator.

``/health/`` answers 200 while the process serves requests and touches nothing else;
``/ready/`` answers 200 when the database, the cache and the task queue are reachable, else
503, with JSON naming each check. Both are anonymous, cheap and not rate limited, and are
answered by ``HealthMiddleware`` ahead of the host check and the HTTPS redirect, so a balancer
may poll an app server directly on its loopback port (``Host: 127.0.0.1:8001``, plain HTTP).
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from qingyi.core import dbrouter
from qingyi.ops import queues

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"ops:ready:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("the cache does not keep what is written to it")
    cache.delete(key)


CHECKS = {"database": _database, "cache": _cache, "queue": queues.queue_ping}


def replica_status() -> dict[str, object]:
    """The read replica, when one is configured: reachable, its lag, and whether reports read
    from it now. Not a readiness check: without the replica the primary serves every read, so
    a balancer must not take the app servers out of service for it."""
    outcome: dict[str, object] = {"alias": dbrouter.REPLICA}
    try:
        with connections[dbrouter.REPLICA].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("The read replica is unreachable: %s", exc)
        outcome["status"] = f"{type(exc).__name__}: {exc}"[:300]
    else:
        outcome["status"] = "ok"
    dbrouter.forget_lag()  # measured now, not the value cached by a request
    lag = dbrouter.replica_lag()
    outcome["lag_seconds"] = None if lag is None else round(lag, 3)
    outcome["max_lag_seconds"] = settings.REPLICA_MAX_LAG_SECONDS
    outcome["serving_reports"] = dbrouter.replica_usable()
    return outcome


def readiness() -> dict[str, str]:
    """Each check's outcome: ``ok`` or the error (class and message)."""
    outcome = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:
            logger.warning("Readiness check %s failed: %s", name, exc)
            outcome[name] = f"{type(exc).__name__}: {exc}"[:300]
        else:
            outcome[name] = "ok"
    return outcome


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
def ready(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    checks = readiness()
    failed = sorted(name for name, result in checks.items() if result != "ok")
    body: dict[str, object] = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "checks": checks,
        "queue_backend": queues.backend_kind(),
        "seconds": round(time.monotonic() - started, 4),
    }
    if dbrouter.replica_configured():
        body["replica"] = replica_status()
    return JsonResponse(body, status=503 if failed else 200)
