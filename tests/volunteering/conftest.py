"""Volunteering fixtures: a project of the committee with a post, and volunteers with logins."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qingyi.accounts.models import Role
from qingyi.volunteering.models import JoinMode, Post, Project, Shift, Volunteer
from tests.api.conftest import api_as  # noqa: F401 - the API tests' token client
from tests.factories import PersonFactory, UserFactory, grant


def make_volunteer(organization, *, username: str | None = None, **fields) -> Volunteer:
    user = UserFactory(username=username) if username else UserFactory()
    grant(user, Role.MEMBER, organization)
    person = PersonFactory(organization=organization, user=user)
    defaults = {
        "kind": Volunteer.Kind.STAFF,
        "status": Volunteer.Status.ACTIVE,
        "organization": organization,
        "person": person,
        "user": user,
        "name": person.name,
        "birth_date": person.birth_date,
    }
    return Volunteer.objects.create(**(defaults | fields))


def make_shift(project, *, start=None, hours: float = 3.5, capacity: int = 5, **fields) -> Shift:
    start = start or (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    return Shift.objects.create(
        project=project, start=start, end=start + dt.timedelta(hours=hours), capacity=capacity, **fields
    )


@pytest.fixture
def vworld(personas):
    """A committee project (visible to all), a branch B project, and the member as a volunteer."""
    tree = personas.tree
    project = Project.objects.create(organization=tree.committee, name="导诊服务", kind=Project.Kind.OTHER)
    post = Post.objects.create(project=project, name="导诊")
    project_b = Project.objects.create(
        organization=tree.branch_b, name="乙支部项目", kind=Project.Kind.ELDERLY
    )
    member_volunteer = Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=tree.branch_a,
        person=personas.member_person,
        user=personas.member,
        name=personas.member_person.name,
        birth_date=personas.member_person.birth_date,
    )
    shift = make_shift(project, post=post, capacity=2, place="门诊大厅")
    return SimpleNamespace(
        personas=personas,
        tree=tree,
        project=project,
        post=post,
        project_b=project_b,
        volunteer=member_volunteer,
        shift=shift,
        JoinMode=JoinMode,
    )
