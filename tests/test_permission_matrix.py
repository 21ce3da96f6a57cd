"""The permission matrix: every URL pattern the project has × personas.

The walk covers every pattern of the URLconf (pages and API routes), so new URLs join it
without editing this test. A pattern whose keyword argument this file does not know makes
the test fail, asking for branch B's object of that kind to be added to ``objects_of_b``.

Each domain adds its own objects of branch B in ``tests/<app>/matrix.py``: a function
``objects_of_b(personas) -> dict`` mapping URL keyword names to the ids of objects that belong
to branch B (and ``api_ids``, optionally, mapping an API route fragment to an id).

What it proves: the admin of branch A, a member and an outsider get nothing of branch B's
objects — by URL (404/403), by list (B's people and organisation do not appear), and by
form (a POST changes nothing).
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from qingyi.accounts.models import ApiToken, RoleAssignment
from qingyi.organizations.models import Election, Organization, Position
from qingyi.people.models import ChangeRequest, Person, RosterImport, Transfer

SKIPPED_PREFIXES = ("django-admin/", "i18n/", "static/", "media/")
DENIED = {302, 401, 403, 404, 405}


def _walk(resolvers, prefix=""):
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def all_patterns() -> list[tuple[str, list[str]]]:
    """(route, keyword names) of every URL pattern, admin and static excluded."""
    result = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES):
            continue
        result.append((route, list(pattern.pattern.regex.groupindex)))
    return sorted({(r, tuple(k)) for r, k in result})


def fill(route: str, values: dict[str, object]) -> str:
    """Turn 'people/<int:person_pk>/' or 'api/v1/people/{id}' into a concrete path."""
    import re

    def sub(match):
        name = match.group("name")
        return str(values[name])

    path = re.sub(r"<(?:\w+:)?(?P<name>\w+)>", sub, route)
    path = re.sub(r"\{(?P<name>\w+)(?::\w+)?\}", sub, path)
    path = path.replace("^", "").replace("$", "").replace("\\Z", "")
    return "/" + path


@pytest.fixture
def world(personas):
    tree = personas.tree
    b = personas.person_b
    position_b = Position.objects.create(
        person=b, organization=tree.branch_b, title="secretary", start_on=dt.date(2024, 1, 1)
    )
    Election.objects.create(organization=tree.branch_b, held_on=dt.date(2024, 1, 1), term_years=3)
    transfer_b = Transfer.objects.create(
        person=b,
        from_organization=tree.branch_b,
        to_organization=tree.admin_branch,
        requested_by=personas.admin_b,
    )
    b_user = personas.admin_b
    b.user = b_user
    b.save()
    change_b = ChangeRequest.objects.create(person=b, changes={"phone": "13900000000"}, requested_by=b_user)
    token_b, _raw = ApiToken.issue(user=b_user, name="b")
    import_b = RosterImport.objects.create(
        organization=tree.branch_b, file_name="b.xlsx", content=b"", uploaded_by=b_user
    )
    objects_of_b = {
        "org_pk": tree.branch_b.pk,
        "person_pk": b.pk,
        "transfer_pk": transfer_b.pk,
        "change_pk": change_b.pk,
        "position_pk": position_b.pk,
        "token_pk": token_b.pk,
        "import_pk": import_b.pk,
        "role_pk": RoleAssignment.objects.get(user=personas.admin_b, organization=tree.branch_b).pk,
        "id": None,  # API routes: filled per route below
        "name": "people.active",  # metric names are not B's; the org query parameter is
    }
    api_ids = {"people": b.pk, "organizations": tree.branch_b.pk}
    for module in _domain_matrices():
        extra = module.objects_of_b(personas)
        api_ids.update(extra.pop("api_ids", {}))
        clash = set(extra) & set(objects_of_b)
        assert not clash, f"{module.__name__} redefines {clash}"
        objects_of_b.update(extra)
    personas.api_ids = api_ids
    return personas, objects_of_b


def _domain_matrices():
    import tests

    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"tests.{info.name}.matrix")
            except ModuleNotFoundError as exc:
                if exc.name != f"tests.{info.name}.matrix":
                    raise


def _declared(name: str) -> set[str]:
    """Routes the domains' matrix.py declare under ``name``: ``PUBLIC_ROUTES`` (open to
    anonymous visitors by design) or ``COORDINATOR_ROUTES`` (the coordinator's own work,
    ``volunteering.manage``, whose rules the domain's tests prove). A route ending in ``*``
    stands for every route that starts with what precedes it."""
    return {route for module in _domain_matrices() for route in getattr(module, name, ())}


def _in(route: str, declared: set[str]) -> bool:
    return route in declared or any(d.endswith("*") and route.startswith(d[:-1]) for d in declared)


def _api_id(route: str, personas) -> object:
    """The id of branch B's object for an API route, by the longest matching fragment."""
    matches = [fragment for fragment in personas.api_ids if fragment in route]
    return personas.api_ids[max(matches, key=len)] if matches else personas.tree.branch_b.pk


def _snapshot(personas):
    b = Person.objects.get(pk=personas.person_b.pk)
    org = Organization.objects.get(pk=personas.tree.branch_b.pk)
    return (
        Person.objects.count(),
        Organization.objects.count(),
        Transfer.objects.filter(status="pending").count(),
        Position.objects.filter(end_on__isnull=True).count(),
        Election.objects.count(),
        ChangeRequest.objects.filter(status="pending").count(),
        ApiToken.objects.filter(revoked_at__isnull=True).count(),
        RosterImport.objects.filter(status="preview").count(),
        sorted(RoleAssignment.objects.values_list("user_id", "role", "organization_id")),
        sorted(personas.person_b.__class__.objects.values_list("pk", "user_id")),
        (b.version, b.status, b.organization_id, b.name),
        (org.name, org.archived_at, org.path),
    )


MARKERS = ("乙支部人", "护理二支部")


@pytest.mark.parametrize("persona", ["admin_a", "member", "outsider"])
def test_nobody_outside_branch_b_gets_its_objects(world, client, persona):
    personas, objects_of_b = world
    user = getattr(personas, persona)
    client.force_login(user, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
    before = _snapshot(personas)
    checked = 0
    for route, kwargs in all_patterns():
        unknown = [k for k in kwargs if k not in objects_of_b]
        assert not unknown, f"{route}: add branch B's object for {unknown} to objects_of_b in this test"
        values = dict(objects_of_b)
        values["id"] = _api_id(route, personas)
        path = fill(route, values)
        query = {"org": personas.tree.branch_b.pk}
        response = client.get(path, query)
        checked += 1
        if kwargs and any(k != "name" for k in kwargs):
            assert response.status_code in DENIED, f"GET {path} as {persona}: {response.status_code}"
        elif response.status_code == 200:
            body = response.content.decode("utf-8", "replace")
            for marker in MARKERS:
                assert marker not in body, f"GET {path} as {persona} shows branch B's “{marker}”"
        response = client.post(
            path, {"reason": "x", "name": "x", "on": "2025-01-01", "held_on": "2025-01-01"}
        )
        assert response.status_code in DENIED | {200}, f"POST {path} as {persona}: {response.status_code}"
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode("utf-8", "replace")
            for marker in MARKERS:
                assert marker not in body, f"POST {path} as {persona} shows branch B's “{marker}”"
    assert checked > 20
    assert _snapshot(personas) == before, f"{persona} changed branch B's data"


def test_coordinator_cannot_change_the_roster_or_tree(world, client):
    """The coordinator sees the tree and roster but manages neither."""
    personas, objects_of_b = world
    client.force_login(personas.coordinator, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
    before = _snapshot(personas)
    coordinated = _declared("COORDINATOR_ROUTES")
    for route, kwargs in all_patterns():
        if route.startswith("api/") or not kwargs or "name" in kwargs or _in(route, coordinated):
            continue
        values = dict(objects_of_b)
        path = fill(route, values)
        response = client.post(
            path, {"reason": "x", "name": "x", "on": "2025-01-01", "held_on": "2025-01-01"}
        )
        assert response.status_code in {403, 404, 405} or (
            route.startswith("accounts/") and response.status_code in {302, 404}
        ), f"POST {path} as coordinator: {response.status_code}"
    assert _snapshot(personas) == before


def test_anonymous_is_sent_to_login_everywhere_but_public_pages(world, client):
    public = {"accounts/login/", "api/v1/openapi.json", "api/v1/docs"} | _declared("PUBLIC_ROUTES")
    personas, objects_of_b = world
    for route, kwargs in all_patterns():
        values = dict(objects_of_b)
        values["id"] = _api_id(route, personas)
        path = fill(route, values)
        response = client.get(path)
        if route in public:
            continue
        assert response.status_code in {302, 401, 404, 405}, f"GET {path} anonymously: {response.status_code}"
        if response.status_code == 302:
            assert "/accounts/login/" in response["Location"], path
