"""Call-up fixtures: volunteers with logins, ages and a qualification; a call-up with two posts."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qingyi.callups import services
from qingyi.callups.models import CallUp
from qingyi.volunteering.models import Qualification, Volunteer, VolunteerQualification
from tests.api.conftest import api_as, count_queries  # noqa: F401 (the API tests' fixtures)
from tests.factories import UserFactory, years_ago


def make_volunteer(organization, *, name, age=30, user=True, **fields) -> Volunteer:
    return Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=organization,
        name=name,
        birth_date=years_ago(age, days=10) if age is not None else None,
        user=UserFactory() if user is True else (user or None),
        **fields,
    )


def open_callup(actor, organization, *, kind=CallUp.Kind.SAMPLING, title="核酸采样支援", hours=4) -> CallUp:
    start = timezone.now() + dt.timedelta(hours=hours)
    return services.callup_create(
        organization=organization,
        title=title,
        kind=kind,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=4),
        place="门诊广场",
        message="请带好工作证",
        actor=actor,
    )


@pytest.fixture
def callups(personas):
    tree = personas.tree
    sampling = Qualification.objects.create(name="核酸采样")
    young_a = make_volunteer(tree.branch_a, name="甲青年", age=26)
    old_a = make_volunteer(tree.branch_a, name="甲老将", age=45)
    young_b = make_volunteer(tree.branch_b, name="乙青年", age=30)
    VolunteerQualification.objects.create(
        volunteer=young_a, qualification=sampling, obtained_on=dt.date.today() - dt.timedelta(days=30)
    )
    callup = open_callup(personas.coordinator, tree.committee)
    swab = services.callup_post_add(callup=callup, name="采样", needed=1, actor=personas.coordinator)
    guide = services.callup_post_add(callup=callup, name="引导", needed=2, actor=personas.coordinator)
    return SimpleNamespace(
        personas=personas,
        tree=tree,
        sampling=sampling,
        young_a=young_a,
        old_a=old_a,
        young_b=young_b,
        callup=callup,
        swab=swab,
        guide=guide,
    )


def send_all(c, organization=None, **targeting) -> int:
    return services.callup_send(
        callup=c.callup,
        targeting=services.Targeting(organization=organization or c.tree.committee, **targeting),
        actor=c.personas.coordinator,
    )


def respond(c, volunteer, answer="accepted"):
    return services.callup_respond(callup=c.callup, volunteer=volunteer, answer=answer, actor=volunteer.user)
