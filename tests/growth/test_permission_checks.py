"""The growth API's list endpoints refuse without the right (403), not an empty 200.

Written against the mutation check: the lists are scoped, so without the require_perm a
member would get an empty page instead of a refusal.
"""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/growth/contests", "/growth/checklists", "/growth/inspections"])
def test_growth_lists_refuse_who_does_not_manage_growth(cadres, api_as, path):
    for user in (cadres.member, cadres.outsider, cadres.coordinator):
        assert api_as(user).get(path).status_code == 403
    assert api_as(cadres.admin_a).get(path).status_code == 200


# --- The services' own checks, called as the wrong actor (each would pass unnoticed behind a
# view that refuses first) ---------------------------------------------------------------


def _pending_training(cadres):
    from qingyi.growth import services
    from tests.growth.conftest import training_data

    return services.training_create(
        person=cadres.member_person, actor=cadres.member, data=training_data(), as_self=True
    )


def test_entering_a_result_for_someone_else_as_oneself_or_outside_ones_branch_is_refused(cadres):
    # services.contest_create: _check_can_enter(actor, person, as_self=...)
    from django.core.exceptions import PermissionDenied, ValidationError

    from qingyi.growth import services
    from qingyi.growth.models import ContestResult
    from tests.growth.conftest import contest_data

    with pytest.raises(PermissionDenied):
        services.contest_create(
            person=cadres.person_a, actor=cadres.member, data=contest_data(), as_self=True
        )
    with pytest.raises(ValidationError):
        services.contest_create(person=cadres.person_b, actor=cadres.admin_a, data=contest_data())
    assert not ContestResult.objects.exists()


def test_changing_another_branchs_records_is_refused(cadres):
    # services.training_delete / contest_update / contest_delete: _check_can_change(actor, record)
    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import ContestResult, TrainingRecord
    from tests.growth.conftest import contest_data, training_data

    training = services.training_create(person=cadres.person_b, actor=cadres.admin_b, data=training_data())
    contest = services.contest_create(person=cadres.person_b, actor=cadres.admin_b, data=contest_data())
    with pytest.raises(PermissionDenied):
        services.training_delete(record=training, actor=cadres.admin_a)
    with pytest.raises(PermissionDenied):
        services.contest_update(record=contest, actor=cadres.admin_a, data=contest_data(contest="改过的"))
    with pytest.raises(PermissionDenied):
        services.contest_delete(record=contest, actor=cadres.admin_a)
    assert TrainingRecord.objects.filter(pk=training.pk).exists()
    assert ContestResult.objects.get(pk=contest.pk).contest == "团干部大比武"


def test_only_an_admin_over_the_cadre_decides_a_submission(cadres):
    # services.record_decide: _manages(actor, record.person) → PermissionDenied
    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import RecordStatus

    record = _pending_training(cadres)
    for actor in (cadres.admin_b, cadres.member):
        with pytest.raises(PermissionDenied):
            services.record_decide(record=record, actor=actor, approve=True)
    record.refresh_from_db()
    assert record.status == RecordStatus.PENDING
    services.record_decide(record=record, actor=cadres.admin_a, approve=True)
    record.refresh_from_db()
    assert record.status != RecordStatus.PENDING


def test_a_branch_admin_cannot_change_the_committees_checklist(cadres):
    # services.checklist_update / question_add / question_update / question_delete /
    # checklist_publish: _require_manage_checklist (require_perm GROWTH_MANAGE on its committee)
    import datetime as dt

    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import Checklist, ChecklistQuestion

    admin = cadres.committee_admin
    draft = services.checklist_create(
        organization=cadres.tree.committee, year=dt.date.today().year, title="自查", actor=admin
    )
    question = services.question_add(checklist=draft, text="查理想信念", actor=admin)
    attempts = [
        lambda: services.checklist_update(checklist=draft, title="甲改的", intro="", actor=cadres.admin_a),
        lambda: services.question_add(checklist=draft, text="甲加的", actor=cadres.admin_a),
        lambda: services.question_update(question=question, text="甲改的", actor=cadres.admin_a),
        lambda: services.question_delete(question=question, actor=cadres.admin_a),
        lambda: services.checklist_publish(checklist=draft, actor=cadres.admin_a),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    draft = Checklist.objects.get(pk=draft.pk)
    assert (draft.title, draft.is_published) == ("自查", False)
    assert list(ChecklistQuestion.objects.values_list("text", flat=True)) == ["查理想信念"]


def test_problems_are_the_answering_cadres_own(cadres, checklist):
    # services.problem_add / problem_delete: _check_own_inspection (the cadre alone)
    import datetime as dt

    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import InspectionProblem

    answers = {q.pk: "已自查" for q in checklist.questions.all()}
    inspection = services.inspection_submit(
        checklist=checklist, person=cadres.member_person, answers=answers, actor=cadres.member
    )
    due = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(PermissionDenied):
        services.problem_add(
            inspection=inspection, description="学习不够", fix="补学", due_on=due, actor=cadres.admin_a
        )
    problem = services.problem_add(
        inspection=inspection, description="学习不够", fix="补学", due_on=due, actor=cadres.member
    )
    with pytest.raises(PermissionDenied):
        services.problem_delete(problem=problem, actor=cadres.admin_a)
    assert list(InspectionProblem.objects.all()) == [problem]


def test_a_cadre_cannot_answer_another_hospitals_checklist(cadres):
    # services.inspection_submit: _check_answerer — the person's organisation under the checklist's
    import datetime as dt

    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import SelfInspection
    from qingyi.organizations.services import organization_create_root
    from tests.factories import grant

    other = organization_create_root(name="别的医院团委", founded_on=dt.date(2020, 1, 1))
    other_admin = grant(type(cadres.member).objects.create(username="other_admin"), "committee_admin", other)
    theirs = services.checklist_create(
        organization=other, year=dt.date.today().year, title="他院自查", actor=other_admin
    )
    question = services.question_add(checklist=theirs, text="查作风", actor=other_admin)
    theirs = services.checklist_publish(checklist=theirs, actor=other_admin)
    with pytest.raises(PermissionDenied):
        services.inspection_submit(
            checklist=theirs, person=cadres.member_person, answers={question.pk: "答"}, actor=cadres.member
        )
    assert not SelfInspection.objects.exists()
