"""Helpers shared by the benchmarks: percentiles, timed repetitions, the baseline view's URL."""

from __future__ import annotations

import statistics
import time


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else values[0]


def timed(fn, n: int, warmup: int = 3) -> list[float]:
    """Milliseconds of ``n`` calls of ``fn`` after ``warmup`` untimed ones."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def urls_with_baseline(baseline, name: str) -> None:
    """Serve the project's URLs plus ``/bench/baseline/`` (the bare ``baseline`` view each page is
    compared with) for the rest of the run. Call after ``django.setup()``."""
    import sys
    import types

    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    module = types.ModuleType(f"bench_urls_{name}")
    module.urlpatterns = [path("bench/baseline/", baseline), path("", include("qingyi.urls"))]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    clear_url_caches()
