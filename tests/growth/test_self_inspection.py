"""六查六问: the committee's checklist (editable until published), the cadre's answers,
problems and fixes, and who has not answered / which fixes are overdue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyi.growth import services
from qingyi.growth.models import Checklist, ChecklistQuestion, InspectionProblem, SelfInspection
from qingyi.organizations.models import Position
from tests.factories import PersonFactory, UserFactory

TODAY = dt.date.today()


def test_committee_admin_drafts_edits_and_publishes_a_checklist(cadres, login):
    client = login(cadres.committee_admin)
    response = client.post(
        reverse("growth:checklist_create"),
        {"organization": cadres.tree.committee.pk, "year": TODAY.year, "title": "自查", "intro": ""},
    )
    checklist = Checklist.objects.get()
    assert response.status_code == 302 and checklist.status == "draft"
    add = reverse("growth:question_add", args=[checklist.pk])
    client.post(add, {"text": "查思想"})
    client.post(add, {"text": "查作风"})
    client.post(add, {"text": "  "})  # empty: refused
    assert list(checklist.questions.values_list("number", "text")) == [(1, "查思想"), (2, "查作风")]
    first = checklist.questions.get(number=1)
    client.post(reverse("growth:question_edit", args=[first.pk]), {"text": "查理想信念"})
    client.post(reverse("growth:question_delete", args=[checklist.questions.get(number=2).pk]))
    assert list(checklist.questions.values_list("number", "text")) == [(1, "查理想信念")]
    client.post(reverse("growth:checklist_publish", args=[checklist.pk]))
    checklist.refresh_from_db()
    assert checklist.is_published and checklist.published_by == cadres.committee_admin


def test_a_published_checklist_is_frozen(checklist, login):
    admin = checklist.created_by
    question = checklist.questions.first()
    for call in (
        lambda: services.question_add(checklist=checklist, text="新问题", actor=admin),
        lambda: services.question_update(question=question, text="改", actor=admin),
        lambda: services.question_delete(question=question, actor=admin),
        lambda: services.checklist_update(checklist=checklist, title="改", intro="", actor=admin),
    ):
        with pytest.raises(ValidationError, match="published"):
            call()
    client = login(admin)
    client.post(reverse("growth:question_add", args=[checklist.pk]), {"text": "偷加"})
    assert checklist.questions.count() == 2
    assert "偷加" not in client.get(reverse("growth:checklist_detail", args=[checklist.pk])).content.decode()


def test_publishing_needs_a_question_and_only_one_checklist_a_year(cadres):
    admin = cadres.committee_admin
    draft = services.checklist_create(
        organization=cadres.tree.committee, year=TODAY.year, title="t", actor=admin
    )
    with pytest.raises(ValidationError, match="at least one question"):
        services.checklist_publish(checklist=draft, actor=admin)
    with pytest.raises(ValidationError, match="already a checklist"):
        services.checklist_create(
            organization=cadres.tree.committee, year=TODAY.year, title="t2", actor=admin
        )


def test_an_org_admin_cannot_create_or_change_the_committees_checklist(cadres, login):
    client = login(cadres.admin_a)
    assert client.get(reverse("growth:checklist_create")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.checklist_create(
            organization=cadres.tree.committee, year=TODAY.year, title="t", actor=cadres.admin_a
        )
    with pytest.raises(ValidationError, match="Only a committee"):
        services.checklist_create(
            organization=cadres.tree.branch_a, year=TODAY.year, title="t", actor=cadres.admin_a
        )
    draft = services.checklist_create(
        organization=cadres.tree.committee, year=TODAY.year, title="t", actor=cadres.committee_admin
    )
    assert client.post(reverse("growth:question_add", args=[draft.pk]), {"text": "x"}).status_code == 403
    assert client.post(reverse("growth:checklist_publish", args=[draft.pk])).status_code == 403
    assert not ChecklistQuestion.objects.exists()


def _answer_url(checklist):
    return reverse("growth:my_inspection", args=[checklist.pk])


def _answers(checklist, text="已自查"):
    """What the answer form posts."""
    return {f"q{q.pk}": text for q in checklist.questions.all()}


def _by_question(checklist, text="已自查"):
    """What the service takes."""
    return {q.pk: text for q in checklist.questions.all()}


def test_cadre_answers_on_their_phone_records_a_problem_and_marks_the_fix_done(checklist, cadres, login):
    client = login(cadres.member)
    me = client.get(reverse("growth:me")).content.decode()
    assert _answer_url(checklist) in me
    partial = _answers(checklist)
    partial[next(iter(partial))] = ""
    response = client.post(_answer_url(checklist), partial)
    assert (
        response.status_code == 200 and "Answer every question; still empty: 1" in response.content.decode()
    )
    assert not SelfInspection.objects.exists()

    assert client.post(_answer_url(checklist), _answers(checklist)).status_code == 302
    inspection = SelfInspection.objects.get()
    assert inspection.answers.count() == 2

    add = reverse("growth:my_problem_add", args=[checklist.pk])
    past = client.post(
        add,
        {"description": "学习不够", "fix": "每周学习", "due_on": (TODAY - dt.timedelta(days=1)).isoformat()},
    )
    assert past.status_code == 200 and "cannot be due in the past" in past.content.decode()
    due = TODAY + dt.timedelta(days=30)
    assert (
        client.post(
            add, {"description": "学习不够", "fix": "每周学习", "due_on": due.isoformat()}
        ).status_code
        == 302
    )
    problem = InspectionProblem.objects.get()
    assert (problem.due_on, problem.done_on) == (due, None)

    client.post(reverse("growth:my_problem_done", args=[problem.pk]), {"note": "已坚持四周"})
    problem.refresh_from_db()
    assert problem.done_on == TODAY and problem.done_note == "已坚持四周"
    # Changing the answers later keeps one inspection.
    client.post(_answer_url(checklist), _answers(checklist, "修改后"))
    assert SelfInspection.objects.count() == 1
    assert set(inspection.answers.values_list("text", flat=True)) == {"修改后"}


def test_someone_without_a_post_that_year_cannot_answer(checklist, cadres, login):
    user = UserFactory(username="plain")
    person = PersonFactory(organization=cadres.tree.branch_a, user=user)
    client = login(user)
    assert client.get(_answer_url(checklist)).status_code == 404
    with pytest.raises(ValidationError, match="held a league post"):
        services.inspection_submit(checklist=checklist, person=person, answers={}, actor=user)
    # A post that ended last year does not make them a cadre of this year.
    Position.objects.create(
        person=person,
        organization=cadres.tree.branch_a,
        title="member",
        start_on=dt.date(TODAY.year - 2, 1, 1),
        end_on=dt.date(TODAY.year - 1, 12, 31),
    )
    assert client.get(_answer_url(checklist)).status_code == 404


def test_nobody_answers_or_fixes_for_someone_else(checklist, cadres):
    with pytest.raises(PermissionDenied):
        services.inspection_submit(
            checklist=checklist, person=cadres.person_a, answers=_by_question(checklist), actor=cadres.admin_a
        )
    inspection = SelfInspection.objects.create(
        checklist=checklist, person=cadres.person_a, submitted_by=cadres.admin_a
    )
    problem = InspectionProblem.objects.create(inspection=inspection, description="d", fix="f", due_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.problem_mark_done(problem=problem, actor=cadres.member)


def test_committee_sees_who_has_not_answered_and_overdue_fixes_org_admin_only_their_own(
    checklist, cadres, login
):
    services.inspection_submit(
        checklist=checklist, person=cadres.member_person, answers=_by_question(checklist), actor=cadres.member
    )
    inspection = SelfInspection.objects.get()
    InspectionProblem.objects.create(
        inspection=inspection, description="迟到问题", fix="改进", due_on=TODAY - dt.timedelta(days=3)
    )
    InspectionProblem.objects.create(
        inspection=inspection, description="按时问题", fix="改进", due_on=TODAY + dt.timedelta(days=3)
    )
    url = reverse("growth:checklist_detail", args=[checklist.pk])

    committee = login(cadres.committee_admin).get(url)
    progress = {row.organization.name: row for row in committee.context["progress"]}
    assert [p.name for p in progress["护理一支部"].missing] == ["甲支部人"]
    assert [p.name for p in progress["护理二支部"].missing] == ["乙支部人"]
    assert (committee.context["total_cadres"], committee.context["total_answered"]) == (3, 1)
    assert [p.description for p in committee.context["overdue"]] == ["迟到问题"]

    body = login(cadres.admin_a).get(url).content.decode()
    assert "甲支部人" in body and "迟到问题" in body
    assert "乙支部人" not in body and "护理二支部" not in body
    body = login(cadres.admin_b).get(url).content.decode()
    assert "乙支部人" in body and "迟到问题" not in body and "甲支部人" not in body
