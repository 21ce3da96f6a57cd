"""The calendar of an organisation and its compliance with the yearly minimums (its yearly plan)."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from qingyi.activities import selectors
from qingyi.activities.models import Activity
from qingyi.activities.views.common import org_from_request
from qingyi.core import metrics
from qingyi.core.params import query_year
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", request.GET.get("month", ""))
    if m and 1 <= int(m[2]) <= 12 and 2000 <= int(m[1]) <= 2100:
        return int(m[1]), int(m[2])
    return today.year, today.month


@login_required
@require_GET
def activity_calendar(request):
    org = org_from_request(request)
    if org is None:  # the user sees no organisation's activities: the only check
        raise PermissionDenied
    year, month = _month(request)
    qs = selectors.activities_for(request.user).filter(
        pk__in=selectors.activities_concerning(org).values("pk")
    )
    activities = selectors.calendar_activities(qs, year, month)
    by_day: dict[dt.date, list[Activity]] = {}
    # Computed once here rather than per item in the template: a month can hold hundreds.
    detail_base = reverse("activities:detail", args=[0])[: -len("0/")]
    labels = dict(Activity.Kind.choices)
    for activity in activities:
        local = timezone.localtime(activity.starts_at)
        activity.hhmm = f"{local:%H:%M}"
        activity.url = f"{detail_base}{activity.pk}/"
        activity.kind_label = labels[activity.kind]
        by_day.setdefault(local.date(), []).append(activity)
    today = timezone.localdate()
    weeks = [
        [
            {"day": day, "in_month": day.month == month, "today": day == today, "items": by_day.get(day, [])}
            for day in week
        ]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    first = dt.date(year, month, 1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return render(
        request,
        "activities/calendar.html",
        {
            "org": org,
            "first": first,
            "weeks": weeks,
            "days": sorted(by_day.items()),
            "previous": f"{previous:%Y-%m}",
            "following": f"{following:%Y-%m}",
            "count": len(activities),
            "organizations": scoping.scope(
                Organization.objects.filter(archived_at__isnull=True),
                request.user,
                scoping.ACTIVITIES_VIEW,
                path_field="path",
            ).only("pk", "name", "depth"),
            "can_create": scoping.has_perm(request.user, scoping.ACTIVITIES_MANAGE, org),
        },
    )


@login_required
@require_GET
def compliance(request):
    """Each branch's held and planned activities per kind against the year's minimums."""
    org = org_from_request(request)
    if org is None:  # the user sees no organisation's activities: the only check
        raise PermissionDenied
    today = timezone.localdate()
    year = query_year(request) or today.year
    year = min(max(year, 2000), 2100)
    # The figure is the registry's activities.branches_behind, on the same day as the rows.
    scope = metrics.Scope(organization=org, period=Period.year(year))
    rows = selectors.compliance_rows(org, year, today=scope.period.as_of)
    only_behind = request.GET.get("behind") == "1"
    return render(
        request,
        "activities/compliance.html",
        {
            "org": org,
            "year": year,
            "years": list(range(today.year - 4, today.year + 2)),
            "rows": [r for r in rows if r.behind] if only_behind else rows,
            "behind_count": metrics.get("activities.branches_behind").value(scope),
            "total": len(rows),
            "only_behind": only_behind,
            "kinds": [(k, Activity.Kind(k).label) for k in selectors.COMPLIANCE_KINDS],
            "minimums": selectors.minimums(),
            "today": today,
        },
    )
