import datetime as dt
import importlib
import io
import statistics

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.organizations.models import Organization, Position
from tests.factories import PersonFactory, years_ago


def _scope(org, year=None):
    return metrics.Scope(organization=org, period=Period.year(year or dt.date.today().year))


def _column(metric, record):
    value = metric.column(record) if callable(metric.column) else getattr(record, metric.column)
    return float(value)


@pytest.fixture
def demo_scope(db):
    """The demo hospital at its smallest size: every domain has records (about 8 s to build)."""
    call_command("demo_data", people=200, stdout=io.StringIO())
    today = timezone.localdate()
    period = Period.parse(f"{today - dt.timedelta(days=365)}..{today}")
    return metrics.Scope(organization=Organization.objects.get(depth=1), period=period)


def test_every_registered_metric_has_data_and_its_figure_comes_from_its_records(demo_scope):
    """Each metric, on the demo hospital: it has records, and its figure is their count, or the
    sum (average, median) of its ``column`` over them, or for a share records / ``whole``; each
    bucket of a breakdown likewise from its own records. A new metric without data in the demo
    fails here: give the demo builder its records."""
    scope = demo_scope
    assert len(metrics.REGISTRY) >= 60
    empty = []
    for metric in metrics.REGISTRY.values():
        assert metric.aggregate in {"count", "sum", "average", "median"}, metric.name
        assert metric.aggregate == "count" or metric.column, f"{metric.name}: which column is aggregated?"
        assert metric.kind != "share" or metric.whole is not None, f"{metric.name}: a share of what?"
        records = metric.records(scope)
        if not records.exists():
            empty.append(metric.name)
            continue
        value = metric.value(scope)
        if metric.kind == "breakdown":
            assert any(bucket.value for bucket in value), metric.name
            for bucket in value:
                figure = _figure(metric, scope, metric.records(scope, bucket.key))
                assert bucket.value == figure, (metric.name, bucket)
        else:
            assert value == _figure(metric, scope, records), metric.name
            assert value, metric.name  # data, so a figure that can disagree
    assert not empty, f"metrics with no records in the demo hospital: {empty}"


def _figure(metric, scope, records):
    if metric.kind == "share":
        return metrics.share(records.count(), metric.whole(scope).count())
    if metric.aggregate == "count":
        return records.count()
    values = [_column(metric, record) for record in records]
    if metric.aggregate == "sum":
        return pytest.approx(sum(values), abs=0.005)
    if metric.aggregate == "average":
        return pytest.approx(statistics.mean(values), abs=0.005)
    return pytest.approx(statistics.median(values), abs=0.05)


def test_every_metrics_module_registers_metrics():
    """Autodiscovery imports ``<app>.metrics`` of every app: each such module (or package) is a
    registry module (the API's router for /metrics is ``api/figures.py``, not ``api/metrics.py``)."""
    modules = {m.compute.__module__ for m in metrics.REGISTRY.values()}
    for config in apps.get_app_configs():
        if not config.name.startswith("qingyi.") or config.name == "qingyi.core":
            continue
        try:
            importlib.import_module(f"{config.name}.metrics")
        except ModuleNotFoundError as exc:
            assert exc.name == f"{config.name}.metrics"
            continue
        module = f"{config.name}.metrics"  # a module, or a package whose modules register
        registering = [m for m in modules if m == module or m.startswith(f"{module}.")]
        assert registering, f"{module} registers no metric"


def test_figures_follow_the_subtree(personas):
    tree = personas.tree
    assert metrics.get("people.active").value(_scope(tree.committee)) == 3
    assert metrics.get("people.active").value(_scope(tree.branch_a)) == 2
    assert metrics.get("people.active").value(_scope(tree.branch_b)) == 1


def test_youth_share_and_age_out(personas):
    tree = personas.tree
    PersonFactory(
        organization=tree.branch_b, birth_date=years_ago(40), political_status="masses", league_joined_on=None
    )
    due = PersonFactory(organization=tree.branch_b, birth_date=years_ago(29))
    holder = PersonFactory(organization=tree.branch_b, birth_date=years_ago(29))
    Position.objects.create(
        person=holder, organization=tree.branch_b, title="secretary", start_on=dt.date(2020, 1, 1)
    )
    scope = _scope(tree.branch_b)
    assert metrics.get("people.youth_share").value(scope) == 75.0  # 3 of 4 aged 35 or under
    assert list(metrics.get("people.due_to_age_out").records(scope)) == [due]


def test_cadre_age_breakdown_counts_current_posts(personas):
    tree = personas.tree
    Position.objects.create(
        person=personas.person_a, organization=tree.branch_a, title="secretary", start_on=dt.date(2020, 1, 1)
    )
    Position.objects.create(
        person=personas.person_b,
        organization=tree.branch_b,
        title="secretary",
        start_on=dt.date(2020, 1, 1),
        end_on=dt.date(2021, 1, 1),
    )
    buckets = {b.key: b.value for b in metrics.get("organizations.cadre_age").value(_scope(tree.committee))}
    assert buckets == {"le28": 1, "29_35": 0, "36_45": 0, "gt45": 0}


def test_dashboard_tiles_equal_the_registry(personas, login):
    client = login(personas.committee_admin)
    body = client.get(reverse("core:home")).content.decode()
    value = metrics.get("people.active").value(_scope(personas.tree.committee))
    assert f'data-metric="people.active">{value}<' in body


def test_metric_records_page_lists_the_people(personas, login):
    client = login(personas.admin_a)
    body = client.get(reverse("core:metric_detail", args=["people.active"])).content.decode()
    assert "甲支部人" in body and "乙支部人" not in body
    assert client.get(reverse("core:metric_detail", args=["no.such"])).status_code == 404
    assert (
        client.get(
            reverse("core:metric_detail", args=["people.active"]), {"org": personas.tree.branch_b.pk}
        ).status_code
        == 404
    )


def test_bad_period_gets_a_message_not_an_error(personas, login):
    client = login(personas.committee_admin)
    response = client.get(reverse("core:home"), {"period": "2025-13"})
    assert response.status_code == 200
    assert "not a" in response.content.decode()


def test_people_cut_by_party_branch_and_department(personas):
    from tests.factories import DepartmentFactory, PartyBranchFactory

    tree = personas.tree
    party = PartyBranchFactory(name="护理党支部")
    tree.general.__class__.objects.filter(pk__in=[tree.branch_a.pk]).update(party_branch=party)
    ward = DepartmentFactory(name="心内科")
    personas.person_b.__class__.objects.filter(pk=personas.person_b.pk).update(department=ward)
    scope = _scope(tree.committee)
    by_party = {b.label: b.value for b in metrics.get("people.by_party_branch").value(scope)}
    assert by_party == {"护理党支部": 2, "Not paired": 1}
    by_department = {b.label: b.value for b in metrics.get("people.by_department").value(scope)}
    assert by_department == {"No department": 2, "心内科": 1}
    key = next(b.key for b in metrics.get("people.by_party_branch").value(scope) if b.label == "护理党支部")
    assert set(metrics.get("people.by_party_branch").records(scope, key)) == {
        personas.person_a,
        personas.member_person,
    }


def test_unknown_bucket_is_not_found(personas, login):
    client = login(personas.committee_admin)
    url = reverse("core:metric_detail", args=["organizations.cadre_age"])
    assert client.get(url, {"key": "zzz"}).status_code == 404
    assert (
        client.get(reverse("core:metric_detail", args=["people.by_department"]), {"key": "abc"}).status_code
        == 404
    )
    assert client.get(url, {"key": "le28"}).status_code == 200


def test_dashboard_elections_card_is_the_metric_for_a_past_period(personas, login):
    """The card's count and list are the metric's figure and records, on the period's day."""
    from qingyi.core import rules
    from qingyi.organizations.models import Organization

    tree = personas.tree
    today = dt.date.today()
    period = Period.year(today.year - 2)
    # Branch A's term ends half a year after the period: overdue today, not due on the period's day.
    due = dt.date(today.year - 1, 6, 30)
    founded = rules.add_years(due, -rules.term_years(Organization.Kind.BRANCH))
    Organization.objects.filter(pk=tree.branch_a.pk).update(founded_on=founded)
    metric = metrics.get("organizations.elections_due")
    scope = metrics.Scope(organization=tree.committee, period=period)
    then = set(metric.records(scope))
    now = set(metric.records(_scope(tree.committee)))
    assert tree.branch_a in now and tree.branch_a not in then  # the two days disagree

    client = login(personas.committee_admin)
    body = client.get(reverse("core:home"), {"period": period.label}).content.decode()
    card = body.split("Elections overdue or due soon</span>", 1)[1].split('<div class="col-lg-6">', 1)[0]
    assert f'data-metric-badge="organizations.elections_due">{metric.value(scope)}<' in card
    assert f'data-metric="organizations.elections_due">{metric.value(scope)}<' in body
    assert tree.branch_a.name not in card
    for org in then:
        assert org.name in card
