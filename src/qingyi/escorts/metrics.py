"""Escort figures: requested, done, cancelled, average rating, median time to assignment.

Each for an organisation's subtree (the request's organisation, see models) and a period:
requests *made* in the period, escorts *done* / *cancelled* in it, ratings of escorts done
in it, and the time to the first assignment of requests made in it. The records behind a
figure show the patient masked (or erased), never their phone.
"""

from __future__ import annotations

from django.db.models import Avg, Count, QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.core.metrics import Bucket, Scope, median_duration, metric
from qingyi.core.params import parse_id
from qingyi.escorts.models import EscortRequest
from qingyi.organizations.scoping import subtree_ids

COLUMNS = (
    ("patient_masked", _("Patient")),
    ("department", _("Department")),
    ("get_status_display", _("Status")),
    ("wanted_at", _("Time wanted")),
    ("created_at", _("Requested")),
    ("assigned_at", _("Assigned")),
    ("rating", _("Rating")),
)


def _in(scope: Scope, field: str) -> QuerySet[EscortRequest]:
    start, end = scope.period.bounds()
    return (
        EscortRequest.objects.filter(organization__in=subtree_ids(scope.path))
        .filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .select_related("department")
        .order_by(f"-{field}", "-pk")
    )


def _requested(scope: Scope, key=None) -> QuerySet[EscortRequest]:
    return _in(scope, "created_at")


def _done(scope: Scope, key=None) -> QuerySet[EscortRequest]:
    return _in(scope, "done_at").filter(status=EscortRequest.Status.DONE)


def _cancelled(scope: Scope, key=None) -> QuerySet[EscortRequest]:
    return _in(scope, "cancelled_at").filter(status=EscortRequest.Status.CANCELLED)


def _rated(scope: Scope, key=None) -> QuerySet[EscortRequest]:
    return _done(scope).filter(rating__isnull=False)


def _assigned(scope: Scope, key=None) -> QuerySet[EscortRequest]:
    return _requested(scope).filter(assigned_at__isnull=False)


@metric(
    "escorts.requested",
    label=_("Escorts requested"),
    unit=_("requests"),
    records=_requested,
    columns=COLUMNS,
    description=_("Escort requests made in the period."),
)
def escorts_requested(scope: Scope) -> int:
    return _requested(scope).count()


@metric(
    "escorts.done",
    label=_("Escorts done"),
    unit=_("escorts"),
    records=_done,
    columns=COLUMNS,
    description=_("Escorts completed in the period."),
)
def escorts_done(scope: Scope) -> int:
    return _done(scope).count()


@metric(
    "escorts.cancelled",
    label=_("Escorts cancelled"),
    unit=_("requests"),
    records=_cancelled,
    columns=COLUMNS,
    description=_("Escort requests cancelled in the period, by the patient or a coordinator."),
)
def escorts_cancelled(scope: Scope) -> int:
    return _cancelled(scope).count()


@metric(
    "escorts.average_rating",
    aggregate="average",
    column="rating",
    label=_("Average escort rating"),
    unit=_("stars of 5"),
    records=_rated,
    columns=COLUMNS,
    description=_("Patients' average rating of the escorts done in the period (0 when none was rated)."),
)
def escorts_average_rating(scope: Scope) -> float:
    value = _rated(scope).aggregate(avg=Avg("rating"))["avg"]
    return round(float(value), 2) if value is not None else 0.0


@metric(
    "escorts.median_minutes_to_assignment",
    aggregate="median",
    column=lambda request: (request.assigned_at - request.created_at).total_seconds() / 60,
    label=_("Median time to assignment"),
    unit=_("minutes"),
    records=_assigned,
    columns=COLUMNS,
    description=_(
        "From the request to the first volunteer assigned, for requests made in the period (0 when none)."
    ),
)
def escorts_median_minutes_to_assignment(scope: Scope) -> float:
    median = median_duration(_assigned(scope), "created_at", "assigned_at")
    return round(median.total_seconds() / 60, 1) if median is not None else 0.0


NONE_KEY = "none"  # requests that name no department


def _done_by_department(scope: Scope, key=None) -> QuerySet[EscortRequest]:
    qs = _done(scope)
    if key is None:
        return qs
    if key == NONE_KEY:
        return qs.filter(department__isnull=True)
    pk = parse_id(key)
    return qs.filter(department_id=pk) if pk is not None else qs.none()


@metric(
    "escorts.done_by_department",
    kind="breakdown",
    label=_("Escorts done by department"),
    unit=_("escorts"),
    records=_done_by_department,
    columns=COLUMNS,
    description=_("Escorts completed in the period, by the department the patient was going to."),
)
def escorts_done_by_department(scope: Scope) -> list[Bucket]:
    rows = _done(scope).order_by().values("department_id", "department__name").annotate(n=Count("pk"))
    buckets = [
        Bucket(str(r["department_id"]), r["department__name"], r["n"])
        if r["department_id"] is not None
        else Bucket(NONE_KEY, str(_("No department given")), r["n"])
        for r in rows
    ]
    return sorted(buckets, key=lambda b: (-b.value, b.label))
