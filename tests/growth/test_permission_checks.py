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


@pytest.fixture
def theirs(cadres):
    """Another hospital's published checklist of this year, with one question."""
    import datetime as dt

    from qingyi.growth import services
    from qingyi.organizations.services import organization_create_root
    from tests.factories import grant

    other = organization_create_root(name="别的医院团委", founded_on=dt.date(2020, 1, 1))
    other_admin = grant(type(cadres.member).objects.create(username="other_admin"), "committee_admin", other)
    checklist = services.checklist_create(
        organization=other, year=dt.date.today().year, title="他院自查", actor=other_admin
    )
    services.question_add(checklist=checklist, text="查作风", actor=other_admin)
    return services.checklist_publish(checklist=checklist, actor=other_admin)


def test_a_cadre_cannot_answer_another_hospitals_checklist(cadres, theirs):
    # services.inspection_submit: _check_answerer — the person's organisation under the checklist's
    from django.core.exceptions import PermissionDenied

    from qingyi.growth import services
    from qingyi.growth.models import SelfInspection

    question = theirs.questions.get()
    with pytest.raises(PermissionDenied):
        services.inspection_submit(
            checklist=theirs, person=cadres.member_person, answers={question.pk: "答"}, actor=cadres.member
        )
    assert not SelfInspection.objects.exists()


# --- The pages ------------------------------------------------------------------------------


def test_the_cadre_pages_are_refused_without_growth_manage(cadres, login):
    # views.records.roster / views.inspections.checklist_list: require_perm(GROWTH_MANAGE)
    from django.urls import reverse

    # and views.records._record_list / _record_create: require_perm(GROWTH_MANAGE)
    names = ["growth:roster", "growth:checklist_list", "growth:training_list", "growth:contest_list",
             "growth:training_create", "growth:contest_create"]  # fmt: skip
    for user in (cadres.member, cadres.coordinator):
        client = login(user)
        assert [n for n in names if client.get(reverse(n)).status_code != 403] == []
    client = login(cadres.admin_a)
    assert [n for n in names if client.get(reverse(n)).status_code != 200] == []


def test_the_roster_counts_only_the_users_hospitals_checklists(cadres, theirs, login):
    # views.records.roster: published_checklists(year, scope_paths(user, GROWTH_MANAGE)) — with
    # only another hospital's checklist published, branch A's roster has none ("not answered"
    # would otherwise be shown against a checklist its cadres cannot answer)
    from django.urls import reverse

    response = login(cadres.admin_a).get(reverse("growth:roster"))
    assert list(response.context["checklists"]) == []


def test_the_roster_shows_figures_only_with_the_right_to_see_figures(cadres, login, role_rights):
    # views.records.roster: tiles need has_perm(METRICS_VIEW, home); every role that manages
    # growth sees figures today, so the rule is pinned with a branch admin role without it
    from django.urls import reverse

    from qingyi.core import scoping as core_scoping

    assert login(cadres.admin_a).get(reverse("growth:roster")).context["tiles"]
    role_rights(core_scoping.Role.ORG_ADMIN, remove={core_scoping.METRICS_VIEW})
    assert login(cadres.admin_a).get(reverse("growth:roster")).context["tiles"] == []


def test_a_branch_admin_sees_the_committees_draft_but_is_offered_no_change(cadres, login):
    # views.inspections.checklist_detail: can_edit = has_perm(GROWTH_MANAGE, committee);
    # checklist_edit (_managed_checklist) and question_edit (_question): require_perm on a GET too
    import datetime as dt

    from django.urls import reverse

    from qingyi.growth import services

    admin = cadres.committee_admin
    draft = services.checklist_create(
        organization=cadres.tree.committee, year=dt.date.today().year, title="自查草稿", actor=admin
    )
    question = services.question_add(checklist=draft, text="查理想信念", actor=admin)
    edit = reverse("growth:checklist_edit", args=[draft.pk])
    client = login(cadres.admin_a)
    response = client.get(reverse("growth:checklist_detail", args=[draft.pk]))
    assert response.status_code == 200 and edit not in response.content.decode()
    assert client.get(edit).status_code == 403
    assert client.get(reverse("growth:question_edit", args=[question.pk])).status_code == 403
    client = login(admin)
    assert edit in client.get(reverse("growth:checklist_detail", args=[draft.pk])).content.decode()
    assert client.get(reverse("growth:question_edit", args=[question.pk])).status_code == 200
