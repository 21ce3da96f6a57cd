"""Volunteer-service figures of the projects an organisation runs: verified hours, people
served, shifts filled, no-show rate, hours by project and by kind, outreach.

Each is computed for an organisation's subtree (the project's organisation) and a period
(the day of service / of the shift), and lists the records behind it. Only verified hours
count (RULES.md).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qingyi.core.metrics import Bucket, Scope, metric, share
from qingyi.organizations.scoping import subtree_ids
from qingyi.volunteering.models import Project, ServiceRecord, Shift, Signup

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


def as_hours(value) -> float:
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
