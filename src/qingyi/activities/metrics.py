"""Figures of league work: activities by kind, organisation and period; joint party–league
activities ("1+1+N"); attendance; compliance with the yearly minimums; publicity posts.

An activity counts for a scope when one of its organisers lies in the scope's subtree and
it started within the period; a joint activity of two branches counts once for their
general branch and once for each branch. Attendance counts (and lists) only the scope's own
people, so a branch never sees who of a co-organising branch attended.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.activities import selectors
from qingyi.activities.models import Activity, ActivityOrganizer, Attendance, Publication
from qingyi.core.metrics import Bucket, Scope, breakdown, metric, share
from qingyi.core.periods import day_bounds
from qingyi.organizations.models import Organization
from qingyi.organizations.scoping import subtree_ids

ACTIVITY_COLUMNS = (
    ("title", _("Title")),
    ("get_kind_display", _("Kind")),
    ("starts_at", _("Starts at")),
    ("organization", _("Lead organiser")),
    ("party_branch", _("Paired party branch")),
)
ATTENDANCE_COLUMNS = (
    ("person", _("Person")),
    ("activity", _("Activity")),
    ("get_status_display", _("Attendance")),
)
PUBLICATION_COLUMNS = (
    ("title", _("Title")),
    ("published_on", _("Published on")),
    ("get_channel_display", _("Channel")),
    ("get_category_display", _("Category")),
    ("organization", _("Organisation")),
)


def _activities(scope: Scope) -> QuerySet[Activity]:
    start, end = scope.period.bounds()
    return selectors.activities_organized_in(scope.organization).filter(
        starts_at__gte=start, starts_at__lt=end
    )


def _held(scope: Scope) -> QuerySet[Activity]:
    return (
        _activities(scope)
        .filter(status=Activity.Status.HELD)
        .select_related("organization", "party_branch")
        .order_by("-starts_at", "-pk")
    )


@metric(
    "activities.held",
    label=_("Activities held"),
    unit=_("activities"),
    records=lambda scope, key=None: _held(scope),
    columns=ACTIVITY_COLUMNS,
    description=_(
        "Activities organised in the organisation's subtree, started in the period and recorded as held."
    ),
)
def activities_held(scope: Scope) -> int:
    return _held(scope).count()


def _by_kind_records(scope: Scope, key: str | None = None) -> QuerySet[Activity]:
    return _held(scope) if key is None else _held(scope).filter(kind=key)


@metric(
    "activities.by_kind",
    label=_("Activities held by kind"),
    kind="breakdown",
    records=_by_kind_records,
    columns=ACTIVITY_COLUMNS,
)
def activities_by_kind(scope: Scope):
    return breakdown(_held(scope), "kind", dict(Activity.Kind.choices))


def _organizer_links(scope: Scope) -> QuerySet[ActivityOrganizer]:
    start, end = scope.period.bounds()
    return ActivityOrganizer.objects.filter(
        organization__in=subtree_ids(scope.path),
        activity__status=Activity.Status.HELD,
        activity__starts_at__gte=start,
        activity__starts_at__lt=end,
    )


def _by_organization_records(scope: Scope, key: str | None = None) -> QuerySet[Activity]:
    if key is None:
        return _held(scope)
    return _held(scope).filter(organizer_links__organization_id=key)


@metric(
    "activities.by_organization",
    label=_("Activities held by organiser"),
    kind="breakdown",
    records=_by_organization_records,
    columns=ACTIVITY_COLUMNS,
    description=_("A joint activity counts for each of its organisers."),
)
def activities_by_organization(scope: Scope):
    rows = list(
        _organizer_links(scope)
        .order_by()
        .values_list("organization_id", "organization__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organization__name")
    )
    return [Bucket(str(pk), name, n) for pk, name, n in rows]


def _joint(scope: Scope) -> QuerySet[Activity]:
    return _held(scope).filter(party_branch__isnull=False)


@metric(
    "activities.joint",
    label=_("Joint party–league activities"),
    unit=_("activities"),
    records=lambda scope, key=None: _joint(scope),
    columns=ACTIVITY_COLUMNS,
    description=_("Activities held together with the paired party branch (党建带团建 “1+1+N”)."),
)
def activities_joint(scope: Scope) -> int:
    return _joint(scope).count()


def _attendance(scope: Scope) -> QuerySet[Attendance]:
    start, end = scope.period.bounds()
    held = selectors.activities_organized_in(scope.organization).filter(
        status=Activity.Status.HELD, starts_at__gte=start, starts_at__lt=end
    )
    # Only the scope's own people: an activity shared with another organisation (a co-organiser
    # outside the subtree) lists its attendees to their own organisation, not to this one.
    return Attendance.objects.filter(
        activity__in=held.values("pk"), person__organization__in=subtree_ids(scope.organization.path)
    )


def _attendance_records(scope: Scope, key: str | None = None) -> QuerySet[Attendance]:
    qs = (
        _attendance(scope)
        .select_related("person", "activity")
        .order_by("-activity__starts_at", "person__name")
    )
    return qs if key is None else qs.filter(status=key)


@metric(
    "activities.attendance_rate",
    label=_("Attendance rate"),
    unit="%",
    kind="share",
    records=lambda scope, key=None: _attendance_records(scope, Attendance.Status.PRESENT),
    whole=lambda scope, key=None: _attendance(scope),
    columns=ATTENDANCE_COLUMNS,
    description=_("Present as a share of the expected attendees of the activities held (attendance taken)."),
)
def activities_attendance_rate(scope: Scope) -> float:
    # One aggregate with a conditional count (no GROUP BY), served by the (activity, status) index.
    counts = (
        _attendance(scope)
        .order_by()
        .aggregate(present=Count("pk", filter=Q(status=Attendance.Status.PRESENT)), total=Count("pk"))
    )
    return share(counts["present"], counts["total"])


@metric(
    "activities.attendance",
    label=_("Attendance of the activities held"),
    kind="breakdown",
    records=_attendance_records,
    columns=ATTENDANCE_COLUMNS,
)
def activities_attendance(scope: Scope):
    return breakdown(_attendance(scope), "status", dict(Attendance.Status.choices))


def _compliance(scope: Scope) -> list[selectors.ComplianceRow]:
    return selectors.compliance_rows(scope.organization, scope.period.end.year, today=scope.period.as_of)


def _behind_records(scope: Scope, key: str | None = None) -> QuerySet[Organization]:
    pks = [row.organization.pk for row in _compliance(scope) if row.behind]
    return Organization.objects.filter(pk__in=pks).order_by("path")


@metric(
    "activities.branches_behind",
    label=_("Branches behind the yearly minimums"),
    unit=_("branches"),
    records=_behind_records,
    columns=(("name", _("Name")), ("party_branch", _("Paired party branch"))),
    description=_(
        "Branches that have held fewer meetings, lectures, study sessions or themed days than due so far "
        "this year (the minimums are settings)."
    ),
)
def activities_branches_behind(scope: Scope) -> int:
    return sum(1 for row in _compliance(scope) if row.behind)


def _compliance_records(scope: Scope, key: str | None = None) -> QuerySet[Activity]:
    year = scope.period.end.year
    start, end = day_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    qs = selectors.activities_organized_in(scope.organization).filter(
        status=Activity.Status.HELD,
        starts_at__gte=start,
        starts_at__lt=end,
        kind__in=selectors.COMPLIANCE_KINDS,
    )
    if key is not None:
        qs = qs.filter(organizer_links__organization_id=key)
    return qs.select_related("organization", "party_branch").order_by("-starts_at")


@metric(
    "activities.compliance_by_branch",
    label=_("Activities toward the yearly minimums, per branch"),
    kind="breakdown",
    records=_compliance_records,
    columns=ACTIVITY_COLUMNS,
    description=_(
        "For each branch, the meetings, lectures, study sessions and themed days held in the year of the "
        "period's end (a joint activity counts for each organiser); those behind are flagged on the "
        "compliance table and counted by activities.branches_behind."
    ),
)
def activities_compliance_by_branch(scope: Scope):
    return [
        Bucket(str(row.organization.pk), row.organization.name, sum(k.held for k in row.kinds))
        for row in _compliance(scope)
    ]


def _publications(scope: Scope) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(
            organization__in=subtree_ids(scope.path),
            published_on__gte=scope.period.start,
            published_on__lte=scope.period.end,
        )
        .select_related("organization")
        .order_by("-published_on", "-pk")
    )


@metric(
    "activities.publications",
    label=_("Publicity posts"),
    unit=_("posts"),
    records=lambda scope, key=None: _publications(scope),
    columns=PUBLICATION_COLUMNS,
)
def activities_publications(scope: Scope) -> int:
    return _publications(scope).count()


def _publications_by(field: str):
    def records(scope: Scope, key: str | None = None) -> QuerySet[Publication]:
        return _publications(scope) if key is None else _publications(scope).filter(**{field: key})

    return records


@metric(
    "activities.publications_by_category",
    label=_("Publicity posts by category"),
    kind="breakdown",
    records=_publications_by("category"),
    columns=PUBLICATION_COLUMNS,
)
def activities_publications_by_category(scope: Scope):
    return breakdown(_publications(scope), "category", dict(Publication.Category.choices))


@metric(
    "activities.publications_by_organization",
    label=_("Publicity posts by organisation"),
    kind="breakdown",
    records=_publications_by("organization_id"),
    columns=PUBLICATION_COLUMNS,
)
def activities_publications_by_organization(scope: Scope):
    rows = list(
        _publications(scope)
        .order_by()
        .values_list("organization_id", "organization__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "organization__name")
    )
    return [Bucket(str(pk), name, n) for pk, name, n in rows]


@metric(
    "activities.publications_by_channel",
    label=_("Publicity posts by channel"),
    kind="breakdown",
    records=_publications_by("channel"),
    columns=PUBLICATION_COLUMNS,
)
def activities_publications_by_channel(scope: Scope):
    return breakdown(_publications(scope), "channel", dict(Publication.Channel.choices))
