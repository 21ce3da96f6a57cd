"""The demo logins: one per role in the first hospital, linked to its roster people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.core import rules
from qingyi.demo.shape import COMMITTEE_NAME, COORDINATOR_BRANCH, DEMO_BRANCH, DEMO_PASSWORD, PS
from qingyi.organizations.models import Organization, Position
from qingyi.organizations.scoping import subtree_ids
from qingyi.people.models import Person, Transfer

if TYPE_CHECKING:
    from qingyi.demo.build import _Builder, _Org


# --- Demo logins -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    where: str  # "committee" or a branch name
    who: str  # how the linked person is chosen


DEMO_ACCOUNTS = (
    AccountSpec("admin", Role.COMMITTEE_ADMIN, "committee", "secretary"),
    AccountSpec("branch", Role.ORG_ADMIN, DEMO_BRANCH, "secretary"),
    AccountSpec("coordinator", Role.COORDINATOR, "committee", COORDINATOR_BRANCH),
    AccountSpec("member", Role.MEMBER, DEMO_BRANCH, "member"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str
    person: str
    password: str  # the demo password, or a note that it was changed


def demo_exists() -> bool:
    return Organization.objects.filter(depth=1, name=COMMITTEE_NAME).exists()


def demo_accounts() -> list[DemoAccount]:
    """The demo logins as they stand in the database (the password only if it still works)."""
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    persons = dict(Person.objects.filter(user__in=users.values()).values_list("user_id", "name"))
    result = []
    for spec in DEMO_ACCOUNTS:
        user = users.get(spec.username)
        if user is None:
            continue
        grant = (
            RoleAssignment.objects.filter(user=user, role=spec.role).select_related("organization").first()
        )
        result.append(
            DemoAccount(
                username=user.username,
                role=str(Role(spec.role).label),
                organization=grant.organization.name if grant else "—",
                person=persons.get(user.pk, "—"),
                password=DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "(changed since)",
            )
        )
    return result


def _create_accounts(builder: _Builder, orgs: list[_Org]) -> None:
    """One login per role, linked to roster people of the demo hospital."""
    committee = orgs[0].obj
    by_name = {o.obj.name: o.obj for o in orgs}
    secretaries = builder.secretaries
    used: set[int] = set()
    for spec in DEMO_ACCOUNTS:
        organization = committee if spec.where == "committee" else by_name[spec.where]
        if spec.who == "secretary":
            person = secretaries["committee" if spec.where == "committee" else spec.where]
        else:
            branch = by_name[DEMO_BRANCH if spec.who == "member" else spec.who]
            cadres = set(
                Position.objects.filter(organization__in=subtree_ids(committee.path)).values_list(
                    "person_id", flat=True
                )
            )
            candidates = Person.objects.filter(
                organization=branch, status=Person.Status.ACTIVE, user__isnull=True
            ).exclude(pk__in=cadres | used)
            if spec.who == "member":
                candidates = candidates.filter(
                    political_status=PS.LEAGUE_MEMBER,
                    birth_date__gt=rules.years_before(builder.today, 27),
                )
            person = candidates.order_by("employee_number").first()
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username, phone=person.phone if person and spec.who == "member" else None
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=spec.role, organization=organization)
        if person is not None and person.user_id is None and not Person.objects.filter(user=user).exists():
            Person.objects.filter(pk=person.pk).update(user=user)
            used.add(person.pk)
    # Two people waiting to move into the demo branch, for its admin to decide.
    branch = by_name[DEMO_BRANCH]
    admin = User.objects.get(username="admin")
    movers = (
        Person.objects.filter(
            organization__in=subtree_ids(committee.path),
            organization__kind=Organization.Kind.BRANCH,
            organization__is_student=False,
            status=Person.Status.ACTIVE,
            user__isnull=True,
        )
        .exclude(organization=branch)
        .exclude(positions__isnull=False)
        .order_by("employee_number")[:2]
    )
    Transfer.objects.bulk_create(
        [
            Transfer(
                person=p,
                from_organization_id=p.organization_id,
                to_organization=branch,
                requested_by=admin,
                note="轮转至内科护理单元",
            )
            for p in movers
        ]
    )
