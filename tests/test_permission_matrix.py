"""The permission matrix: every URL pattern the project has × personas.

The walk covers every pattern of the URLconf (pages and API routes), so new URLs join it
without editing this test. A pattern whose keyword argument this file does not know makes
the test fail, asking for branch B's object of that kind to be added to ``objects_of_b``.

Each domain adds its own objects of branch B in ``tests/<app>/matrix.py``: a function
``objects_of_b(personas) -> dict`` mapping URL keyword names to the ids of objects that belong
to branch B (and ``api_ids``, optionally, mapping an API route fragment to an id).

What it proves:

- the admin of branch A, a member and an outsider get nothing of branch B's objects — by URL
  (404/403, or a redirect to the login page), by list (B's people and organisation do not
  appear), and by form: a POST changes no row of any table of the project's apps (every model,
  history included, compared by row count and a hash of every row's values);
- a redirect is a refusal only when it goes to the login page: after a POST, a redirect
  elsewhere usually means the write succeeded;
- positive access: branch B's admin and the committee admin get every object URL of branch B
  (200, or the status a domain declares for a route in ``EXPECTED_FOR_B``, e.g. 405 for a
  POST-only action), so a check that is too strict, or an object of B that is not B's, fails;
- escalation across organisations: logins whose roles lie elsewhere (the committee admin's own
  roster record in branch A, a transferred admin of branch B) cannot be taken over by
  branch A's admin.

Domain modules may also declare ``FOREIGN_KWARGS``: URL keywords whose stand-in object is not
branch B's (another hospital's, or a guessed token), skipped by the positive check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import os
import pkgutil
import sys

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from qingyi.accounts.models import ApiToken, RoleAssignment
from qingyi.organizations import scoping
from qingyi.organizations.models import Election, Position
from qingyi.people.models import ChangeRequest, RosterImport, Transfer

SKIPPED_PREFIXES = ("django-admin/", "i18n/", "static/", "media/")
REFUSED = {401, 403, 404, 405}
LOGIN_URL = "/accounts/login/"
BACKEND = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


def _where(response) -> str:
    return response.get("Location", "")


class Problems(list):
    """The problems a matrix test found, all reported at the end; with QINGYI_MATRIX_FAIL_FAST
    (set by bench/mutation_check.py) the first one fails the test at once."""

    def append(self, problem: str) -> None:
        if os.environ.get("QINGYI_MATRIX_FAIL_FAST"):
            pytest.fail(problem)
        super().append(problem)

    def __iadd__(self, problems):
        for problem in problems:
            self.append(problem)
        return self


def refused(response) -> bool:
    """A refusal: 401/403/404/405, or a redirect to the login page (and nowhere else)."""
    if response.status_code in REFUSED:
        return True
    return response.status_code == 302 and response["Location"].split("?")[0].endswith(LOGIN_URL)


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


def _api_fragment(route: str, personas) -> str | None:
    """The longest fragment of ``api_ids`` found in an API route."""
    matches = [fragment for fragment in personas.api_ids if fragment in route]
    return max(matches, key=len) if matches else None


def _api_id(route: str, personas) -> object:
    """The id of branch B's object for an API route, by the longest matching fragment."""
    fragment = _api_fragment(route, personas)
    return personas.api_ids[fragment] if fragment else personas.tree.branch_b.pk


def domain_models() -> list:
    """Every model of the project's apps, history tables and many-to-many tables included."""
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("qingyi.")
        for model in config.get_models(include_auto_created=True)
    ]


def snapshot() -> dict[str, tuple[int, str]]:
    """Per table: the row count and a hash of every row's values, in primary-key order."""
    state = {}
    with scoping.unscoped("the permission matrix compares every table"):
        for model in domain_models():
            rows = list(model._base_manager.order_by("pk").values_list())
            state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()[:16])
    return state


def write_count() -> int | None:
    """How many rows this connection has written so far (None: the database cannot tell).

    A cheap test before the full snapshot: when it has not moved, nothing was written."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute("SELECT total_changes()")
        elif vendor == "postgresql":
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
            )
        else:
            return None
        return cursor.fetchone()[0]


class Tables:
    """Every domain table's state, compared after each request; a full snapshot is taken only
    when the connection has written something since the last one."""

    def __init__(self) -> None:
        self.state = snapshot()
        self.writes = write_count()

    def changes(self) -> list[str]:
        writes = write_count()
        if writes is not None and writes == self.writes:
            return []
        after = snapshot()
        changed = changed_tables(self.state, after)
        self.state, self.writes = after, write_count()
        return changed


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


MARKERS = ("乙支部人", "护理二支部")


# Routes where a persona acts on their own behalf (their own token, becoming a volunteer from
# their own roster record): a POST there may write, but never branch B's objects (those
# routes take no object of B).
OWN_ROUTES = {"accounts/tokens/new/", "accounts/password/", "accounts/profile/change/"}

POST_DATA = {"reason": "x", "name": "x", "on": "2025-01-01", "held_on": "2025-01-01"}


def _api_body_refused(route: str, response) -> bool:
    """The API refuses a body it cannot read (400/422) before it looks at the object; the
    snapshot still proves nothing was written."""
    return route.startswith("api/") and response.status_code in (400, 422)


def _object_route(kwargs) -> bool:
    return bool(kwargs) and any(k != "name" for k in kwargs)


# Branch A's admin sees nothing of branch B: each of B's objects answers exactly as a missing
# object would, 404 (405 to a method the route does not take), so that no answer tells that it exists.
# A 403 here means the object was found and a later check refused it — which also means that
# the check that should have hidden it did not run. Routes where branch A's admin may see B's
# object (but not change it) are declared by the domains in ``EXPECTED_FOR_A``.
HIDDEN_FROM = "admin_a"


def _expected_for_a() -> dict[str, int]:
    return {
        route: status
        for module in [sys.modules[__name__], *_domain_matrices()]
        for route, status in getattr(module, "EXPECTED_FOR_A", {}).items()
    }


def _hidden(route: str, method: str, response, expected: dict[str, int]) -> bool:
    if route in expected:
        return response.status_code == expected[route]
    if response.status_code == 405 and method not in response.get("Allow", method):
        return True  # the method is refused before any lookup
    return response.status_code == 404


@pytest.mark.parametrize("persona", ["admin_a", "member", "outsider"])
def test_nobody_outside_branch_b_gets_its_objects(world, client, persona):
    personas, objects_of_b = world
    user = getattr(personas, persona)
    client.force_login(user, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
    own = OWN_ROUTES | _declared("OWN_ROUTES")
    strict = persona == HIDDEN_FROM
    expected_a = _expected_for_a()
    tables = Tables()
    checked = 0
    problems = Problems()
    for route, kwargs in all_patterns():
        unknown = [k for k in kwargs if k not in objects_of_b]
        assert not unknown, f"{route}: add branch B's object for {unknown} to objects_of_b in this test"
        values = dict(objects_of_b)
        values["id"] = _api_id(route, personas)
        path = fill(route, values)
        query = {"org": personas.tree.branch_b.pk}
        response = client.get(path, query)
        checked += 1
        if _object_route(kwargs):
            if not refused(response):
                problems.append(f"GET {path}: {response.status_code} {response.get('Location', '')}")
            elif strict and not _hidden(route, "GET", response, expected_a):
                problems.append(f"GET {path}: {response.status_code}, not hidden (404)")
        else:
            if response.status_code != 200:
                # ?org=<B> refused: the page as it opens, on the user's own organisations (its
                # filters and choices must not offer branch B either)
                response = client.get(path)
            if response.status_code == 200:
                body = response.content.decode("utf-8", "replace")
                problems += [f"GET {path} shows branch B's “{m}”" for m in MARKERS if m in body]
        response = client.post(path, POST_DATA)
        if _object_route(kwargs) and not refused(response) and not _api_body_refused(route, response):
            problems.append(f"POST {path}: {response.status_code} {response.get('Location', '')}")
        elif (
            strict
            and _object_route(kwargs)
            and not _api_body_refused(route, response)
            and not _hidden(route, "POST", response, expected_a)
        ):
            problems.append(f"POST {path}: {response.status_code}, not hidden (404)")
        elif response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            body = response.content.decode("utf-8", "replace")
            problems += [f"POST {path} shows branch B's “{m}”" for m in MARKERS if m in body]
        if route == "accounts/logout/":
            client.force_login(user, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
            tables = Tables()
            continue
        changed = tables.changes()
        if changed and not _in(route, own):
            problems.append(f"POST {path} ({response.status_code}) changed {changed}")
    assert checked > 20
    assert not problems, f"as {persona}:\n" + "\n".join(problems)


def test_coordinator_cannot_change_the_roster_or_tree(world, client):
    """The coordinator sees the tree and roster but manages neither."""
    personas, objects_of_b = world
    client.force_login(personas.coordinator, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
    tables = Tables()
    coordinated = _declared("COORDINATOR_ROUTES")
    problems = Problems()
    for route, kwargs in all_patterns():
        if route.startswith("api/") or not kwargs or "name" in kwargs or _in(route, coordinated):
            continue
        values = dict(objects_of_b)
        path = fill(route, values)
        response = client.post(path, POST_DATA)
        if not refused(response):
            problems.append(f"POST {path}: {response.status_code} {response.get('Location', '')}")
        changed = tables.changes()
        if changed:
            problems.append(f"POST {path} ({response.status_code}) changed {changed}")
    assert not problems, "as coordinator:\n" + "\n".join(problems)


def _expected_for_b(persona: str) -> dict[str, int]:
    """Declared statuses of a GET by ``persona`` (``admin_b`` or ``committee_admin``)."""
    expected = {}
    for module in [sys.modules[__name__], *_domain_matrices()]:
        for route, status in getattr(module, "EXPECTED_FOR_B", {}).items():
            if isinstance(status, dict):
                if persona in status:
                    expected[route] = status[persona]
            else:
                expected[route] = status
    return expected


# For a route answering GET, the status of the GET; for a POST-only route, of the POST.
EXPECTED_FOR_B: dict[str, int | dict[str, int]] = {
    # Branch B's transfer goes to the admin branch: its admin decides, not branch B's.
    "people/transfers/<id:transfer_pk>/approve/": {"admin_b": 403},
    "people/transfers/<id:transfer_pk>/refuse/": {"admin_b": 403},
    # A token, a notification, a roster import are their owner's (branch B's admin) alone.
    "accounts/tokens/<id:token_pk>/revoke/": {"committee_admin": 404},
    "notifications/<id:notification_pk>/read/": {"committee_admin": 404},
    "people/import/<id:import_pk>/": {"committee_admin": 404},
    "people/import/<id:import_pk>/errors/": {"committee_admin": 404},
    "people/import/<id:import_pk>/apply/": {"committee_admin": 404},
    "people/import/<id:import_pk>/discard/": {"committee_admin": 404},
}


def _post_only(response) -> bool:
    return response.status_code == 405 and "GET" not in response.get("Allow", "GET")


@pytest.mark.parametrize("persona", ["admin_b", "committee_admin"])
def test_branch_b_and_the_committee_get_every_object_of_branch_b(world, client, persona):
    """Positive access, so that a check too strict, or an object of B that is not B's, fails.

    A GET of every object URL of branch B answers 200 (or the declared status); a POST-only
    action is posted (inside a transaction rolled back at once) and must not be refused.
    """
    personas, objects_of_b = world
    client.force_login(getattr(personas, persona), backend=BACKEND)
    foreign = {k for module in _domain_matrices() for k in getattr(module, "FOREIGN_KWARGS", ())}
    foreign_api = {k for module in _domain_matrices() for k in getattr(module, "FOREIGN_API", ())}
    expected = _expected_for_b(persona)
    problems = Problems()
    checked = posted = 0
    for route, kwargs in all_patterns():
        if not _object_route(kwargs) or foreign & set(kwargs):
            continue
        if _api_fragment(route, personas) in foreign_api:
            continue
        values = dict(objects_of_b)
        values["id"] = _api_id(route, personas)
        path = fill(route, values)
        response = client.get(path)
        checked += 1
        if not _post_only(response):
            want = expected.get(route, 200)
            if response.status_code != want:
                problems.append(f"GET {path}: {response.status_code}, expected {want} {_where(response)}")
            continue
        posted += 1
        with transaction.atomic():
            response = client.post(path, POST_DATA)
            transaction.set_rollback(True)
        if route in expected:
            if response.status_code != expected[route]:
                problems.append(f"POST {path}: {response.status_code}, expected {expected[route]}")
        elif refused(response):
            problems.append(f"POST {path}: refused with {response.status_code} {_where(response)}")
    assert checked > 50 and posted > 20
    assert not problems, f"as {persona}:\n" + "\n".join(problems)


def test_anonymous_is_sent_to_login_everywhere_but_public_pages(world, client):
    public = {"accounts/login/", "api/v1/openapi.json", "api/v1/docs"} | _declared("PUBLIC_ROUTES")
    personas, objects_of_b = world
    tables = Tables()
    problems = Problems()
    for route, kwargs in all_patterns():
        values = dict(objects_of_b)
        values["id"] = _api_id(route, personas)
        path = fill(route, values)
        if route in public:
            continue
        for method in (client.get, client.post):
            response = method(path)
            if not refused(response):
                problems.append(f"{method.__name__.upper()} {path}: {response.status_code}")
            changed = tables.changes()
            if changed:
                problems.append(f"{method.__name__.upper()} {path} changed {changed}")
    assert not problems, "anonymously:\n" + "\n".join(problems)


ESCALATIONS = (
    "committee_admin_record_in_branch_a",
    "branch_b_admin_record_in_branch_a",
    "transferred_admin_of_b",
)


@pytest.mark.parametrize("case", ESCALATIONS)
def test_branch_a_admin_cannot_take_over_a_login_holding_roles_elsewhere(personas, client, case):
    """A roster person of branch A whose login holds roles elsewhere (the committee admin's own
    record, branch B's admin's, or branch B's admin transferred into branch A) is in branch A's
    roster, but their login is not branch A's admin's to reset or to give roles."""
    from django.urls import reverse

    from qingyi.accounts.models import Role
    from qingyi.people.services import transfer_request
    from tests.factories import PersonFactory

    tree = personas.tree
    client.force_login(personas.admin_a, backend=BACKEND)
    if case == "committee_admin_record_in_branch_a":
        target = personas.committee_admin
        person = PersonFactory(organization=tree.branch_a, user=target, name="团委书记")
    elif case == "branch_b_admin_record_in_branch_a":
        target = personas.admin_b
        person = PersonFactory(organization=tree.branch_a, user=target, name="乙支部书记")
    else:
        target = personas.admin_b
        person = PersonFactory(organization=tree.branch_b, user=target, name="乙支部书记")
        transfer = transfer_request(person=person, to_organization=tree.branch_a, actor=personas.admin_b)
        client.post(reverse("people:transfer_approve", args=[transfer.pk]))
        person.refresh_from_db()
        assert person.organization_id == tree.branch_a.pk  # the transfer itself is branch A's to approve
        roles_in_b = RoleAssignment.objects.filter(
            user=target, organization=tree.branch_b, role=Role.ORG_ADMIN
        )

        assert roles_in_b.exists()  # approving the transfer left the login's roles where they were
    tables = Tables()
    problems = Problems()
    response = client.post(reverse("accounts:person_password_reset", args=[person.pk]))
    if changed := tables.changes():
        problems.append(f"password reset answered {response.status_code} and wrote {changed}")
    response = client.post(
        reverse("accounts:role_list", args=[tree.branch_a.pk]), {"person": person.pk, "role": Role.ORG_ADMIN}
    )
    if changed := tables.changes():
        problems.append(f"role grant answered {response.status_code} and wrote {changed}")
    assert not problems, f"{case}: {problems}"


def test_every_declared_route_exists():
    """A route declared in ``EXPECTED_FOR_B``, ``PUBLIC_ROUTES`` or ``COORDINATOR_ROUTES`` that
    no URL pattern has (a renamed path or converter) would silently stop constraining anything."""
    routes = {route for route, _kwargs in all_patterns()}
    declared = set()
    for module in [sys.modules[__name__], *_domain_matrices()]:
        declared |= set(getattr(module, "EXPECTED_FOR_B", {}))
        declared |= set(getattr(module, "PUBLIC_ROUTES", ()))
        declared |= set(getattr(module, "COORDINATOR_ROUTES", ()))
    missing = sorted(
        d
        for d in declared
        if not (d in routes or (d.endswith("*") and any(r.startswith(d[:-1]) for r in routes)))
    )
    assert not missing, f"declared routes that no URL pattern has: {missing}"
