"""Growth figures in the registry (each listing its records) and the cadre roster page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qingyi.core.metrics import Scope, get
from qingyi.core.periods import Period
from qingyi.growth import services
from qingyi.growth.models import InspectionProblem, SelfInspection, TrainingRecord
from qingyi.organizations.models import Position
from tests.factories import PersonFactory
from tests.growth.conftest import contest_data, training_data

TODAY = dt.date.today()


def _scope(org, period=None):
    return Scope(organization=org, period=period or Period.current_year())


def test_training_hours_by_level_subtree_and_period(cadres):
    admin = cadres.committee_admin
    services.training_create(person=cadres.person_a, actor=admin, data=training_data(hours="12"))
    services.training_create(
        person=cadres.person_b, actor=admin, data=training_data(level="central_league_school", hours="20")
    )
    last_year = dt.date(TODAY.year - 1, 6, 1)
    services.training_create(
        person=cadres.person_a,
        actor=admin,
        data=training_data(course="旧", start_on=last_year, end_on=last_year, hours="4"),
    )
    assert get("growth.training_hours").value(_scope(cadres.tree.committee)) == 32.0
    assert get("growth.training_hours").value(_scope(cadres.tree.branch_a)) == 12.0
    assert (
        get("growth.training_hours").value(_scope(cadres.tree.branch_a, Period.year(TODAY.year - 1))) == 4.0
    )
    buckets = {
        b.key: b.value for b in get("growth.training_hours_by_level").value(_scope(cadres.tree.committee))
    }
    assert (
        buckets["central_league_school"] == 20.0
        and buckets["health_commission"] == 12.0
        and buckets["hospital"] == 0
    )
    records = get("growth.training_hours_by_level").records(
        _scope(cadres.tree.committee), "central_league_school"
    )
    assert [r.person for r in records] == [cadres.person_b]
    assert get("growth.cadres_trained").value(_scope(cadres.tree.committee)) == 2
    assert set(get("growth.cadres_trained").records(_scope(cadres.tree.branch_a))) == {cadres.person_a}


def test_contest_awards_count_prizes_not_participation(cadres):
    admin = cadres.committee_admin
    services.contest_create(person=cadres.person_a, actor=admin, data=contest_data())
    services.contest_create(person=cadres.person_b, actor=admin, data=contest_data(award="none"))
    assert get("growth.contest_awards").value(_scope(cadres.tree.committee)) == 1
    assert [r.person for r in get("growth.contest_awards").records(_scope(cadres.tree.committee))] == [
        cadres.person_a
    ]
    by_level = {
        b.key: b.value for b in get("growth.contest_awards_by_level").value(_scope(cadres.tree.committee))
    }
    assert by_level["provincial"] == 1


def test_contest_in_the_future_is_refused(cadres):
    with pytest.raises(ValidationError, match="in the future"):
        services.contest_create(
            person=cadres.person_a,
            actor=cadres.admin_a,
            data=contest_data(held_on=TODAY + dt.timedelta(days=1)),
        )


def test_self_inspection_completion_missing_and_overdue(checklist, cadres):
    scope = _scope(cadres.tree.committee)
    assert get("growth.self_inspection_completion").value(scope) == 0.0
    answers = {q.pk: "答" for q in checklist.questions.all()}
    services.inspection_submit(
        checklist=checklist, person=cadres.member_person, answers=answers, actor=cadres.member
    )
    assert get("growth.self_inspection_completion").value(scope) == pytest.approx(33.3)
    assert get("growth.self_inspection_completion").value(_scope(cadres.tree.branch_a)) == 50.0
    assert set(get("growth.self_inspection_missing").records(scope)) == {cadres.person_a, cadres.person_b}
    inspection = SelfInspection.objects.get()
    late = InspectionProblem.objects.create(
        inspection=inspection, description="a", fix="b", due_on=TODAY - dt.timedelta(days=2)
    )
    InspectionProblem.objects.create(
        inspection=inspection,
        description="c",
        fix="d",
        due_on=TODAY - dt.timedelta(days=2),
        done_on=TODAY - dt.timedelta(days=1),
    )
    assert get("growth.overdue_fixes").value(scope) == 1
    assert list(get("growth.overdue_fixes").records(scope)) == [late]
    assert get("growth.overdue_fixes").value(_scope(cadres.tree.branch_b)) == 0


def test_figures_are_on_the_metric_page_with_their_records(cadres, login):
    services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data())
    client = login(cadres.admin_a)
    response = client.get(
        reverse("core:metric_detail", args=["growth.training_hours"]), {"org": cadres.tree.branch_a.pk}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "团干部能力提升培训班" in body and "甲支部人" in body


def _add_cadres(tree, n: int, offset: int):
    for i in range(n):
        person = PersonFactory(organization=tree.branch_a, name=f"干部{offset + i}")
        Position.objects.create(
            person=person, organization=tree.branch_a, title="member", start_on=dt.date(TODAY.year, 1, 1)
        )
        TrainingRecord.objects.create(
            person=person,
            course="课",
            level="hospital",
            start_on=TODAY,
            end_on=TODAY,
            hours=3,
            entered_by_id=tree.user_id,
        )


def test_roster_shows_hours_and_self_inspection_with_a_flat_query_count(checklist, cadres, login):
    services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data(hours="20"))
    answers = {q.pk: "答" for q in checklist.questions.all()}
    services.inspection_submit(
        checklist=checklist, person=cadres.member_person, answers=answers, actor=cadres.member
    )
    client = login(cadres.admin_a)
    url = reverse("growth:roster")
    response = client.get(url)
    rows = {p.name: p for p in response.context["page"].object_list}
    assert set(rows) == {"甲支部人", "团员甲"}  # branch B's cadre is not in admin_a's scope
    assert rows["甲支部人"].hours_year == 20 and not rows["甲支部人"].answered
    assert rows["团员甲"].hours_year == 0 and rows["团员甲"].answered
    assert "乙支部人" not in response.content.decode()

    cadres.tree.user_id = cadres.admin_a.pk
    _add_cadres(cadres.tree, 3, 0)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _add_cadres(cadres.tree, 30, 100)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert len(response.context["page"].object_list) == 35
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_contest_page_story_and_edit(cadres, login):
    from tests.growth.conftest import as_post

    client = login(cadres.admin_a)
    url = reverse("growth:contest_create")
    bad = client.post(
        url, as_post(contest_data(held_on=TODAY + dt.timedelta(days=2)), person=cadres.person_a.pk)
    )
    assert bad.status_code == 200 and "in the future" in bad.content.decode()
    outside = client.post(url, as_post(contest_data(), person=cadres.person_b.pk))
    assert outside.status_code == 200 and "person" in outside.context["form"].errors
    assert client.post(url, as_post(contest_data(), person=cadres.person_a.pk)).status_code == 302
    from qingyi.growth.models import ContestResult

    record = ContestResult.objects.get()
    assert (record.person, record.award, record.status) == (cadres.person_a, "second", "approved")
    listing = client.get(reverse("growth:contest_list"), {"level": "provincial"}).content.decode()
    assert "团干部大比武" in listing
    edit = reverse("growth:contest_edit", args=[record.pk])
    assert client.post(edit, as_post(contest_data(award="first"))).status_code == 302
    record.refresh_from_db()
    assert record.award == "first"
    assert login(cadres.admin_b).get(edit).status_code == 404
