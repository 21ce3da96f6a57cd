"""The API's escort checks, each with its exact status (written against the mutation check)."""

from __future__ import annotations

from tests.escorts.conftest import assigned, make_volunteer


def test_no_coordinator_right_is_403_not_404(escorts, api_as):
    # _escort: require_perm(VOLUNTEERING_MANAGE) answers before the lookup (which would 404).
    response = api_as(escorts.personas.member).get(f"/escorts/{escorts.new.pk}")
    assert response.status_code == 403


def test_a_coordinator_elsewhere_assigned_as_volunteer_cannot_dispatch_the_request(escorts, api_as):
    # admin_b coordinates branch B only; assigned as a volunteer to the committee's request, they
    # see it in their own pages but the dispatch API (patient's details, assign) stays closed.
    personas = escorts.personas
    as_volunteer = make_volunteer(personas.tree.branch_b, name="乙支部书记", user=personas.admin_b)
    escort = assigned(escorts, as_volunteer)
    api = api_as(personas.admin_b)
    response = api.get(f"/escorts/{escort.pk}")
    assert response.status_code == 403
    assert "13900001111" not in response.content.decode()


def test_the_dispatch_list_holds_only_the_coordinators_requests(escorts):
    from qingyi.escorts import selectors

    assert escorts.new in set(selectors.dispatchable_by(escorts.personas.coordinator))
    assert escorts.new.organization != escorts.personas.tree.branch_b
    assert escorts.new not in set(selectors.dispatchable_by(escorts.personas.admin_b))


def test_the_assigned_volunteer_sees_the_request_without_the_dispatchers_actions(escorts, login):
    # views.dispatch.detail: can_dispatch = services.can_dispatch(user, escort)
    from django.urls import reverse

    escort = assigned(escorts)
    url = reverse("escorts:detail", args=[escort.pk])
    body = login(escorts.volunteer_a.user).get(url).content.decode()
    assert reverse("escorts:assign", args=[escort.pk]) not in body
    assert reverse("escorts:cancel", args=[escort.pk]) not in body
    body = login(escorts.personas.coordinator).get(url).content.decode()
    assert reverse("escorts:assign", args=[escort.pk]) in body
