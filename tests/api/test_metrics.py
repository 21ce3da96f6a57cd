"""GET /metrics, /metrics/{name} and /metrics/{name}/records: the registry, read, never recounted."""

from __future__ import annotations

import datetime as dt

import pytest

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.organizations.models import Organization, Position
from qingyi.people.models import Person
from tests.factories import PartyBranchFactory, PersonFactory, years_ago


def _value(name: str, organization, period: Period):
    """What the registry computes: a number, or the buckets as plain data."""
    value = metrics.get(name).value(metrics.Scope(organization=organization, period=period))
    if metrics.get(name).kind == "breakdown":
        return [{"key": b.key, "label": str(b.label), "value": b.value} for b in value]
    return value


@pytest.fixture
def roster(personas):
    tree = personas.tree
    PersonFactory(
        organization=tree.branch_a, name="老党员", birth_date=years_ago(40), political_status="party_member"
    )
    PersonFactory(organization=tree.branch_a, name="超龄团员", birth_date=years_ago(30))
    PersonFactory(organization=tree.branch_b, name="离开的人", status=Person.Status.LEFT)
    Position.objects.create(
        person=personas.person_a, organization=tree.branch_a, title="secretary", start_on=dt.date(2023, 1, 1)
    )
    return personas


def test_the_registry_is_listed(personas, api_as):
    body = api_as(personas.coordinator).get("/metrics", {"page_size": 100}).json()
    assert body["count"] == len(metrics.REGISTRY)
    assert [m["name"] for m in body["items"]] == sorted(metrics.REGISTRY)
    active = next(m for m in body["items"] if m["name"] == "people.active")
    assert active["kind"] == "number"
    assert active["domain"] == "people"
    assert {"key": "political_status", "label": "Political status"} in active["columns"]


def test_every_value_equals_what_the_registry_computes(roster, api_as):
    api = api_as(roster.committee_admin)
    period = Period.parse("2025")
    for name, metric in metrics.REGISTRY.items():
        body = api.get(f"/metrics/{name}", {"org": roster.tree.committee.pk, "period": "2025"}).json()
        assert body["organization"] == {"id": roster.tree.committee.pk, "name": "测试医院团委"}
        assert body["period"] == {"label": "2025", "start": "2025-01-01", "end": "2025-12-31"}
        expected = _value(name, roster.tree.committee, period)
        if metric.kind == "breakdown":
            assert body["value"] is None
            assert body["buckets"] == expected, name
        else:
            assert body["buckets"] is None
            assert body["value"] == expected, name


def test_default_organisation_is_the_callers_own(roster, api_as):
    body = api_as(roster.admin_a).get("/metrics/people.active").json()
    assert body["organization"]["id"] == roster.tree.branch_a.pk
    assert body["value"] == _value("people.active", roster.tree.branch_a, Period.current_year()) == 4
    assert body["period"]["label"] == str(dt.date.today().year)
    blank = api_as(roster.admin_a).get("/metrics/people.active", {"org": "", "period": ""}).json()
    assert blank["organization"]["id"] == roster.tree.branch_a.pk


def test_breakdown_for_a_subtree(roster, api_as):
    api = api_as(roster.committee_admin)
    body = api.get("/metrics/people.by_status", {"org": roster.tree.branch_b.pk}).json()
    buckets = {b["key"]: b["value"] for b in body["buckets"]}
    assert buckets["active"] == 1
    assert buckets["left"] == 1


def test_org_admin_gets_404_for_another_branchs_figures(roster, api_as):
    api = api_as(roster.admin_a)
    for path in ("/metrics/people.active", "/metrics/people.active/records"):
        response = api.get(path, {"org": roster.tree.branch_b.pk})
        assert response.status_code == 404, path
        assert "乙支部人" not in response.content.decode()
    # Not the committee either: admin_a sees only branch A's subtree.
    assert api.get("/metrics/people.active", {"org": roster.tree.committee.pk}).status_code == 404


def test_member_and_outsider_get_403(personas, api_as):
    for user in (personas.member, personas.outsider):
        api = api_as(user)
        assert api.get("/metrics").status_code == 403
        assert api.get("/metrics/people.active").status_code == 403
        assert api.get("/metrics/people.active/records").status_code == 403


@pytest.mark.parametrize("period", ["2025-13", "last year", "2025-06-30..2025-01-01", "2025-Q5"])
def test_bad_period_is_422_with_a_clear_message(personas, api_as, period):
    response = api_as(personas.committee_admin).get("/metrics/people.active", {"period": period})
    assert response.status_code == 422
    assert period in response.json()["detail"] or "ends before it starts" in response.json()["detail"]


@pytest.mark.parametrize("period", ["2025", "2025-Q2", "2025-03", "2025-01-01..2025-06-30"])
def test_good_periods(personas, api_as, period):
    body = api_as(personas.committee_admin).get("/metrics/people.youth_share", {"period": period}).json()
    assert body["period"]["label"] == period
    assert body["value"] == _value("people.youth_share", personas.tree.committee, Period.parse(period))


def test_unknown_metric_is_404(personas, api_as):
    api = api_as(personas.committee_admin)
    for path in ("/metrics/people.nothing", "/metrics/people.nothing/records"):
        response = api.get(path)
        assert response.status_code == 404
        assert "people.nothing" in response.json()["detail"]


def test_records_are_those_behind_the_figure(roster, api_as):
    api = api_as(roster.admin_a)
    body = api.get("/metrics/people.active/records").json()
    assert body["count"] == api.get("/metrics/people.active").json()["value"] == 4
    names = {r["text"] for r in body["items"]}
    assert names == {"团员甲", "甲支部人", "老党员", "超龄团员"}
    record = next(r for r in body["items"] if r["text"] == "老党员")
    assert record["values"] == {
        "name": "老党员",
        "organization": "护理一支部",
        "political_status": str(Person.PoliticalStatus.PARTY_MEMBER.label),
        "department": None,
    }


def test_records_of_one_bucket(roster, api_as):
    api = api_as(roster.committee_admin)
    params = {"org": roster.tree.committee.pk, "key": "party_member"}
    body = api.get("/metrics/people.by_political_status/records", params).json()
    assert [r["text"] for r in body["items"]] == ["老党员"]
    buckets = api.get("/metrics/people.by_political_status").json()["buckets"]
    for bucket in buckets:
        records = api.get("/metrics/people.by_political_status/records", {"key": bucket["key"]}).json()
        assert records["count"] == bucket["value"], bucket


def test_records_of_the_due_to_age_out(roster, api_as):
    body = api_as(roster.admin_a).get("/metrics/people.due_to_age_out/records").json()
    assert [r["text"] for r in body["items"]] == ["超龄团员"]


def test_bad_key_is_422(roster, api_as):
    api = api_as(roster.committee_admin)
    response = api.get("/metrics/organizations.cadre_age/records", {"key": "over_90"})
    assert response.status_code == 422
    assert "over_90" in response.json()["detail"]
    response = api.get("/metrics/people.active/records", {"key": "x"})
    assert response.status_code == 422


def test_records_query_count_does_not_grow(personas, api_as, count_queries):
    """Both with people (organisation, department) and with organisations (party branch) as records."""
    api = api_as(personas.committee_admin)
    api.get("/metrics/people.active/records")  # warm: token touch

    def grow(n):
        general = Organization.objects.get(pk=personas.tree.general.pk)
        for i in range(n):
            child = Organization.objects.add_child(
                general,
                create_kwargs={
                    "name": f"新支部{n}-{i}",
                    "kind": "branch",
                    "party_branch": PartyBranchFactory(),
                },
            )
            PersonFactory(organization=child)
            general = Organization.objects.get(pk=general.pk)

    counts = {}
    for size, n in (("small", 5), ("large", 35)):
        grow(n)
        for name in ("people.active", "organizations.by_kind"):
            with count_queries() as queries:
                response = api.get(f"/metrics/{name}/records", {"page_size": 100})
            assert response.status_code == 200
            counts[(size, name)] = len(queries)
    for name in ("people.active", "organizations.by_kind"):
        assert counts[("small", name)] == counts[("large", name)] <= 5, counts
