"""Timing helpers shared by the benchmarks: percentiles and timed repetitions."""

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
