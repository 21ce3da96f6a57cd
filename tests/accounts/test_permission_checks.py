"""Each permission check of the accounts services, called directly as the wrong actor.

Written against the mutation check (bench/mutation_check.py): every test fails if the one
check it names is removed (the views in front would otherwise hide the removal).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from qingyi.accounts import services
from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.organizations import scoping
from tests.factories import PersonFactory, UserFactory, grant


def test_a_branch_admin_cannot_give_a_login_to_another_branchs_person(personas):
    person_b = personas.person_b
    person_b.employee_number = "B0042"
    person_b.save()
    with pytest.raises(PermissionDenied):
        services.account_create_for_person(person=person_b, actor=personas.admin_a)
    person_b.refresh_from_db()
    assert person_b.user_id is None
    assert not User.objects.filter(username="B0042").exists()


def test_a_branch_admin_is_refused_another_branchs_password_reset_before_anything_is_said(personas):
    # The login rule (require_can_act_on_login) refuses a login out of reach too; the
    # organisation check comes first, so a person of another branch without a login is not
    # revealed as such ("has no login yet").
    with pytest.raises(PermissionDenied):
        services.account_reset_password(person=personas.person_b, actor=personas.admin_a)


def test_only_who_manages_settings_revokes_a_committee_admin_role(personas):
    tree = personas.tree
    # An org admin of branch A who is committee admin only of branch B (rank enough to act on
    # the login, but no settings over branch A).
    actor = grant(UserFactory(username="mixed"), Role.ORG_ADMIN, tree.branch_a)
    grant(actor, Role.COMMITTEE_ADMIN, tree.branch_b)
    holder = UserFactory(username="holder")
    PersonFactory(organization=tree.branch_a, user=holder, name="甲支部持有人")
    assignment = RoleAssignment.objects.create(
        user=holder, role=Role.COMMITTEE_ADMIN, organization=tree.branch_a
    )
    assert services.can_act_on_login(actor, holder, perm=scoping.ORG_MANAGE)  # the login is within reach
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=assignment, actor=actor)
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_revoking_a_role_elsewhere_is_refused_by_the_login_rule(personas):
    # role_revoke needs ORG_MANAGE over the assignment's organisation: the login rule
    # (require_can_act_on_login) decides it, since the assignment is one of the login's roles.
    member = personas.member
    elsewhere = RoleAssignment.objects.create(
        user=member, role=Role.MEMBER, organization=personas.tree.branch_b
    )
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=elsewhere, actor=personas.admin_a)
    at_home = RoleAssignment.objects.get(user=member, organization=personas.tree.branch_a)
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=at_home, actor=personas.admin_b)
    assert RoleAssignment.objects.filter(pk__in=[elsewhere.pk, at_home.pk]).count() == 2
