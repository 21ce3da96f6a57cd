"""Cadre growth figures: training hours, cadres trained, contest awards, self-inspection
completion and overdue fixes — each for an organisation's subtree and a period, each listing
its records. Only approved training records and contest results count.

Periods: a training counts in the period in which it ended, a contest result on the day it
was held. The self-inspection figures take the checklist of the year in which the period
ends, and the state of things on the period's last day (or today).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from qingyi.core.metrics import Bucket, Scope, metric, share
from qingyi.organizations.scoping import subtree_ids
from qingyi.people.models import Person

from .models import ContestResult, InspectionProblem, SelfInspection, TrainingRecord
from .selectors import (
    cadres_of_year,
    contests_counted,
    overdue_q,
    published_checklists,
    root_path,
    trainings_counted,
)

TRAINING_COLUMNS = (
    ("person", _("Cadre")),
    ("course", _("Course")),
    ("get_level_display", _("Organiser level")),
    ("end_on", _("Until")),
    ("hours", _("Hours")),
)
CONTEST_COLUMNS = (
    ("person", _("Cadre")),
    ("contest", _("Contest")),
    ("get_level_display", _("Level")),
    ("held_on", _("Held on")),
    ("get_award_display", _("Award")),
)
CADRE_COLUMNS = (("name", _("Name")), ("organization", _("Organisation")))


def _trainings(scope: Scope) -> QuerySet[TrainingRecord]:
    return trainings_counted(scope.path, scope.period.start, scope.period.end).select_related(
        "person", "person__organization"
    )


def _hours(qs: QuerySet[TrainingRecord]) -> float:
    total = qs.order_by().aggregate(total=Sum("hours"))["total"] or Decimal(0)
    return float(total)


def _training_records(scope: Scope, key: str | None = None) -> QuerySet[TrainingRecord]:
    qs = _trainings(scope)
    return qs if not key else qs.filter(level=key)


@metric(
    "growth.training_hours",
    aggregate="sum",
    column="hours",
    label=_("Cadre training hours"),
    unit=_("hours"),
    records=_training_records,
    columns=TRAINING_COLUMNS,
    description=_(
        "Hours of approved training records of cadres in the organisation, by the day the training ended."
    ),
)
def training_hours(scope: Scope) -> float:
    return _hours(_trainings(scope))


@metric(
    "growth.training_hours_by_level",
    aggregate="sum",
    column="hours",
    label=_("Training hours by organiser level"),
    kind="breakdown",
    unit=_("hours"),
    records=_training_records,
    columns=TRAINING_COLUMNS,
)
def training_hours_by_level(scope: Scope) -> list[Bucket]:
    sums = dict(
        _trainings(scope)
        .order_by()
        .values_list("level")
        .annotate(total=Sum("hours"))
        .values_list("level", "total")
    )
    return [Bucket(key, str(label), float(sums.get(key) or 0)) for key, label in TrainingRecord.Level.choices]


def _trained_people(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    return Person.objects.filter(pk__in=_trainings(scope).values("person_id")).select_related("organization")


@metric(
    "growth.cadres_trained",
    label=_("Cadres trained"),
    unit=_("people"),
    records=_trained_people,
    columns=CADRE_COLUMNS,
    description=_("Cadres with at least one approved training that ended in the period."),
)
def cadres_trained(scope: Scope) -> int:
    return _trainings(scope).order_by().values("person_id").distinct().count()


def _awards(scope: Scope, key: str | None = None) -> QuerySet[ContestResult]:
    qs = (
        contests_counted(scope.path, scope.period.start, scope.period.end)
        .exclude(award=ContestResult.Award.NONE)
        .select_related("person", "person__organization")
    )
    return qs if not key else qs.filter(level=key)


@metric(
    "growth.contest_awards",
    label=_("Contest awards of cadres"),
    unit=_("awards"),
    records=_awards,
    columns=CONTEST_COLUMNS,
    description=_("Approved contest results with a prize or award (大比武 and others), by the day held."),
)
def contest_awards(scope: Scope) -> int:
    return _awards(scope).count()


@metric(
    "growth.contest_awards_by_level",
    label=_("Contest awards by level"),
    kind="breakdown",
    records=_awards,
    columns=CONTEST_COLUMNS,
)
def contest_awards_by_level(scope: Scope) -> list[Bucket]:
    counts = dict(
        _awards(scope).order_by().values_list("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    return [Bucket(key, str(label), counts.get(key, 0)) for key, label in ContestResult.Level.choices]


# --- Self-inspection -------------------------------------------------------------------------


def _year_checklist(scope: Scope):
    year = scope.period.end.year
    return year, published_checklists(year, [scope.path]).get(root_path(scope.path))


def _year_cadres(scope: Scope) -> tuple[QuerySet[Person], object]:
    year, checklist = _year_checklist(scope)
    cadres = cadres_of_year(scope.path, year).select_related("organization")
    return cadres, checklist


def _answered_records(scope: Scope, key: str | None = None) -> QuerySet[SelfInspection]:
    cadres, checklist = _year_cadres(scope)
    if checklist is None:
        return SelfInspection.objects.none()
    return SelfInspection.objects.filter(checklist=checklist, person__in=cadres).select_related(
        "person", "person__organization", "checklist"
    )


@metric(
    "growth.self_inspection_completion",
    label=_("Self-inspection completion"),
    unit="%",
    kind="share",
    records=_answered_records,
    whole=lambda scope, key=None: _year_cadres(scope)[0],
    columns=(("person", _("Cadre")), ("checklist", _("Checklist")), ("created_at", _("Answered at"))),
    description=_(
        "Cadres who answered the year's published self-inspection checklist (六查六问), as a share "
        "of the people who held a league post that year."
    ),
)
def self_inspection_completion(scope: Scope) -> float:
    cadres, checklist = _year_cadres(scope)
    if checklist is None:
        return 0.0
    answered = cadres.filter(
        Exists(SelfInspection.objects.filter(checklist=checklist, person=OuterRef("pk")))
    )
    return share(answered.count(), cadres.count())


def _missing_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    cadres, checklist = _year_cadres(scope)
    if checklist is None:
        return cadres
    return cadres.exclude(Exists(SelfInspection.objects.filter(checklist=checklist, person=OuterRef("pk"))))


@metric(
    "growth.self_inspection_missing",
    label=_("Cadres who have not answered the self-inspection"),
    unit=_("people"),
    records=_missing_records,
    columns=CADRE_COLUMNS,
    description=_("People who held a league post in the year and have not answered its checklist."),
)
def self_inspection_missing(scope: Scope) -> int:
    return _missing_records(scope).count()


def _overdue_records(scope: Scope, key: str | None = None) -> QuerySet[InspectionProblem]:
    return (
        InspectionProblem.objects.filter(
            overdue_q(scope.period.as_of), inspection__person__organization__in=subtree_ids(scope.path)
        )
        .select_related("inspection__person", "inspection__person__organization")
        .order_by("due_on", "pk")
    )


@metric(
    "growth.overdue_fixes",
    label=_("Overdue self-inspection fixes"),
    unit=_("fixes"),
    records=_overdue_records,
    columns=(
        ("inspection", _("Self-inspection")),
        ("description", _("Problem found")),
        ("due_on", _("Fix due on")),
    ),
    description=_("Fixes whose due date had passed on the period's last day (or today) without being done."),
)
def overdue_fixes(scope: Scope) -> int:
    return _overdue_records(scope).count()
