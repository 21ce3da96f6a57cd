"""Volunteer-service figures: verified hours, people served, shifts filled, no-show rate.

Each is computed for an organisation's subtree (the project's organisation) and a period
(the day of service / of the shift), and lists the records behind it. Only verified hours
count (RULES.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import BooleanField, Case, CharField, Count, F, Func, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, Substr, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyi.core.metrics import Bucket, Scope, metric, share
from qingyi.core.params import parse_id
from qingyi.organizations.models import Organization
from qingyi.organizations.scoping import subtree_ids
from qingyi.volunteering.models import Project, ServiceRecord, Shift, Signup, Volunteer

RECORD_COLUMNS = (
    ("served_on", _("Date")),
    ("volunteer", _("Volunteer")),
    ("project", _("Project")),
    ("verified_hours", _("Verified hours")),
    ("people_served", _("People served")),
)
SHIFT_COLUMNS = (
    ("start", _("Starts")),
    ("project", _("Project")),
    ("place", _("Place")),
    ("capacity", _("Places")),
)
SIGNUP_COLUMNS = (("volunteer", _("Volunteer")), ("shift", _("Shift")), ("get_status_display", _("Status")))


def _hours(value) -> float:
    return float(value or 0)


def verified_records(scope: Scope) -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.filter(
        project__organization__in=subtree_ids(scope.path),
        status=ServiceRecord.Status.VERIFIED,
        served_on__gte=scope.period.start,
        served_on__lte=scope.period.end,
    ).select_related("volunteer", "project")


def shifts_in(scope: Scope) -> QuerySet[Shift]:
    start, end = scope.period.bounds()
    return Shift.objects.filter(
        project__organization__in=subtree_ids(scope.path),
        start__gte=start,
        start__lt=end,
        cancelled_at__isnull=True,
    ).select_related("project")


def filled_shifts(scope: Scope) -> QuerySet[Shift]:
    return (
        shifts_in(scope)
        .annotate(taken=Count("signups", filter=Q(signups__status__in=Signup.HOLDING)))
        .filter(taken__gte=F("capacity"))
    )


def past_place_signups(scope: Scope) -> QuerySet[Signup]:
    """Sign-ups that held a place on a shift of the period that has ended (attended or not)."""
    start, end = scope.period.bounds()
    return Signup.objects.filter(
        shift__project__organization__in=subtree_ids(scope.path),
        shift__start__gte=start,
        shift__start__lt=end,
        shift__end__lte=timezone.now(),
        shift__cancelled_at__isnull=True,
        status__in=[Signup.Status.CONFIRMED, Signup.Status.NO_SHOW],
    ).select_related("volunteer", "shift", "shift__project")


@metric(
    "volunteering.verified_hours",
    label=_("Verified volunteer hours"),
    unit=_("hours"),
    aggregate="sum",
    column="verified_hours",
    records=lambda scope, key=None: verified_records(scope),
    columns=RECORD_COLUMNS,
    description=_("Only verified hours count."),
)
def verified_hours(scope: Scope) -> float:
    total = verified_records(scope).aggregate(h=Sum("verified_hours"))["h"] or Decimal(0)
    return float(total)


@metric(
    "volunteering.people_served",
    label=_("People served by volunteers"),
    unit=_("people"),
    aggregate="sum",
    column="people_served",
    records=lambda scope, key=None: verified_records(scope).filter(people_served__gt=0),
    columns=RECORD_COLUMNS,
)
def people_served(scope: Scope) -> int:
    return verified_records(scope).aggregate(n=Sum("people_served"))["n"] or 0


@metric(
    "volunteering.shifts_filled",
    label=_("Shifts filled"),
    unit=_("shifts"),
    records=lambda scope, key=None: filled_shifts(scope),
    columns=SHIFT_COLUMNS,
    description=_("Shifts of the period whose places are all taken."),
)
def shifts_filled(scope: Scope) -> int:
    return filled_shifts(scope).count()


def _no_show_records(scope: Scope, key: str | None = None) -> QuerySet[Signup]:
    return past_place_signups(scope).filter(status=Signup.Status.NO_SHOW)


@metric(
    "volunteering.no_show_rate",
    label=_("No-show rate"),
    unit="%",
    kind="share",
    records=_no_show_records,
    whole=lambda scope, key=None: past_place_signups(scope),
    columns=SIGNUP_COLUMNS,
    description=_("No-shows among the places of ended shifts."),
)
def no_show_rate(scope: Scope) -> float:
    row = past_place_signups(scope).aggregate(
        all=Count("pk"), missed=Count("pk", filter=Q(status=Signup.Status.NO_SHOW))
    )
    return share(row["missed"], row["all"])


def _hours_by_project_records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
    qs = verified_records(scope)
    return qs if key is None else qs.filter(project_id=key)


@metric(
    "volunteering.hours_by_project",
    label=_("Verified hours by project"),
    kind="breakdown",
    aggregate="sum",
    column="verified_hours",
    unit=_("hours"),
    records=_hours_by_project_records,
    columns=RECORD_COLUMNS,
)
def hours_by_project(scope: Scope) -> list[Bucket]:
    rows = (
        verified_records(scope)
        .order_by()
        .values("project_id", "project__name")
        .annotate(h=Sum("verified_hours"))
        .order_by("-h")
    )
    return [Bucket(str(r["project_id"]), r["project__name"], float(r["h"] or 0)) for r in rows]


def _hours_by_kind_records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
    qs = verified_records(scope)
    return qs if key is None else qs.filter(project__kind=key)


@metric(
    "volunteering.hours_by_project_kind",
    label=_("Verified hours by kind of project"),
    kind="breakdown",
    aggregate="sum",
    column="verified_hours",
    unit=_("hours"),
    records=_hours_by_kind_records,
    columns=RECORD_COLUMNS,
)
def hours_by_project_kind(scope: Scope) -> list[Bucket]:
    totals = {
        r["project__kind"]: float(r["h"] or 0)
        for r in verified_records(scope).order_by().values("project__kind").annotate(h=Sum("verified_hours"))
    }
    return [Bucket(key, str(label), totals.get(key, 0.0)) for key, label in Project.Kind.choices]


OUTREACH_COLUMNS = (
    ("start", _("Starts")),
    ("project", _("Project")),
    ("place", _("Place")),
    ("partner", _("Partner organisation")),
    ("people_reached", _("People reached")),
)


def outreach_events(scope: Scope) -> QuerySet[Shift]:
    """Outreach events (shifts of outreach projects) of the period with people reached recorded."""
    return shifts_in(scope).filter(project__kind=Project.Kind.OUTREACH, people_reached__isnull=False)


@metric(
    "volunteering.outreach_people_reached",
    label=_("People reached by outreach events"),
    unit=_("people"),
    aggregate="sum",
    column="people_reached",
    records=lambda scope, key=None: outreach_events(scope),
    columns=OUTREACH_COLUMNS,
    description=_("Free clinics, health talks, blood drives and other events outside the hospital."),
)
def outreach_people_reached(scope: Scope) -> int:
    return outreach_events(scope).aggregate(n=Sum("people_reached"))["n"] or 0


# --- Verified hours cut by who gave them, where and when ------------------------------------
#
# Two sets of records answer two questions about an organisation's subtree:
# - ``verified_records``: the service on the projects it runs (``volunteering.verified_hours``);
# - ``own_volunteers_records``: the service its own volunteers gave, on any project — what a
#   branch secretary asks about, when most projects are the committee's.
# Each cut below is built once and registered for both: one GROUP BY over the records, summed
# by the database; each bucket lists exactly the records its hours come from, so a cut's
# buckets add up to the total of its records. Keys are ids, or a word for rows without one.

NONE_KEY = "none"  # staff without a department; organisations not paired with a party branch
# By department: volunteers who are not hospital staff (no roster record). By organisation:
# volunteers of organisations outside the subtree (serving on its projects).
OUTSIDE_KEY = "outside"
OWN_KEY = "own"  # volunteers attached to the scope's organisation itself rather than to a child

Records = Callable[[Scope], QuerySet[ServiceRecord]]
Cut = tuple[Callable[[Scope], list[Bucket]], Callable[..., QuerySet[ServiceRecord]]]


def own_volunteers_records(scope: Scope) -> QuerySet[ServiceRecord]:
    """Verified service of the period by the volunteers of the subtree, on any project."""
    return ServiceRecord.objects.filter(
        volunteer__organization__in=subtree_ids(scope.path),
        status=ServiceRecord.Status.VERIFIED,
        served_on__gte=scope.period.start,
        served_on__lte=scope.period.end,
    ).select_related("volunteer", "project")


OWN_DESCRIPTION = _(
    "Verified service given by the volunteers attached to this organisation and those under it, "
    "on any project (the committee's included)."
)


@metric(
    "volunteering.own_volunteers_hours",
    label=_("Verified hours of the organisation's volunteers"),
    unit=_("hours"),
    aggregate="sum",
    column="verified_hours",
    records=lambda scope, key=None: own_volunteers_records(scope),
    columns=RECORD_COLUMNS,
    description=OWN_DESCRIPTION,
)
def own_volunteers_hours(scope: Scope) -> float:
    return _hours(own_volunteers_records(scope).aggregate(h=Sum("verified_hours"))["h"])


@metric(
    "volunteering.own_volunteers_people_served",
    label=_("People served by the organisation's volunteers"),
    unit=_("people"),
    aggregate="sum",
    column="people_served",
    records=lambda scope, key=None: own_volunteers_records(scope).filter(people_served__gt=0),
    columns=RECORD_COLUMNS,
    description=OWN_DESCRIPTION,
)
def own_volunteers_people_served(scope: Scope) -> int:
    return own_volunteers_records(scope).aggregate(n=Sum("people_served"))["n"] or 0


def _by_value(buckets: list[Bucket]) -> list[Bucket]:
    """Largest first; equal values by label, so the order never depends on the database."""
    return sorted(buckets, key=lambda b: (-b.value, b.label))


def _pk(key: str) -> int | None:
    return parse_id(key)


def _department_cut(base: Records) -> Cut:
    def compute(scope: Scope) -> list[Bucket]:
        outside = Case(
            When(volunteer__person__isnull=True, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
        rows = (
            base(scope)
            .order_by()
            .annotate(outside=outside)
            .values("outside", "volunteer__person__department_id", "volunteer__person__department__name")
            .annotate(h=Sum("verified_hours"))
        )
        buckets = []
        for r in rows:
            pk, hours = r["volunteer__person__department_id"], _hours(r["h"])
            if r["outside"]:
                buckets.append(Bucket(OUTSIDE_KEY, str(_("Not hospital staff")), hours))
            elif pk is None:
                buckets.append(Bucket(NONE_KEY, str(_("Staff without a department")), hours))
            else:
                buckets.append(Bucket(str(pk), r["volunteer__person__department__name"], hours))
        return _by_value(buckets)

    def records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
        qs = base(scope)
        if key is None:
            return qs
        if key == OUTSIDE_KEY:
            return qs.filter(volunteer__person__isnull=True)
        if key == NONE_KEY:
            return qs.filter(volunteer__person__isnull=False, volunteer__person__department__isnull=True)
        pk = _pk(key)
        return qs.filter(volunteer__person__department_id=pk) if pk is not None else qs.none()

    return compute, records


def _party_branch_cut(base: Records) -> Cut:
    def compute(scope: Scope) -> list[Bucket]:
        rows = (
            base(scope)
            .order_by()
            .values("volunteer__organization__party_branch_id", "volunteer__organization__party_branch__name")
            .annotate(h=Sum("verified_hours"))
        )
        buckets = []
        for r in rows:
            pk, hours = r["volunteer__organization__party_branch_id"], _hours(r["h"])
            if pk is None:
                buckets.append(Bucket(NONE_KEY, str(_("Not paired")), hours))
            else:
                buckets.append(Bucket(str(pk), r["volunteer__organization__party_branch__name"], hours))
        return _by_value(buckets)

    def records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
        qs = base(scope)
        if key is None:
            return qs
        if key == NONE_KEY:
            return qs.filter(volunteer__organization__party_branch__isnull=True)
        pk = _pk(key)
        return qs.filter(volunteer__organization__party_branch_id=pk) if pk is not None else qs.none()

    return compute, records


def _organization_cut(base: Records) -> Cut:
    """By the volunteer's organisation, rolled up to the scope's children (one level down)."""

    def compute(scope: Scope) -> list[Bucket]:
        # Each record's volunteer organisation cut to the path of the child it lies under: the
        # scope's own path for the organisation itself, "" outside the subtree. One GROUP BY.
        width = len(scope.path) + Organization.steplen
        child_path = Case(
            When(
                volunteer__organization__path__startswith=scope.path,
                then=Substr("volunteer__organization__path", 1, width),
            ),
            default=Value(""),
        )
        rows = (
            base(scope)
            .order_by()
            .annotate(child=child_path)
            .values("child")
            .annotate(h=Sum("verified_hours"))
        )
        totals = {r["child"]: _hours(r["h"]) for r in rows}
        # The children's names — the current ones, and an archived one that has hours — so a
        # child whose volunteers gave nothing shows as 0 rather than not at all.
        children = (
            Organization.objects.filter(
                Q(path__startswith=scope.path, depth=scope.organization.depth + 1, archived_at__isnull=True)
                | Q(path__in=[path for path in totals if len(path) == width])
            )
            .order_by("path")
            .values_list("pk", "name", "path")
        )
        buckets = [Bucket(str(pk), name, totals.get(path, 0.0)) for pk, name, path in children]
        if scope.path in totals:
            own = _("Volunteers of %(name)s itself") % {"name": scope.organization.name}
            buckets.append(Bucket(OWN_KEY, str(own), totals[scope.path]))
        if "" in totals:
            buckets.append(Bucket(OUTSIDE_KEY, str(_("Volunteers from other organisations")), totals[""]))
        return _by_value(buckets)

    def records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
        qs = base(scope)
        if key is None:
            return qs
        if key == OWN_KEY:
            return qs.filter(volunteer__organization=scope.organization)
        if key == OUTSIDE_KEY:
            return qs.exclude(volunteer__organization__in=subtree_ids(scope.path))
        pk = _pk(key)
        child = (
            Organization.objects.filter(
                pk=pk, path__startswith=scope.path, depth=scope.organization.depth + 1
            )
            .values_list("path", flat=True)
            .first()
            if pk is not None
            else None
        )
        return qs.filter(volunteer__organization__in=subtree_ids(child)) if child else qs.none()

    return compute, records


def _volunteer_kind_cut(base: Records) -> Cut:
    def compute(scope: Scope) -> list[Bucket]:
        rows = base(scope).order_by().values("volunteer__kind").annotate(h=Sum("verified_hours"))
        totals = {r["volunteer__kind"]: _hours(r["h"]) for r in rows}
        return [Bucket(key, str(label), totals.get(key, 0.0)) for key, label in Volunteer.Kind.choices]

    def records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
        qs = base(scope)
        return qs if key is None else qs.filter(volunteer__kind=key)

    return compute, records


def _months(period) -> list[dt.date]:
    """The first day of every month the period touches, in order."""
    months, day = [], period.start.replace(day=1)
    while day <= period.end:
        months.append(day)
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


class YearMonth(Func):
    """A date's "YYYY-MM" by the database's own function: SQLite's TruncMonth calls back into
    Python for every row (a third of the cut's time at the hospital volume)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        # The format as a parameter: a literal "%Y" would break Django's logging of the query.
        sql, params = compiler.compile(self.source_expressions[0])
        return f"strftime(%s, {sql})", ("%Y-%m", *params)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="to_char(%(expressions)s, 'YYYY-MM')", **extra)

    def as_sql(self, compiler, connection, template=None, **extra):
        if template is None:  # any other database: Django's portable truncation, as text
            return Cast(TruncMonth(*self.source_expressions), CharField()).as_sql(compiler, connection)
        return super().as_sql(compiler, connection, template=template, **extra)


def _month_cut(base: Records) -> Cut:
    def compute(scope: Scope) -> list[Bucket]:
        rows = (
            base(scope)
            .order_by()
            .annotate(month=YearMonth("served_on"))
            .values("month")
            .annotate(h=Sum("verified_hours"))
        )
        totals = {r["month"][:7]: _hours(r["h"]) for r in rows}
        keys = [month.strftime("%Y-%m") for month in _months(scope.period)]
        return [Bucket(key, key, totals.get(key, 0.0)) for key in keys]

    def records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
        qs = base(scope)
        if key is None:
            return qs
        try:
            first = dt.datetime.strptime(key, "%Y-%m").date()
        except ValueError:
            return qs.none()
        return qs.filter(served_on__gte=first, served_on__lt=(first + dt.timedelta(days=32)).replace(day=1))

    return compute, records


def _project_cut(base: Records) -> Cut:
    def compute(scope: Scope) -> list[Bucket]:
        rows = base(scope).order_by().values("project_id", "project__name").annotate(h=Sum("verified_hours"))
        return _by_value([Bucket(str(r["project_id"]), r["project__name"], _hours(r["h"])) for r in rows])

    def records(scope: Scope, key: str | None = None) -> QuerySet[ServiceRecord]:
        qs = base(scope)
        if key is None:
            return qs
        pk = _pk(key)
        return qs.filter(project_id=pk) if pk is not None else qs.none()

    return compute, records


def _register(name: str, cut: Cut, **options) -> None:
    compute, records = cut
    metric(
        name,
        unit=_("hours"),
        kind="breakdown",
        aggregate="sum",
        column="verified_hours",
        records=records,
        columns=RECORD_COLUMNS,
        **options,
    )(compute)


DEPARTMENT_DESCRIPTION = _(
    "Staff volunteers' hours under their department on the roster; the hours of volunteers "
    "from outside the hospital (social volunteers, social workers, students) in one line."
)
PARTY_BRANCH_DESCRIPTION = _(
    "Hours under the party branch paired with the volunteer's league organisation (党建带团建)."
)
ORGANIZATION_DESCRIPTION = _(
    "Hours of the volunteers of each organisation directly under this one (its whole subtree "
    "included); volunteers attached to this organisation itself on a line of their own."
)
MONTH_DESCRIPTION = _("Every month of the period, in order.")

# Hours on the projects the organisation runs.
_register(
    "volunteering.hours_by_department",
    _department_cut(verified_records),
    label=_("Verified hours by department"),
    description=DEPARTMENT_DESCRIPTION,
)
_register(
    "volunteering.hours_by_party_branch",
    _party_branch_cut(verified_records),
    label=_("Verified hours by paired party branch"),
    description=PARTY_BRANCH_DESCRIPTION,
)
_register(
    "volunteering.hours_by_organization",
    _organization_cut(verified_records),
    label=_("Verified hours by the volunteers' organisation"),
    description=_(
        "Hours on this organisation's projects by the volunteers of each organisation directly "
        "under it (its whole subtree included); volunteers of this organisation itself, and "
        "volunteers from elsewhere, on lines of their own."
    ),
)
_register(
    "volunteering.hours_by_volunteer_kind",
    _volunteer_kind_cut(verified_records),
    label=_("Verified hours by kind of volunteer"),
)
_register(
    "volunteering.hours_by_month",
    _month_cut(verified_records),
    label=_("Verified hours by month"),
    description=MONTH_DESCRIPTION,
)

# Hours the organisation's own volunteers gave, on any project.
_register(
    "volunteering.own_volunteers_hours_by_department",
    _department_cut(own_volunteers_records),
    label=_("Verified hours of the organisation's volunteers by department"),
    description=DEPARTMENT_DESCRIPTION,
)
_register(
    "volunteering.own_volunteers_hours_by_party_branch",
    _party_branch_cut(own_volunteers_records),
    label=_("Verified hours of the organisation's volunteers by paired party branch"),
    description=PARTY_BRANCH_DESCRIPTION,
)
_register(
    "volunteering.own_volunteers_hours_by_organization",
    _organization_cut(own_volunteers_records),
    label=_("Verified hours of the organisation's volunteers by organisation"),
    description=ORGANIZATION_DESCRIPTION,
)
_register(
    "volunteering.own_volunteers_hours_by_volunteer_kind",
    _volunteer_kind_cut(own_volunteers_records),
    label=_("Verified hours of the organisation's volunteers by kind of volunteer"),
)
_register(
    "volunteering.own_volunteers_hours_by_month",
    _month_cut(own_volunteers_records),
    label=_("Verified hours of the organisation's volunteers by month"),
    description=MONTH_DESCRIPTION,
)
_register(
    "volunteering.own_volunteers_hours_by_project",
    _project_cut(own_volunteers_records),
    label=_("Verified hours of the organisation's volunteers by project"),
    description=_("The projects they served on, whichever organisation runs them."),
)
