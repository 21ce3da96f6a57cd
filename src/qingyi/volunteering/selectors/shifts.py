"""Reads of volunteers, projects, shifts and sign-ups; every one goes through the scoping rule or
the volunteer's own record.

Managers (coordinators, org admins, the committee admin: ``volunteering.manage``) see the
projects, shifts, volunteers and records of their subtree. A volunteer sees the open shifts
of the projects of their own organisation, its ancestors and its subtree, and their own
sign-ups and records only.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from qingyi.core.periods import day_bounds
from qingyi.organizations import scoping
from qingyi.people import masking
from qingyi.volunteering import scan_sql
from qingyi.volunteering.models import (
    JoinMode,
    Project,
    ServiceRecord,
    Shift,
    Signup,
    Volunteer,
    VolunteerApplication,
    VolunteerQualification,
)

MANAGE = scoping.VOLUNTEERING_MANAGE
HOURS: DecimalField = DecimalField(max_digits=10, decimal_places=2)


def volunteer_of(user) -> Volunteer | None:
    """The volunteer record of a login (None when the user is not a volunteer)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if hasattr(user, "_qingyi_volunteer"):  # looked up before in this request: a Volunteer or None
        return user._qingyi_volunteer
    # One row by a unique column: no ORDER BY (the model's ordering costs compiling, not rows).
    own = Volunteer.objects.unscoped("the user's own volunteer record")
    rows = list(own.select_related("organization").filter(user_id=user.pk).order_by()[:1])
    volunteer = rows[0] if rows else None
    user._qingyi_volunteer = volunteer
    return volunteer


def can_manage(user, organization=None) -> bool:
    return scoping.has_perm(user, MANAGE, organization)


# --- Managers' reads -------------------------------------------------------------------


def projects_for(user) -> QuerySet[Project]:
    return scoping.scope(
        Project.objects.select_related("organization"), user, MANAGE, path_field="organization__path"
    )


def with_upcoming_shifts(projects: QuerySet[Project], *, now: dt.datetime) -> QuerySet[Project]:
    """Annotate each project's ``upcoming`` shifts (not cancelled, starting from ``now``)."""
    return projects.annotate(
        upcoming=Count("shifts", filter=Q(shifts__start__gte=now, shifts__cancelled_at__isnull=True))
    )


def shifts_for(user) -> QuerySet[Shift]:
    return scoping.scope(
        Shift.objects.select_related("project", "project__organization", "post"),
        user,
        MANAGE,
        path_field="project__organization__path",
    )


def volunteer_search_q(user, term: str) -> Q:
    """The volunteer search of every page: a part of the name, or an exact phone only where the
    user may see the phone in full (``people.masking``) — elsewhere a match would confirm a
    guess at a masked number."""
    term = term.strip()
    return Q(name__icontains=term) | masking.identifier_search_q(user, term, id_field=None)


def volunteers_for(user) -> QuerySet[Volunteer]:
    return scoping.scope(
        Volunteer.objects.select_related("organization"), user, MANAGE, path_field="organization__path"
    )


def records_for(user) -> QuerySet[ServiceRecord]:
    return scoping.scope(ServiceRecord.objects.all(), user, MANAGE, path_field="project__organization__path")


def with_place_counts(queryset: QuerySet[Shift]) -> QuerySet[Shift]:
    """Annotate shifts with their taken places and waiting list in the same query: a count
    subquery per shift (not a JOIN and GROUP BY over every shift's sign-ups), so that a page of
    30 upcoming shifts walks the start index and stops after 30 rows."""
    signups = Signup.objects.filter(shift=OuterRef("pk")).order_by().values("shift")

    def counted(*statuses):
        return Coalesce(Subquery(signups.filter(status__in=statuses).annotate(n=Count("*")).values("n")), 0)

    return queryset.annotate(taken=counted(*Signup.HOLDING), waiting=counted(Signup.Status.WAITING))


# --- A volunteer's reads -----------------------------------------------------------------


def visible_projects_q(volunteer: Volunteer, prefix: str = "") -> Q:
    """Projects of the volunteer's organisation, its ancestors and its subtree."""
    path = volunteer.organization.path
    steplen = 4
    ancestors = [path[: d * steplen] for d in range(1, len(path) // steplen + 1)]
    field = f"{prefix}organization__path"
    return Q(**{f"{field}__in": ancestors}) | Q(**{f"{field}__startswith": path})


def project_visible_to(volunteer: Volunteer, project: Project) -> bool:
    """``visible_projects_q`` for one loaded project, in Python (no query when the project's
    organisation is loaded): its organisation is the volunteer's, an ancestor or in the subtree."""
    path, other = volunteer.organization.path, project.organization.path
    return path.startswith(other) or other.startswith(path)


def missing_qualification_q(volunteer: Volunteer) -> Q:
    """Shifts requiring a qualification the volunteer does not hold valid on the shift's day."""
    valid = VolunteerQualification.objects.filter(
        volunteer_id=volunteer.pk,
        qualification_id=OuterRef("qualification_id"),
        obtained_on__lte=OuterRef("day"),
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=OuterRef("day")))
    required = (
        Shift.required_qualifications.through.objects.filter(shift_id=OuterRef("pk"))
        .annotate(day=TruncDate("shift__start"))
        .filter(~Exists(valid))
    )
    return Q(Exists(required))


def insurance_q(volunteer: Volunteer) -> Q:
    """Shifts the volunteer's accident insurance allows (or that need none)."""
    if not (volunteer.insurance_from and volunteer.insurance_until):
        return Q(insurance_required=False)
    start, end = day_bounds(volunteer.insurance_from, volunteer.insurance_until)
    return Q(insurance_required=False) | Q(start__gte=start, end__lte=end)


def shifts_visible_to(volunteer: Volunteer) -> QuerySet[Shift]:
    """Every shift (past or future) of the projects the volunteer may see."""
    return Shift.objects.filter(visible_projects_q(volunteer, "project__")).select_related(
        "project", "project__organization", "post"
    )


def scan_parties(user, shift_pk: int) -> tuple[Volunteer | None, Shift | None]:
    """The volunteer record of the login scanning a shift's code and the shift, if they may see
    it, in one narrow query (plain SQL: ``scan_sql.scan_parties``): (None, None) when the user is
    no volunteer, (volunteer, None) when there is no such shift or it is not theirs to see. The
    shift carries what ``hours.shift_scan`` reads and its project's organisation path
    (``project_visible_to`` decides in Python); its other fields are deferred."""
    if not getattr(user, "is_authenticated", False):
        return None, None
    volunteer, shift = scan_sql.scan_parties(user_id=user.pk, shift_pk=shift_pk)
    if volunteer is None or shift is None or not project_visible_to(volunteer, shift.project):
        return volunteer, None
    return volunteer, shift


def shifts_open_for(volunteer: Volunteer, *, now: dt.datetime | None = None) -> QuerySet[Shift]:
    """Upcoming shifts the volunteer qualifies for and may join, with places and their own status.

    One query whatever the number of shifts: places, waiting list and the volunteer's own
    sign-up are annotations, qualifications and insurance are filters.
    """
    now = now or timezone.now()
    own = (
        Signup.objects.filter(shift_id=OuterRef("pk"), volunteer_id=volunteer.pk)
        .order_by()
        .values("status")[:1]
    )
    return (
        with_place_counts(
            shifts_visible_to(volunteer)
            .filter(start__gt=now, cancelled_at__isnull=True, project__archived_at__isnull=True)
            .exclude(join_mode=JoinMode.ASSIGNMENT)
            .exclude(missing_qualification_q(volunteer))
            .filter(insurance_q(volunteer))
        )
        .annotate(my_status=Subquery(own))
        .order_by("start", "pk")
    )


def signups_of(volunteer: Volunteer) -> QuerySet[Signup]:
    return Signup.objects.filter(volunteer=volunteer).select_related("shift", "shift__project", "shift__post")


def upcoming_signups_of(volunteer: Volunteer, *, now: dt.datetime | None = None) -> QuerySet[Signup]:
    now = now or timezone.now()
    return (
        signups_of(volunteer)
        .filter(shift__end__gt=now, status__in=Signup.ACTIVE)
        .order_by("shift__start", "pk")
    )


def duplicate_volunteer(application: VolunteerApplication) -> bool:
    """Whether the applicant is already registered as a volunteer (for the coordinator's eyes)."""
    return (
        Volunteer.objects.unscoped("an ID number is registered once in the whole hospital")
        .filter(id_number=application.id_number)
        .exists()
    )
