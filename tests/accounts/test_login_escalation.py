"""Nobody gains a login they may not manage: the escalation paths of issue 7.

The rule (accounts.services.logins_within_reach): acting on someone's login needs the
actor to manage every organisation where it holds a role and its roster record's
organisation, and no role above the actor's own.
"""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyi.accounts import services
from qingyi.accounts.models import ApiToken, Role, RoleAssignment, User
from qingyi.people import services as people_services
from tests.factories import PersonFactory, grant


@pytest.fixture
def committee_admin_in_a(personas):
    """The committee admin's own roster record sits in branch A (they are a nurse there)."""
    return PersonFactory(organization=personas.tree.branch_a, user=personas.committee_admin, name="团委书记")


@pytest.fixture
def admin_b_moved_to_a(personas):
    """Branch B's admin is transferred to branch A (requested by B, approved by A's admin)."""
    person = PersonFactory(organization=personas.tree.branch_b, user=personas.admin_b, name="乙支部书记")
    transfer = people_services.transfer_request(
        person=person, to_organization=personas.tree.branch_a, actor=personas.admin_b
    )
    people_services.transfer_approve(transfer=transfer, actor=personas.admin_a)
    person.refresh_from_db()
    assert person.organization == personas.tree.branch_a
    return person


def _unchanged_password(user, old_hash):
    user.refresh_from_db()
    assert user.password == old_hash


def test_branch_admin_cannot_reset_the_committee_admins_login_from_their_roster_record(
    personas, committee_admin_in_a, login
):
    old_hash = personas.committee_admin.password
    with pytest.raises(PermissionDenied):
        services.account_reset_password(person=committee_admin_in_a, actor=personas.admin_a)
    client = login(personas.admin_a)
    response = client.post(reverse("accounts:person_password_reset", args=[committee_admin_in_a.pk]))
    assert response.status_code == 403
    assert "one-time-password" not in response.content.decode()
    _unchanged_password(personas.committee_admin, old_hash)


def test_the_reset_button_is_offered_only_where_the_rule_allows(personas, committee_admin_in_a, login):
    reset_url = reverse("accounts:person_password_reset", args=[committee_admin_in_a.pk])
    page = login(personas.admin_a).get(reverse("people:detail", args=[committee_admin_in_a.pk]))
    assert page.status_code == 200
    assert reset_url not in page.content.decode()
    # The same admin is offered it for an ordinary member of the branch.
    page = login(personas.admin_a).get(reverse("people:detail", args=[personas.member_person.pk]))
    assert (
        reverse("accounts:person_password_reset", args=[personas.member_person.pk]) in page.content.decode()
    )


def test_a_second_committee_admin_may_reset_the_committee_admins_login(personas, committee_admin_in_a):
    other = grant(User.objects.create(username="committee2"), Role.COMMITTEE_ADMIN, personas.tree.committee)
    password = services.account_reset_password(person=committee_admin_in_a, actor=other)
    personas.committee_admin.refresh_from_db()
    assert personas.committee_admin.check_password(password)


def test_receiving_a_transferred_admin_does_not_hand_over_their_login(personas, admin_b_moved_to_a, login):
    old_hash = personas.admin_b.password
    with pytest.raises(PermissionDenied):
        services.account_reset_password(person=admin_b_moved_to_a, actor=personas.admin_a)
    response = login(personas.admin_a).post(
        reverse("accounts:person_password_reset", args=[admin_b_moved_to_a.pk])
    )
    assert response.status_code == 403
    _unchanged_password(personas.admin_b, old_hash)
    # The admin role stayed in branch B; B's admin role is still theirs to manage.
    assert RoleAssignment.objects.filter(
        user=personas.admin_b, role=Role.ORG_ADMIN, organization=personas.tree.branch_b
    ).exists()
    with pytest.raises(PermissionDenied):
        services.role_grant(
            user=personas.admin_b,
            role=Role.COORDINATOR,
            organization=personas.tree.branch_a,
            actor=personas.admin_a,
        )


def test_an_ordinary_members_login_follows_their_transfer(personas):
    """The member role moves with the roster record, so the receiving admin takes the login over."""
    person = PersonFactory(organization=personas.tree.branch_b, name="乙支部团员")
    services.account_create_for_person(person=person, actor=personas.admin_b)
    transfer = people_services.transfer_request(
        person=person, to_organization=personas.tree.branch_a, actor=personas.admin_b
    )
    people_services.transfer_approve(transfer=transfer, actor=personas.admin_a)
    person.refresh_from_db()
    assert list(RoleAssignment.objects.filter(user=person.user).values_list("role", "organization")) == [
        (Role.MEMBER, personas.tree.branch_a.pk)
    ]
    assert services.can_act_on_login(personas.admin_a, person.user)
    assert not services.can_act_on_login(personas.admin_b, person.user)
    services.account_reset_password(person=person, actor=personas.admin_a)


def test_org_admin_cannot_grant_or_revoke_roles_of_a_higher_ranked_login(personas, committee_admin_in_a):
    # The committee admin also holds the member role in branch A, where A's admin manages.
    member_role = RoleAssignment.objects.create(
        user=personas.committee_admin, role=Role.MEMBER, organization=personas.tree.branch_a
    )
    with pytest.raises(PermissionDenied):
        services.role_grant(
            user=personas.committee_admin,
            role=Role.COORDINATOR,
            organization=personas.tree.branch_a,
            actor=personas.admin_a,
        )
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=member_role, actor=personas.admin_a)
    assert RoleAssignment.objects.filter(pk=member_role.pk).exists()


def test_a_higher_role_inside_ones_own_branch_is_out_of_reach(personas):
    """Rank alone: a committee-admin role held at branch A is above A's admin."""
    boss = grant(User.objects.create(username="boss"), Role.COMMITTEE_ADMIN, personas.tree.branch_a)
    person = PersonFactory(organization=personas.tree.branch_a, user=boss)
    assert not services.can_act_on_login(personas.admin_a, boss)
    with pytest.raises(PermissionDenied):
        services.account_reset_password(person=person, actor=personas.admin_a)
    assignment = RoleAssignment.objects.get(user=boss)
    with pytest.raises(PermissionDenied):
        services.role_revoke(assignment=assignment, actor=personas.admin_a)
    assert services.can_act_on_login(personas.committee_admin, boss)


def test_role_page_offers_nothing_on_logins_out_of_reach(personas, committee_admin_in_a, login):
    RoleAssignment.objects.create(
        user=personas.committee_admin, role=Role.MEMBER, organization=personas.tree.branch_a
    )
    url = reverse("accounts:role_list", args=[personas.tree.branch_a.pk])
    page = login(personas.admin_a).get(url)
    people = list(page.context["form"].fields["person"].queryset)
    assert personas.member_person in people
    assert committee_admin_in_a not in people
    html = page.content.decode()
    out_of_reach = RoleAssignment.objects.get(
        user=personas.committee_admin, organization=personas.tree.branch_a
    )
    within = RoleAssignment.objects.get(user=personas.member)
    assert reverse("accounts:role_revoke", args=[out_of_reach.pk]) not in html
    assert reverse("accounts:role_revoke", args=[within.pk]) in html
    response = login(personas.admin_a).post(
        url, {"person": committee_admin_in_a.pk, "role": Role.COORDINATOR}
    )
    assert response.status_code == 200  # not a choice
    assert not RoleAssignment.objects.filter(user=personas.committee_admin, role=Role.COORDINATOR).exists()


def test_a_password_reset_revokes_the_persons_api_tokens(personas):
    token, _raw = ApiToken.issue(user=personas.member, name="script")
    other, _raw = ApiToken.issue(user=personas.admin_a, name="mine")
    services.account_reset_password(person=personas.member_person, actor=personas.admin_a)
    token.refresh_from_db()
    other.refresh_from_db()
    assert token.revoked_at is not None
    assert other.revoked_at is None


def test_a_new_login_may_not_take_a_name_another_login_uses(personas):
    """An employee number equal to someone's login phone would open the other account."""
    person = PersonFactory(organization=personas.tree.branch_a, employee_number=personas.member.phone)
    with pytest.raises(ValidationError, match="Another login already uses"):
        services.account_create_for_person(person=person, actor=personas.admin_a)
    person = PersonFactory(organization=personas.tree.branch_a, phone=personas.member.username)
    with pytest.raises(ValidationError, match="Another login already uses"):
        services.account_create_for_person(person=person, actor=personas.admin_a)
