"""/metrics: the figures of the metrics registry, and the records behind them.

The API never counts on its own: a value is ``metric.value(scope)`` and its records are
``metric.records(scope, key)``, exactly as the dashboard and the reports read them.
"""

import datetime as dt
import decimal
from typing import Annotated, Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import WithJsonSchema, field_validator

from qingyi.api.pagination import PageMapped, Pagination, paginate
from qingyi.api.schemas import Id, Ref, blank_is_none, responses, user_of
from qingyi.core import metrics
from qingyi.core.dbrouter import reporting
from qingyi.core.periods import Period, PeriodError
from qingyi.organizations import scoping
from qingyi.organizations.selectors import organization_for_user, top_organization

router = Router(tags=["metrics"])

# The registry's names, listed as an enum in the schema (the registry is complete once the apps
# are ready, before the URLconf imports this module): clients and schemathesis see the real
# names. Still a plain string to the view, so an unknown name is the documented 404.
MetricName = Annotated[str, WithJsonSchema({"type": "string", "enum": sorted(metrics.REGISTRY)})]

Number = int | float


class ColumnOut(Schema):
    key: str
    label: str


class MetricOut(Schema):
    name: str
    label: str
    kind: str = Field(description="number | share | breakdown")
    unit: str
    description: str
    domain: str
    columns: list[ColumnOut] = Field(description="The columns of the records behind the figure.")


class PeriodOut(Schema):
    label: str
    start: dt.date
    end: dt.date


class BucketOut(Schema):
    key: str
    label: str
    value: Number


class MetricValueOut(MetricOut):
    organization: Ref
    period: PeriodOut
    value: Number | None = Field(description="The figure; null for a breakdown.")
    buckets: list[BucketOut] | None = Field(description="The breakdown's buckets; null for a single figure.")


class MetricRecordOut(Schema):
    id: int
    text: str
    values: dict[str, str | int | float | bool | None] = Field(description="One value per column key.")


class ScopeQuery(Schema):
    org: Id | None = Field(None, description="The organisation (with its subtree); default: your own.")
    period: str = Field(
        "", max_length=30, description="2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30; default: this year."
    )

    _blank = field_validator("org", mode="before")(blank_is_none)


class RecordsQuery(ScopeQuery):
    key: str | None = Field(
        None, max_length=64, description="A breakdown's bucket; leave out for all records."
    )


def column_key(attr: str) -> str:
    """``get_political_status_display`` → ``political_status``; other attributes as they are."""
    if attr.startswith("get_") and attr.endswith("_display"):
        return attr[4:-8]
    return attr


def _describe(metric: metrics.Metric) -> dict[str, Any]:
    return {
        "name": metric.name,
        "label": str(metric.label),
        "kind": metric.kind,
        "unit": str(metric.unit),
        "description": str(metric.description),
        "domain": metric.domain,
        "columns": [{"key": column_key(attr), "label": str(label)} for attr, label in metric.columns],
    }


def _metric(name: str) -> metrics.Metric:
    try:
        return metrics.get(name)
    except KeyError:
        raise HttpError(404, _("There is no metric called “%(name)s”.") % {"name": name}) from None


def _scope(user, query: ScopeQuery) -> metrics.Scope:
    """The organisation and period a figure is asked for: the organisation named (404 outside
    the user's ``metrics.view`` scope) or else the user's top one for it; 403 with none. The
    only permission check of the figure routes."""
    if query.org is not None:
        organization = organization_for_user(user, query.org, perm=scoping.METRICS_VIEW)
    else:
        organization = top_organization(user, scoping.METRICS_VIEW)
    if organization is None:
        raise PermissionDenied
    try:
        period = Period.parse(query.period)
    except PeriodError as exc:
        raise HttpError(422, str(exc)) from None
    return metrics.Scope(organization=organization, period=period)


@router.get("", response=responses(list[MetricOut]), summary="The metrics registry")
@paginate(Pagination)
def metric_list(request):
    """Every named figure, by name."""
    scoping.require_perm(user_of(request), scoping.METRICS_VIEW)
    return [_describe(metrics.REGISTRY[name]) for name in sorted(metrics.REGISTRY)]


@router.get(
    "/{name}", response=responses(MetricValueOut), summary="A figure for an organisation and a period"
)
@reporting
def metric_value(request, name: MetricName, query: Query[ScopeQuery]):
    scope = _scope(user_of(request), query)
    metric = _metric(name)
    value = metric.value(scope)
    breakdown = metric.kind == "breakdown"
    return _describe(metric) | {
        "organization": {"id": scope.organization.pk, "name": scope.organization.name},
        "period": {"label": scope.period.label, "start": scope.period.start, "end": scope.period.end},
        "value": None if breakdown else value,
        "buckets": [{"key": b.key, "label": str(b.label), "value": b.value} for b in value]
        if breakdown
        else None,
    }


def _cell(obj, attr: str):
    value = getattr(obj, attr, None)
    if callable(value):
        value = value()
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return str(value)


def _with_related(queryset: QuerySet, columns) -> QuerySet:
    """Select the columns' foreign keys with the rows, so a page is one query whatever its size."""
    related = []
    for attr, _label in columns:
        try:
            field = queryset.model._meta.get_field(attr)
        except FieldDoesNotExist:
            continue
        if field.is_relation and (field.many_to_one or field.one_to_one) and field.concrete:
            related.append(attr)
    return queryset.select_related(*related) if related else queryset


@router.get(
    "/{name}/records",
    response=responses(list[MetricRecordOut]),
    summary="The records behind a figure (or behind one bucket of a breakdown)",
)
@reporting
@paginate(Pagination)
def metric_records(request, name: MetricName, query: Query[RecordsQuery]):
    scope = _scope(user_of(request), query)
    metric = _metric(name)
    key = query.key
    if key is not None:
        if metric.kind != "breakdown":
            raise HttpError(422, _("“%(name)s” is a single figure: leave out key.") % {"name": name})
        keys = [b.key for b in metric.value(scope)]
        if key not in keys:
            raise HttpError(
                422,
                _("“%(key)s” is not a bucket of “%(name)s”; use one of: %(keys)s.")
                % {"key": key, "name": name, "keys": ", ".join(k or '""' for k in keys)},
            )
        records = metric.records(scope, key)
    else:
        records = metric.records(scope)
    columns = metric.columns

    def convert(page: list) -> list[dict[str, Any]]:
        return [
            {"id": obj.pk, "text": str(obj), "values": {column_key(a): _cell(obj, a) for a, _l in columns}}
            for obj in page
        ]

    return PageMapped(_with_related(records, columns), convert)
