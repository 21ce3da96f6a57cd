from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qingyi.core import home as home_cards
from qingyi.core import metrics, scoping
from qingyi.core.dbrouter import reporting
from qingyi.core.forms import SettingsForm
from qingyi.core.params import period_from_request, query_id
from qingyi.core.services import settings_update
from qingyi.organizations.selectors import election_rows, organization_for_user, primary_organization

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
    org_pk = query_id(request, "org")
    organization = (
        organization_for_user(request.user, org_pk, perm=scoping.METRICS_VIEW)
        if org_pk is not None
        else primary_organization(request.user)
    )
    if organization is None or not scoping.has_perm(request.user, scoping.METRICS_VIEW, organization):
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


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request):
    scoping.require_perm(request.user, scoping.SETTINGS_MANAGE)
    form = SettingsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            settings_update(values=form.cleaned_data, actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("core:settings")
    return render(request, "core/settings.html", {"form": form})
