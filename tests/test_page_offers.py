"""What a page offers: a button or form that leads to an action is shown only to those who may
take it (written against the mutation check: each `can_*` flag of a view, made always true,
fails here). Each case checks both sides: the viewer who may only look is offered nothing,
the manager is offered the action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from qingyi.organizations.models import Department, PartyBranch
from qingyi.people.services import transfer_request

BACKEND = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


def _body(client, user, url) -> str:
    client.force_login(user, backend=BACKEND)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def _org_page(p):
    org = p.tree.branch_a
    return reverse("organizations:detail", args=[org.pk]), [
        reverse("organizations:edit", args=[org.pk]),  # can_manage
        reverse("organizations:position_new", args=[org.pk]),  # can_cadres
        reverse("organizations:election_new", args=[org.pk]),  # can_cadres
    ]


def _people_list(p):
    return reverse("people:list"), [
        reverse("people:create"),
        reverse("people:import"),
        reverse("people:export"),
    ]


def _person_page(p):
    return reverse("people:detail", args=[p.person_a.pk]), [reverse("people:edit", args=[p.person_a.pk])]


CASES = {"organisation page": _org_page, "roster": _people_list, "person page": _person_page}


@pytest.mark.parametrize("case", CASES)
def test_the_coordinator_sees_but_is_offered_no_change(personas, client, case):
    # The coordinator sees the tree and the roster (org.view, people.view) and manages neither.
    url, actions = CASES[case](personas)
    body = _body(client, personas.coordinator, url)
    assert [a for a in actions if a in body] == []
    body = _body(client, personas.admin_a, url)
    assert [a for a in actions if a not in body] == []


def test_a_transfer_is_offered_for_decision_only_to_the_receiving_admin(personas, client):
    # people.views.transfer_list: pending_in = has_perm(TRANSFERS_DECIDE, t.to_organization)
    transfer = transfer_request(
        person=personas.person_b, to_organization=personas.tree.branch_a, actor=personas.admin_b
    )
    approve = reverse("people:transfer_approve", args=[transfer.pk])
    assert approve not in _body(client, personas.coordinator, reverse("people:transfer_list"))
    assert approve not in _body(client, personas.admin_b, reverse("people:transfer_list"))
    assert approve in _body(client, personas.admin_a, reverse("people:transfer_list"))


@pytest.mark.parametrize(
    ("name", "model", "data"),
    [("organizations:party_branch_list", PartyBranch, {"name": "某党支部"}),
     ("organizations:department_list", Department, {"name": "某科室"})],
)  # fmt: skip
def test_reference_lists_are_the_committees_to_change(personas, client, name, model, data):
    # organizations.views.party_branch_list / department_list: can_manage = has_perm(SETTINGS_MANAGE)
    # and the POST's require_perm(SETTINGS_MANAGE)
    before = model.objects.count()
    client.force_login(personas.admin_a, backend=BACKEND)
    response = client.get(reverse(name))
    assert response.status_code == 200 and response.context["can_manage"] is False
    assert client.post(reverse(name), data).status_code == 403
    assert model.objects.count() == before
    client.force_login(personas.committee_admin, backend=BACKEND)
    assert client.get(reverse(name)).context["can_manage"] is True
    assert client.post(reverse(name), data).status_code == 302
    assert model.objects.count() == before + 1
