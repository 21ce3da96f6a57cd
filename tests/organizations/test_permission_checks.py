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
    # services.position_create: require_perm(actor, CADRES_MANAGE, organization) — branch A's
    # own person, named a cadre of branch B by branch A's admin
    with pytest.raises(PermissionDenied):
        _position(personas.tree.branch_b, personas.person_a, personas.admin_a)
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


def _general_branch(tree, name):
    return Organization.objects.add_child(
        tree.committee, create_kwargs={"name": name, "kind": Organization.Kind.GENERAL_BRANCH}
    )


def test_a_move_needs_both_the_place_it_leaves_and_the_place_it_lands(personas):
    # services.organization_move: require_perm(ORG_MANAGE, old_parent) and (…, new_parent)
    from tests.factories import UserFactory, grant

    tree = personas.tree
    other = _general_branch(tree, "医技团总支")
    lands_only = grant(UserFactory(username="admin_other"), "org_admin", other)
    leaves_only = grant(UserFactory(username="admin_general"), "org_admin", tree.general)
    for actor in (lands_only, leaves_only):
        with pytest.raises(PermissionDenied):
            services.organization_move(organization=tree.branch_b, new_parent=other, actor=actor)
        assert Organization.objects.get(pk=tree.branch_b.pk).parent() == tree.general
    services.organization_move(organization=tree.branch_b, new_parent=other, actor=personas.committee_admin)
    assert Organization.objects.get(pk=tree.branch_b.pk).parent() == other


def test_archiving_and_restoring_another_branch_is_refused(personas):
    # services.organization_archive / organization_restore: require_perm(ORG_MANAGE, organization)
    tree = personas.tree
    empty = _general_branch(tree, "空团总支")
    with pytest.raises(PermissionDenied):
        services.organization_archive(organization=empty, actor=personas.admin_a)
    assert not Organization.objects.get(pk=empty.pk).is_archived
    services.organization_archive(organization=empty, actor=personas.committee_admin)
    with pytest.raises(PermissionDenied):
        services.organization_restore(
            organization=Organization.objects.get(pk=empty.pk), actor=personas.admin_a
        )
    assert Organization.objects.get(pk=empty.pk).is_archived


def test_ending_another_branchs_position_is_refused(personas):
    # services.position_end: require_perm(CADRES_MANAGE, position.organization)
    position = _position(personas.tree.branch_b, personas.person_b, personas.admin_b)
    with pytest.raises(PermissionDenied):
        services.position_end(position=position, end_on=dt.date(2025, 6, 1), actor=personas.admin_a)
    assert Position.objects.get(pk=position.pk).end_on is None


def test_an_election_is_recorded_only_in_ones_branch_and_with_ones_people(personas):
    # services.election_record: require_perm(CADRES_MANAGE, organization) and
    # _check_person_in_scope for each person named
    from qingyi.organizations.models import Election

    secretary = Position.Title.SECRETARY
    with pytest.raises(PermissionDenied):
        services.election_record(
            organization=personas.tree.branch_b, held_on=dt.date(2025, 1, 1),
            new_positions=[(personas.person_a, secretary)], actor=personas.admin_a,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.election_record(
            organization=personas.tree.branch_a, held_on=dt.date(2025, 1, 1),
            new_positions=[(personas.person_b, secretary)], actor=personas.admin_a,
        )  # fmt: skip
    assert not Election.objects.exists() and not Position.objects.exists()


@pytest.mark.parametrize(
    "name", ["organizations:tree", "organizations:party_branch_list", "organizations:department_list"]
)
def test_the_tree_and_its_reference_lists_are_refused_to_a_member(personas, login, name):
    # views.tree.tree / views.references.*: require_perm(ORG_VIEW)
    assert login(personas.member).get(reverse(name)).status_code == 403
    assert login(personas.coordinator).get(reverse(name)).status_code == 200
