"""Logins and roles: giving a person a login, resetting it, granting and revoking roles."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.core import scoping

# Roles an organisation's admin may grant inside their subtree; the committee admin role
# is granted only by those who manage the committee's settings.
GRANTABLE_BY_ORG_ADMIN = (Role.ORG_ADMIN, Role.COORDINATOR, Role.MEMBER)


def temporary_password() -> str:
    """A readable one-time password: shown once, to be changed at first login."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


@transaction.atomic
def account_create_for_person(*, person, actor) -> tuple[User, str]:
    """Give a person on the roster a login (username = employee number, else phone)."""
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    if person.user_id:
        raise ValidationError(_("%(name)s already has a login.") % {"name": person.name})
    username = person.employee_number or person.phone
    if not username:
        raise ValidationError(
            _("Record an employee number or a phone number first: it becomes the login name.")
        )
    if User.objects.filter(username=username).exists() or (
        person.phone and User.objects.filter(phone=person.phone).exists()
    ):
        raise ValidationError(_("Another login already uses %(login)s.") % {"login": username})
    password = temporary_password()
    user = User(username=username, phone=person.phone or None, first_name=person.name)
    user.set_password(password)
    user.save()
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    RoleAssignment.objects.create(user=user, role=Role.MEMBER, organization=person.organization)
    return user, password


@transaction.atomic
def account_reset_password(*, person, actor) -> str:
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    if not person.user_id:
        raise ValidationError(_("%(name)s has no login yet.") % {"name": person.name})
    if person.user_id == actor.pk:
        raise ValidationError(_("Change your own password from your profile."))
    password = temporary_password()
    person.user.set_password(password)
    person.user.save(update_fields=["password"])
    return password


@transaction.atomic
def role_grant(*, user: User, role: str, organization, actor) -> RoleAssignment:
    scoping.require_perm(actor, scoping.ORG_MANAGE, organization)
    if role == Role.COMMITTEE_ADMIN:
        if not scoping.has_perm(actor, scoping.SETTINGS_MANAGE, organization):
            raise PermissionDenied
    elif role not in GRANTABLE_BY_ORG_ADMIN:
        raise ValidationError(_("Unknown role."))
    if organization.is_archived:
        raise ValidationError(_("“%(name)s” is archived.") % {"name": organization.name})
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, organization=organization
    )
    if not created:
        raise ValidationError(_("%(user)s already holds this role here.") % {"user": user.display_name})
    scoping.forget_grants(user)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, actor) -> None:
    scoping.require_perm(actor, scoping.ORG_MANAGE, assignment.organization)
    if assignment.role == Role.COMMITTEE_ADMIN:
        if not scoping.has_perm(actor, scoping.SETTINGS_MANAGE, assignment.organization):
            raise PermissionDenied
        others = RoleAssignment.objects.filter(role=Role.COMMITTEE_ADMIN).exclude(pk=assignment.pk).count()
        if not others:
            raise ValidationError(_("The last committee admin cannot be removed."))
    if assignment.user_id == actor.pk and assignment.role in (Role.COMMITTEE_ADMIN, Role.ORG_ADMIN):
        raise ValidationError(_("You cannot remove your own admin role; ask another admin."))
    assignment.delete()
