"""The pages that list things run a fixed number of SQL queries, whatever the volume.

Each page is measured at a small volume and again after the data has grown several times
(more people, organisations, cadres, elections, transfers and change history by several
users); the counts must be equal. A count that grows is an N+1 query.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qingyi.accounts.models import Role
from qingyi.organizations.models import Department, Election, Organization, PartyBranch, Position
from qingyi.people import services as people_services
from qingyi.people.models import Person, Transfer
from tests.factories import PersonFactory, UserFactory, grant, years_ago

SMALL = {"people": 10, "orgs": 5, "changes": 2}
LARGE = {"people": 60, "orgs": 20, "changes": 12}


@dataclass
class Volume:
    """Grows the personas' hospital: everything a listing page might loop over."""

    personas: object
    people: list[Person] = field(default_factory=list)
    orgs: list[Organization] = field(default_factory=list)
    editors: list = field(default_factory=list)
    changes: int = 0
    counter: itertools.count = field(default_factory=lambda: itertools.count(1))

    def grow(self, *, people: int, orgs: int, changes: int) -> None:
        p, tree = self.personas, self.personas.tree
        if not self.editors:
            self.editors = [p.committee_admin, p.admin_a]
            for name in ("editor_x", "editor_y"):
                editor = grant(UserFactory(username=name), Role.COMMITTEE_ADMIN, tree.committee)
                PersonFactory(organization=tree.admin_branch, user=editor, name=f"编辑{name[-1]}")
                self.editors.append(editor)
        departments = list(Department.objects.all()) or [
            Department.objects.create(name=f"科室{i}") for i in range(1, 4)
        ]
        while len(self.orgs) < orgs:
            n = next(self.counter)
            parent = Organization.objects.get(pk=tree.general.pk)
            party = PartyBranch.objects.create(name=f"第{n}党支部")
            org = Organization.objects.add_child(
                parent,
                create_kwargs={
                    "name": f"增长支部{n}",
                    "kind": Organization.Kind.BRANCH,
                    "party_branch": party,
                    "founded_on": years_ago(4),
                },
            )
            held = years_ago(3, days=n)  # some terms run out, some soon: the dashboard lists them
            election = Election.objects.create(organization=org, held_on=held, term_years=3)
            self.orgs.append(org)
            self._position(org, election, held)
        homes = [tree.branch_a, tree.branch_b, *self.orgs]
        while len(self.people) < people:
            i = len(self.people)
            person = PersonFactory(
                organization=homes[i % len(homes)],
                department=departments[i % len(departments)],
                birth_date=years_ago(22 + i % 10, days=i),
                name=f"测试员{i}",
            )
            self.people.append(person)
        # Cadres and past terms in the branches and the general branch, with their people.
        for org in (tree.branch_a, tree.general):
            for k in range(len(self.people) // 10):
                person = self.people[k]
                Position.objects.get_or_create(
                    person=person,
                    organization=org,
                    title=Position.Title.MEMBER,
                    start_on=years_ago(2, days=k),
                    defaults={"end_on": None},
                )
        # Change history by several users, on the person and the organisations shown.
        for k in range(self.changes, changes):
            editor = self.editors[k % len(self.editors)]
            person = Person.objects.get(pk=p.person_a.pk)
            people_services.person_update(
                person=person,
                data={"phone": f"1390000{k:04d}", "education": ["bachelor", "master"][k % 2]},
                expected_version=person.version,
                actor=editor,
            )
            for org in (tree.general, tree.branch_a):
                org = Organization.objects.get(pk=org.pk)
                org.name = f"{org.name.split('·')[0]}·{k}"
                org._history_user = editor
                org.save()
            held = dt.date.today() - dt.timedelta(days=400 - k)
            self._position(tree.branch_a, None, held, person=person)
            PersonFactory(organization=tree.branch_b, name=f"调动{k}")
        for k, person in enumerate(self.people[: len(self.people) // 5]):
            if not Transfer.objects.filter(person=person, status=Transfer.Status.PENDING).exists():
                target = tree.branch_b if person.organization_id != tree.branch_b.pk else tree.branch_a
                Transfer.objects.create(
                    person=person,
                    from_organization_id=person.organization_id,
                    to_organization=target,
                    requested_by=self.editors[k % len(self.editors)],
                )
        self.changes = max(self.changes, changes)

    def _position(self, org, election, start, person=None) -> None:
        person = person or PersonFactory(organization=org, name=f"书记{org.pk}")
        Position.objects.create(
            person=person,
            organization=org,
            title=Position.Title.SECRETARY,
            start_on=start,
            end_on=start + dt.timedelta(days=3 * 365),
            election=election,
        )


def _pages(p) -> list[tuple[str, str, str, dict]]:
    """(label, user attribute on personas, URL, query string)."""
    tree = p.tree
    return [
        ("roster", "committee_admin", reverse("people:list"), {}),
        ("roster page 2", "committee_admin", reverse("people:list"), {"page": "2", "status": ""}),
        (
            "roster filtered",
            "committee_admin",
            reverse("people:list"),
            {"political_status": "league_member", "youth": "1"},
        ),
        (
            "roster by org",
            "committee_admin",
            reverse("people:list"),
            {"org": tree.general.pk, "due_to_age_out": "1"},
        ),
        ("roster search", "committee_admin", reverse("people:list"), {"q": "测试"}),
        (
            "roster department",
            "committee_admin",
            reverse("people:list"),
            {"department": "1", "profession": "nurse"},
        ),
        ("roster htmx", "committee_admin", reverse("people:list"), {"q": "测试", "_htmx": "1"}),
        ("roster as admin_a", "admin_a", reverse("people:list"), {}),
        ("roster as admin_a, any status", "admin_a", reverse("people:list"), {"status": "", "youth": "1"}),
        ("person detail", "committee_admin", reverse("people:detail", args=[p.person_a.pk]), {}),
        ("person detail as admin_a", "admin_a", reverse("people:detail", args=[p.person_a.pk]), {}),
        ("tree", "committee_admin", reverse("organizations:tree"), {}),
        ("tree with archived", "committee_admin", reverse("organizations:tree"), {"archived": "1"}),
        ("tree as admin_a", "admin_a", reverse("organizations:tree"), {}),
        (
            "general branch detail",
            "committee_admin",
            reverse("organizations:detail", args=[tree.general.pk]),
            {},
        ),
        ("branch detail", "admin_a", reverse("organizations:detail", args=[tree.branch_a.pk]), {}),
        ("home", "committee_admin", reverse("core:home"), {}),
        ("home as admin_a", "admin_a", reverse("core:home"), {}),
        ("transfers", "committee_admin", reverse("people:transfer_list"), {}),
        ("cadres", "committee_admin", reverse("organizations:cadre_structure"), {}),
    ]


def _count(client, url: str, params: dict) -> int:
    params = dict(params)
    headers = {"HX-Request": "true"} if params.pop("_htmx", None) else {}
    client.get(url, params, headers=headers)  # warm the settings cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "label",
    [
        "roster",
        "roster page 2",
        "roster filtered",
        "roster by org",
        "roster search",
        "roster department",
        "roster htmx",
        "roster as admin_a",
        "roster as admin_a, any status",
        "person detail",
        "person detail as admin_a",
        "tree",
        "tree with archived",
        "tree as admin_a",
        "general branch detail",
        "branch detail",
        "home",
        "home as admin_a",
        "transfers",
        "cadres",
    ],
)
def test_query_count_does_not_grow_with_the_data(label, personas, client):
    volume = Volume(personas)
    volume.grow(**SMALL)
    _, user_attr, url, params = next(page for page in _pages(personas) if page[0] == label)
    client.force_login(
        getattr(personas, user_attr), backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    )
    small = _count(client, url, params)
    volume.grow(**LARGE)
    large = _count(client, url, params)
    assert large == small, f"{label}: {small} queries with {SMALL}, {large} with {LARGE}"


def test_the_volume_really_grows(personas):
    """Guard the test itself: the large volume has more of everything the pages list."""
    volume = Volume(personas)
    volume.grow(**SMALL)
    small = (
        Person.objects.count(),
        Organization.objects.count(),
        Position.objects.count(),
        Transfer.objects.count(),
    )
    small_history = Person.history.filter(id=personas.person_a.pk).count()
    volume.grow(**LARGE)
    large = (
        Person.objects.count(),
        Organization.objects.count(),
        Position.objects.count(),
        Transfer.objects.count(),
    )
    assert all(b > 2 * a for a, b in zip(small, large, strict=True)), (small, large)
    assert Person.history.filter(id=personas.person_a.pk).count() > 3 * small_history
    assert Person.objects.count() > 50  # the roster has a second page
