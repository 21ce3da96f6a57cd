"""GET /organizations and /organizations/{id}: the visible tree, scoped like the tree page."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qingyi.organizations.models import Election, Organization, Position
from qingyi.organizations.selectors import election_due_on
from tests.factories import PartyBranchFactory, PersonFactory


def test_committee_admin_lists_the_whole_tree_in_path_order(personas, api_as):
    tree = personas.tree
    body = api_as(personas.committee_admin).get("/organizations").json()
    assert body["count"] == 5
    items = body["items"]
    assert [o["id"] for o in items] == [
        o.pk for o in Organization.objects.order_by("path")
    ]  # a parent before its children
    by_id = {o["id"]: o for o in items}
    assert by_id[tree.committee.pk]["parent_id"] is None
    assert by_id[tree.committee.pk]["depth"] == 1
    assert by_id[tree.general.pk]["parent_id"] == tree.committee.pk
    assert by_id[tree.branch_a.pk]["parent_id"] == tree.general.pk
    assert by_id[tree.branch_a.pk]["depth"] == 3
    assert by_id[tree.branch_a.pk]["kind"] == "branch"
    assert by_id[tree.branch_a.pk]["active_members"] == 2  # member and person_a
    assert by_id[tree.branch_b.pk]["active_members"] == 1


def test_org_admin_sees_only_their_branch(personas, api_as):
    api = api_as(personas.admin_a)
    body = api.get("/organizations").json()
    assert [o["name"] for o in body["items"]] == ["护理一支部"]
    assert "护理二支部" not in api.get("/organizations").content.decode()


def test_org_admin_gets_404_on_another_branch(personas, api_as):
    api = api_as(personas.admin_a)
    response = api.get(f"/organizations/{personas.tree.branch_b.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert api.get("/organizations", {"org": personas.tree.branch_b.pk}).status_code == 404
    assert api.get("/organizations/999999").status_code == 404


def test_member_and_outsider_get_403_on_the_list(personas, api_as):
    for user in (personas.member, personas.outsider):
        api = api_as(user)
        response = api.get("/organizations")
        assert response.status_code == 403
        assert isinstance(response.json()["detail"], str)
        assert api.get(f"/organizations/{personas.tree.branch_a.pk}").status_code == 404


def test_archived_organisations_only_on_request(personas, api_as):
    tree = personas.tree
    Organization.objects.filter(pk=tree.admin_branch.pk).update(archived_at=timezone.now())
    api = api_as(personas.committee_admin)
    names = [o["name"] for o in api.get("/organizations").json()["items"]]
    assert "行政支部" not in names
    items = api.get("/organizations", {"archived": "true"}).json()["items"]
    archived = next(o for o in items if o["id"] == tree.admin_branch.pk)
    assert archived["archived"] is True
    assert api.get(f"/organizations/{tree.admin_branch.pk}").json()["archived"] is True


def test_filters_by_subtree_kind_and_name(personas, api_as):
    tree = personas.tree
    api = api_as(personas.committee_admin)
    in_general = api.get("/organizations", {"org": tree.general.pk}).json()["items"]
    assert [o["id"] for o in in_general] == [tree.general.pk, tree.branch_a.pk, tree.branch_b.pk]
    branches = api.get("/organizations", {"kind": "branch"}).json()["items"]
    assert {o["id"] for o in branches} == {tree.branch_a.pk, tree.branch_b.pk, tree.admin_branch.pk}
    assert [o["id"] for o in api.get("/organizations", {"q": "二支部"}).json()["items"]] == [tree.branch_b.pk]
    assert api.get("/organizations", {"kind": "party"}).status_code == 422
    assert api.get("/organizations", {"org": "", "kind": ""}).json()["count"] == 5  # blank: no filter


def test_next_election_due_follows_the_term_rules(personas, api_as):
    branch_a = personas.tree.branch_a
    Election.objects.create(organization=branch_a, held_on=dt.date(2024, 5, 4), term_years=3)
    item = api_as(personas.admin_a).get("/organizations").json()["items"][0]
    assert item["last_election_on"] == "2024-05-04"
    assert item["election_due_on"] == election_due_on(branch_a, dt.date(2024, 5, 4)).isoformat()
    assert item["election_state"] in {"ok", "due_soon", "overdue"}


def test_detail_has_party_branch_children_members_and_cadres(personas, api_as):
    tree = personas.tree
    party = PartyBranchFactory(name="护理党支部")
    Organization.objects.filter(pk=tree.general.pk).update(party_branch=party)
    Position.objects.create(
        person=personas.person_a, organization=tree.general, title="secretary", start_on=dt.date(2024, 1, 1)
    )
    Position.objects.create(
        person=personas.person_b,
        organization=tree.general,
        title="member",
        start_on=dt.date(2020, 1, 1),
        end_on=dt.date(2021, 1, 1),
    )
    body = api_as(personas.committee_admin).get(f"/organizations/{tree.general.pk}").json()
    assert body["party_branch"] == {"id": party.pk, "name": "护理党支部"}
    assert body["subtree_members"] == 3
    assert body["active_members"] == 0
    assert [c["id"] for c in body["children"]] == [tree.branch_a.pk, tree.branch_b.pk]
    assert [(p["person"]["name"], p["title"]) for p in body["positions"]] == [("甲支部人", "secretary")]


def test_pages_are_stable_and_complete(personas, api_as):
    api = api_as(personas.committee_admin)
    first = api.get("/organizations", {"page_size": 2}).json()
    second = api.get("/organizations", {"page_size": 2, "page": 2}).json()
    third = api.get("/organizations", {"page_size": 2, "page": 3}).json()
    ids = [o["id"] for page in (first, second, third) for o in page["items"]]
    assert first["count"] == 5
    assert len(ids) == len(set(ids)) == 5


def _grow_tree(parent, n):
    for i in range(n):
        child = Organization.objects.add_child(
            parent,
            create_kwargs={
                "name": f"支部{i}",
                "kind": Organization.Kind.BRANCH,
                "party_branch": PartyBranchFactory(),
            },
        )
        PersonFactory(organization=child)
        Election.objects.create(organization=child, held_on=dt.date(2024, 1, 1), term_years=3)
        parent = Organization.objects.get(pk=parent.pk)


def test_list_query_count_does_not_grow_with_the_tree(personas, api_as, count_queries):
    api = api_as(personas.committee_admin)
    api.get("/organizations")  # warm: token touch, settings cache
    _grow_tree(personas.tree.general, 5)
    with count_queries() as small:
        assert len(api.get("/organizations", {"page_size": 100}).json()["items"]) == 10
    _grow_tree(Organization.objects.get(pk=personas.tree.general.pk), 35)
    with count_queries() as large:
        assert len(api.get("/organizations", {"page_size": 100}).json()["items"]) == 45
    assert len(large) == len(small) <= 4
