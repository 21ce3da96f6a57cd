"""The metrics registry: every figure anybody sees is a named metric here.

A metric is computed for a scope — an organisation's subtree and a period — and can list
the records behind its figure. Domains define their metrics in their own ``metrics.py``
and register them with ``@metric``; the dashboard, reports and the API read them from
``REGISTRY`` and never count on their own, so they cannot disagree.

A metric's value is a number, or a breakdown: an ordered list of (key, label, count).
For a breakdown, ``records(scope, key)`` lists the records behind one bucket.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db.models import Count, DurationField, ExpressionWrapper, F, QuerySet

from qingyi.core import scoping
from qingyi.core.periods import Period


@dataclass(frozen=True)
class Scope:
    organization: Any  # organizations.Organization
    period: Period

    @property
    def path(self) -> str:
        return self.organization.path


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    value: float


@dataclass(frozen=True)
class Metric:
    name: str
    label: Any
    compute: Callable[[Scope], Any]
    records: Callable[..., QuerySet]
    unit: Any = ""
    kind: str = "number"  # number | share | breakdown
    # How the figure comes from its records: "count" (the figure is the number of records
    # listed — checked for every metric by tests/core/test_metrics.py), or "sum", "average",
    # "median" of a column of them.
    aggregate: str = "count"
    # For "sum", "average" and "median": what is summed (averaged...) over the records — an
    # attribute name, or a function of one record.
    column: Any = ""
    # For a share: the records of the whole, so the figure is share(records, whole) in percent.
    whole: Callable[..., QuerySet] | None = None
    domain: str = ""
    description: Any = ""
    # Columns shown when listing the records behind the figure: (attribute, label).
    columns: tuple[tuple[str, Any], ...] = field(default_factory=tuple)

    def value(self, scope: Scope) -> Any:
        return self.compute(scope)


REGISTRY: dict[str, Metric] = {}


def metric(
    name: str,
    *,
    label: Any,
    records: Callable[..., QuerySet],
    unit: Any = "",
    kind: str = "number",
    aggregate: str = "count",
    column: Any = "",
    whole: Callable[..., QuerySet] | None = None,
    description: Any = "",
    columns: tuple[tuple[str, Any], ...] = (),
) -> Callable[[Callable[[Scope], Any]], Callable[[Scope], Any]]:
    """Register the decorated function as the computation of metric ``name``."""

    def register(compute: Callable[[Scope], Any]) -> Callable[[Scope], Any]:
        registered = REGISTRY[name].compute if name in REGISTRY else None
        if registered and getattr(registered, "__wrapped__", registered).__qualname__ != compute.__qualname__:
            raise ValueError(f"metric {name!r} is registered twice")
        REGISTRY[name] = Metric(
            name=name,
            label=label,
            compute=_within_scope(compute),
            records=_within_scope(records),
            unit=unit,
            kind=kind,
            aggregate=aggregate,
            column=column,
            whole=whole,
            domain=name.split(".")[0],  # the app named by the metric ("people.active" → people)
            description=description,
            columns=columns,
        )
        return compute

    return register


# Every caller builds a Scope of an organisation it has checked the user for (metrics.view or
# the domain's permission): inside it, a figure reads every row of that subtree.
_SCOPE_REASON = "a figure of Scope.organization, which the caller checked"


def _within_scope(function: Callable[..., Any]) -> Callable[..., Any]:
    """Run a metric's computation or records across the scoping check of core/scoping.py:
    the metric filters by ``scope.path`` itself."""

    @functools.wraps(function)
    def run(*args, **kwargs):
        with scoping.unscoped(_SCOPE_REASON):
            result = function(*args, **kwargs)
        if isinstance(result, scoping.ScopedQuerySet):
            result = result.unscoped(_SCOPE_REASON)
        return result

    return run


def get(name: str) -> Metric:
    return REGISTRY[name]


def autodiscover() -> None:
    """Import ``metrics`` of every Qingyi app so they register."""
    for config in apps.get_app_configs():
        if config.name.startswith("qingyi."):
            try:
                importlib.import_module(f"{config.name}.metrics")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.metrics":
                    raise


def share(part: int, whole: int) -> float:
    """A share in percent with one decimal; 0 when there is nothing to share."""
    return round(100.0 * part / whole, 1) if whole else 0.0


def breakdown(queryset: QuerySet, field: str, labels: dict[str, Any] | None = None) -> list[Bucket]:
    """Count rows per value of ``field`` in one GROUP BY; buckets in the order of ``labels``."""
    counts = {
        (key if key is not None else ""): n
        for key, n in queryset.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n")
    }
    buckets: list[Bucket] = []
    if labels is not None:
        for key, label in labels.items():
            buckets.append(Bucket(str(key), str(label), counts.pop(key, 0)))
    for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        buckets.append(Bucket(str(key), str(key) if key != "" else "—", n))
    return buckets


def median_duration(queryset: QuerySet, start_field: str, end_field: str) -> timedelta | None:
    """The median of ``end - start`` in the database: a count and one ordered slice."""
    n = queryset.count()
    if not n:
        return None
    waits = list(
        queryset.annotate(wait=ExpressionWrapper(F(end_field) - F(start_field), output_field=DurationField()))
        .order_by("wait", "pk")
        .values_list("wait", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    return sum(waits, timedelta()) / len(waits)
