"""Reads of service points: a manager's points, a project's, the point a volunteer scans, the
shifts at a point and its standing screen (writes and the scan: ``services/service_points.py``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone

from qingyi.core.periods import day_bounds
from qingyi.volunteering.models import Project, ServicePoint, ServiceRecord, Shift, Volunteer
from qingyi.volunteering.selectors.shifts import visible_projects_q, with_place_counts


def points_of(project: Project) -> QuerySet[ServicePoint]:
    """A project's points, the active ones first."""
    return (
        ServicePoint.objects.filter(project=project)
        .select_related("post")
        .order_by(F("archived_at").asc(nulls_first=True), "name", "pk")
    )


def point_to_scan(volunteer: Volunteer, point_pk: int) -> ServicePoint | None:
    """The point a volunteer scans the code of, if they may see its project (None otherwise):
    one query."""
    return (
        ServicePoint.objects.filter(visible_projects_q(volunteer, "project__"), pk=point_pk)
        .select_related("project__organization")
        .first()
    )


def shifts_at(point: ServicePoint) -> QuerySet[Shift]:
    """Every shift at the point: its project's, and its post's if it has one."""
    qs = Shift.objects.filter(project_id=point.project_id)
    if point.post_id is not None:
        qs = qs.filter(post_id=point.post_id)
    return qs


@dataclass(frozen=True)
class Screen:
    """What a point's standing screen shows besides its code (three queries whatever the day)."""

    shifts: list[Shift]
    present: list[ServiceRecord]
    now: dt.datetime
    on_now: frozenset[int]  # the shifts going on now


def point_screen(point: ServicePoint, *, now: dt.datetime | None = None) -> Screen:
    """Today's shifts at the point (with their places taken) and who is checked in now."""
    now = now or timezone.now()
    start, end = day_bounds(timezone.localtime(now).date())
    shifts = list(
        with_place_counts(
            shifts_at(point).filter(start__lt=end, end__gt=start).select_related("post")
        ).order_by("start", "pk")
    )
    present = list(
        ServiceRecord.objects.filter(
            shift__in=[s.pk for s in shifts if s.cancelled_at is None],
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
        )
        .select_related("volunteer")
        .only("checked_in_at", "walk_in", "shift_id", "volunteer__name")
        .order_by("checked_in_at", "pk")
    )
    on_now = frozenset(s.pk for s in shifts if s.cancelled_at is None and s.start <= now < s.end)
    return Screen(shifts=shifts, present=present, now=now, on_now=on_now)


def masked_name(name: str) -> str:
    """A name as a screen in a public hall shows it: 王*明, 李* (the volunteers' data is not
    disclosed without consent — RULES.md, 志愿服务条例)."""
    if len(name) <= 2:
        return name[:1] + "*" if name else ""
    return name[0] + "*" * (len(name) - 2) + name[-1]
