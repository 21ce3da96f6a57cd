"""Outreach events: place, partner and people reached, and their figure."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.volunteering import services
from qingyi.volunteering.models import Project
from tests.volunteering.conftest import make_shift

LOGIN = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


@pytest.fixture
def outreach(vworld):
    return Project.objects.create(
        organization=vworld.tree.branch_a, name="社区义诊", kind=Project.Kind.OUTREACH
    )


def test_coordinator_records_partner_and_people_reached_per_event(vworld, outreach):
    coordinator = vworld.personas.coordinator
    start = timezone.now() - dt.timedelta(days=1)
    shift = services.shift_create(
        project=outreach,
        start=start,
        end=start + dt.timedelta(hours=3),
        capacity=5,
        place="幸福社区广场",
        partner="幸福社区居委会",
        actor=coordinator,
    )
    services.shift_update(shift=shift, data={"people_reached": 240}, actor=coordinator)
    shift.refresh_from_db()
    assert (shift.place, shift.partner, shift.people_reached) == ("幸福社区广场", "幸福社区居委会", 240)


def test_people_reached_only_for_outreach_and_never_negative(vworld, outreach):
    coordinator = vworld.personas.coordinator
    with pytest.raises(ValidationError) as exc:
        services.shift_update(shift=vworld.shift, data={"people_reached": 10}, actor=coordinator)
    assert "people_reached" in exc.value.message_dict
    shift = make_shift(outreach)
    with pytest.raises(ValidationError):
        services.shift_update(shift=shift, data={"people_reached": -1}, actor=coordinator)
    shift.refresh_from_db()
    assert shift.people_reached is None


def test_people_reached_is_not_copied_along_a_series(vworld, outreach):
    coordinator = vworld.personas.coordinator
    today = timezone.localdate()
    series = services.shift_series_create(
        project=outreach,
        weekdays=range(7),
        first_day=today + dt.timedelta(days=1),
        last_day=today + dt.timedelta(days=3),
        start_time=dt.time(9),
        end_time=dt.time(11),
        capacity=3,
        partner="红十字会",
        actor=coordinator,
    )
    first, *_rest = list(series.shifts.order_by("start"))
    services.shift_update(
        shift=first, data={"people_reached": 50, "partner": "血站"}, actor=coordinator, following=True
    )
    reached = [s.people_reached for s in series.shifts.order_by("start")]
    assert reached == [50, None, None]
    assert set(series.shifts.values_list("partner", flat=True)) == {"血站"}


def test_metric_sums_people_reached_of_outreach_events_in_the_subtree(vworld, outreach):
    a = make_shift(outreach, start=timezone.now() - dt.timedelta(days=2), people_reached=100, partner="x")
    make_shift(outreach, start=timezone.now() - dt.timedelta(days=3), people_reached=40)
    make_shift(outreach, start=timezone.now() - dt.timedelta(days=4))  # not recorded yet
    other = Project.objects.create(
        organization=vworld.tree.branch_b, name="乙义诊", kind=Project.Kind.OUTREACH
    )
    make_shift(other, start=timezone.now() - dt.timedelta(days=2), people_reached=999)
    m = metrics.get("volunteering.outreach_people_reached")
    assert m.aggregate == "sum"
    year = Period.year(timezone.localdate().year)
    scope_a = metrics.Scope(organization=vworld.tree.branch_a, period=year)
    assert m.value(scope_a) == 140
    assert sum(r.people_reached for r in m.records(scope_a)) == 140 and a in m.records(scope_a)
    assert m.value(metrics.Scope(organization=vworld.tree.committee, period=year)) == 1139


def test_outreach_pages_show_partner_and_people_reached(vworld, outreach, client):
    shift = make_shift(outreach, place="广场", partner="居委会", people_reached=77)
    client.force_login(vworld.personas.coordinator, backend=LOGIN)
    detail = client.get(reverse("volunteering:shift_detail", args=[shift.pk])).content.decode()
    assert "居委会" in detail and "77" in detail
    project = client.get(reverse("volunteering:project_detail", args=[outreach.pk])).content.decode()
    assert "居委会" in project and "Partner organisation" in project
    edit = client.get(reverse("volunteering:shift_edit", args=[shift.pk])).content.decode()
    assert 'name="people_reached"' in edit and 'name="partner"' in edit
    plain = client.get(reverse("volunteering:shift_edit", args=[vworld.shift.pk])).content.decode()
    assert 'name="people_reached"' not in plain


def test_bad_people_reached_on_the_edit_form_is_a_clear_error(vworld, outreach, client):
    shift = make_shift(outreach)
    client.force_login(vworld.personas.coordinator, backend=LOGIN)
    local = timezone.localtime(shift.start)
    response = client.post(
        reverse("volunteering:shift_edit", args=[shift.pk]),
        {
            "start": local.strftime("%Y-%m-%dT%H:%M"),
            "end": timezone.localtime(shift.end).strftime("%Y-%m-%dT%H:%M"),
            "capacity": 5,
            "join_mode": "instant",
            "people_reached": "-5",
        },
    )
    assert response.status_code == 200
    shift.refresh_from_db()
    assert shift.people_reached is None
