"""Service points (服务点): fixed desks of a project with a standing screen and a QR code.

A point belongs to a project (and optionally one of its posts). Its screen — a tablet fixed
at the desk — shows a rotating code (``core.checkin``, subject ``point:<id>``), today's
shifts at the point and who is checked in now. A volunteer's scan of that code is a scan of
their shift at the point that is on now: the shift of the point's project (and post) in its
check-in window that they are checked in to (check-out) or confirmed for (check-in); without
one, a walk-in to the shift on now, on the same rules as a walk-in's scan of a shift's own
code. The check-in and check-out themselves are ``hours``' — nothing is recorded here.

Writes (create, edit, archive) need ``volunteering.manage`` over the project's organisation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import checkin
from qingyi.core.periods import day_bounds
from qingyi.organizations import scoping
from qingyi.volunteering import hours, selectors
from qingyi.volunteering.models import Post, Project, ServicePoint, ServiceRecord, Shift, Signup, Volunteer

MANAGE = scoping.VOLUNTEERING_MANAGE


# --- Reads -------------------------------------------------------------------------------


def points_for(user) -> QuerySet[ServicePoint]:
    """The points of the projects a manager may manage (their subtree)."""
    return scoping.scope(
        ServicePoint.objects.select_related("project", "project__organization", "post"),
        user,
        MANAGE,
        path_field="project__organization__path",
    )


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
        ServicePoint.objects.filter(selectors.visible_projects_q(volunteer, "project__"), pk=point_pk)
        .select_related("project__organization")
        .first()
    )


def shifts_at(point: ServicePoint) -> QuerySet[Shift]:
    """Every shift at the point: its project's, and its post's if it has one."""
    qs = Shift.objects.filter(project_id=point.project_id)
    if point.post_id is not None:
        qs = qs.filter(post_id=point.post_id)
    return qs


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(day)


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
    start, end = _day_bounds(timezone.localtime(now).date())
    shifts = list(
        selectors.with_place_counts(
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


# --- Writes ------------------------------------------------------------------------------


def _clean(*, project: Project, name: str, place: str, post: Post | None, exclude_pk: int | None = None):
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    place = (place or "").strip()
    if not name:
        errors["name"] = [_("Give the service point a name.")]
    elif (
        ServicePoint.objects.filter(project=project, name=name, archived_at__isnull=True)
        .exclude(pk=exclude_pk or 0)
        .exists()
    ):
        errors["name"] = [_("This project already has a service point with this name.")]
    if post is not None and post.project_id != project.pk:
        errors["post"] = [_("The post must belong to the point's project.")]
    if errors:
        raise ValidationError(errors)
    return name, place


@transaction.atomic
def point_create(
    *, project: Project, name: str, place: str = "", post: Post | None = None, actor
) -> ServicePoint:
    scoping.require_perm(actor, MANAGE, project.organization)
    if project.archived_at is not None:
        raise ValidationError(_("“%(name)s” is archived.") % {"name": project.name})
    name, place = _clean(project=project, name=name, place=place, post=post)
    return ServicePoint.objects.create(project=project, post=post, name=name, place=place, created_by=actor)


@transaction.atomic
def point_update(
    *, point: ServicePoint, name: str, place: str = "", post: Post | None = None, actor
) -> ServicePoint:
    scoping.require_perm(actor, MANAGE, point.project.organization)
    name, place = _clean(
        project=point.project,
        name=name,
        place=place,
        post=post,
        exclude_pk=point.pk if point.archived_at is None else None,
    )
    point.name, point.place, point.post = name, place, post
    point.save(update_fields=["name", "place", "post", "updated_at"])
    return point


@transaction.atomic
def point_archive(*, point: ServicePoint, actor) -> ServicePoint:
    """Archive a point: its screen stops showing a code and its scans are refused."""
    scoping.require_perm(actor, MANAGE, point.project.organization)
    if point.archived_at is None:
        point.archived_at = timezone.now()
        point.save(update_fields=["archived_at", "updated_at"])
    return point


@transaction.atomic
def point_restore(*, point: ServicePoint, actor) -> ServicePoint:
    scoping.require_perm(actor, MANAGE, point.project.organization)
    if point.archived_at is not None:
        _clean(project=point.project, name=point.name, place=point.place, post=point.post)
        point.archived_at = None
        point.save(update_fields=["archived_at", "updated_at"])
    return point


# --- The scan ----------------------------------------------------------------------------


# What a point's scan reads of a shift (hours._record_scan and a walk-in's eligibility).
SCAN_FIELDS = ("start", "end", "cancelled_at", "insurance_required", "project_id", "post_id")


@dataclass(frozen=True)
class _Candidate:
    """A shift at the point, with the scanning volunteer's sign-up status and record (if any)."""

    shift: Shift
    my_status: str | None
    record_id: int | None
    record_status: str | None
    record_in: dt.datetime | None
    record_out: dt.datetime | None


def _shifts_to_scan(point: ServicePoint, volunteer: Volunteer, at: dt.datetime) -> list[_Candidate]:
    """The point's shifts not over at ``at`` and starting before the end of that day (and the
    hour check-in opens early), each with the volunteer's sign-up status and record — in one
    query (two LEFT JOINs on unique (shift, volunteer) rows).

    The bounds only narrow the rows; which shift is in its check-in window is
    ``hours._scan_window_error``'s answer.
    """
    _day_start, day_end = _day_bounds(timezone.localtime(at).date())
    rows = (
        shifts_at(point)
        .filter(
            cancelled_at__isnull=True,
            end__gte=at - hours._grace(),
            start__lte=max(day_end, at + hours.CHECK_IN_OPENS),
        )
        .annotate(
            mine=FilteredRelation("signups", condition=Q(signups__volunteer_id=volunteer.pk)),
            own=FilteredRelation("records", condition=Q(records__volunteer_id=volunteer.pk)),
        )
        .annotate(
            my_status=F("mine__status"),
            record_id=F("own__id"),
            record_status=F("own__status"),
            record_in=F("own__checked_in_at"),
            record_out=F("own__checked_out_at"),
        )
        .only(*SCAN_FIELDS)
        .order_by("start", "pk")
    )
    return [
        _Candidate(
            shift=row,
            my_status=getattr(row, "my_status"),  # noqa: B009 - annotations, unknown to the type
            record_id=getattr(row, "record_id"),  # noqa: B009
            record_status=getattr(row, "record_status"),  # noqa: B009
            record_in=getattr(row, "record_in"),  # noqa: B009
            record_out=getattr(row, "record_out"),  # noqa: B009
        )
        for row in rows
    ]


def _choose(candidates: list[_Candidate], at: dt.datetime) -> Shift:
    """The shift a scan at the point at ``at`` is for (see the module's docstring); raises
    ``ScanRefused`` when there is none."""
    open_ = [c for c in candidates if hours._scan_window_error(c.shift, at, by_hand=False) is None]
    # 1. A record to complete: checked in and not out (a check-out), or an offline check-in
    #    arriving after its check-out (it moves the check-in earlier) — the first checked in.
    pending = [
        (c.record_in, c)
        for c in open_
        if c.record_id is not None
        and c.record_status != ServiceRecord.Status.VERIFIED
        and c.record_in is not None
        and (c.record_out is None or at < c.record_in)
    ]
    if pending:
        return min(pending, key=lambda p: (p[0], p[1].shift.start, p[1].shift.pk))[1].shift
    # 2. A confirmed place not yet checked in to: the earliest starting.
    confirmed = [c for c in open_ if c.my_status == Signup.Status.CONFIRMED and c.record_id is None]
    if confirmed:
        return confirmed[0].shift
    # 3. A walk-in to the shift on now (else the next one whose check-in is open), on the
    #    rules of a walk-in's scan of the shift's own code (hours._check_in_new).
    free = [c.shift for c in open_ if c.record_id is None]
    if free:
        on_now = [s for s in free if s.start <= at < s.end]
        return (on_now or free)[0]
    # 4. Nothing to walk in to, but a confirmed place later today: when its check-in opens.
    later = [c.shift for c in candidates if c.my_status == Signup.Status.CONFIRMED and c.record_id is None]
    if later:
        raise checkin.ScanRefused(hours._scan_window_error(later[0], at, by_hand=False) or "")
    # 5. Every shift on now already has the volunteer's record: hours says why (checked out,
    #    verified, added by hand).
    if open_:
        return open_[-1].shift
    raise checkin.ScanRefused(_("You have no shift at this point now."))


def point_scan(
    *, point: ServicePoint, user, code: str, client_id: str, scanned_at: dt.datetime | None
) -> checkin.ScanOutcome:
    """A volunteer's phone scanned the point's code: check in to (or out of) their shift at the
    point now. Raises ``checkin.ScanRefused`` with the message to show.

    ``point`` is used as given, with its project's organisation loaded (``point_to_scan``).
    The same rules as a scan of a shift's own code, by the same functions: the code is
    checked and replays recognised by ``core.checkin.scan_accept``; check-in window, daily
    limit, walk-in rules, check-out and hours by ``hours._record_scan``.
    """
    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        raise checkin.ScanRefused(_("Only registered volunteers can check in. Become a volunteer first."))
    if not selectors.project_visible_to(volunteer, point.project):
        raise PermissionDenied
    if point.archived_at is not None:
        raise checkin.ScanRefused(_("This service point is closed."))

    def handler(at: dt.datetime):
        shift = _choose(_shifts_to_scan(point, volunteer, at), at)
        result, message = hours._record_scan(
            shift=shift, volunteer=volunteer, at=at, source=ServiceRecord.Source.SCAN, actor=user
        )
        # A point has several shifts a day: say which one the scan counted for.
        return result, _("%(message)s Shift %(start)s–%(end)s.") % {
            "message": message,
            "start": timezone.localtime(shift.start).strftime("%H:%M"),
            "end": timezone.localtime(shift.end).strftime("%H:%M"),
        }

    return hours.accept_scan(
        subject=point.subject,
        user=user,
        code=code,
        client_id=client_id,
        scanned_at=scanned_at,
        handler=handler,
    )
