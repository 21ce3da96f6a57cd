"""志愿服务统计: an organisation's volunteering figures for a period, and their Excel export.

Every number on the page comes from the metrics registry and links to the records behind it
(``core:metric_detail``); the page never counts on its own. The organisation is one the user
may see figures of (``metrics.view``; outside their scope: 404), the period a year, a quarter
or a month (a bad one: a message, and this year instead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from qingyi.core import metrics
from qingyi.core.dbrouter import reporting
from qingyi.core.exports import Sheet, write_xlsx, xlsx_response
from qingyi.core.params import period_and_error
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.organizations.params import organization_from_request
from qingyi.organizations.selectors import organizations_for
from qingyi.volunteering.metrics.projects import verified_records
from qingyi.volunteering.metrics.volunteers import own_volunteers_records
from qingyi.volunteering.models import Volunteer
from qingyi.volunteering.selectors import verified_sums

VIEW = scoping.METRICS_VIEW

# The headline figures, in groups: (title, explanation, metric names). Titles and
# explanations take the organisation's name.
TILE_GROUPS = (
    (
        gettext_lazy("Volunteers of %(name)s"),
        gettext_lazy(
            "What the volunteers attached to it and to the organisations under it gave, on any project."
        ),
        ("volunteering.own_volunteers_hours", "volunteering.own_volunteers_people_served"),
    ),
    (
        gettext_lazy("Projects run by %(name)s"),
        gettext_lazy("The service on the projects it and the organisations under it run, whoever gave it."),
        (
            "volunteering.verified_hours",
            "volunteering.people_served",
            "volunteering.shifts_filled",
            "volunteering.no_show_rate",
        ),
    ),
    (
        gettext_lazy("Escorts and call-ups"),
        gettext_lazy(
            "Escort requests and call-ups count under the organisation that dispatches them "
            "(usually the committee)."
        ),
        ("escorts.done", "callups.median_response_minutes"),
    ),
)

# The breakdowns of the hours, on either set of records: "volunteers" (the organisation's own
# volunteers, on any project) or "projects" (the projects it runs). Each is a table with bars
# on the page and a sheet of the export.
BASES = {
    "volunteers": (
        "volunteering.own_volunteers_hours_by_organization",
        "volunteering.own_volunteers_hours_by_department",
        "volunteering.own_volunteers_hours_by_party_branch",
        "volunteering.own_volunteers_hours_by_volunteer_kind",
        "volunteering.own_volunteers_hours_by_month",
        "volunteering.own_volunteers_hours_by_project",
    ),
    "projects": (
        "volunteering.hours_by_organization",
        "volunteering.hours_by_department",
        "volunteering.hours_by_party_branch",
        "volunteering.hours_by_volunteer_kind",
        "volunteering.hours_by_month",
        "volunteering.hours_by_project",
    ),
}
DEFAULT_BASIS = "volunteers"
BASE_RECORDS = {"volunteers": own_volunteers_records, "projects": verified_records}
ESCORTS = "escorts.done_by_department"
# Short titles of the breakdowns (by the end of the metric's name), for the cards and sheets.
TITLES = {
    "organization": gettext_lazy("By organisation"),
    "department": gettext_lazy("By department"),
    "party_branch": gettext_lazy("By party branch"),
    "volunteer_kind": gettext_lazy("By kind of volunteer"),
    "month": gettext_lazy("By month"),
    "project": gettext_lazy("By project"),
}
ROWS_SHOWN = 10  # a longer table shows the rest on request
YEARS_BACK = 5


@dataclass
class Row:
    bucket: metrics.Bucket
    share: float  # of the breakdown's total, percent
    bar: str  # width of the bar, percent of the largest bucket, as CSS wants it ("42.0")
    url: str
    drill_url: str = ""  # the figures page of a child organisation


@dataclass
class Table:
    metric: metrics.Metric
    title: Any
    rows: list[Row]
    total: float
    url: str

    # Months stay in order and all shown; a table sorted by size shows its largest lines first.
    cut_all: bool = False

    @property
    def shown(self) -> list[Row]:
        return self.rows if self.cut_all else self.rows[:ROWS_SHOWN]

    @property
    def more(self) -> list[Row]:
        return [] if self.cut_all else self.rows[ROWS_SHOWN:]

    @property
    def has_children(self) -> bool:
        """Does a breakdown by organisation have a line for a child (a branch has none)?"""
        return any(row.bucket.key.isdigit() for row in self.rows)


def _organization(request) -> Organization:
    """The organisation asked for (404 outside the user's scope), or the user's highest one."""
    scoping.require_perm(request.user, VIEW)
    organization = organization_from_request(request, VIEW)
    if organization is None:
        raise Http404
    return organization


def _period_text(request) -> str:
    """``period`` as the links give it, else the form's year and part of the year."""
    if "period" in request.GET:
        return request.GET["period"].strip()[:30]
    year = request.GET.get("year", "").strip()[:4]
    part = request.GET.get("part", "").strip()[:3]
    return f"{year}-{part}" if year and part else year


def _scope(request) -> tuple[metrics.Scope, str]:
    """The organisation and period asked for, and the message if the period was not one."""
    organization = _organization(request)
    period, error = period_and_error(request, text=_period_text(request))
    assert period is not None  # not optional: this year by default
    return metrics.Scope(organization=organization, period=period), error


def _basis(request) -> str:
    basis = request.GET.get("basis", "")
    return basis if basis in BASES else DEFAULT_BASIS


def _query(scope: metrics.Scope, **extra) -> str:
    return urlencode({"org": scope.organization.pk, "period": scope.period.label, **extra})


def _detail_url(name: str, scope: metrics.Scope, **extra) -> str:
    return f"{reverse('core:metric_detail', args=[name])}?{_query(scope, **extra)}"


def _table(name: str, scope: metrics.Scope, basis: str = "") -> Table:
    metric = metrics.get(name)
    buckets = metric.value(scope)
    total = sum(b.value for b in buckets)
    largest = max((b.value for b in buckets), default=0)
    by_organization = name.endswith("_by_organization")
    figures = reverse("volunteering:figures")
    rows = []
    for bucket in buckets:
        drill = ""
        if by_organization and bucket.key.isdigit():
            drill = (
                f"{figures}?{urlencode({'org': bucket.key, 'period': scope.period.label, 'basis': basis})}"
            )
        rows.append(
            Row(
                bucket=bucket,
                share=metrics.share(bucket.value, total),
                bar=f"{100.0 * bucket.value / largest:.1f}" if largest else "0",
                url=_detail_url(name, scope, key=bucket.key),
                drill_url=drill,
            )
        )
    title = TITLES.get(name.rsplit("_by_", 1)[-1], metric.label) if name != ESCORTS else metric.label
    return Table(
        metric=metric,
        title=title,
        rows=rows,
        total=total,
        url=_detail_url(name, scope),
        cut_all=name.endswith("_by_month"),
    )


def _organization_choices(request, current: Organization) -> list[tuple[int, str]]:
    """The organisations the user may see figures of, indented by depth (one query)."""
    rows = list(
        organizations_for(request.user, VIEW)
        .filter(archived_at__isnull=True)
        .order_by("path")
        .values_list("pk", "name", "depth")
    )
    if current.pk not in {pk for pk, _name, _depth in rows}:  # an archived one, asked for by id
        rows.insert(0, (current.pk, current.name, current.depth))
    top = min((depth for _pk, _name, depth in rows), default=1)
    return [(pk, "\u3000" * (depth - top) + name) for pk, name, depth in rows]


def _period_choices(period: Period) -> dict[str, Any]:
    """The year and part-of-year pickers, preset to ``period``."""
    this_year = timezone.localdate().year
    years = list(range(this_year, this_year - YEARS_BACK - 1, -1))
    if period.start.year not in years:
        years.append(period.start.year)
    parts = [("", _("Whole year"))]
    parts += [(f"Q{q}", _("Quarter %(quarter)s") % {"quarter": q}) for q in range(1, 5)]
    parts += [(f"{m:02d}", _("Month %(month)s") % {"month": m}) for m in range(1, 13)]
    if re.fullmatch(r"\d{4}", period.label):
        part: str | None = ""
    elif match := re.fullmatch(r"\d{4}-(Q[1-4]|\d{2})", period.label):
        part = match[1]
    else:
        part = None  # a day range: neither picker fits it
    return {"years": years, "year": period.start.year, "parts": parts, "part": part}


def _tables(scope: metrics.Scope, basis: str) -> list[Table]:
    """The breakdowns of ``basis``; by organisation only where there are organisations below."""
    tables = [_table(name, scope, basis) for name in BASES[basis]]
    return [t for t in tables if t.has_children or not t.metric.name.endswith("_by_organization")]


@login_required
@require_GET
@reporting
def figures(request):
    scope, error = _scope(request)
    if error:
        messages.error(request, error)
    basis = _basis(request)
    name = scope.organization.name
    groups = [
        {
            "title": title % {"name": name},
            "text": text,
            "tiles": [
                {"metric": metrics.get(n), "value": metrics.get(n).value(scope), "url": _detail_url(n, scope)}
                for n in names
            ],
        }
        for title, text, names in TILE_GROUPS
    ]
    bases = [
        (key, label % {"name": name}, f"?{_query(scope, basis=key)}", key == basis)
        for key, label in (
            ("volunteers", _("Hours of %(name)s's volunteers")),
            ("projects", _("Hours on %(name)s's projects")),
        )
    ]
    return render(
        request,
        "volunteering/figures.html",
        {
            "scope": scope,
            "basis": basis,
            "bases": bases,
            "groups": groups,
            "tables": _tables(scope, basis),
            "escorts": _table(ESCORTS, scope),
            "organizations": _organization_choices(request, scope.organization),
            "export_query": _query(scope, basis=basis),
            "can_manage": scoping.has_perm(request.user, scoping.VOLUNTEERING_MANAGE),
            **_period_choices(scope.period),
        },
    )


def _volunteer_rows(records):
    """Each volunteer's verified hours, services and people served among ``records``
    (``selectors.verified_sums``, the hours export's computation), most hours first."""
    kinds = {value: str(label) for value, label in Volunteer.Kind.choices}
    sums = verified_sums(records)
    volunteers = (
        Volunteer.objects.unscoped("the volunteers behind service records already in the figures' scope")
        .filter(pk__in=list(sums))
        .order_by("name", "pk")
        .values_list("pk", "name", "kind", "organization__name")
    )
    rows = [(name, kind, organization, *sums[pk]) for pk, name, kind, organization in volunteers]
    rows.sort(key=lambda row: row[3], reverse=True)  # stable: equal hours stay in name order
    for name, kind, organization, hours, services, served in rows:
        yield [name, kinds.get(kind, kind), organization, float(hours), services, served]


@login_required
@require_GET
@reporting
def figures_export(request):
    """The page's figures and breakdowns as a workbook, and every volunteer's hours."""
    scope, error = _scope(request)
    basis = _basis(request)
    if error:  # the page says what is wrong with the period, rather than a file of another one
        messages.error(request, error)
        query = urlencode({"org": scope.organization.pk, "basis": basis})
        return redirect(f"{reverse('volunteering:figures')}?{query}")
    # The tiles under their group's title, so "verified hours" says whose.
    headline: list[list[Any]] = []
    for title, _text, names in TILE_GROUPS:
        headline.append([str(title) % {"name": scope.organization.name}, None, None])
        for metric in (metrics.get(name) for name in names):
            headline.append([str(metric.label), metric.value(scope), str(metric.unit)])
    sheets = []
    for table in [*_tables(scope, basis), _table(ESCORTS, scope)]:
        sheets.append(
            Sheet(
                title=str(table.title),
                headers=[str(table.metric.label), str(table.metric.unit), _("Share (%)")],
                rows=[[row.bucket.label, row.bucket.value, row.share] for row in table.rows],
                widths=(36, 12, 10),
            )
        )
    sheets.append(
        Sheet(
            title=_("Hours per volunteer"),
            headers=[
                _("Name"),
                _("Kind"),
                _("Organisation"),
                _("Verified hours"),
                _("Services"),
                _("People served"),
            ],
            rows=_volunteer_rows(BASE_RECORDS[basis](scope)),
            widths=(14, 12, 22, 12, 10, 12),
        )
    )
    content = write_xlsx(
        [_("Figure"), _("Value"), _("Unit")],
        [[_("Organisation"), scope.organization.name, ""], [_("Period"), scope.period.label, ""], *headline],
        title=_("Figures"),
        widths=(40, 12, 12),
        more_sheets=sheets,
    )
    filename = _("volunteering-figures-%(org)s-%(period)s.xlsx") % {
        "org": scope.organization.name,
        "period": scope.period.label,
    }
    return xlsx_response(content, filename)
