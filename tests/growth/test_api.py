"""GET /api/v1/growth/...: training records, contests, checklists and answers of the caller's scope."""

from __future__ import annotations

from qingyi.growth import services
from tests.factories import PersonFactory
from tests.growth.conftest import contest_data, training_data


def _names(response):
    assert response.status_code == 200, response.content
    return sorted(item["person"]["name"] for item in response.json()["items"])


def test_trainings_and_contests_are_scoped(cadres, api_as):
    a = services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data())
    b = services.training_create(person=cadres.person_b, actor=cadres.admin_b, data=training_data())
    services.contest_create(person=cadres.person_b, actor=cadres.admin_b, data=contest_data())
    api = api_as(cadres.admin_a)
    assert _names(api.get("/growth/trainings")) == ["甲支部人"]
    assert api.get(f"/growth/trainings/{a.pk}").json()["hours"] in ("12.0", 12.0)
    assert api.get(f"/growth/trainings/{b.pk}").status_code == 404
    assert _names(api.get("/growth/contests")) == []
    assert api.get("/growth/trainings", {"org": cadres.tree.branch_b.pk}).status_code == 404
    assert _names(api_as(cadres.committee_admin).get("/growth/trainings")) == ["乙支部人", "甲支部人"]
    assert _names(api_as(cadres.committee_admin).get("/growth/contests")) == ["乙支部人"]
    for user in (cadres.member, cadres.outsider, cadres.coordinator):
        assert api_as(user).get("/growth/trainings").status_code == 403


def test_checklist_and_inspections_in_scope(checklist, cadres, api_as):
    answers = {q.pk: "答" for q in checklist.questions.all()}
    services.inspection_submit(
        checklist=checklist, person=cadres.member_person, answers=answers, actor=cadres.member
    )
    committee = api_as(cadres.committee_admin)
    detail = committee.get(f"/growth/checklists/{checklist.pk}").json()
    assert (detail["question_count"], detail["cadres"], detail["answered"]) == (2, 3, 1)
    assert [q["number"] for q in detail["questions"]] == [1, 2]
    admin_b = api_as(cadres.admin_b)
    assert admin_b.get(f"/growth/checklists/{checklist.pk}").json()["answered"] == 0
    assert admin_b.get("/growth/inspections").json()["count"] == 0
    items = api_as(cadres.admin_a).get("/growth/inspections").json()["items"]
    assert [(i["person"]["name"], i["year"], len(i["answers"])) for i in items] == [
        ("团员甲", checklist.year, 2)
    ]
    assert admin_b.get(f"/growth/inspections/{items[0]['id']}").status_code == 404


def test_training_list_query_count_is_flat(cadres, api_as, count_queries):
    api = api_as(cadres.committee_admin)
    services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data())
    api.get("/growth/trainings")  # the first call of a token also records its last use
    with count_queries() as small:
        api.get("/growth/trainings")
    from qingyi.organizations.models import Position

    for i in range(15):
        person = PersonFactory(organization=cadres.tree.branch_b)
        Position.objects.create(
            person=person, organization=cadres.tree.branch_b, title="member", start_on="2024-01-01"
        )
        services.training_create(person=person, actor=cadres.admin_b, data=training_data(course=f"课{i}"))
    with count_queries() as large:
        assert api.get("/growth/trainings").json()["count"] == 16
    assert len(large) == len(small)
