"""志愿服务统计: the hours cut by organisation, department, party branch, kind and month; the
figures page and its export.

The tree (tests/conftest.py): committee → general branch → branches A and B; admin branch.
``hours_world`` gives each kind of volunteer verified hours on a committee project and on
branch B's project, in two months of last year, plus rows that must not count.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.organizations.models import Organization
from qingyi.volunteering.models import Project, ServiceRecord, Volunteer
from tests.factories import DepartmentFactory, PartyBranchFactory, PersonFactory
from tests.volunteering.conftest import make_shift

YEAR = timezone.localdate().year - 1
MARCH, JULY = dt.date(YEAR, 3, 10), dt.date(YEAR, 7, 20)

CUTS = ("department", "party_branch", "organization", "volunteer_kind", "month")
PROJECT_BASIS = [f"volunteering.hours_by_{cut}" for cut in CUTS]
VOLUNTEER_BASIS = [f"volunteering.own_volunteers_hours_by_{cut}" for cut in (*CUTS, "project")]
NEW_BREAKDOWNS = PROJECT_BASIS + VOLUNTEER_BASIS


def _scope(org, period=None) -> metrics.Scope:
    return metrics.Scope(organization=org, period=period or Period.year(YEAR))


def _buckets(name: str, scope) -> dict[str, float]:
    return {b.key: b.value for b in metrics.get(name).value(scope)}


def _sum(records) -> float:
    return float(sum((r.verified_hours for r in records), Decimal(0)))


class Hours:
    """Adds verified service: one shift per record, so records never collide."""

    def __init__(self):
        self.n = 0

    def add(self, project, volunteer, hours, day, *, status=ServiceRecord.Status.VERIFIED, served=0):
        self.n += 1
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8))) + dt.timedelta(minutes=self.n)
        shift = make_shift(project, start=start, hours=float(hours))
        return ServiceRecord.objects.create(
            shift=shift,
            volunteer=volunteer,
            project=project,
            served_on=day,
            status=status,
            verified_hours=Decimal(str(hours)) if status == ServiceRecord.Status.VERIFIED else None,
            recorded_hours=Decimal(str(hours)),
            people_served=served,
        )


def _staff(org, department=None, name=None) -> Volunteer:
    person = PersonFactory(organization=org, department=department, **({"name": name} if name else {}))
    return Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF, organization=org, person=person, name=person.name
    )


def _outsider(org, kind, name) -> Volunteer:
    return Volunteer.objects.create(kind=kind, organization=org, name=name)


@pytest.fixture
def hours_world(personas):
    tree = personas.tree
    party = PartyBranchFactory(name="护理党支部")
    Organization.objects.filter(pk__in=[tree.general.pk, tree.branch_a.pk, tree.branch_b.pk]).update(
        party_branch=party
    )
    cardiology = DepartmentFactory(name="心内科")
    committee_project = Project.objects.create(organization=tree.committee, name="导诊服务")
    b_project = Project.objects.create(organization=tree.branch_b, name="乙支部病房探访")
    nurse_a = _staff(tree.branch_a, cardiology, "甲护士")
    nurse_b = _staff(tree.branch_b, None, "乙护士")  # staff, no department on the roster
    social = _outsider(tree.committee, Volunteer.Kind.SOCIAL, "社会志愿者丙")
    student = _outsider(tree.branch_a, Volunteer.Kind.STUDENT, "学生丁")
    clerk = _staff(tree.admin_branch, cardiology, "行政戊")  # admin branch: not paired
    h = Hours()
    h.add(committee_project, nurse_a, "3.5", MARCH, served=10)
    h.add(committee_project, nurse_a, 2, JULY, served=4)
    h.add(b_project, nurse_a, "1.5", JULY)  # branch A's nurse helps on branch B's project
    h.add(b_project, nurse_b, 4, MARCH, served=7)
    h.add(committee_project, social, 5, MARCH)
    h.add(committee_project, student, "2.25", JULY)
    h.add(committee_project, clerk, 1, JULY)
    # Not counted: recorded but not verified; verified but outside the period.
    h.add(committee_project, nurse_b, 9, JULY, status=ServiceRecord.Status.RECORDED)
    h.add(committee_project, nurse_b, 7, dt.date(YEAR + 1, 1, 5))
    return SimpleNamespace(
        personas=personas,
        tree=tree,
        party=party,
        cardiology=cardiology,
        committee_project=committee_project,
        b_project=b_project,
        nurse_a=nurse_a,
        nurse_b=nurse_b,
        social=social,
        student=student,
        hours=h,
    )


# --- The breakdowns -------------------------------------------------------------------------


def test_new_breakdowns_are_registered_as_sums_of_hours():
    for name in NEW_BREAKDOWNS:
        metric = metrics.get(name)
        assert (metric.kind, metric.aggregate) == ("breakdown", "sum"), name
    assert metrics.get("volunteering.own_volunteers_hours").aggregate == "sum"
    assert metrics.get("volunteering.verified_hours").aggregate == "sum"


def test_every_bucket_is_the_sum_of_the_records_it_lists(hours_world):
    tree = hours_world.tree
    for org in (tree.committee, tree.general, tree.branch_a, tree.branch_b, tree.admin_branch):
        scope = _scope(org)
        run = metrics.get("volunteering.verified_hours").value(scope)
        own = metrics.get("volunteering.own_volunteers_hours").value(scope)
        for name in NEW_BREAKDOWNS:
            metric = metrics.get(name)
            buckets = metric.value(scope)
            listed = set()
            for bucket in buckets:
                records = list(metric.records(scope, bucket.key))
                assert _sum(records) == pytest.approx(bucket.value), (org.name, name, bucket)
                assert not listed & {r.pk for r in records}, (org.name, name, "a record in two buckets")
                listed |= {r.pk for r in records}
            # The buckets together are every record of the figure, and add up to it.
            assert listed == {r.pk for r in metric.records(scope)}, (org.name, name)
            total = own if name in VOLUNTEER_BASIS else run
            assert sum(b.value for b in buckets) == pytest.approx(total), (org.name, name)


def test_hours_by_department_puts_outsiders_on_one_line(hours_world):
    w = hours_world
    by_department = _buckets("volunteering.hours_by_department", _scope(w.tree.committee))
    # 心内科: 甲护士 3.5 + 2 + 1.5 and 行政戊 1; 乙护士 4 without a department; 社会 5 + 学生 2.25.
    assert by_department == {str(w.cardiology.pk): 8.0, "outside": 7.25, "none": 4.0}
    labels = {
        b.key: b.label
        for b in metrics.get("volunteering.hours_by_department").value(_scope(w.tree.committee))
    }
    assert labels["outside"] == "Not hospital staff" and labels[str(w.cardiology.pk)] == "心内科"
    assert (
        list(metrics.get("volunteering.hours_by_department").records(_scope(w.tree.committee), "abc")) == []
    )


def test_hours_by_party_branch_follows_the_volunteers_organisation(hours_world):
    w = hours_world
    by_party = _buckets("volunteering.hours_by_party_branch", _scope(w.tree.committee))
    # Paired: branches A and B (甲护士 7, 学生 2.25, 乙护士 4); not paired: committee, admin branch.
    assert by_party == {str(w.party.pk): 13.25, "none": 6.0}


def test_hours_by_organization_rolls_up_one_level(hours_world):
    w = hours_world
    tree = w.tree
    committee = _buckets("volunteering.hours_by_organization", _scope(tree.committee))
    # The committee sees its general branch (A and B together) and its admin branch; the social
    # volunteer is attached to the committee itself.
    assert committee == {str(tree.general.pk): 13.25, str(tree.admin_branch.pk): 1.0, "own": 5.0}
    # The general branch's subtree runs branch B's project: its hours by whose volunteers.
    general = _buckets("volunteering.hours_by_organization", _scope(tree.general))
    assert general == {str(tree.branch_a.pk): 1.5, str(tree.branch_b.pk): 4.0}
    own_general = _buckets("volunteering.own_volunteers_hours_by_organization", _scope(tree.general))
    assert own_general == {str(tree.branch_a.pk): 9.25, str(tree.branch_b.pk): 4.0}
    # Branch B's project, helped by branch A's nurse: a volunteer from elsewhere.
    branch_b = _buckets("volunteering.hours_by_organization", _scope(tree.branch_b))
    assert branch_b == {"own": 4.0, "outside": 1.5}
    # A child's line is that child's own figure.
    for child in (tree.branch_a, tree.branch_b):
        assert own_general[str(child.pk)] == metrics.get("volunteering.own_volunteers_hours").value(
            _scope(child)
        )


def test_a_child_without_hours_shows_as_zero_and_a_foreign_key_lists_nothing(hours_world):
    tree = hours_world.tree
    Organization.objects.add_child(
        Organization.objects.get(pk=tree.committee.pk),
        create_kwargs={"name": "新支部", "kind": Organization.Kind.BRANCH},
    )
    new = Organization.objects.get(name="新支部")
    scope = _scope(tree.committee)
    assert _buckets("volunteering.hours_by_organization", scope)[str(new.pk)] == 0.0
    records = metrics.get("volunteering.hours_by_organization").records
    assert list(records(scope, str(tree.branch_a.pk))) == []  # a grandchild is not a key
    assert list(records(scope, "x1")) == []


def test_hours_by_volunteer_kind_and_by_month(hours_world):
    scope = _scope(hours_world.tree.committee)
    assert _buckets("volunteering.hours_by_volunteer_kind", scope) == {
        "staff": 12.0,
        "social": 5.0,
        "social_worker": 0.0,
        "student": 2.25,
    }
    by_month = metrics.get("volunteering.hours_by_month").value(scope)
    assert [b.key for b in by_month] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    assert {b.key: b.value for b in by_month if b.value} == {f"{YEAR}-03": 12.5, f"{YEAR}-07": 6.75}
    quarter = Period.parse(f"{YEAR}-Q3")
    assert _buckets("volunteering.hours_by_month", _scope(hours_world.tree.committee, quarter)) == {
        f"{YEAR}-07": 6.75,
        f"{YEAR}-08": 0.0,
        f"{YEAR}-09": 0.0,
    }


def test_own_volunteers_hours_count_every_project_of_the_subtrees_volunteers(hours_world):
    tree = hours_world.tree
    own = metrics.get("volunteering.own_volunteers_hours")
    run = metrics.get("volunteering.verified_hours")
    # Branch A runs no project, but its nurse and student gave 3.5 + 2 + 1.5 + 2.25 hours.
    assert run.value(_scope(tree.branch_a)) == 0
    assert own.value(_scope(tree.branch_a)) == 9.25
    assert metrics.get("volunteering.own_volunteers_people_served").value(_scope(tree.branch_a)) == 14
    by_project = _buckets("volunteering.own_volunteers_hours_by_project", _scope(tree.branch_a))
    assert by_project == {str(hours_world.committee_project.pk): 7.75, str(hours_world.b_project.pk): 1.5}


def _growth(w, times: int) -> None:
    """More of everything a breakdown has a line for: departments, party branches, branches,
    kinds, months and projects, each with verified hours."""
    for n in range(times):
        party = PartyBranchFactory()
        department = DepartmentFactory()
        parent = Organization.objects.get(pk=w.tree.general.pk)
        branch = Organization.objects.add_child(
            parent,
            create_kwargs={"name": f"增长支部{n}-{w.hours.n}", "kind": "branch", "party_branch": party},
        )
        project = Project.objects.create(organization=branch, name=f"增长项目{n}-{w.hours.n}")
        for month in (1, 5, 11):
            w.hours.add(project, _staff(branch, department), 2, dt.date(YEAR, month, 3))
            w.hours.add(
                w.committee_project, _outsider(branch, Volunteer.Kind.SOCIAL_WORKER, "社工"), 1, MARCH
            )


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_each_breakdown_is_one_grouped_query_whatever_the_volume(hours_world):
    scope = _scope(hours_world.tree.committee)
    names = [*NEW_BREAKDOWNS, "escorts.done_by_department"]
    _growth(hours_world, 1)
    small = {name: _queries(lambda name=name: metrics.get(name).value(scope)) for name in names}
    _growth(hours_world, 2)
    large = {name: _queries(lambda name=name: metrics.get(name).value(scope)) for name in names}
    assert small == large
    # One GROUP BY each; by organisation also reads the children's names.
    assert {n for n, count in large.items() if count != 1} == {
        "volunteering.hours_by_organization",
        "volunteering.own_volunteers_hours_by_organization",
    }
    assert large["volunteering.hours_by_organization"] == 2
    assert len(metrics.get("volunteering.hours_by_department").value(scope)) > 3


# --- The page -------------------------------------------------------------------------------

URL = "/volunteering/figures/"


def test_figures_page_shows_the_registry_figures(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    tree = hours_world.tree
    response = client.get(reverse("volunteering:figures"), {"org": tree.committee.pk, "period": str(YEAR)})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-metric="volunteering.verified_hours">19.25 ' in body
    assert 'data-metric="volunteering.own_volunteers_hours">19.25 ' in body
    # The breakdowns of the default basis (the organisation's volunteers), each number a link
    # to the records behind it.
    detail = reverse("core:metric_detail", args=["volunteering.own_volunteers_hours_by_department"])
    assert f'{detail}?org={tree.committee.pk}&amp;period={YEAR}&amp;key=outside"' in body
    assert "护理团总支" in body and "心内科" in body
    projects = client.get(URL, {"org": tree.committee.pk, "period": str(YEAR), "basis": "projects"})
    assert 'data-metric="volunteering.hours_by_department"' in projects.content.decode()
    # A child organisation's name opens its own figures.
    assert f"{URL}?org={tree.general.pk}&amp;period={YEAR}" in body


def test_bucket_links_open_their_records(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    tree = hours_world.tree
    url = reverse("core:metric_detail", args=["volunteering.hours_by_department"])
    body = client.get(url, {"org": tree.committee.pk, "period": str(YEAR), "key": "outside"}).content.decode()
    assert "社会志愿者丙" in body and "学生丁" in body and "甲护士" not in body
    url = reverse("core:metric_detail", args=["volunteering.hours_by_month"])
    assert (
        client.get(url, {"org": tree.committee.pk, "period": str(YEAR), "key": "1999-01"}).status_code == 404
    )


def test_form_year_and_part_pick_the_period(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    response = client.get(URL, {"org": hours_world.tree.committee.pk, "year": str(YEAR), "part": "Q1"})
    body = response.content.decode()
    assert f"· {YEAR}-Q1" in body
    assert 'data-metric="volunteering.verified_hours">12.5 ' in body
    assert '<option value="Q1" selected>' in body


def test_branch_admin_sees_only_their_subtree(hours_world, login):
    personas, tree = hours_world.personas, hours_world.tree
    client = login(personas.admin_a)
    response = client.get(URL, {"period": str(YEAR)})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<option value="{tree.branch_a.pk}" selected>' in body
    for other in (tree.branch_b, tree.committee, tree.general):
        assert f'<option value="{other.pk}"' not in body
    assert 'data-metric="volunteering.own_volunteers_hours">9.25 ' in body
    assert "乙护士" not in body and "社会志愿者丙" not in body
    for org in (tree.branch_b, tree.committee):
        assert client.get(URL, {"org": org.pk}).status_code == 404
        assert client.get(reverse("volunteering:figures_export"), {"org": org.pk}).status_code == 404


def test_who_may_see_the_figures(hours_world, login, client):
    personas = hours_world.personas
    assert login(personas.coordinator).get(URL).status_code == 200
    assert login(personas.member).get(URL).status_code == 403
    assert login(personas.outsider).get(URL).status_code == 403
    client.logout()
    assert client.get(URL).status_code == 302


def test_menu_has_the_figures_for_those_who_may_see_them(hours_world, rf):
    from qingyi.core.navigation import menu_for

    def urls(user):
        request = rf.get("/")
        request.user = user
        items = menu_for(request)
        return {item["url"] for item in items if "url" in item} | {
            child["url"] for item in items for child in item.get("children", ())
        }

    personas = hours_world.personas
    assert URL in urls(personas.admin_a) and URL in urls(personas.coordinator)
    assert URL not in urls(personas.member)


@pytest.mark.parametrize(
    "query",
    [{"period": "2025-13"}, {"period": "last year"}, {"year": "20x5"}, {"year": "2025", "part": "Q9"}],
)
def test_bad_period_gets_a_message_and_this_year(hours_world, login, query):
    client = login(hours_world.personas.committee_admin)
    response = client.get(URL, query)
    assert response.status_code == 200
    body = response.content.decode()
    assert "is not a" in body and "Showing this year instead." in body
    assert f"· {timezone.localdate().year}<" in body


def test_bad_organisation_is_not_found(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    assert client.get(URL, {"org": "abc"}).status_code == 404
    assert client.get(URL, {"org": "999999"}).status_code == 404


def test_export_has_the_figures_and_every_breakdown(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    tree = hours_world.tree
    response = client.get(
        reverse("volunteering:figures_export"),
        {"org": tree.committee.pk, "period": str(YEAR), "basis": "projects"},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Figures",
        "By organisation",
        "By department",
        "By party branch",
        "By kind of volunteer",
        "By month",
        "By project",
        "Escorts done by department",
        "Hours per volunteer",
    ]
    figures = {row[0]: row[1] for row in book["Figures"].iter_rows(min_row=2, values_only=True)}
    assert figures["Verified volunteer hours"] == 19.25
    # Each group of figures under its title, as on the page.
    assert (
        f"Projects run by {tree.committee.name}" in figures
        and f"Volunteers of {tree.committee.name}" in figures
    )
    assert figures["Period"] == str(YEAR)
    departments = {row[0]: row[1] for row in book["By department"].iter_rows(min_row=2, values_only=True)}
    assert departments == {"心内科": 8.0, "Not hospital staff": 7.25, "Staff without a department": 4.0}
    per_volunteer = {
        row[0]: row[3] for row in book["Hours per volunteer"].iter_rows(min_row=2, values_only=True)
    }
    assert per_volunteer["甲护士"] == 7.0 and sum(per_volunteer.values()) == 19.25


def test_export_with_a_bad_period_goes_back_to_the_page_with_the_message(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    response = client.get(reverse("volunteering:figures_export"), {"period": "2025-Q7"}, follow=True)
    assert response.redirect_chain and response.status_code == 200
    assert "is not a" in response.content.decode()


def test_page_and_export_run_the_same_number_of_queries_at_three_times_the_data(hours_world, login):
    client = login(hours_world.personas.committee_admin)
    query = {"org": hours_world.tree.committee.pk, "period": str(YEAR)}
    export = reverse("volunteering:figures_export")

    def counts():
        return {
            basis: (
                _queries(lambda basis=basis: client.get(URL, {**query, "basis": basis})),
                _queries(lambda basis=basis: client.get(export, {**query, "basis": basis})),
            )
            for basis in ("volunteers", "projects")
        }

    _growth(hours_world, 1)
    client.get(URL, query)  # the session and the user's grants, once
    once = counts()
    _growth(hours_world, 2)
    thrice = counts()
    assert once == thrice


def test_the_api_serves_the_breakdowns_and_their_records(hours_world, api_as):
    api = api_as(hours_world.personas.committee_admin)
    query = {"org": hours_world.tree.committee.pk, "period": str(YEAR)}
    body = api.get("/metrics/volunteering.hours_by_department", query).json()
    assert {b["key"]: b["value"] for b in body["buckets"]} == {
        str(hours_world.cardiology.pk): 8.0,
        "outside": 7.25,
        "none": 4.0,
    }
    records = api.get("/metrics/volunteering.hours_by_department/records", {**query, "key": "outside"}).json()
    assert sum(r["values"]["verified_hours"] for r in records["items"]) == 7.25
    assert (
        api.get("/metrics/volunteering.hours_by_month/records", {**query, "key": "1999-01"}).status_code
        == 422
    )
    # Branch A's admin asks for the committee: not in their scope.
    other = api_as(hours_world.personas.admin_a).get("/metrics/volunteering.hours_by_organization", query)
    assert other.status_code == 404


def test_hours_per_volunteer_is_one_selector_read_by_both_exports(hours_world, login, monkeypatch):
    """The figures export's "Hours per volunteer" sheet and the hours export read
    ``selectors.verified_sums`` (the figures export used to group the records itself)."""
    from qingyi.volunteering import selectors
    from qingyi.volunteering.views import figures as views_figures

    calls = []
    real = selectors.verified_sums

    def spy(records):
        calls.append(records.model)
        return real(records)

    monkeypatch.setattr(selectors.hours, "verified_sums", spy)  # hours_export_rows reads it there
    monkeypatch.setattr(views_figures, "verified_sums", spy)
    client = login(hours_world.personas.committee_admin)
    query = {"org": hours_world.tree.committee.pk, "period": str(YEAR), "basis": "volunteers"}
    figures = client.get(reverse("volunteering:figures_export"), query)
    assert calls == [ServiceRecord]
    hours = client.get(reverse("volunteering:hours_export"), {"period": str(YEAR)})
    assert calls == [ServiceRecord, ServiceRecord]
    sheet = load_workbook(io.BytesIO(figures.content))["Hours per volunteer"]
    per_volunteer = {row[0]: (row[3], row[4], row[5]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    overview = {
        row[0]: (float(row[5]), row[6], row[7])
        for row in load_workbook(io.BytesIO(hours.content)).active.iter_rows(min_row=2, values_only=True)
        if row[5]
    }
    assert per_volunteer and per_volunteer == overview
