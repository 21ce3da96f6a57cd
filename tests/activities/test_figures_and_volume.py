"""Metrics, compliance with the yearly minimums, and query counts that stay flat with the data."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.activities import selectors
from qingyi.activities.models import Activity, ActivityOrganizer, Attendance
from qingyi.core import metrics
from qingyi.core.models import Setting
from qingyi.core.periods import Period
from qingyi.organizations.models import PartyBranch
from tests.factories import PersonFactory


def _bulk(
    personas, n: int, *, year: int, kind="theory_study", org=None, held=True, joint=False, attendees=()
):
    """n activities of ``org`` (branch A) in ``year``, one a week, with attendance rows."""
    org = org or personas.tree.branch_a
    party = PartyBranch.objects.get_or_create(name="测试党支部")[0] if joint else None
    tz = timezone.get_current_timezone()
    acts = Activity.objects.bulk_create(
        [
            Activity(
                kind=kind,
                title=f"{kind}-{year}-{i}",
                starts_at=dt.datetime(year, 1, 1, 9, tzinfo=tz) + dt.timedelta(days=7 * (i % 50)),
                ends_at=dt.datetime(year, 1, 1, 11, tzinfo=tz) + dt.timedelta(days=7 * (i % 50)),
                organization=org,
                party_branch=party,
                status="held" if held else "planned",
                created_by=personas.admin_a,
            )
            for i in range(n)
        ]
    )
    ActivityOrganizer.objects.bulk_create([ActivityOrganizer(activity=a, organization=org) for a in acts])
    Attendance.objects.bulk_create(
        [
            Attendance(activity=a, person=p, status="present" if j % 2 == 0 else "absent")
            for a in acts
            for j, p in enumerate(attendees)
        ]
    )
    return acts


def test_figures_by_kind_joint_and_attendance(personas):
    people = [personas.member_person, personas.person_a]
    _bulk(personas, 3, year=2024, attendees=people)
    _bulk(personas, 2, year=2024, kind="themed_day", joint=True, attendees=people)
    _bulk(personas, 4, year=2024, kind="care", held=False)
    _bulk(personas, 1, year=2023)
    scope = metrics.Scope(organization=personas.tree.committee, period=Period.year(2024))
    assert metrics.get("activities.held").value(scope) == 5
    by_kind = {b.key: b.value for b in metrics.get("activities.by_kind").value(scope)}
    assert by_kind["theory_study"] == 3 and by_kind["themed_day"] == 2 and by_kind["care"] == 0
    assert metrics.get("activities.joint").value(scope) == 2
    assert metrics.get("activities.attendance_rate").value(scope) == 50.0
    assert [b.value for b in metrics.get("activities.by_organization").value(scope)] == [5]
    assert metrics.get("activities.by_kind").records(scope, "themed_day").count() == 2
    scope_b = metrics.Scope(organization=personas.tree.branch_b, period=Period.year(2024))
    assert metrics.get("activities.held").value(scope_b) == 0


def test_compliance_flags_branches_behind_and_follows_the_settings(personas):
    year = 2024  # a past year: the whole minimum is due
    _bulk(personas, 12, year=year, kind="theory_study")
    rows = {
        r.organization: r
        for r in selectors.compliance_rows(personas.tree.committee, year, today=dt.date(2025, 1, 10))
    }
    row_a = rows[personas.tree.branch_a]
    study = next(k for k in row_a.kinds if k.kind == "theory_study")
    assert study.held == 12 and study.state == "met"
    assert row_a.behind  # no meetings at all
    Setting.objects.bulk_create(
        [Setting(key=f"activity_min_{k}", value=0) for k in selectors.COMPLIANCE_KINDS if k != "theory_study"]
    )
    from django.core.cache import cache

    cache.clear()
    rows = {
        r.organization: r
        for r in selectors.compliance_rows(personas.tree.committee, year, today=dt.date(2025, 1, 10))
    }
    assert not rows[personas.tree.branch_a].behind and rows[personas.tree.branch_b].behind
    scope = metrics.Scope(organization=personas.tree.committee, period=Period.year(year))
    assert metrics.get("activities.branches_behind").value(scope) == 2  # branch B and the admin branch


def test_due_so_far_is_pro_rata_in_the_current_year():
    assert selectors.due_by(12, 2025, dt.date(2025, 7, 3)) == 6
    assert selectors.due_by(12, 2025, dt.date(2025, 1, 1)) == 0
    assert selectors.due_by(4, 2024, dt.date(2025, 1, 1)) == 4
    assert selectors.due_by(4, 2026, dt.date(2025, 1, 1)) == 0


def test_home_shows_the_compliance_table_with_those_behind_flagged(personas, login):
    body = login(personas.committee_admin).get(reverse("core:home")).content.decode()
    assert 'id="activities-compliance"' in body and "row-behind" in body
    assert personas.tree.branch_b.name in body


def test_home_of_branch_a_does_not_show_branch_b(personas, login):
    body = login(personas.admin_a).get(reverse("core:home")).content.decode()
    assert 'id="activities-compliance"' in body and personas.tree.branch_b.name not in body


def _grow(personas, factor: int):
    tree = personas.tree
    people = [PersonFactory(organization=tree.branch_a) for _ in range(3 * factor)]
    this_year = timezone.localdate().year
    _bulk(personas, 10 * factor, year=this_year, attendees=people, joint=True)
    _bulk(
        personas,
        5 * factor,
        year=this_year,
        kind="general_meeting",
        org=tree.branch_b,
        attendees=[personas.person_b],
    )
    _bulk(personas, 5 * factor, year=this_year - 1, kind="care")


PAGES = [
    ("list", "committee_admin", "activities:list", {}),
    (
        "list filtered",
        "committee_admin",
        "activities:list",
        {"kind": "theory_study", "period": "2025", "q": "theory"},
    ),
    ("list by org", "committee_admin", "activities:list", {"org": "general"}),
    ("list htmx", "committee_admin", "activities:list", {"_htmx": "1", "status": "held"}),
    ("list as admin_a", "admin_a", "activities:list", {}),
    ("tiles", "committee_admin", "activities:tiles", {"_htmx": "1"}),
    (
        "tiles by org and period",
        "committee_admin",
        "activities:tiles",
        {"_htmx": "1", "org": "general", "period": "2025"},
    ),
    ("tiles as admin_a", "admin_a", "activities:tiles", {"_htmx": "1"}),
    ("tiles without htmx", "committee_admin", "activities:tiles", {}),
    ("calendar", "committee_admin", "activities:calendar", {}),
    ("calendar as admin_a", "admin_a", "activities:calendar", {}),
    ("compliance", "committee_admin", "activities:compliance", {}),
    ("publicity", "committee_admin", "activities:publication_list", {}),
    ("mine", "member", "activities:mine", {}),
    ("detail", "committee_admin", "detail", {}),
    ("attendance", "committee_admin", "attendance", {}),
    ("home", "committee_admin", "core:home", {}),
]


def _url(personas, name, params):
    params = dict(params)
    if params.get("org") == "general":
        params["org"] = personas.tree.general.pk
    if name in ("detail", "attendance"):
        activity = Activity.objects.filter(organization=personas.tree.branch_a).order_by("pk").first()
        return reverse(f"activities:{name}", args=[activity.pk]), params
    return reverse(name), params


def _count(client, url, params):
    params = dict(params)
    headers = {"HX-Request": "true"} if params.pop("_htmx", None) else {}
    client.get(url, params, headers=headers)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("label", [p[0] for p in PAGES])
def test_query_count_does_not_grow_with_the_data(label, personas, client):
    _, who, name, params = next(p for p in PAGES if p[0] == label)
    client.force_login(
        getattr(personas, who), backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    )
    _grow(personas, 1)
    small = _count(client, *_url(personas, name, params))
    _grow(personas, 5)
    large = _count(client, *_url(personas, name, params))
    assert large == small, f"{label}: {small} queries, then {large} with five times the data"
