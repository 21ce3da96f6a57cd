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

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

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
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "checks": checks,
        "queue_backend": queues.backend_kind(),
        "seconds": round(time.monotonic() - started, 4),
    }
    return JsonResponse(body, status=503 if failed else 200)
