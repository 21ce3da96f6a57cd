"""Small factories for tests. Names and numbers are fictional."""

from __future__ import annotations

import datetime as dt
import itertools

import factory

from qingyi.accounts.models import RoleAssignment, User
from qingyi.organizations.models import Department, Organization, PartyBranch
from qingyi.organizations.services import organization_create_root
from qingyi.people.models import Person

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_sequence = itertools.count(1)


def id_number_for(birth: dt.date, seq: int | None = None) -> str:
    """A checksum-valid fictional resident ID number for a birth date."""
    seq = next(_sequence) if seq is None else seq
    body = f"500118{birth:%Y%m%d}{seq % 1000:03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


def years_ago(years: int, days: int = 0) -> dt.date:
    today = dt.date.today()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"E{10000 + n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "pass-word-123")
        if create:
            self.save(update_fields=["password"])


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyBranch

    name = factory.Sequence(lambda n: f"第{n + 1}党支部")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"科室{n + 1}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"测试{n + 1}")
    gender = Person.Gender.FEMALE
    birth_date = factory.LazyFunction(lambda: years_ago(25))
    id_number = factory.LazyAttribute(lambda o: id_number_for(o.birth_date))
    political_status = Person.PoliticalStatus.LEAGUE_MEMBER
    league_joined_on = factory.LazyAttribute(lambda o: o.birth_date.replace(year=o.birth_date.year + 15))
    development_number = factory.LazyAttribute(
        lambda o: (
            f"{o.league_joined_on.year}5001{next(_sequence) % 10000:04d}"
            if o.league_joined_on and o.league_joined_on >= dt.date(2017, 1, 1)
            else None
        )
    )
    employee_number = factory.Sequence(lambda n: f"P{20000 + n}")
    profession = Person.Profession.NURSE


def make_tree():
    """The demo tree of the tests: committee → general branch → branches A and B; admin branch."""
    committee = organization_create_root(name="测试医院团委", founded_on=years_ago(3).replace(day=1))
    general = Organization.objects.add_child(
        committee,
        create_kwargs={
            "name": "护理团总支",
            "kind": Organization.Kind.GENERAL_BRANCH,
            "founded_on": years_ago(2),
        },
    )
    branch_a = Organization.objects.add_child(
        general,
        create_kwargs={"name": "护理一支部", "kind": Organization.Kind.BRANCH, "founded_on": years_ago(2)},
    )
    branch_b = Organization.objects.add_child(
        general,
        create_kwargs={"name": "护理二支部", "kind": Organization.Kind.BRANCH, "founded_on": years_ago(2)},
    )
    admin_branch = Organization.objects.add_child(
        committee,
        create_kwargs={"name": "行政支部", "kind": Organization.Kind.BRANCH, "founded_on": years_ago(1)},
    )
    return (
        committee,
        general,
        Organization.objects.get(pk=branch_a.pk),
        Organization.objects.get(pk=branch_b.pk),
        admin_branch,
    )


def grant(user: User, role: str, organization: Organization) -> User:
    RoleAssignment.objects.create(user=user, role=role, organization=organization)
    if hasattr(user, "_qingyi_grants"):
        del user._qingyi_grants
    return user


def form_payload(form, **changes) -> dict:
    """What a browser would post for an unbound form as rendered, with ``changes`` applied."""
    payload = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None or value == "":
            continue
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        payload[name] = value
    payload.update(changes)
    return payload
