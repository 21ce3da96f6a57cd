"""The activity list's figure tiles: loaded by htmx right after the list, from the metrics registry."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qingyi.activities.models import Attendance
from qingyi.core import metrics
from qingyi.core.periods import Period
from tests.activities.test_figures_and_volume import _bulk, _grow
from tests.factories import PersonFactory

TILE_NAMES = (
    "activities.held",
    "activities.joint",
    "activities.attendance_rate",
    "activities.branches_behind",
)
HTMX = {"HX-Request": "true"}


def _figures(html: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-metric="([\w.]+)">([^<]*)<', html))


def test_list_page_shows_a_placeholder_that_loads_the_tiles_with_the_same_scope(personas, login):
    client = login(personas.committee_admin)
    general = personas.tree.general
    body = client.get(reverse("activities:list"), {"org": general.pk, "period": "2024"}).content.decode()
    assert 'id="activity-tiles"' in body
    assert f'hx-get="{reverse("activities:tiles")}?org={general.pk}&amp;period=2024"' in body
    assert "data-metric=" not in body  # no figure is computed for the list itself


def test_list_filtered_by_htmx_and_a_member_get_no_tile_placeholder(personas, login):
    client = login(personas.committee_admin)
    body = client.get(reverse("activities:list"), {"status": "held"}, headers=HTMX).content.decode()
    assert "activity-tiles" not in body
    assert login(personas.member).get(reverse("activities:tiles")).status_code == 403


def test_tiles_are_the_registry_values_of_the_org_and_period(personas, login):
    people = [personas.member_person, personas.person_a, PersonFactory(organization=personas.tree.branch_a)]
    _bulk(personas, 3, year=2024, attendees=people, joint=True)
    _bulk(personas, 2, year=2023, attendees=people)
    Attendance.objects.filter(status="absent").update(status="excused")
    client = login(personas.committee_admin)
    response = client.get(
        reverse("activities:tiles"), {"org": personas.tree.general.pk, "period": "2024"}, headers=HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # the fragment only
    scope = metrics.Scope(organization=personas.tree.general, period=Period.year(2024))
    expected = {name: metrics.get(name).value(scope) for name in TILE_NAMES}
    assert expected["activities.held"] == 3 and expected["activities.joint"] == 3
    assert expected["activities.attendance_rate"] == pytest.approx(66.7)
    figures = _figures(html)
    assert figures["activities.held"] == "3" and figures["activities.joint"] == "3"
    assert figures["activities.attendance_rate"] == "66.7%"
    assert figures["activities.branches_behind"] == str(expected["activities.branches_behind"])
    assert f"?org={personas.tree.general.pk}&amp;period=2024" in html  # each tile opens its records


def test_attendance_rate_counts_present_among_all_rows_and_is_zero_without_rows(personas):
    scope = metrics.Scope(organization=personas.tree.branch_a, period=Period.year(2024))
    assert metrics.get("activities.attendance_rate").value(scope) == 0.0
    people = [PersonFactory(organization=personas.tree.branch_a) for _ in range(4)]
    _bulk(personas, 2, year=2024, attendees=people)  # present, absent, present, absent
    Attendance.objects.filter(person=people[1]).update(status="excused")
    # 4 present of 8 rows: excused and absent both count as expected-but-not-present.
    assert metrics.get("activities.attendance_rate").value(scope) == 50.0
    _bulk(personas, 1, year=2024, held=False, attendees=people)  # planned: not counted
    assert metrics.get("activities.attendance_rate").value(scope) == 50.0


def test_tiles_of_another_branch_are_404_for_a_branch_admin(personas, login):
    client = login(personas.admin_a)
    assert client.get(reverse("activities:tiles"), {"org": personas.tree.branch_b.pk}).status_code == 404
    own = client.get(reverse("activities:tiles"), {"org": personas.tree.branch_a.pk}, headers=HTMX)
    assert set(_figures(own.content.decode())) == set(TILE_NAMES)


def test_tiles_without_htmx_are_a_page_of_their_own(personas, login):
    client = login(personas.committee_admin)
    body = client.get(reverse("activities:tiles"), {"period": "2025-Q2"}).content.decode()
    assert "<html" in body and set(_figures(body)) == set(TILE_NAMES)
    assert "period=2025-Q2" in body


def _count(client, url, params, headers=None):
    client.get(url, params, headers=headers or {})
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params, headers=headers or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_no_longer_pays_for_the_figures(personas, client):
    """The list page makes the tiles' queries no more: they moved to the fragment."""
    client.force_login(
        personas.committee_admin, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    )
    _grow(personas, 2)
    list_queries = _count(client, reverse("activities:list"), {})
    tile_queries = _count(client, reverse("activities:tiles"), {}, HTMX)
    assert list_queries == LIST_QUERIES, list_queries
    assert tile_queries == TILES_QUERIES, tile_queries


# Before the tiles moved out, the list page made 14 queries (8 of the list + 6 of the figures);
# the fragment adds session, user and grants of its own request.
LIST_QUERIES = 8
TILES_QUERIES = 9
