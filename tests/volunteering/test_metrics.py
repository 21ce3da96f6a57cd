import datetime as dt
from decimal import Decimal

from django.utils import timezone

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.volunteering.models import ServiceRecord, Signup
from tests.volunteering.conftest import make_shift, make_volunteer


def test_volunteering_figures_by_subtree_and_period(vworld):
    tree = vworld.tree
    past = make_shift(vworld.project_b, start=timezone.now() - dt.timedelta(days=2), capacity=2)
    vb = make_volunteer(tree.branch_b)
    vb2 = make_volunteer(tree.branch_b)
    Signup.objects.create(shift=past, volunteer=vb, status="confirmed")
    Signup.objects.create(shift=past, volunteer=vb2, status="no_show")
    day = timezone.localdate() - dt.timedelta(days=2)
    ServiceRecord.objects.create(
        shift=past,
        volunteer=vb,
        project=vworld.project_b,
        served_on=day,
        status="verified",
        verified_hours=Decimal("3.5"),
        people_served=12,
    )
    ServiceRecord.objects.create(
        shift=past,
        volunteer=vb2,
        project=vworld.project_b,
        served_on=day,
        status="recorded",
        recorded_hours=Decimal(3),
    )  # not verified: not counted
    period = Period(day - dt.timedelta(days=1), day + dt.timedelta(days=1), "x")
    scope_b = metrics.Scope(organization=tree.branch_b, period=period)
    scope_a = metrics.Scope(organization=tree.branch_a, period=period)
    assert metrics.get("volunteering.verified_hours").value(scope_b) == 3.5
    assert metrics.get("volunteering.verified_hours").value(scope_a) == 0
    assert metrics.get("volunteering.people_served").value(scope_b) == 12
    assert metrics.get("volunteering.no_show_rate").value(scope_b) == 50.0
    assert metrics.get("volunteering.shifts_filled").value(scope_b) == 0  # one of two places held
    assert list(metrics.get("volunteering.verified_hours").records(scope_b)) == [
        ServiceRecord.objects.get(volunteer=vb)
    ]
    buckets = metrics.get("volunteering.hours_by_project_kind").value(scope_b)
    assert {b.key: b.value for b in buckets}["elderly"] == 3.5
