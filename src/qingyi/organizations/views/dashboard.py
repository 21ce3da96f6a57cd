"""The dashboard (the home page) and a figure's page: figures of an organisation's subtree.

Every figure comes from the metrics registry (core/metrics.py) for the organisation and period
the page is asked for; members without ``metrics.view`` get the member home, whose cards each
app declares (core/home.py). The routes keep their names in the ``core`` namespace
(``core:home``, ``core:metric_detail``), assembled by the project's URLconf.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from qingyi.core import home as home_cards
from qingyi.core import metrics
from qingyi.core.dbrouter import reporting
from qingyi.core.params import period_from_request
from qingyi.organizations import scoping
from qingyi.organizations.params import organization_from_request
from qingyi.organizations.selectors import election_rows

ELECTIONS_DUE = "organizations.elections_due"
TILES = (
    "people.active",
    "people.league_members",
    "people.youth_share",
    "people.due_to_age_out",
    ELECTIONS_DUE,
)
CHARTS = ("people.by_political_status", "people.by_profession", "organizations.cadre_age")


def _scope_from_request(request) -> metrics.Scope:
    """The organisation (``?org=``, read as on every page: 404 when malformed, unknown or outside
    the user's ``metrics.view`` scope; else their top organisation) and the period."""
    organization = organization_from_request(request, scoping.METRICS_VIEW)
    if organization is None:  # metrics.view held nowhere
        raise PermissionDenied
    period = period_from_request(request)
    assert period is not None  # not optional: a bad or blank period is this year
    return metrics.Scope(organization=organization, period=period)


@login_required
@require_GET
def home(request):
    cards = home_cards.cards_for(request.user)
    if not scoping.has_perm(request.user, scoping.METRICS_VIEW):
        return render(request, "core/member_home.html", {"cards": cards})
    scope = _scope_from_request(request)
    values = {name: metrics.get(name).value(scope) for name in TILES}
    tiles = [(metrics.get(name), values[name]) for name in TILES]
    charts = []
    for name in CHARTS:
        metric = metrics.get(name)
        buckets = metric.value(scope)
        charts.append(
            {
                "metric": metric,
                "buckets": buckets,
                "data": json.dumps([{"name": b.label, "value": b.value, "key": b.key} for b in buckets]),
            }
        )
    # The elections card: the metric's figure and its own records, on the period's day.
    due = election_rows(metrics.get(ELECTIONS_DUE).records(scope), today=scope.period.as_of)
    return render(
        request,
        "core/home.html",
        {
            "scope": scope,
            "tiles": tiles,
            "charts": charts,
            "elections_due": due,
            "elections_due_count": values[ELECTIONS_DUE],
            "cards": cards,
        },
    )


@login_required
@require_GET
@reporting
def metric_detail(request, name: str):
    """A figure and the records behind it."""
    try:
        metric = metrics.get(name)
    except KeyError:
        raise Http404 from None
    scope = _scope_from_request(request)
    key = request.GET.get("key")
    value = metric.value(scope)
    if key is not None and metric.kind == "breakdown" and key not in {bucket.key for bucket in value}:
        raise Http404
    records = metric.records(scope, key) if key is not None else metric.records(scope)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    rows = [[_cell(obj, attr) for attr, _label in metric.columns] for obj in page.object_list]
    bucket_label = next((b.label for b in value if b.key == key), key) if metric.kind == "breakdown" else None
    return render(
        request,
        "core/metric_detail.html",
        {
            "metric": metric,
            "scope": scope,
            "value": value,
            "key": key,
            "bucket_label": bucket_label,
            "page": page,
            "rows": rows,
            "columns": [label for _attr, label in metric.columns],
        },
    )


def _cell(obj, attr: str):
    value = getattr(obj, attr, "")
    return value() if callable(value) else value
