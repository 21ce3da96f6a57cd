"""The hours export: a fixed number of queries whatever the volume, and the overview's sums."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qingyi.volunteering.models import ServiceRecord, Volunteer
from tests.volunteering.conftest import make_shift, make_volunteer

PERIOD = {"period": "2020-01-01..2030-12-31"}


def _export(client, params=PERIOD):
    client.get(reverse("volunteering:hours_export"), params)  # warm the settings cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("volunteering:hours_export"), params)
    queries = len(ctx.captured_queries)
    assert response.status_code == 200, response.status_code
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return queries, rows


def _record(shift, volunteer, *, hours, served=1, status="verified", day=None):
    return ServiceRecord.objects.create(
        shift=shift,
        volunteer=volunteer,
        project=shift.project,
        served_on=day or timezone.localdate(shift.start),
        status=status,
        verified_hours=Decimal(hours) if status == "verified" else None,
        recorded_hours=Decimal(hours),
        people_served=served,
    )


def test_export_query_count_does_not_grow_with_volunteers_and_records(vworld, login):
    client = login(vworld.personas.coordinator)
    past = timezone.now() - dt.timedelta(days=3)
    first = make_shift(vworld.project, start=past)
    _record(first, vworld.volunteer, hours="2")
    small, rows = _export(client)
    assert len(rows) == 1 + Volunteer.objects.count()
    for i in range(12):
        shift = make_shift(vworld.project, start=past - dt.timedelta(days=i + 1))
        for _ in range(3):
            _record(shift, make_volunteer(vworld.tree.branch_a), hours="1.5", served=2)
        _record(shift, vworld.volunteer, hours="3")
    large, rows = _export(client)
    assert large == small, (small, large)
    assert len(rows) == 1 + Volunteer.objects.count() > 30


def test_export_rows_hold_the_period_sums_of_verified_records_only(vworld, login):
    client = login(vworld.personas.coordinator)
    inside = make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=2))
    before = make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=40))
    other = make_volunteer(vworld.tree.branch_a, name="=HYPERLINK()", phone="13912345678")
    _record(inside, vworld.volunteer, hours="2.5", served=4)
    _record(before, vworld.volunteer, hours="7", served=9)  # before the period
    _record(inside, other, hours="1", served=1, status="recorded")  # not verified
    start = timezone.localdate() - dt.timedelta(days=10)
    _, rows = _export(client, {"period": f"{start}..{timezone.localdate()}"})
    by_name = {row[0]: row for row in rows[1:]}
    mine = by_name[vworld.volunteer.name]
    assert (float(mine[5]), mine[6], mine[7]) == (2.5, 1, 4)
    theirs = by_name["'=HYPERLINK()"]  # neutralised, not a formula
    assert (float(theirs[5]), theirs[6], theirs[7]) == (0, 0, 0)
    assert theirs[3] == "139******78"
    assert rows[1][0] == vworld.volunteer.name  # most hours first


def test_export_rows_are_the_overviews_rows_in_its_order(vworld, login):
    """The export joins one GROUP BY and one list of volunteers; the overview sums in subqueries.
    Same figures, same order — most hours first, ties by name then pk — for every scope."""
    from qingyi.accounts.models import Role
    from qingyi.core.periods import Period
    from qingyi.volunteering import selectors
    from tests.factories import UserFactory, grant

    tree = vworld.tree
    inside = make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=2))
    before = make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=400))
    # Ties on hours (and on names, broken by pk), volunteers without records, one unverified.
    for index, (name, hours) in enumerate(
        [("乙", "2"), ("甲", "2"), ("甲", "2"), ("丙", "4.5"), ("丁", None)]
    ):
        volunteer = make_volunteer(tree.branch_a if index % 2 else tree.branch_b, name=name)
        if hours:
            _record(inside, volunteer, hours=hours, served=index)
    _record(before, vworld.volunteer, hours="9", served=3)
    _record(inside, vworld.volunteer, hours="2", served=1, status="recorded")
    start = timezone.localdate() - dt.timedelta(days=10)
    period = Period.parse(f"{start}..{timezone.localdate()}")
    columns = ("name", "kind", "organization__name", "phone", "status", "hours", "services", "served")
    branch_admin = grant(UserFactory(username="vol_admin_a"), Role.COORDINATOR, tree.branch_a)
    for user in (vworld.personas.coordinator, branch_admin):
        overview = [tuple(row) for row in selectors.hours_overview(user, period).values_list(*columns)]
        exported = selectors.hours_export_rows(user, period)
        assert exported == overview
        assert len(exported) == selectors.hours_overview_volunteers(user).count() > 2
    everyone = selectors.hours_export_rows(vworld.personas.coordinator, period)
    assert (everyone[0][0], float(everyone[0][5])) == ("丙", 4.5)
    assert sorted((row[0], float(row[5])) for row in everyone[1:4]) == [("乙", 2), ("甲", 2), ("甲", 2)]
    # And the workbook holds them: the phone masked, the labels translated, the numbers numbers.
    _, rows = _export(login(vworld.personas.coordinator), {"period": f"{start}..{timezone.localdate()}"})
    assert [(row[0], float(row[5]), row[6], row[7]) for row in rows[1:]] == [
        (row[0], float(row[5]), row[6], row[7]) for row in everyone
    ]
