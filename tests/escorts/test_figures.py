"""Escorts done by department: a breakdown of ``escorts.done`` whose buckets list their requests,
and its line on the volunteering figures page."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.escorts import services
from qingyi.escorts.models import EscortRequest
from tests.escorts.conftest import done, file_request
from tests.factories import DepartmentFactory

NAME = "escorts.done_by_department"
_digests = itertools.count(1)


def _done_row(organization, department, volunteer, *, days_ago: int = 0) -> EscortRequest:
    """An escort done ``days_ago`` days ago, written directly (the services are tested elsewhere)."""
    at = timezone.now() - dt.timedelta(days=days_ago)
    return EscortRequest.objects.create(
        organization=organization,
        status=EscortRequest.Status.DONE,
        patient_name="李四",
        phone="13900002222",
        wanted_at=at,
        department=department,
        token_digest=f"figures-{next(_digests):056d}",
        volunteer=volunteer,
        assigned_at=at,
        started_at=at,
        done_at=at,
    )


def _scope(org) -> metrics.Scope:
    return metrics.Scope(organization=org, period=Period.current_year())


def test_done_escorts_by_department_list_their_requests(escorts):
    tree = escorts.personas.tree
    first = done(escorts)  # 心内科, through the services
    surgery = DepartmentFactory(name="普外科")
    _done_row(tree.committee, surgery, escorts.volunteer_b)
    _done_row(tree.committee, surgery, escorts.volunteer_b)
    _done_row(tree.committee, None, escorts.volunteer_b)
    _done_row(tree.committee, surgery, escorts.volunteer_b, days_ago=400)  # another year
    other, _token = file_request(department=surgery, phone="13900003333")
    services.escort_cancel(escort=other, reason="不需要了", by_patient=True)  # cancelled: not done
    scope = _scope(tree.committee)
    buckets = metrics.get(NAME).value(scope)
    assert [(b.label, b.value) for b in buckets] == [("普外科", 2), ("No department given", 1), ("心内科", 1)]
    metric = metrics.get(NAME)
    assert list(metric.records(scope, str(escorts.department.pk))) == [first]
    for bucket in buckets:
        assert metric.records(scope, bucket.key).count() == bucket.value
    assert sum(b.value for b in buckets) == metrics.get("escorts.done").value(scope)
    assert list(metric.records(scope, "abc")) == []


def test_done_escorts_follow_the_requests_organisation(escorts):
    tree = escorts.personas.tree
    _done_row(tree.branch_b, escorts.department, escorts.volunteer_b)
    _done_row(tree.committee, escorts.department, escorts.volunteer_b)
    assert {b.key: b.value for b in metrics.get(NAME).value(_scope(tree.branch_b))} == {
        str(escorts.department.pk): 1
    }
    assert metrics.get(NAME).value(_scope(tree.branch_a)) == []


def test_one_grouped_query_whatever_the_volume(escorts):
    tree = escorts.personas.tree

    def grow(times):
        for _n in range(times):
            department = DepartmentFactory()
            for _m in range(3):
                _done_row(tree.committee, department, escorts.volunteer_b)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            buckets = metrics.get(NAME).value(_scope(tree.committee))
        return len(ctx.captured_queries), len(buckets)

    grow(2)
    once, buckets_once = queries()
    grow(4)
    thrice, buckets_thrice = queries()
    assert once == thrice == 1
    assert (buckets_once, buckets_thrice) == (2, 6)


def test_escorts_line_on_the_volunteering_figures_page(escorts, login):
    tree = escorts.personas.tree
    _done_row(tree.committee, escorts.department, escorts.volunteer_b)
    client = login(escorts.personas.coordinator)
    body = client.get(reverse("volunteering:figures"), {"org": tree.committee.pk}).content.decode()
    assert 'data-metric="escorts.done">1 ' in body
    assert f'data-metric="{NAME}"' in body
    detail = reverse("core:metric_detail", args=[NAME])
    assert (
        f"{detail}?org={tree.committee.pk}&amp;period={timezone.localdate().year}&amp;key={escorts.department.pk}"
        in body
    )
    page = client.get(detail, {"org": tree.committee.pk, "key": str(escorts.department.pk)}).content.decode()
    assert "李*" in page and "李四" not in page and "13900002222" not in page
