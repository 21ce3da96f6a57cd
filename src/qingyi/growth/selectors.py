"""Reads of cadre growth records; every read for a user goes through the scoping rule.

A cadre belongs to the organisation of their roster record (``Person.organization``): their
training records, contest results and self-inspections are seen by the admins whose scope
holds that organisation — the same rule as the roster. The base querysets below (by subtree
path and period, no user) are shared with ``growth.metrics``, so a page's rows and the
registry's figures count the same records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from qingyi.core import metrics
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization, Position
from qingyi.organizations.scoping import subtree_ids
from qingyi.organizations.selectors import positions_of
from qingyi.people.models import Person

from .models import (
    Checklist,
    ContestResult,
    InspectionProblem,
    RecordStatus,
    SelfInspection,
    TrainingRecord,
)

PERSON_PATH = "person__organization__path"


# --- Shared definitions (pages, metrics and the API use these) ---------------------------


def holds_post_between(start: dt.date, end: dt.date, person_ref: str = "pk") -> Exists:
    """The person holds a league post on at least one day from ``start`` to ``end``."""
    return Exists(
        Position.objects.filter(person=OuterRef(person_ref), start_on__lte=end).filter(
            Q(end_on__isnull=True) | Q(end_on__gte=start)
        )
    )


def holds_any_post(person_ref: str = "pk") -> Exists:
    return Exists(Position.objects.filter(person=OuterRef(person_ref)))


def trainings_counted(path: str, start: dt.date, end: dt.date) -> QuerySet[TrainingRecord]:
    """Approved training records of cadres in the subtree at ``path`` that ended in the period."""
    return TrainingRecord.objects.filter(
        status=RecordStatus.APPROVED, person__organization__in=subtree_ids(path), end_on__range=(start, end)
    )


def contests_counted(path: str, start: dt.date, end: dt.date) -> QuerySet[ContestResult]:
    return ContestResult.objects.filter(
        status=RecordStatus.APPROVED, person__organization__in=subtree_ids(path), held_on__range=(start, end)
    )


def cadres_of_year(path: str, year: int) -> QuerySet[Person]:
    """Active people in the subtree at ``path`` who hold a league post on some day of ``year``."""
    return Person.objects.filter(
        holds_post_between(dt.date(year, 1, 1), dt.date(year, 12, 31)),
        organization__in=subtree_ids(path),
        status=Person.Status.ACTIVE,
    )


def overdue_q(on: dt.date, prefix: str = "") -> Q:
    """A fix is overdue on ``on`` when its due date has passed and it was not done by then."""
    return Q(**{f"{prefix}due_on__lt": on}) & (
        Q(**{f"{prefix}done_on__isnull": True}) | Q(**{f"{prefix}done_on__gt": on})
    )


def root_path(path: str) -> str:
    return path[: Organization.steplen]


def published_checklists(year: int, paths) -> dict[str, Checklist]:
    """The published checklist of ``year`` of each committee at the top of ``paths``, by root path."""
    roots = {root_path(p) for p in paths}
    return {
        c.organization.path: c
        for c in Checklist.objects.filter(
            year=year, status=Checklist.Status.PUBLISHED, organization__path__in=roots
        ).select_related("organization")
    }


# --- Records of the user's scope ---------------------------------------------------------


def cadres_for(user) -> QuerySet[Person]:
    """People in the user's scope who hold or held a league post (for choosing a cadre)."""
    qs = scoping.scope(Person.objects.all(), user, scoping.GROWTH_MANAGE, path_field="organization__path")
    return (
        qs.filter(holds_any_post(), status=Person.Status.ACTIVE)
        .select_related("organization")
        .order_by("organization__path", "name", "pk")
    )


def trainings_for(user) -> QuerySet[TrainingRecord]:
    return scoping.scope(
        TrainingRecord.objects.select_related("person", "person__organization"),
        user,
        scoping.GROWTH_MANAGE,
        path_field=PERSON_PATH,
    )


def contests_for(user) -> QuerySet[ContestResult]:
    return scoping.scope(
        ContestResult.objects.select_related("person", "person__organization"),
        user,
        scoping.GROWTH_MANAGE,
        path_field=PERSON_PATH,
    )


def pending_records_count(user) -> int:
    """Training records and contest results in the user's scope awaiting approval."""
    return (
        trainings_for(user).filter(status=RecordStatus.PENDING).count()
        + contests_for(user).filter(status=RecordStatus.PENDING).count()
    )


def inspections_for(user) -> QuerySet[SelfInspection]:
    return scoping.scope(
        SelfInspection.objects.select_related("person", "person__organization", "checklist"),
        user,
        scoping.GROWTH_MANAGE,
        path_field=PERSON_PATH,
    )


def problems_for(user) -> QuerySet[InspectionProblem]:
    return scoping.scope(
        InspectionProblem.objects.select_related(
            "inspection__person", "inspection__person__organization", "inspection__checklist"
        ),
        user,
        scoping.GROWTH_MANAGE,
        path_field="inspection__person__organization__path",
    )


def checklists_for(user) -> QuerySet[Checklist]:
    """Checklists of the committees above the user's organisations, or inside them.

    An org admin sees their committee's checklist (to follow their cadres' answers) but
    may change it only with ``growth.manage`` over the committee itself.
    """
    paths = scoping.scope_paths(user, scoping.GROWTH_MANAGE)
    if not paths:
        return Checklist.objects.none()
    q = Q(organization__path__in={root_path(p) for p in paths}) | scoping.path_q(paths, "organization__path")
    return Checklist.objects.filter(q).select_related("organization")


def with_question_counts(queryset: QuerySet[Checklist]) -> QuerySet[Checklist]:
    """Annotate each checklist's ``question_count``."""
    return queryset.annotate(question_count=Count("questions"))


def inspection_totals(progress: list[OrgProgress]) -> tuple[int, int]:
    """Cadres and how many of them answered, over ``inspection_progress`` rows."""
    return sum(row.cadres for row in progress), sum(row.answered for row in progress)


def get_for_user(queryset: QuerySet, user, **lookup):
    """One record of a scoped queryset, or 404."""
    from django.http import Http404

    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


# --- Filters of the record lists ---------------------------------------------------------


@dataclass
class RecordFilters:
    organization_path: str = ""
    year: int | None = None
    level: str = ""
    status: str = ""
    q: str = ""


def filter_trainings(qs: QuerySet[TrainingRecord], f: RecordFilters) -> QuerySet[TrainingRecord]:
    if f.organization_path:
        qs = qs.filter(person__organization__in=subtree_ids(f.organization_path))
    if f.year:
        qs = qs.filter(end_on__range=(dt.date(f.year, 1, 1), dt.date(f.year, 12, 31)))
    if f.level:
        qs = qs.filter(level=f.level)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(Q(course__icontains=f.q) | Q(person__name__icontains=f.q))
    return qs.order_by("-start_on", "-pk")


def filter_contests(qs: QuerySet[ContestResult], f: RecordFilters) -> QuerySet[ContestResult]:
    if f.organization_path:
        qs = qs.filter(person__organization__in=subtree_ids(f.organization_path))
    if f.year:
        qs = qs.filter(held_on__range=(dt.date(f.year, 1, 1), dt.date(f.year, 12, 31)))
    if f.level:
        qs = qs.filter(level=f.level)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.q:
        qs = qs.filter(Q(contest__icontains=f.q) | Q(person__name__icontains=f.q))
    return qs.order_by("-held_on", "-pk")


# --- The cadre roster --------------------------------------------------------------------


def _hours_between(start: dt.date, end: dt.date) -> Coalesce:
    return Coalesce(
        Subquery(
            TrainingRecord.objects.filter(
                person=OuterRef("pk"), status=RecordStatus.APPROVED, end_on__range=(start, end)
            )
            .order_by()
            .values("person")
            .annotate(total=Sum("hours"))
            .values("total"),
            output_field=DecimalField(max_digits=8, decimal_places=1),
        ),
        Value(0, output_field=DecimalField(max_digits=8, decimal_places=1)),
    )


def _current_positions(on: dt.date) -> Prefetch:
    return Prefetch(
        "positions",
        queryset=Position.objects.filter(start_on__lte=on)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=on))
        .select_related("organization")
        .order_by("organization__path", "title"),
        to_attr="current_positions",
    )


def cadre_roster(user, *, year: int, on: dt.date, organization_path: str = "") -> QuerySet[Person]:
    """Current cadres in the user's scope, each with their approved training hours in ``year``,
    whether they answered the year's self-inspection, and their open and overdue fixes.

    A fixed number of queries whatever the number of cadres: one for the rows (sub-selects
    per figure), one for their current posts.
    """
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = scoping.scope(Person.objects.all(), user, scoping.GROWTH_MANAGE, path_field="organization__path")
    if organization_path:
        qs = qs.filter(organization__in=subtree_ids(organization_path))
    own_problems = InspectionProblem.objects.filter(
        inspection__person=OuterRef("pk"), inspection__checklist__year=year
    )
    return (
        qs.filter(holds_post_between(on, on), status=Person.Status.ACTIVE)
        .select_related("organization")
        .annotate(
            hours_year=_hours_between(start, end),
            answered=Exists(
                SelfInspection.objects.filter(
                    person=OuterRef("pk"), checklist__year=year, checklist__status=Checklist.Status.PUBLISHED
                )
            ),
            has_open_fix=Exists(own_problems.filter(done_on__isnull=True)),
            has_overdue_fix=Exists(own_problems.filter(overdue_q(on))),
        )
        .prefetch_related(_current_positions(on))
        .order_by("organization__path", "name", "pk")
    )


# --- Self-inspection progress ------------------------------------------------------------


@dataclass
class OrgProgress:
    organization: Organization
    cadres: int = 0
    answered: int = 0
    missing: list[Person] = field(default_factory=list)

    @property
    def share(self) -> float:
        return metrics.share(self.answered, self.cadres)


def inspection_progress(user, checklist: Checklist, *, organization_path: str = "") -> list[OrgProgress]:
    """Per organisation in the user's scope: the year's cadres, how many answered, who has not.

    Two queries whatever the number of cadres.
    """
    year_cadres = scoping.scope(
        cadres_of_year(checklist.organization.path, checklist.year),
        user,
        scoping.GROWTH_MANAGE,
        path_field="organization__path",
    )
    if organization_path:
        year_cadres = year_cadres.filter(organization__in=subtree_ids(organization_path))
    people = list(
        year_cadres.select_related("organization")
        .annotate(answered=Exists(SelfInspection.objects.filter(checklist=checklist, person=OuterRef("pk"))))
        .order_by("organization__path", "name", "pk")
    )
    rows: dict[int, OrgProgress] = {}
    for person in people:
        row = rows.setdefault(person.organization_id, OrgProgress(person.organization))
        row.cadres += 1
        if person.answered:
            row.answered += 1
        else:
            row.missing.append(person)
    return list(rows.values())


def overdue_problems(user, *, on: dt.date, checklist: Checklist | None = None) -> QuerySet[InspectionProblem]:
    qs = problems_for(user).filter(overdue_q(on))
    if checklist is not None:
        qs = qs.filter(inspection__checklist=checklist)
    return qs.order_by("due_on", "pk")


# --- A cadre's own view ------------------------------------------------------------------


def checklists_to_answer(person: Person) -> QuerySet[Checklist]:
    """Published checklists of the person's committee for the years in which they held a post."""
    years_with_post = Exists(
        Position.objects.filter(person=person, start_on__year__lte=OuterRef("year")).filter(
            Q(end_on__isnull=True) | Q(end_on__year__gte=OuterRef("year"))
        )
    )
    return (
        Checklist.objects.filter(
            status=Checklist.Status.PUBLISHED, organization__path=root_path(person.organization.path)
        )
        .filter(years_with_post)
        .annotate(
            answered=Exists(SelfInspection.objects.filter(checklist=OuterRef("pk"), person=person)),
        )
        .order_by("-year")
    )


def development_record(person: Person) -> dict:
    """Everything of a cadre's development, for their one page (a fixed number of queries)."""
    trainings = list(TrainingRecord.objects.filter(person=person).order_by("-start_on", "-pk"))
    years: dict[int, float] = {}
    for record in trainings:
        if record.status == RecordStatus.APPROVED:
            years[record.end_on.year] = years.get(record.end_on.year, 0) + float(record.hours)
    inspections = list(
        SelfInspection.objects.filter(person=person)
        .select_related("checklist")
        .prefetch_related("problems")
        .order_by("-checklist__year")
    )
    return {
        "positions": list(positions_of(person)),
        "trainings": trainings,
        "hours_by_year": sorted(years.items(), reverse=True),
        "contests": list(ContestResult.objects.filter(person=person).order_by("-held_on", "-pk")),
        "inspections": inspections,
    }


def own_inspection(person: Person, checklist: Checklist) -> SelfInspection | None:
    return (
        SelfInspection.objects.filter(person=person, checklist=checklist)
        .prefetch_related("answers", "problems")
        .first()
    )
