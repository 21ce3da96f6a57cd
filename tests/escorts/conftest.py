"""Escort fixtures: a department, volunteers with logins, and requests at each step."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from qingyi.escorts import services
from qingyi.escorts.models import EscortRequest
from qingyi.volunteering.models import Volunteer
from tests.api.conftest import api_as, count_queries  # noqa: F401 (the API tests' fixtures)
from tests.factories import DepartmentFactory, UserFactory


def make_volunteer(organization, *, name="志愿者甲", user=True, **fields) -> Volunteer:
    return Volunteer.objects.create(
        kind=Volunteer.Kind.SOCIAL,
        organization=organization,
        name=name,
        user=UserFactory() if user is True else (user or None),
        **fields,
    )


def file_request(
    *, department=None, phone="13900001111", name="张三", hours=2, ip="10.0.0.1", organization=None
):
    data = services.RequestData(
        patient_name=name,
        phone=phone,
        wanted_at=timezone.now() + dt.timedelta(hours=hours),
        department=department,
        needs="坐轮椅 第一次来",
    )
    return services.escort_request_create(data=data, ip=ip, organization=organization)


@pytest.fixture
def escorts(personas):
    tree = personas.tree
    department = DepartmentFactory(name="心内科")
    volunteer_a = make_volunteer(tree.branch_a, name="甲志愿者")
    volunteer_b = make_volunteer(tree.branch_b, name="乙志愿者")
    new, token = file_request(department=department)
    return SimpleNamespace(
        personas=personas,
        department=department,
        volunteer_a=volunteer_a,
        volunteer_b=volunteer_b,
        new=new,
        token=token,
    )


def assigned(e, volunteer=None) -> EscortRequest:
    return services.escort_assign(
        escort=e.new, volunteer=volunteer or e.volunteer_a, actor=e.personas.coordinator
    )


def under_way(e) -> EscortRequest:
    escort = assigned(e)
    return services.escort_start(escort=escort, actor=e.volunteer_a.user)


def done(e) -> EscortRequest:
    escort = under_way(e)
    return services.escort_complete(escort=escort, note="陪同完成检查", actor=e.volunteer_a.user)
