import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyi.organizations import services
from qingyi.organizations.models import Organization
from qingyi.organizations.selectors import tree_rows
from tests.factories import PersonFactory


def test_committee_admin_creates_a_branch_under_a_general_branch(personas):
    tree = personas.tree
    branch = services.organization_create(
        parent=tree.general, name="护理三支部", kind=Organization.Kind.BRANCH, actor=personas.committee_admin
    )
    assert branch.path.startswith(tree.general.path)
    assert branch.depth == tree.general.depth + 1


def test_a_child_type_the_parent_does_not_allow_is_refused(personas):
    with pytest.raises(ValidationError, match="cannot contain"):
        services.organization_create(
            parent=personas.tree.branch_a,
            name="子支部",
            kind=Organization.Kind.BRANCH,
            actor=personas.committee_admin,
        )
    with pytest.raises(ValidationError):
        services.organization_create(
            parent=personas.tree.general,
            name="团总支里的团总支",
            kind=Organization.Kind.GENERAL_BRANCH,
            actor=personas.committee_admin,
        )
    assert Organization.objects.count() == 5


def test_branch_admin_cannot_create_outside_their_subtree(personas):
    with pytest.raises(PermissionDenied):
        services.organization_create(
            parent=personas.tree.general, name="x", kind=Organization.Kind.BRANCH, actor=personas.admin_a
        )


def test_duplicate_sibling_name_is_refused(personas):
    with pytest.raises(ValidationError, match="already has"):
        services.organization_create(
            parent=personas.tree.general,
            name="护理一支部",
            kind=Organization.Kind.BRANCH,
            actor=personas.committee_admin,
        )


def test_moving_under_its_own_descendant_is_refused(personas):
    tree = personas.tree
    with pytest.raises(ValidationError, match="descendants"):
        services.organization_move(
            organization=tree.general, new_parent=tree.branch_a, actor=personas.committee_admin
        )
    with pytest.raises(ValidationError, match="descendants"):
        services.organization_move(
            organization=tree.general, new_parent=tree.general, actor=personas.committee_admin
        )
    assert Organization.objects.get(pk=tree.general.pk).path == tree.general.path


def test_move_carries_the_subtree_and_its_members(personas):
    tree = personas.tree
    new_general = services.organization_create(
        parent=tree.committee,
        name="医技团总支",
        kind=Organization.Kind.GENERAL_BRANCH,
        actor=personas.committee_admin,
    )
    moved = services.organization_move(
        organization=tree.branch_a, new_parent=new_general, actor=personas.committee_admin
    )
    assert moved.path.startswith(new_general.path)
    assert (
        personas.person_a.__class__.objects.filter(organization__path__startswith=new_general.path).count()
        == 2
    )


def test_moving_a_branch_under_a_branch_is_refused(personas):
    tree = personas.tree
    with pytest.raises(ValidationError, match="cannot contain"):
        services.organization_move(
            organization=tree.admin_branch, new_parent=tree.branch_a, actor=personas.committee_admin
        )


def test_archive_needs_an_empty_organisation_and_keeps_records(personas):
    tree = personas.tree
    with pytest.raises(ValidationError, match="active members"):
        services.organization_archive(organization=tree.branch_b, actor=personas.committee_admin)
    with pytest.raises(ValidationError, match="organisations under it"):
        services.organization_archive(organization=tree.general, actor=personas.committee_admin)
    empty = services.organization_create(
        parent=tree.general, name="空支部", kind=Organization.Kind.BRANCH, actor=personas.committee_admin
    )
    services.organization_archive(organization=empty, actor=personas.committee_admin)
    empty.refresh_from_db()
    assert empty.is_archived
    assert Organization.objects.filter(pk=empty.pk).exists()
    with pytest.raises(ValidationError):
        services.organization_create(
            parent=empty, name="x", kind=Organization.Kind.BRANCH, actor=personas.committee_admin
        )
    services.organization_restore(organization=empty, actor=personas.committee_admin)
    empty.refresh_from_db()
    assert not empty.is_archived


def test_branch_outside_3_to_50_members_is_flagged(personas):
    rows = {row.organization.name: row for row in tree_rows(personas.committee_admin)}
    assert rows["护理一支部"].size_flag == "too_small"  # two members
    PersonFactory.create_batch(2, organization=personas.tree.branch_a)
    rows = {row.organization.name: row for row in tree_rows(personas.committee_admin)}
    assert rows["护理一支部"].size_flag == ""
    assert rows["护理团总支"].subtree_members == 5


def test_tree_rows_are_scoped(personas):
    names = {row.organization.name for row in tree_rows(personas.admin_a)}
    assert names == {"护理一支部"}


def test_election_due_follows_term_rules_and_warning(personas):
    tree = personas.tree
    today = dt.date.today()
    Organization.objects.filter(pk=tree.branch_a.pk).update(
        founded_on=today - dt.timedelta(days=3 * 365 + 30)
    )
    Organization.objects.filter(pk=tree.branch_b.pk).update(
        founded_on=today - dt.timedelta(days=3 * 365 - 30)
    )
    rows = {row.organization.name: row for row in tree_rows(personas.committee_admin)}
    assert rows["护理一支部"].election_state == "overdue"
    assert rows["护理二支部"].election_state == "due_soon"
    assert rows["行政支部"].election_state == "ok"
