"""Cadres of the demo tree for the growth tests.

- ``person_a``: secretary of branch A (admin_a manages them).
- ``member_person`` (login ``member``): committee member of branch A, so a cadre who answers
  the self-inspection and submits their own records.
- ``person_b``: secretary of branch B (outside admin_a's scope).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from qingyi.growth import services
from qingyi.organizations.models import Position
from tests.api.conftest import api_as, count_queries  # noqa: F401  (the API fixtures)


@pytest.fixture
def cadres(personas):
    tree = personas.tree
    start = dt.date(dt.date.today().year - 1, 1, 1)
    for person, org, title in (
        (personas.person_a, tree.branch_a, "secretary"),
        (personas.member_person, tree.branch_a, "organization"),
        (personas.person_b, tree.branch_b, "secretary"),
    ):
        Position.objects.create(person=person, organization=org, title=title, start_on=start)
    return personas


@pytest.fixture
def checklist(cadres):
    """This year's published checklist of the committee, with two questions."""
    admin = cadres.committee_admin
    checklist = services.checklist_create(
        organization=cadres.tree.committee, year=dt.date.today().year, title="六查六问自查", actor=admin
    )
    services.question_add(checklist=checklist, text="查理想信念是否坚定", actor=admin)
    services.question_add(checklist=checklist, text="查工作作风是否深入青年", actor=admin)
    return services.checklist_publish(checklist=checklist, actor=admin)


def training_data(**changes) -> dict:
    today = dt.date.today()
    data = {
        "course": "团干部能力提升培训班",
        "level": "health_commission",
        "organiser": "市卫生健康委",
        "start_on": today - dt.timedelta(days=2),
        "end_on": today - dt.timedelta(days=1),
        "hours": "12",
        "note": "",
    }
    data.update(changes)
    return data


def contest_data(**changes) -> dict:
    data = {
        "contest": "团干部大比武",
        "level": "provincial",
        "organiser": "",
        "held_on": dt.date.today() - dt.timedelta(days=3),
        "award": "second",
        "result": "",
        "note": "",
    }
    data.update(changes)
    return data


def as_post(data: dict, **extra) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in {**data, **extra}.items()}


@pytest.fixture
def ns():
    return SimpleNamespace(training_data=training_data, contest_data=contest_data, as_post=as_post)
