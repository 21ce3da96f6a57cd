"""Permission checks of the API's own routers (written against the mutation check)."""

from __future__ import annotations


def test_a_figure_is_refused_to_a_user_who_sees_no_organisation(personas, api_as):
    # api.figures._scope: no organisation with metrics.view → PermissionDenied (403)
    api = api_as(personas.member)
    assert api.get("/metrics/people.active").status_code == 403
    assert api.get("/metrics/people.active/records").status_code == 403


def test_the_organisation_list_is_refused_to_a_user_who_sees_none(personas, api_as):
    # api.organizations.organization_list: require_perm(ORG_VIEW)
    assert api_as(personas.member).get("/organizations").status_code == 403
    body = api_as(personas.admin_a).get("/organizations").json()
    assert [item["name"] for item in body["items"]] == [personas.tree.branch_a.name]


def test_another_branchs_organisation_is_not_found(personas, api_as):
    # api.organizations.organization_detail: only the user's scope (_visible)
    assert api_as(personas.admin_a).get(f"/organizations/{personas.tree.branch_b.pk}").status_code == 404
    assert api_as(personas.admin_b).get(f"/organizations/{personas.tree.branch_b.pk}").status_code == 200
