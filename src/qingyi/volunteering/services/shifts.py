"""Shifts: one-off and repeating (series), their changes and cancellation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.organizations import scoping
from qingyi.volunteering.models import JoinMode, Post, Project, Qualification, Shift, ShiftSeries, Signup
from qingyi.volunteering.services.common import CATEGORY_CANCELLED, MANAGE, _tell
from qingyi.volunteering.services.signups import _promote_waiting, _when

# Repeating shifts: at most this many shifts, over at most this many days, per series.
SERIES_MAX_SHIFTS = 400
SERIES_MAX_DAYS = 366


# --- Shifts ------------------------------------------------------------------------------

SHIFT_FIELDS = (
    "post",
    "place",
    "capacity",
    "join_mode",
    "insurance_required",
    "note",
    "partner",
    "people_reached",
)


def _shift_errors(
    *, project: Project, start, end, capacity, post, people_reached: int | None = None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if start is None or end is None:
        errors.setdefault("end", []).append(_("Give the start and the end."))
    elif end <= start:
        errors.setdefault("end", []).append(_("The shift ends before it starts."))
    elif end - start > dt.timedelta(hours=24):
        errors.setdefault("end", []).append(_("A shift lasts at most 24 hours."))
    if capacity is None or capacity < 1:
        errors.setdefault("capacity", []).append(_("A shift has at least one place."))
    if post is not None and post.project_id != project.pk:
        errors.setdefault("post", []).append(_("This post belongs to another project."))
    if people_reached is not None:
        if project.kind != Project.Kind.OUTREACH:
            errors.setdefault("people_reached", []).append(
                _("People reached are recorded for outreach events.")
            )
        elif people_reached < 0:
            errors.setdefault("people_reached", []).append(_("People reached cannot be negative."))
    return errors


@transaction.atomic
def shift_create(
    *,
    project: Project,
    start: dt.datetime,
    end: dt.datetime,
    capacity: int,
    actor,
    post: Post | None = None,
    place: str = "",
    join_mode: str = JoinMode.INSTANT,
    insurance_required: bool = False,
    qualifications: Iterable[Qualification] = (),
    note: str = "",
    partner: str = "",
) -> Shift:
    scoping.require_perm(actor, MANAGE, project.organization)
    errors = _shift_errors(project=project, start=start, end=end, capacity=capacity, post=post)
    if errors:
        raise ValidationError(errors)
    shift = Shift(
        project=project,
        post=post,
        start=start,
        end=end,
        place=place,
        capacity=capacity,
        join_mode=join_mode,
        insurance_required=insurance_required,
        note=note,
        partner=partner,
    )
    shift._history_user = actor
    shift.save()
    shift.required_qualifications.set(list(qualifications))
    return shift


def series_days(first_day: dt.date, last_day: dt.date, weekdays: Iterable[int]) -> list[dt.date]:
    wanted = set(weekdays)
    days = []
    day = first_day
    while day <= last_day:
        if day.weekday() in wanted:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


@transaction.atomic
def shift_series_create(
    *,
    project: Project,
    weekdays: Iterable[int],
    first_day: dt.date,
    last_day: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    capacity: int,
    actor,
    post: Post | None = None,
    place: str = "",
    join_mode: str = JoinMode.INSTANT,
    insurance_required: bool = False,
    qualifications: Iterable[Qualification] = (),
    note: str = "",
    partner: str = "",
) -> ShiftSeries:
    """Repeating shifts, e.g. every weekday 8:00–11:30 for three months, written in one go."""
    scoping.require_perm(actor, MANAGE, project.organization)
    weekdays = sorted({int(d) for d in weekdays})
    errors: dict[str, list[str]] = {}
    if not weekdays or any(d < 0 or d > 6 for d in weekdays):
        errors.setdefault("weekdays", []).append(_("Choose at least one weekday."))
    if last_day < first_day:
        errors.setdefault("last_day", []).append(_("The series ends before it starts."))
    elif (last_day - first_day).days > SERIES_MAX_DAYS:
        errors.setdefault("last_day", []).append(_("A series lasts at most a year."))
    if end_time <= start_time:
        errors.setdefault("end_time", []).append(_("The shift ends before it starts."))
    errors |= {
        k: v
        for k, v in _shift_errors(
            project=project,
            start=_at(first_day, start_time),
            end=_at(first_day, start_time) + dt.timedelta(1),
            capacity=capacity,
            post=post,
        ).items()
        if k != "end"
    }
    days = series_days(first_day, last_day, weekdays) if not errors else []
    if not errors and not days:
        errors.setdefault("weekdays", []).append(_("None of these weekdays falls between the two dates."))
    if len(days) > SERIES_MAX_SHIFTS:
        errors.setdefault("last_day", []).append(
            _("A series has at most %(n)s shifts.") % {"n": SERIES_MAX_SHIFTS}
        )
    if errors:
        raise ValidationError(errors)
    series = ShiftSeries.objects.create(
        project=project,
        weekdays=weekdays,
        first_day=first_day,
        last_day=last_day,
        start_time=start_time,
        end_time=end_time,
        created_by=actor,
    )
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                project=project,
                post=post,
                series=series,
                start=_at(day, start_time),
                end=_at(day, end_time),
                place=place,
                capacity=capacity,
                join_mode=join_mode,
                insurance_required=insurance_required,
                note=note,
                partner=partner,
            )
            for day in days
        ]
    )
    quals = list(qualifications)
    if quals:
        through = Shift.required_qualifications.through
        through.objects.bulk_create(
            [through(shift_id=s.pk, qualification_id=q.pk) for s in shifts for q in quals]
        )
    return series


@transaction.atomic
def shift_update(
    *,
    shift: Shift,
    data: dict[str, Any],
    actor,
    following: bool = False,
    qualifications: Iterable[Qualification] | None = None,
) -> list[Shift]:
    """Change one shift — or, with ``following``, this shift and the later ones of its series.

    ``data`` may hold ``start_time``/``end_time`` (times of day, for a series) or
    ``start``/``end`` (for one shift), and any of ``SHIFT_FIELDS``. A capacity below the
    places already taken is refused, naming the shift.
    """
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    if following and shift.series_id:
        targets = list(
            Shift.objects.select_for_update()
            .filter(series_id=shift.series_id, start__gte=shift.start, cancelled_at__isnull=True)
            .order_by("start")
        )
    else:
        targets = list(Shift.objects.select_for_update().filter(pk=shift.pk))
    taken = dict(
        Signup.objects.filter(shift__in=targets, status__in=Signup.HOLDING)
        .values("shift")
        .annotate(n=Count("pk"))
        .values_list("shift", "n")
    )
    errors: dict[str, list[str]] = {}
    tz = timezone.get_current_timezone()
    for target in targets:
        if "start" in data and "end" in data and target.pk == shift.pk and not following:
            target.start, target.end = data["start"], data["end"]
        elif "start_time" in data and "end_time" in data:
            day = target.start.astimezone(tz).date()
            target.start, target.end = _at(day, data["start_time"]), _at(day, data["end_time"])
        for key in SHIFT_FIELDS:
            # People reached are counted per event: never copied along a series.
            if key in data and not (key == "people_reached" and target.pk != shift.pk):
                setattr(target, key, data[key])
        for field, messages in _shift_errors(
            project=target.project,
            start=target.start,
            end=target.end,
            capacity=target.capacity,
            post=target.post,
            people_reached=target.people_reached,
        ).items():
            errors.setdefault(field, []).extend(m for m in messages if m not in errors.get(field, []))
        if target.capacity is not None and target.capacity < taken.get(target.pk, 0):
            errors.setdefault("capacity", []).append(
                _("%(when)s already has %(n)s people signed up; the capacity cannot be lower.")
                % {"when": timezone.localtime(target.start).strftime("%Y-%m-%d %H:%M"), "n": taken[target.pk]}
            )
    if errors:
        raise ValidationError(errors)
    for target in targets:
        target._history_user = actor
        target.save()
        if qualifications is not None:
            target.required_qualifications.set(list(qualifications))
    # More places may have opened: move the waiting list up.
    for target in targets:
        _promote_waiting(target, actor=actor)
    return targets


@transaction.atomic
def shift_cancel(*, shift: Shift, actor) -> Shift:
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    shift = Shift.objects.select_for_update().get(pk=shift.pk)
    if shift.cancelled_at:
        return shift
    shift.cancelled_at = timezone.now()
    shift._history_user = actor
    shift.save(update_fields=["cancelled_at", "updated_at"])
    for signup in Signup.objects.filter(shift=shift, status__in=Signup.ACTIVE).select_related(
        "volunteer__user"
    ):
        _tell(
            signup.volunteer.user,
            _("The shift of %(project)s at %(when)s has been cancelled.")
            % {"project": shift.project.name, "when": _when(shift)},
            shift=shift,
            category=CATEGORY_CANCELLED,
        )
    Signup.objects.filter(shift=shift, status__in=Signup.ACTIVE).update(status=Signup.Status.CANCELLED)
    return shift
