import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyi.accounts import services
from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.organizations import scoping
from tests.factories import PersonFactory


def test_admin_gives_a_person_a_login_shown_once(personas, login):
    person = personas.person_a
    client = login(personas.admin_a)
    response = client.post(reverse("accounts:person_login_create", args=[person.pk]))
    assert response.status_code == 200
    password = response.content.decode().split('id="one-time-password">')[1].split("<")[0]
    person.refresh_from_db()
    assert person.user.username == person.employee_number
    assert person.user.check_password(password)
    assert response["Cache-Control"] == "no-store"
    assert RoleAssignment.objects.filter(user=person.user, role=Role.MEMBER).exists()
    client.logout()
    assert client.login(username=person.employee_number, password=password)


def test_a_second_login_is_refused(personas):
    with pytest.raises(ValidationError, match="already has a login"):
        services.account_create_for_person(person=personas.member_person, actor=personas.admin_a)


def test_login_needs_a_number(personas):
    person = PersonFactory(organization=personas.tree.branch_a, employee_number=None, phone="")
    with pytest.raises(ValidationError, match="employee number or a phone"):
        services.account_create_for_person(person=person, actor=personas.admin_a)


def test_reset_password_for_someone_in_scope_only(personas):
    with pytest.raises(PermissionDenied):
        services.account_reset_password(person=personas.member_person, actor=personas.admin_b)
    password = services.account_reset_password(person=personas.member_person, actor=personas.admin_a)
    personas.member.refresh_from_db()
    assert personas.member.check_password(password)


def test_org_admin_grants_roles_in_their_subtree_but_not_committee_admin(personas):
    member = personas.member
    services.role_grant(
        user=member, role=Role.ORG_ADMIN, organization=personas.tree.branch_a, actor=personas.admin_a
    )
    assert scoping.has_perm(User.objects.get(pk=member.pk), scoping.PEOPLE_MANAGE, personas.tree.branch_a)
    with pytest.raises(PermissionDenied):
        services.role_grant(
            user=member,
            role=Role.COMMITTEE_ADMIN,
            organization=personas.tree.branch_a,
            actor=personas.admin_a,
        )
    with pytest.raises(PermissionDenied):
        services.role_grant(
            user=member, role=Role.ORG_ADMIN, organization=personas.tree.branch_b, actor=personas.admin_a
        )
    with pytest.raises(ValidationError, match="already holds"):
        services.role_grant(
            user=member, role=Role.ORG_ADMIN, organization=personas.tree.branch_a, actor=personas.admin_a
        )


def test_revoking_keeps_history_and_protects_the_last_committee_admin(personas):
    assignment = RoleAssignment.objects.get(user=personas.committee_admin, role=Role.COMMITTEE_ADMIN)
    with pytest.raises(ValidationError):
        services.role_revoke(assignment=assignment, actor=personas.committee_admin)
    member_role = RoleAssignment.objects.get(user=personas.member)
    role_id = member_role.pk
    services.role_revoke(assignment=member_role, actor=personas.admin_a)
    assert not RoleAssignment.objects.filter(pk=role_id).exists()
    assert RoleAssignment.history.filter(id=role_id, history_type="-").exists()


def test_role_page_story(personas, login):
    client = login(personas.admin_a)
    url = reverse("accounts:role_list", args=[personas.tree.branch_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert Role.COMMITTEE_ADMIN not in [v for v, _ in page.context["form"].fields["role"].choices]
    response = client.post(url, {"person": personas.person_b.pk, "role": Role.ORG_ADMIN})
    assert response.status_code == 200  # not a choice: B's person is outside the subtree
    response = client.post(url, {"person": personas.member_person.pk, "role": Role.COORDINATOR})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=personas.member, role=Role.COORDINATOR).exists()
    assert login(personas.coordinator).get(url).status_code == 403


def test_member_changes_own_password(personas, login):
    client = login(personas.member)
    url = reverse("accounts:password_change")
    response = client.post(
        url, {"old_password": "wrong", "new_password1": "Qy-new-pass-42", "new_password2": "Qy-new-pass-42"}
    )
    assert response.status_code == 200
    response = client.post(
        url,
        {
            "old_password": "pass-word-123",
            "new_password1": "Qy-new-pass-42",
            "new_password2": "Qy-new-pass-42",
        },
    )
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert personas.member.check_password("Qy-new-pass-42")
