"""Reads of activities, attendance, registrations and publicity; every one scoped to the user.

An activity belongs to every organisation that organises it. An admin sees it when one of
its organisers lies in their subtree (the levels above see what is organised below), or
when an organiser is above their own organisation (its members are expected there): the
branch admin sees the committee's theory study session, the committee sees every branch's
meetings. On such an activity each admin sees only the people of their own subtree.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from qingyi.activities.models import Activity, ActivityOrganizer, Attendance, Publication, Registration
from qingyi.core import rules
from qingyi.core.metrics import share
from qingyi.core.periods import day_bounds
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.organizations.scoping import subtree_ids
from qingyi.people.models import Person

STEP = Organization.steplen

# Kinds with a yearly minimum, in the order of the compliance table, and their setting.
COMPLIANCE_KINDS: tuple[str, ...] = (
    Activity.Kind.GENERAL_MEETING,
    Activity.Kind.COMMITTEE_MEETING,
    Activity.Kind.GROUP_MEETING,
    Activity.Kind.LEAGUE_LECTURE,
    Activity.Kind.THEORY_STUDY,
    Activity.Kind.THEMED_DAY,
)


def prefixes(path: str) -> list[str]:
    """The paths of an organisation and of every organisation above it."""
    return [path[: depth * STEP] for depth in range(1, len(path) // STEP + 1)]


def concerning_q(paths: list[str]) -> Q:
    """Organisations inside one of ``paths``' subtrees or above one of them (on ``organization__path``)."""
    if not paths:
        return Q(pk__in=[])
    above = sorted({p for path in paths for p in prefixes(path)})
    return scoping.path_q(paths, "organization__path") | Q(organization__path__in=above)


def _organized_where(q: Q) -> Exists:
    return Exists(ActivityOrganizer.objects.filter(q, activity=OuterRef("pk")))


def activities_for(user, perm: str = scoping.ACTIVITIES_VIEW) -> QuerySet[Activity]:
    """Activities the user may see (see the module's docstring)."""
    return Activity.objects.filter(_organized_where(concerning_q(scoping.scope_paths(user, perm))))


def activities_concerning(organization: Organization) -> QuerySet[Activity]:
    """Activities organised in ``organization``'s subtree or above it: its calendar."""
    return Activity.objects.filter(_organized_where(concerning_q([organization.path])))


def activities_organized_in(organization: Organization) -> QuerySet[Activity]:
    """Activities with at least one organiser in ``organization``'s subtree (its own work)."""
    return Activity.objects.filter(_organized_where(Q(organization__in=subtree_ids(organization.path))))


def with_list_figures(queryset: QuerySet[Activity]) -> QuerySet[Activity]:
    """Rows for lists: lead organiser, party branch, attendance counts — a fixed number of queries."""

    def count(status: str | None):
        qs = Attendance.objects.filter(activity=OuterRef("pk"))
        if status:
            qs = qs.filter(status=status)
        return Coalesce(
            Subquery(
                qs.order_by().values("activity").annotate(n=Count("pk")).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    return queryset.select_related("organization", "party_branch").annotate(
        present_count=count(Attendance.Status.PRESENT), attendance_count=count(None)
    )


def activity_for_user(user, pk, *, need: str | None = None) -> Activity:
    """One activity: 404 outside the user's scope; 403 inside it without ``need`` over the lead organiser."""
    try:
        activity = (
            activities_for(user).select_related("organization", "party_branch", "created_by").get(pk=pk)
        )
    except Activity.DoesNotExist:
        raise Http404 from None
    if need is not None:
        scoping.require_perm(user, need, activity.organization)
    return activity


def can_manage(user, activity: Activity) -> bool:
    return scoping.has_perm(user, scoping.ACTIVITIES_MANAGE, activity.organization)


def organizers_of(activity: Activity) -> list[Organization]:
    return list(Organization.objects.filter(activity_links__activity=activity).order_by("path"))


def expected_q(organizer_paths: list[str]) -> Q:
    """Active people of the organisers' subtrees (on Person)."""
    return scoping.path_q(organizer_paths, "organization__path") & Q(status=Person.Status.ACTIVE)


def expected_people(activity: Activity) -> QuerySet[Person]:
    """The expected attendees: the active members of the organisers' subtrees."""
    paths = list(
        ActivityOrganizer.objects.filter(activity=activity).values_list("organization__path", flat=True)
    )
    # Callers list them through people_visible_q(); the summary only counts them.
    return Person.objects.unscoped("the people an activity expects").filter(expected_q(paths))


def people_visible_q(user, perm: str = scoping.ACTIVITIES_VIEW) -> Q:
    return scoping.path_q(scoping.scope_paths(user, perm), "organization__path")


@dataclass
class AttendanceRow:
    person: Person
    status: str  # present | excused | absent | "" (nothing recorded yet)
    source: str
    checked_in_at: dt.datetime | None


def attendance_rows(activity: Activity, user, *, perm: str = scoping.ACTIVITIES_VIEW) -> list[AttendanceRow]:
    """Expected attendees the user may see, with what is recorded for each; three queries.

    People recorded earlier who have since left or moved stay on the list after them.
    """
    visible = people_visible_q(user, perm)
    people = list(
        expected_people(activity)
        .filter(visible)
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )
    recorded = {
        a.person_id: a
        for a in Attendance.objects.filter(
            activity=activity, person__in=Person.objects.filter(visible)
        ).select_related("person", "person__organization")
    }
    rows = []
    for person in people:
        a = recorded.pop(person.pk, None)
        rows.append(
            AttendanceRow(
                person, a.status if a else "", a.source if a else "", a.checked_in_at if a else None
            )
        )
    for a in sorted(recorded.values(), key=lambda a: (a.person.organization.path, a.person.name)):
        rows.append(AttendanceRow(a.person, a.status, a.source, a.checked_in_at))
    return rows


@dataclass
class AttendanceSummary:
    present: int = 0
    excused: int = 0
    absent: int = 0
    expected: int = 0

    @property
    def recorded(self) -> int:
        return self.present + self.excused + self.absent

    @property
    def rate(self) -> float:
        """Present as a share of the expected attendees, in percent."""
        return share(self.present, self.expected)


def present_count(activity: Activity) -> int:
    """How many are recorded present (the QR screen's figure, polled: one COUNT)."""
    return Attendance.objects.filter(activity=activity, status=Attendance.Status.PRESENT).count()


def attendance_summary(activity: Activity) -> AttendanceSummary:
    """Counts for the whole activity; once held, the expected are the recorded rows."""
    counts = dict(
        Attendance.objects.filter(activity=activity).order_by().values_list("status").annotate(n=Count("pk"))
    )
    summary = AttendanceSummary(
        present=counts.get(Attendance.Status.PRESENT, 0),
        excused=counts.get(Attendance.Status.EXCUSED, 0),
        absent=counts.get(Attendance.Status.ABSENT, 0),
    )
    summary.expected = summary.recorded if activity.is_held else expected_people(activity).count()
    summary.expected = max(summary.expected, summary.recorded)
    return summary


# --- Member-facing reads -----------------------------------------------------------------


def person_of(user) -> Person | None:
    own = Person.objects.unscoped("the user's own roster record")
    return own.filter(user_id=user.pk).select_related("organization").first()


def activities_for_person(person: Person) -> QuerySet[Activity]:
    """Activities where the person is expected: an organiser is their organisation or above it."""
    return Activity.objects.filter(
        _organized_where(Q(organization__path__in=prefixes(person.organization.path)))
    )


def is_expected(activity: Activity, person: Person) -> bool:
    return (
        person.status == Person.Status.ACTIVE
        and ActivityOrganizer.objects.filter(
            activity=activity, organization__path__in=prefixes(person.organization.path)
        ).exists()
    )


def activity_for_person(person: Person | None, pk) -> Activity:
    """An activity the person is expected at (404 otherwise)."""
    if person is None or person.status != Person.Status.ACTIVE:
        raise Http404
    try:
        return activities_for_person(person).select_related("organization").get(pk=pk)
    except Activity.DoesNotExist:
        raise Http404 from None


def attendance_history(person: Person) -> QuerySet[Attendance]:
    return (
        Attendance.objects.filter(person=person)
        .select_related("activity", "activity__organization")
        .order_by("-activity__starts_at")
    )


def attendance_counts(person: Person) -> dict[str, int]:
    """The person's attendance by status (present / excused / absent …), counted by the
    database, cancelled activities left out: the figures of "My activities" and its home card."""
    counts = dict.fromkeys(Attendance.Status.values, 0)
    counts.update(
        Attendance.objects.filter(person=person)
        .exclude(activity__status=Activity.Status.CANCELLED)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return counts


def attendance_rate_of(counts: dict[str, int]) -> float | None:
    """Present as a percentage (one decimal) of ``attendance_counts``; None with no records."""
    total = sum(counts.values())
    return share(counts[Attendance.Status.PRESENT], total) if total else None


def upcoming_for_person(person: Person, *, now: dt.datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    return (
        activities_for_person(person)
        .filter(ends_at__gte=now)
        .select_related("organization")
        .order_by("starts_at")
    )


def registrations_of(person: Person, activity_ids: list[int] | None = None) -> dict[int, Registration]:
    qs = Registration.objects.filter(person=person).exclude(status="cancelled")
    if activity_ids is not None:
        qs = qs.filter(activity_id__in=activity_ids)
    return {r.activity_id: r for r in qs}


def registration_list(
    activity: Activity, user, *, perm: str = scoping.ACTIVITIES_VIEW
) -> QuerySet[Registration]:
    """The live registrations of the people the user may see, as the attendance beside them:
    on an activity shared across organisations each admin sees only their own subtree's."""
    return (
        Registration.objects.filter(
            scoping.path_q(scoping.scope_paths(user, perm), "person__organization__path"), activity=activity
        )
        .exclude(status=Registration.Status.CANCELLED)
        .select_related("person", "person__organization", "person__department")
        .order_by("status", "queued_at", "pk")
    )


def registration_counts(activity: Activity) -> dict[str, int]:
    """Registrations per status, every status present (0 when none)."""
    counts = dict.fromkeys(Registration.Status.values, 0)
    counts.update(
        Registration.objects.filter(activity=activity)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    return counts


# --- Calendar ----------------------------------------------------------------------------


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def calendar_activities(queryset: QuerySet[Activity], year: int, month: int) -> list[Activity]:
    start, end = month_bounds(year, month)
    return list(
        queryset.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("organization")
        .order_by("starts_at")
    )


# --- Compliance with the yearly minimums ------------------------------------------------------


def minimums() -> dict[str, int]:
    return {kind: int(rules.get_setting(f"activity_min_{kind}")) for kind in COMPLIANCE_KINDS}


@dataclass
class KindCompliance:
    kind: str
    label: str
    minimum: int
    due: int  # what should be held by now (the minimum pro rata for the current year)
    held: int
    planned: int

    @property
    def state(self) -> str:
        if self.minimum == 0:
            return "none"
        if self.held >= self.minimum:
            return "met"
        return "on_track" if self.held >= self.due else "behind"


@dataclass
class ComplianceRow:
    organization: Organization
    kinds: list[KindCompliance] = field(default_factory=list)

    @property
    def behind(self) -> bool:
        return any(k.state == "behind" for k in self.kinds)

    @property
    def behind_kinds(self) -> list[KindCompliance]:
        return [k for k in self.kinds if k.state == "behind"]


def due_by(minimum: int, year: int, today: dt.date) -> int:
    """The part of a yearly minimum due by ``today``: all of it for a past year, none for a future one."""
    if today.year > year:
        return minimum
    if today.year < year:
        return 0
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    elapsed = (today - dt.date(year, 1, 1)).days
    return math.floor(minimum * elapsed / days)


def compliance_rows(
    organization: Organization, year: int, *, today: dt.date | None = None
) -> list[ComplianceRow]:
    """Every live branch of the subtree with its held and planned activities per kind: three queries."""
    today = today or timezone.localdate()
    branches = list(
        Organization.objects.filter(
            path__startswith=organization.path, kind=Organization.Kind.BRANCH, archived_at__isnull=True
        ).order_by("path")
    )
    start, end = day_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    counts: dict[tuple[int, str, str], int] = {}
    for org_id, kind, status, n in (
        ActivityOrganizer.objects.filter(
            organization__in=subtree_ids(organization.path),
            organization__kind=Organization.Kind.BRANCH,
            activity__starts_at__gte=start,
            activity__starts_at__lt=end,
            activity__kind__in=COMPLIANCE_KINDS,
        )
        .order_by()
        .values_list("organization_id", "activity__kind", "activity__status")
        .annotate(n=Count("pk"))
    ):
        counts[(org_id, kind, status)] = n
    mins = minimums()
    labels = dict(Activity.Kind.choices)
    rows = []
    for branch in branches:
        row = ComplianceRow(branch)
        for kind in COMPLIANCE_KINDS:
            row.kinds.append(
                KindCompliance(
                    kind=kind,
                    label=str(labels[kind]),
                    minimum=mins[kind],
                    due=due_by(mins[kind], year, today),
                    held=counts.get((branch.pk, kind, Activity.Status.HELD), 0),
                    planned=counts.get((branch.pk, kind, Activity.Status.PLANNED), 0),
                )
            )
        rows.append(row)
    return rows


# --- Publicity -------------------------------------------------------------------------------


def publications_for(user, perm: str = scoping.ACTIVITIES_VIEW) -> QuerySet[Publication]:
    return scoping.scope(Publication.objects.all(), user, perm, path_field="organization__path")


def publication_for_user(user, pk, *, need: str | None = None) -> Publication:
    return scoping.get_object_for_user(
        Publication.objects.select_related("organization"),
        user,
        view_perm=scoping.ACTIVITIES_VIEW,
        path_field="organization__path",
        need=need,
        pk=pk,
    )


def managed_by_name(actor) -> dict[str, Organization]:
    """The live organisations the actor manages, by name (the rows of a publications import may
    name their organisation)."""
    organizations = scoping.scope(
        Organization.objects.filter(archived_at__isnull=True),
        actor,
        scoping.ACTIVITIES_MANAGE,
        path_field="path",
    )
    return {o.name: o for o in organizations}
