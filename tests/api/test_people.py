"""GET /people and /people/{id}: the roster, with the roster page's filters and scope.

Members and logins without a role get 403 on the list, as on the roster page (they hold no
``people.view`` anywhere); a person outside the caller's scope is a 404.
"""

from __future__ import annotations

import datetime as dt

from qingyi.organizations.models import Position
from qingyi.people.models import Person
from tests.factories import DepartmentFactory, PersonFactory, years_ago


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {p["name"] for p in response.json()["items"]}


def test_org_admin_lists_only_their_branch(personas, api_as):
    api = api_as(personas.admin_a)
    response = api.get("/people")
    assert _names(response) == {"团员甲", "甲支部人"}
    assert "乙支部人" not in response.content.decode()
    assert _names(api_as(personas.admin_b).get("/people")) == {"乙支部人"}


def test_org_admin_gets_404_on_another_branchs_person_or_filter(personas, api_as):
    api = api_as(personas.admin_a)
    assert api.get(f"/people/{personas.person_b.pk}").status_code == 404
    assert api.get(f"/people/{personas.person_a.pk}").status_code == 200
    assert api.get("/people", {"org": personas.tree.branch_b.pk}).status_code == 404


def test_member_and_outsider_get_403_on_the_list_and_404_on_a_person(personas, api_as):
    for user in (personas.member, personas.outsider):
        api = api_as(user)
        assert api.get("/people").status_code == 403
        # Not even their own record: the member's profile is on the profile page.
        assert api.get(f"/people/{personas.member_person.pk}").status_code == 404


def test_committee_admin_and_coordinator_see_everyone(personas, api_as):
    everyone = {"团员甲", "甲支部人", "乙支部人"}
    assert _names(api_as(personas.committee_admin).get("/people")) == everyone
    assert _names(api_as(personas.coordinator).get("/people")) == everyone


def test_id_and_phone_numbers_are_masked(personas, api_as):
    person = personas.person_a
    Person.objects.filter(pk=person.pk).update(phone="13912345678")
    person.refresh_from_db()
    api = api_as(personas.admin_a)  # holds people.sensitive, still masked here
    for response in (api.get("/people"), api.get(f"/people/{person.pk}")):
        body = response.content.decode()
        assert person.id_number not in body
        assert "13912345678" not in body
    item = api.get(f"/people/{person.pk}").json()
    # The province only, beside the birth date (people.masking: thousands of candidates left).
    assert item["id_number_masked"] == person.id_number[:2] + "*" * 16
    assert item["birth_date"] == person.birth_date.isoformat()
    assert item["phone_masked"] == "139******78"
    assert "id_number" not in item and "phone" not in item


def test_filters_like_the_roster_page(personas, api_as):
    tree = personas.tree
    surgery = DepartmentFactory(name="外科")
    PersonFactory(
        organization=tree.branch_a,
        name="外科医生",
        department=surgery,
        profession=Person.Profession.DOCTOR,
        political_status=Person.PoliticalStatus.PARTY_MEMBER,
        birth_date=years_ago(40),
    )
    PersonFactory(organization=tree.branch_a, name="离开的人", status=Person.Status.LEFT)
    PersonFactory(organization=tree.branch_a, name="超龄团员", birth_date=years_ago(30))
    api = api_as(personas.committee_admin)

    assert "离开的人" not in _names(api.get("/people"))  # active by default
    assert "离开的人" in _names(api.get("/people", {"status": "all"}))
    assert "离开的人" in _names(api.get("/people", {"status": ""}))
    assert _names(api.get("/people", {"status": "left"})) == {"离开的人"}
    assert _names(api.get("/people", {"q": "外科"})) == {"外科医生"}
    assert _names(api.get("/people", {"org": tree.branch_b.pk})) == {"乙支部人"}
    assert _names(api.get("/people", {"department": surgery.pk})) == {"外科医生"}
    assert _names(api.get("/people", {"profession": "doctor"})) == {"外科医生"}
    assert _names(api.get("/people", {"political_status": "party_member"})) == {"外科医生"}
    assert "外科医生" not in _names(api.get("/people", {"youth": "true"}))
    assert _names(api.get("/people", {"due_to_age_out": "true"})) == {"超龄团员"}
    assert _names(api.get("/people", {"profession": "", "political_status": ""})) == _names(
        api.get("/people")
    )


def test_exact_numbers_find_a_person(personas, api_as):
    api = api_as(personas.committee_admin)
    person = personas.person_b
    assert _names(api.get("/people", {"q": person.employee_number})) == {"乙支部人"}
    assert _names(api.get("/people", {"q": person.id_number.lower()})) == {"乙支部人"}


def test_bad_filter_values_are_422_with_a_detail(personas, api_as):
    api = api_as(personas.committee_admin)
    for params in ({"status": "gone"}, {"profession": "astronaut"}, {"org": "abc"}, {"page": 0}):
        response = api.get("/people", params)
        assert response.status_code == 422, params
        body = response.json()
        assert isinstance(body["detail"], str)
        assert body["errors"]


def test_detail_has_the_positions(personas, api_as):
    tree = personas.tree
    person = personas.person_a
    Position.objects.create(
        person=person, organization=tree.branch_a, title="secretary", start_on=dt.date(2023, 1, 1)
    )
    Position.objects.create(
        person=person,
        organization=tree.general,
        title="member",
        start_on=dt.date(2020, 1, 1),
        end_on=dt.date(2022, 1, 1),
    )
    body = api_as(personas.admin_a).get(f"/people/{person.pk}").json()
    assert body["organization"] == {"id": tree.branch_a.pk, "name": "护理一支部"}
    assert [(p["title"], p["state"], p["organization"]["name"]) for p in body["positions"]] == [
        ("secretary", "current", "护理一支部"),
        ("member", "past", "护理团总支"),
    ]
    assert body["due_to_age_out"] is False
    assert body["political_status"] == "league_member"
    assert body["youth"] is True


def test_pages_are_stable(personas, api_as):
    for i in range(7):
        PersonFactory(organization=personas.tree.branch_a, name="同名")  # same name: the pk breaks the tie
    api = api_as(personas.committee_admin)
    ids = []
    for page in (1, 2, 3, 4):
        body = api.get("/people", {"page_size": 3, "page": page}).json()
        assert body["count"] == 10
        ids += [p["id"] for p in body["items"]]
    assert len(ids) == len(set(ids)) == 10


def test_list_query_count_does_not_grow_with_the_roster(
    personas, api_as, count_queries, django_assert_max_num_queries
):
    api = api_as(personas.admin_a)
    department = DepartmentFactory()
    api.get("/people")  # warm: token touch
    PersonFactory.create_batch(2, organization=personas.tree.branch_a, department=department)
    with count_queries() as small:
        assert api.get("/people", {"page_size": 100}).json()["count"] == 4
    PersonFactory.create_batch(36, organization=personas.tree.branch_a, department=department)
    with count_queries() as large:
        assert api.get("/people", {"page_size": 100}).json()["count"] == 40
    assert len(large) == len(small)
    with django_assert_max_num_queries(5):  # token, grants, the org filter, count, page
        api.get("/people", {"page_size": 100, "org": personas.tree.branch_a.pk, "youth": "true"})
