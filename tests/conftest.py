"""Personas and the demo tree, with their relationships spelled out.

- ``committee_admin``: league committee secretary; sees and manages the whole hospital.
- ``admin_a``: secretary of branch A (护理一支部); sees only branch A.
- ``admin_b``: secretary of branch B (护理二支部); sees only branch B.
- ``coordinator``: volunteer coordinator at the committee; sees the tree and the roster, manages
  volunteer service but nothing of the roster or tree.
- ``member``: a league member of branch A with a login; sees only their own profile.
- ``outsider``: a login with no role at all.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from qingyi.accounts.models import Role
from tests.factories import PersonFactory, UserFactory, grant, make_tree


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test starts with an empty cache, login throttling off, and English.

    Tests read English messages; the Chinese catalogue has tests of its own, which ask for
    Chinese explicitly (tests/core/test_i18n.py).
    """
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    settings.AXES_ENABLED = False
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def tree(db):
    committee, general, branch_a, branch_b, admin_branch = make_tree()
    return SimpleNamespace(
        committee=committee, general=general, branch_a=branch_a, branch_b=branch_b, admin_branch=admin_branch
    )


@pytest.fixture
def personas(tree):
    committee_admin = grant(UserFactory(username="committee"), Role.COMMITTEE_ADMIN, tree.committee)
    admin_a = grant(UserFactory(username="admin_a"), Role.ORG_ADMIN, tree.branch_a)
    admin_b = grant(UserFactory(username="admin_b"), Role.ORG_ADMIN, tree.branch_b)
    coordinator = grant(UserFactory(username="coordinator"), Role.COORDINATOR, tree.committee)
    member_user = grant(UserFactory(username="member", phone="13800000001"), Role.MEMBER, tree.branch_a)
    member = PersonFactory(organization=tree.branch_a, user=member_user, name="团员甲")
    person_a = PersonFactory(organization=tree.branch_a, name="甲支部人")
    person_b = PersonFactory(organization=tree.branch_b, name="乙支部人")
    outsider = UserFactory(username="outsider")
    return SimpleNamespace(
        committee_admin=committee_admin,
        admin_a=admin_a,
        admin_b=admin_b,
        coordinator=coordinator,
        member=member_user,
        member_person=member,
        person_a=person_a,
        person_b=person_b,
        outsider=outsider,
        tree=tree,
    )


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
        return client

    return _login


@pytest.fixture
def role_rights(monkeypatch):
    """``role_rights(role, add=..., remove=...)``: change what ``role`` may do for this test only.

    Pins a rule that no role of today's ``ROLE_PERMISSIONS`` separates (every role that sees
    figures also manages, say): a login's grants are read again on its next request."""
    from qingyi.core import scoping as core_scoping

    def _change(role: str, *, add=(), remove=()) -> None:
        rights = (core_scoping.ROLE_PERMISSIONS[role] | set(add)) - set(remove)
        monkeypatch.setitem(core_scoping.ROLE_PERMISSIONS, role, frozenset(rights))

    return _change
