"""/growth: cadre training records, contest results, self-inspection checklists and answers.

Everything is read through the scoping rule with ``growth.manage`` (committee and org
admins): records of cadres whose roster organisation lies in the caller's scope. A checklist
is the committee's: org admins see it, and the answers of their own cadres only.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from qingyi.api.pagination import Pagination, paginate
from qingyi.api.schemas import Id, Ref, Year, blank_is_none, choice, responses, user_of
from qingyi.growth import selectors
from qingyi.growth.models import (
    Checklist,
    ContestResult,
    RecordStatus,
    SelfInspection,
    TrainingRecord,
)
from qingyi.organizations import scoping
from qingyi.organizations.scoping import subtree_ids
from qingyi.organizations.selectors import organization_for_user

router = Router(tags=["growth"])


class CadreRef(Schema):
    id: int
    name: str
    organization: Ref


class TrainingOut(Schema):
    id: int
    person: CadreRef
    course: str
    level: choice(TrainingRecord.Level)
    level_label: str = Field(alias="get_level_display")
    organiser: str
    start_on: dt.date
    end_on: dt.date
    hours: Decimal
    status: choice(RecordStatus)
    has_certificate: bool
    note: str

    @staticmethod
    def resolve_has_certificate(obj: TrainingRecord) -> bool:
        return bool(obj.certificate)


class ContestOut(Schema):
    id: int
    person: CadreRef
    contest: str
    level: choice(ContestResult.Level)
    level_label: str = Field(alias="get_level_display")
    organiser: str
    held_on: dt.date
    award: choice(ContestResult.Award)
    award_label: str = Field(alias="get_award_display")
    result: str
    status: choice(RecordStatus)
    note: str


class RecordQuery(Schema):
    org: Id | None = Field(None, description="Only cadres of this organisation and its subtree.")
    year: Year | None = Field(None, description="Trainings that ended, contests held, in this year.")
    level: str = ""
    status: choice(RecordStatus) | None = Field(None, description="Default: every status.")
    q: str = Field("", max_length=64, description="Part of the cadre's name or of the course or contest.")

    _blank = field_validator("org", "year", "status", mode="before")(blank_is_none)


def _filters(user, query: RecordQuery) -> selectors.RecordFilters:
    result = selectors.RecordFilters(
        year=query.year, level=query.level, status=query.status or "", q=query.q.strip()
    )
    if query.org is not None:
        result.organization_path = organization_for_user(user, query.org, perm=scoping.GROWTH_MANAGE).path
    return result


@router.get("/trainings", response=responses(list[TrainingOut]), summary="Training records of your cadres")
@paginate(Pagination)
def training_list(request, query: Query[RecordQuery]):
    user = user_of(request)
    scoping.require_perm(user, scoping.GROWTH_MANAGE)
    return selectors.filter_trainings(selectors.trainings_for(user), _filters(user, query))


@router.get("/trainings/{id:id}", response=responses(TrainingOut), summary="One training record")
def training_detail(request, id: Id):
    user = user_of(request)
    return selectors.get_for_user(selectors.trainings_for(user), user, pk=id)


@router.get("/contests", response=responses(list[ContestOut]), summary="Contest results of your cadres")
@paginate(Pagination)
def contest_list(request, query: Query[RecordQuery]):
    user = user_of(request)
    scoping.require_perm(user, scoping.GROWTH_MANAGE)
    return selectors.filter_contests(selectors.contests_for(user), _filters(user, query))


@router.get("/contests/{id:id}", response=responses(ContestOut), summary="One contest result")
def contest_detail(request, id: Id):
    user = user_of(request)
    return selectors.get_for_user(selectors.contests_for(user), user, pk=id)


class QuestionOut(Schema):
    id: int
    number: int
    text: str


class ChecklistOut(Schema):
    id: int
    organization: Ref
    year: int
    title: str
    status: choice(Checklist.Status)
    published_at: dt.datetime | None
    question_count: int


class ChecklistDetailOut(ChecklistOut):
    intro: str
    questions: list[QuestionOut]
    cadres: int = Field(description="Cadres in your scope who held a post in the year.")
    answered: int = Field(description="Of these, how many answered.")

    @staticmethod
    def resolve_questions(obj: Checklist):
        return list(obj.questions.all())


@router.get("/checklists", response=responses(list[ChecklistOut]), summary="Self-inspection checklists")
@paginate(Pagination)
def checklist_list(request):
    user = user_of(request)
    scoping.require_perm(user, scoping.GROWTH_MANAGE)
    return selectors.with_question_counts(selectors.checklists_for(user)).order_by("-year", "pk")


@router.get(
    "/checklists/{id:id}",
    response=responses(ChecklistDetailOut),
    summary="One checklist, its questions and its progress in your scope",
)
def checklist_detail(request, id: Id):
    user = user_of(request)
    checklist = selectors.get_for_user(
        selectors.with_question_counts(selectors.checklists_for(user)), user, pk=id
    )
    progress = selectors.inspection_progress(user, checklist) if checklist.is_published else []
    checklist.cadres, checklist.answered = selectors.inspection_totals(progress)
    return checklist


class AnswerOut(Schema):
    question: int = Field(alias="question_id")
    text: str


class ProblemOut(Schema):
    id: int
    description: str
    fix: str
    due_on: dt.date
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return obj.is_overdue(timezone.localdate())


class InspectionOut(Schema):
    id: int
    checklist: int = Field(alias="checklist_id")
    year: int = Field(alias="checklist.year")
    person: CadreRef
    created_at: dt.datetime
    updated_at: dt.datetime
    answers: list[AnswerOut]
    problems: list[ProblemOut]

    @staticmethod
    def resolve_answers(obj: SelfInspection):
        return list(obj.answers.all())

    @staticmethod
    def resolve_problems(obj: SelfInspection):
        return list(obj.problems.all())


class InspectionQuery(Schema):
    checklist: Id | None = None
    org: Id | None = Field(None, description="Only cadres of this organisation and its subtree.")

    _blank = field_validator("checklist", "org", mode="before")(blank_is_none)


@router.get(
    "/inspections", response=responses(list[InspectionOut]), summary="Self-inspection answers of your cadres"
)
@paginate(Pagination)
def inspection_list(request, query: Query[InspectionQuery]):
    user = user_of(request)
    scoping.require_perm(user, scoping.GROWTH_MANAGE)
    qs = selectors.inspections_for(user).prefetch_related("answers", "problems")
    if query.checklist is not None:
        qs = qs.filter(checklist_id=query.checklist)
    if query.org is not None:
        path = organization_for_user(user, query.org, perm=scoping.GROWTH_MANAGE).path
        qs = qs.filter(person__organization__in=subtree_ids(path))
    return qs.order_by("-checklist__year", "person__organization__path", "person__name", "pk")


@router.get("/inspections/{id:id}", response=responses(InspectionOut), summary="One cadre's answers")
def inspection_detail(request, id: Id):
    user = user_of(request)
    return selectors.get_for_user(
        selectors.inspections_for(user).prefetch_related("answers", "problems"), user, pk=id
    )
