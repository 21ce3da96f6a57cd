"""/people: the roster the caller may see, with the roster page's filters.

ID numbers and phone numbers are always masked here (``people.masking``: the province only,
and the first three and last two digits, which leave thousands of candidates beside the birth
date); the unmasked ID number is shown only on the person's page, on request, to those who
hold ``people.sensitive``. The search ``q`` matches an exact ID number or phone only where the
caller may see it in full, like the roster page.
"""

import datetime as dt
from typing import Literal

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from qingyi.api.pagination import Pagination, paginate
from qingyi.api.schemas import Id, Ref, blank_is_none, choice, responses, user_of
from qingyi.organizations import scoping
from qingyi.organizations.models import Position
from qingyi.organizations.selectors import organization_for_user, positions_of
from qingyi.people import selectors
from qingyi.people.models import Person

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    gender_label: str = Field(alias="get_gender_display")
    age: int
    youth: bool = Field(description="Aged 14–35 today.")
    political_status: choice(Person.PoliticalStatus)
    political_status_label: str = Field(alias="get_political_status_display")
    status: choice(Person.Status)
    status_label: str = Field(alias="get_status_display")
    organization: Ref
    department: Ref | None
    profession: str
    profession_label: str = Field(alias="get_profession_display")
    employee_number: str | None
    id_number_masked: str = Field(description="Masked: the first two characters (the province) only.")
    phone_masked: str = Field(description="Masked: the first three and last two digits only.")

    @staticmethod
    def resolve_age(obj: Person) -> int:
        return obj.age(timezone.localdate())

    @staticmethod
    def resolve_youth(obj: Person) -> bool:
        return obj.is_youth(timezone.localdate())


class PersonPositionOut(Schema):
    id: int
    organization: Ref
    title: choice(Position.Title)
    title_label: str = Field(alias="get_title_display")
    start_on: dt.date
    end_on: dt.date | None
    state: str = Field(description="current | future | past")

    @staticmethod
    def resolve_state(obj: Position) -> str:
        return obj.state_on(timezone.localdate())


class PersonDetailOut(PersonOut):
    birth_date: dt.date
    ethnicity: str
    league_joined_on: dt.date | None
    development_number: str | None
    education: str
    education_label: str = Field(alias="get_education_display")
    professional_title: str
    professional_title_label: str = Field(alias="get_professional_title_display")
    status_changed_on: dt.date | None
    due_to_age_out: bool = Field(description="A league member past 28 who holds no league post (超龄离团).")
    positions: list[PersonPositionOut] = Field(
        description="Every post, current, future and past, newest first."
    )

    @staticmethod
    def resolve_positions(obj: Person) -> list[Position]:
        return obj.positions_all

    @staticmethod
    def resolve_due_to_age_out(obj: Person) -> bool:
        return obj.is_due_to_age_out


class PeopleFilters(Schema):
    q: str = Field(
        "",
        max_length=64,
        description="Name (part), or an exact employee or development number; an exact ID number or "
        "phone only for those who may see it in full (people.sensitive).",
    )
    org: Id | None = Field(None, description="Only this organisation and its subtree.")
    status: choice(Person.Status) | Literal["all"] = Field(
        Person.Status.ACTIVE.value, description="“all” for every status."
    )
    political_status: choice(Person.PoliticalStatus) | None = None
    department: Id | None = None
    profession: choice(Person.Profession) | None = None
    youth: bool = Field(False, description="Only people aged 14–35 today.")
    due_to_age_out: bool = Field(False, description="Only league members due to age out.")

    _blank = field_validator("org", "political_status", "department", "profession", mode="before")(
        blank_is_none
    )

    @field_validator("status", mode="before")
    @classmethod
    def _status_blank_is_all(cls, value):
        return "all" if value == "" else value


def roster_filters(user, filters: PeopleFilters) -> selectors.RosterFilters:
    """The roster page's filters from the query; an organisation outside the scope is a 404."""
    result = selectors.RosterFilters(
        q=filters.q.strip(),
        status="" if filters.status == "all" else filters.status,
        political_status=filters.political_status or "",
        department_id=filters.department,
        profession=filters.profession or "",
        youth=filters.youth,
        due_to_age_out=filters.due_to_age_out,
    )
    if filters.org is not None:
        result.organization_path = organization_for_user(user, filters.org).path
    return result


@router.get("", response=responses(list[PersonOut]), summary="List the people you may see")
@paginate(Pagination)
def person_list(request, filters: Query[PeopleFilters]):
    """The roster, in organisation then name order. Members and people without a role get 403."""
    user = user_of(request)
    scoping.require_perm(user, scoping.PEOPLE_VIEW)
    return selectors.roster(
        selectors.people_for(user), roster_filters(user, filters), user=user, on=timezone.localdate()
    )


@router.get("/{id:id}", response=responses(PersonDetailOut), summary="One person, with their posts")
def person_detail(request, id: Id):
    user = user_of(request)
    person = scoping.get_object_for_user(
        Person.objects.select_related("organization", "department"),
        user,
        view_perm=scoping.PEOPLE_VIEW,
        path_field="organization__path",
        pk=id,
    )
    person.positions_all = list(positions_of(person))
    person.is_due_to_age_out = (
        Person.objects.unscoped("the person fetched through get_object_for_user")
        .filter(selectors.due_to_age_out_q(timezone.localdate()), pk=person.pk)
        .exists()
    )
    return person
