"""Reads of volunteer service; every one goes through the scoping rule or the volunteer's own record.

Managers (coordinators, org admins, the committee admin: ``volunteering.manage``) see the
projects, shifts, volunteers and records of their subtree. A volunteer sees the open shifts
of the projects of their own organisation, its ancestors and its subtree, and their own
sign-ups and records only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.http import Http404
from django.utils import timezone

from qingyi.core import rules, scoping
from qingyi.core.periods import Period, day_bounds
from qingyi.people import masking
from qingyi.volunteering import scan_sql
from qingyi.volunteering.models import (
    Certificate,
    JoinMode,
    Project,
    ServiceRecord,
    Shift,
    Signup,
    StarAnnouncementEntry,
    StarAward,
    Volunteer,
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


def signups_for(user) -> QuerySet[Signup]:
    return scoping.scope(
        Signup.objects.select_related("shift", "volunteer"),
        user,
        MANAGE,
        path_field="shift__project__organization__path",
    )


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


def records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("shift", "project", "shift__post")
        .order_by("-served_on", "-pk")
    )


def own_hours_rows(volunteer: Volunteer) -> QuerySet:
    """The volunteer's records as their hours page shows them, newest first: plain rows of the
    fields shown (no model instances to build, a third of the page's time otherwise)."""
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .order_by("-served_on", "-pk")
        .values(
            "served_on",
            "scheduled_hours",
            "recorded_hours",
            "verified_hours",
            "source",
            "status",
            project_name=F("project__name"),
            post_name=F("shift__post__name"),
        )
    )


def verified_hours_of(volunteer: Volunteer) -> Decimal:
    total = ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.VERIFIED).aggregate(
        h=Coalesce(Sum("verified_hours"), Value(Decimal(0)), output_field=HOURS)
    )["h"]
    return Decimal(total)


def hours_summary_of(volunteer: Volunteer) -> dict:
    """A volunteer's totals in one query: verified, recorded-but-unverified, people served, the
    number of records, and the star level: ``star`` is the level awarded (after its
    announcement, volunteering/stars.py), ``star_reached`` the level the verified hours reach,
    which may be higher until announced and awarded, and ``announced_until`` the last day of
    the announcement it is in, if any."""
    # The awarded level rides along as an uncorrelated scalar subquery (evaluated once); MAX()
    # lets the grouped rows carry it. Awards and announcements exist only for volunteers with
    # verified records, so a volunteer without records has neither.
    awarded = StarAward.objects.filter(volunteer_id=volunteer.pk).order_by("-level").values("level")[:1]
    announced = StarAnnouncementEntry.objects.filter(volunteer_id=volunteer.pk, outcome="pending").values(
        "announcement__notice_until"
    )[:1]
    # One row a status (a handful), summed here: plain SUMs compile in a third of the time of
    # the FILTERed, COALESCEd and CAST aggregate() this was (a fifth of "My hours").
    by_status = (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .order_by()
        .values_list("status")
        .annotate(
            Sum("verified_hours"),
            Sum("recorded_hours"),
            Sum("people_served"),
            Count("pk"),
            star=Max(Subquery(awarded)),
            # The last day of the announcement the volunteer is in, awaiting its award (or None).
            announced_until=Max(Subquery(announced)),
        )
    )
    verified = pending = Decimal(0)
    served = services = star = records = 0
    announced_until = None
    for status, verified_sum, recorded_sum, served_sum, count, level, until in by_status:
        records += count
        if status == ServiceRecord.Status.VERIFIED:
            verified += verified_sum or 0
            served += served_sum or 0
            services += count
        else:
            pending += recorded_sum or 0
        star = max(star, level or 0)
        announced_until = announced_until or until
    cents = Decimal("0.01")  # HOURS' two places, as the database's sums had them
    row: dict[str, Any] = {
        "verified": verified.quantize(cents),
        "pending": pending.quantize(cents),
        "served": served,
        "services": services,
        "records": records,  # every record, whatever its status (the hours page's page count)
        "star": star,
        "announced_until": announced_until,
    }
    row["star_reached"] = rules.volunteer_star_level(row["verified"])
    thresholds = rules.volunteer_star_thresholds()
    row["next_star_hours"] = next((t for t in thresholds if t > row["verified"]), None)
    return row


def projects_served_by(volunteer: Volunteer) -> list[dict]:
    """Projects with the volunteer's verified hours in each (one GROUP BY)."""
    return list(
        ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.VERIFIED)
        .values("project_id", "project__name")
        .annotate(hours=Sum("verified_hours"), times=Count("pk"))
        .order_by("-hours")
    )


def no_shows_of(volunteer: Volunteer) -> int:
    """No-shows since the coordinator last cleared the volunteer."""
    qs = Signup.objects.filter(volunteer=volunteer, status=Signup.Status.NO_SHOW)
    if volunteer.no_shows_cleared_at:
        qs = qs.filter(shift__start__gt=volunteer.no_shows_cleared_at)
    return qs.count()


# --- Hours overview (one aggregate query per page) ------------------------------------------


def hours_overview(user, period: Period, *, q: str = "") -> QuerySet[Volunteer]:
    """Volunteers in the user's scope with their verified hours, services and people served in
    the period (``hours_per_volunteer``)."""
    records = ServiceRecord.objects.filter(
        status=ServiceRecord.Status.VERIFIED, served_on__gte=period.start, served_on__lte=period.end
    )
    return hours_per_volunteer(hours_overview_volunteers(user, q=q), records)


def hours_per_volunteer(
    volunteers: QuerySet[Volunteer], records: QuerySet[ServiceRecord]
) -> QuerySet[Volunteer]:
    """The one computation of hours per volunteer: each of ``volunteers`` with its ``hours``
    (verified hours), ``services`` and ``served`` (people served) among ``records`` (verified
    service records), most hours first. Read by the hours overview, its export and the
    figures export's "hours per volunteer" sheet.

    Summed by the database, never in Python: each sum a subquery per volunteer that reads only
    the given records (for a period's verified records, from the covering index (volunteer,
    status, served_on, verified_hours, people_served)). A page sorts on the hours alone, so the
    other two sums run for the rows shown only."""
    per_volunteer = records.filter(volunteer=OuterRef("pk")).order_by().values("volunteer")
    return volunteers.annotate(
        hours=Coalesce(
            Subquery(per_volunteer.annotate(total=Sum("verified_hours")).values("total")),
            Value(Decimal(0)),
            output_field=HOURS,
        ),
        services=Coalesce(Subquery(per_volunteer.annotate(total=Count("*")).values("total")), 0),
        served=Coalesce(Subquery(per_volunteer.annotate(total=Sum("people_served")).values("total")), 0),
    ).order_by("-hours", "name", "pk")


def verified_sums(records: QuerySet[ServiceRecord]) -> dict[int, tuple[Decimal, int, int]]:
    """Each volunteer's (verified hours, services, people served) among ``records`` (verified
    service records): one GROUP BY — the exports' computation, which need every volunteer's
    sums at once (the overview's page sorts by hours in the database: ``hours_per_volunteer``
    sums the same columns per volunteer; tests/volunteering/test_hours_export.py holds them
    equal)."""
    return {
        volunteer_id: (hours, services, served)
        for volunteer_id, hours, services, served in records.order_by()
        .values("volunteer_id")
        .annotate(
            hours=Sum("verified_hours", output_field=HOURS),
            services=Count("*"),
            served=Coalesce(Sum("people_served"), 0),
        )
        .values_list("volunteer_id", "hours", "services", "served")
    }


NO_SUMS = (Decimal("0.00"), 0, 0)


def hours_export_rows(user, period: Period) -> list[tuple]:
    """Every volunteer in the user's scope as (name, kind, organisation name, phone, status,
    verified hours, services, people served) in the period, in the overview's order (most hours
    first, then name and pk) — for the export, which needs every row: ``verified_sums`` over
    the period's verified records of the scope and one list of the volunteers in name order,
    joined here, instead of three subqueries a volunteer (the overview's plan, made for one page)."""
    volunteers = hours_overview_volunteers(user)
    sums = verified_sums(
        ServiceRecord.objects.filter(
            volunteer__in=volunteers.values("pk"),
            status=ServiceRecord.Status.VERIFIED,
            served_on__gte=period.start,
            served_on__lte=period.end,
        )
    )
    rows = [
        (name, kind, organization, phone, status, *sums.get(pk, NO_SUMS))
        for pk, name, kind, organization, phone, status in volunteers.order_by("name", "pk").values_list(
            "pk", "name", "kind", "organization__name", "phone", "status"
        )
    ]
    # Stable: equal hours keep the database's name-and-pk order (its collation, as the overview).
    rows.sort(key=lambda row: row[5], reverse=True)
    return rows


def hours_overview_volunteers(user, *, q: str = "") -> QuerySet[Volunteer]:
    qs = volunteers_for(user)
    if q:
        qs = qs.filter(volunteer_search_q(user, q))
    return qs


def certificates_of(volunteer: Volunteer) -> QuerySet[Certificate]:
    return Certificate.objects.filter(volunteer=volunteer).order_by("-issued_at", "-pk")


def certificate_for(user, certificate_pk: int) -> Certificate:
    """A certificate for its own volunteer, or for a coordinator of the volunteer's
    organisation; anyone else: 404."""
    certificate = Certificate.objects.select_related("volunteer").filter(pk=certificate_pk).first()
    if certificate is None:
        raise Http404
    if certificate.volunteer.user_id is not None and certificate.volunteer.user_id == user.pk:
        return certificate
    if not volunteers_for(user).filter(pk=certificate.volunteer_id).exists():
        raise Http404
    return certificate
