"""Logins and roles: giving a person a login, resetting it, granting and revoking roles.

Who may act on someone else's login is decided in one place, ``logins_within_reach`` (read
by ``can_act_on_login`` and ``require_can_act_on_login``): the actor must manage every
organisation where that login holds a role, and the organisation of its roster record, and
nobody acts on a login that holds a higher role than their own. Managing a person's roster
record alone is not enough: the committee admin's own record sits in some branch, and a
transferred branch admin's record sits in the receiving branch while their admin role stays
where it was.
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.accounts.models import ApiToken, Role, RoleAssignment, User
from qingyi.organizations import scoping

# Roles an organisation's admin may grant inside their subtree; the committee admin role
# is granted only by those who manage the committee's settings.
GRANTABLE_BY_ORG_ADMIN = (Role.ORG_ADMIN, Role.COORDINATOR, Role.MEMBER)

# Higher roles outrank lower ones: nobody acts on a login holding a role above their own.
ROLE_RANK: dict[str, int] = {
    Role.MEMBER: 0,
    Role.COORDINATOR: 1,
    Role.ORG_ADMIN: 2,
    Role.COMMITTEE_ADMIN: 3,
}


def role_rank(user) -> int:
    """The rank of the highest role ``user`` holds (-1 with none)."""
    return max((ROLE_RANK.get(g.role, -1) for g in scoping.grants(user)), default=-1)


def logins_within_reach(actor, users: QuerySet[User], *, perm: str = scoping.PEOPLE_MANAGE) -> QuerySet[User]:
    """The logins of ``users`` that ``actor`` may act on (reset, roles, tokens, deactivation).

    The one rule: ``actor`` holds ``perm`` over every organisation where the login holds a
    role (in any organisation, archived ones included) and over its roster record's
    organisation, and the login holds no role ranked above the actor's highest role.
    The roster record is the login's ``person`` (people.Person's one-to-one to the user).
    """
    managed = scoping.scope_paths(actor, perm)
    if not managed:
        return users.none()
    inside = scoping.subtree_ids(*managed)
    higher = [role for role, rank in ROLE_RANK.items() if rank > role_rank(actor)]
    out_of_reach_role = RoleAssignment.objects.filter(user=OuterRef("pk")).filter(
        ~Q(organization__in=inside) | Q(role__in=higher)
    )
    no_record_outside = Q(person__isnull=True) | Q(person__organization__in=inside)
    return users.filter(no_record_outside, ~Exists(out_of_reach_role))


def can_act_on_login(actor, user: User | None, *, perm: str = scoping.PEOPLE_MANAGE) -> bool:
    """May ``actor`` act on ``user``'s login? (See ``logins_within_reach``.)"""
    if user is None or user.pk is None:
        return False
    return logins_within_reach(actor, User.objects.filter(pk=user.pk), perm=perm).exists()


def require_can_act_on_login(actor, user: User, *, perm: str = scoping.PEOPLE_MANAGE) -> None:
    if not can_act_on_login(actor, user, perm=perm):
        raise PermissionDenied(
            _(
                "This login holds roles outside the organisations you manage, or a role above "
                "yours: only an admin over all of them can change it."
            )
        )


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every active API token of ``user`` (kept, with the time of revocation)."""
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), updated_at=timezone.now()
    )


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
    # Either name of the new login (employee number, phone) would be shadowed by, or shadow,
    # an existing login that uses it as its login name or its phone.
    for name in dict.fromkeys((username, person.phone or username)):
        if User.objects.filter(Q(username=name) | Q(phone=name)).exists():
            raise ValidationError(_("Another login already uses %(login)s.") % {"login": name})
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
    """A new one-time password for a person's login; their API tokens are revoked with it."""
    scoping.require_perm(actor, scoping.PEOPLE_MANAGE, person.organization)
    if not person.user_id:
        raise ValidationError(_("%(name)s has no login yet.") % {"name": person.name})
    if person.user_id == actor.pk:
        raise ValidationError(_("Change your own password from your profile."))
    require_can_act_on_login(actor, person.user)
    password = temporary_password()
    person.user.set_password(password)
    person.user.save(update_fields=["password"])
    tokens_revoke_all(user=person.user)
    return password


@transaction.atomic
def role_grant(*, user: User, role: str, organization, actor) -> RoleAssignment:
    scoping.require_perm(actor, scoping.ORG_MANAGE, organization)
    require_can_act_on_login(actor, user, perm=scoping.ORG_MANAGE)
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
    # The login rule decides: it asks for ORG_MANAGE over every organisation where the login
    # holds a role, the assignment's own organisation included.
    require_can_act_on_login(actor, assignment.user, perm=scoping.ORG_MANAGE)
    if assignment.role == Role.COMMITTEE_ADMIN:
        if not scoping.has_perm(actor, scoping.SETTINGS_MANAGE, assignment.organization):
            raise PermissionDenied
        others = RoleAssignment.objects.filter(role=Role.COMMITTEE_ADMIN).exclude(pk=assignment.pk).count()
        if not others:
            raise ValidationError(_("The last committee admin cannot be removed."))
    if assignment.user_id == actor.pk and assignment.role in (Role.COMMITTEE_ADMIN, Role.ORG_ADMIN):
        raise ValidationError(_("You cannot remove your own admin role; ask another admin."))
    assignment.delete()
