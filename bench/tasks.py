"""A task for bench/fault_worker.py: slow on purpose, so a worker can be killed in its middle.

It counts its attempts and marks its completion in the cache (Redis in the topology), where the
fault script reads them; it is idempotent, as every task on a durable queue must be.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django_tasks import task


@task()
def slow_marker(token: str, seconds: float) -> int:
    cache.add(f"bench:slow:{token}:attempts", 0, 3600)
    attempts = cache.incr(f"bench:slow:{token}:attempts")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.2)
    cache.set(f"bench:slow:{token}:done", attempts, 3600)
    return attempts
