"""A small rate limiter for public forms (escort requests, volunteer applications ...).

``take(key, limit, window)`` counts one use of ``key`` in a window of ``window`` seconds in
the cache and says whether it is still within ``limit``. Keys name the domain and what is
limited, e.g. ``f"qingyi:escort:ip:{ip}"``. With a shared cache (Redis) the count holds
across workers; with the local-memory cache, per process.
"""

from __future__ import annotations

from django.core.cache import cache
from django.core.exceptions import ValidationError


class RateLimited(ValidationError):
    """Refused because of too many attempts: the message says what to do instead."""


def take(key: str, limit: int, window: int) -> bool:
    """Count one use of ``key`` in its window; False when the limit is already reached."""
    cache.add(key, 0, window)
    try:
        used = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, window)
        used = 1
    return used <= limit
