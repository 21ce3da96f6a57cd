"""The organisation and cadre services refuse the wrong actor; the pages do their work for the
right one (written against the mutation check: no test reached these services before)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qingyi.organizations import services
from qingyi.organizations.models import Organization, Position


def _update(organization, actor, name):
    return services.organization_update(
        organization=organization,
        actor=actor,
        name=name,
        party_branch=None,
        is_student=False,
        founded_on=None,
    )


def test_organization_update_refuses_another_branchs_admin(personas):
    # services.organization_update: require_perm(actor, ORG_MANAGE, organization)
    with pytest.raises(PermissionDenied):
        _update(personas.tree.branch_b, personas.admin_a, "甲改的名字")
    assert Organization.objects.get(pk=personas.tree.branch_b.pk).name == personas.tree.branch_b.name
    _update(personas.tree.branch_b, personas.admin_b, "护理二支部(新)")
    assert Organization.objects.get(pk=personas.tree.branch_b.pk).name == "护理二支部(新)"


def test_the_edit_page_renames_the_branch(personas, login):
    client = login(personas.admin_b)
    url = reverse("organizations:edit", args=[personas.tree.branch_b.pk])
    response = client.post(url, {"name": "护理二支部(改)"})
    assert response.status_code == 302
    assert Organization.objects.get(pk=personas.tree.branch_b.pk).name == "护理二支部(改)"


def _position(organization, person, actor):
    return services.position_create(
        organization=organization, person=person, title=Position.Title.SECRETARY,
        start_on=dt.date(2025, 1, 1), end_on=None, actor=actor,
    )  # fmt: skip


def test_position_create_refuses_another_branch(personas):
    # services.position_create: require_perm(actor, CADRES_MANAGE, organization)
    with pytest.raises(PermissionDenied):
        _position(personas.tree.branch_b, personas.person_b, personas.admin_a)
    assert not Position.objects.exists()


def test_position_create_refuses_a_person_outside_the_actors_scope(personas):
    # services.position_create: _check_person_in_scope(actor, person) — branch A's admin may
    # name cadres of branch A, but not make branch B's person one of them
    with pytest.raises(PermissionDenied):
        _position(personas.tree.branch_a, personas.person_b, personas.admin_a)
    assert not Position.objects.exists()
    _position(personas.tree.branch_a, personas.person_a, personas.admin_a)
    assert Position.objects.get().person == personas.person_a


def test_the_position_page_names_a_cadre(personas, login):
    client = login(personas.admin_a)
    url = reverse("organizations:position_new", args=[personas.tree.branch_a.pk])
    response = client.post(
        url, {"person": personas.person_a.pk, "title": Position.Title.SECRETARY, "start_on": "2025-01-01"}
    )
    assert response.status_code == 302
    assert Position.objects.get().person == personas.person_a
