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
