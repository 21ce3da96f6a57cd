"""Youth (14–35) is one rule in ``core.rules``: ``is_youth`` for one person and ``youth_q`` for a
query, which the roster, its figures and the call-up figures all use; a period or a run of days
as datetimes is ``core.periods.day_bounds`` / ``Period.bounds``."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from qingyi.callups import selectors as callup_selectors
from qingyi.core import rules
from qingyi.core.periods import Period, day_bounds
from qingyi.people import selectors as people_selectors
from qingyi.people.models import Person
from tests.factories import PersonFactory

ON = dt.date(2026, 3, 1)
BIRTHS = [
    dt.date(2012, 3, 1),  # 14 today
    dt.date(2012, 3, 2),  # 14 tomorrow
    dt.date(1990, 3, 2),  # 35, 36 tomorrow
    dt.date(1990, 3, 1),  # 36 today
    dt.date(1992, 2, 29),  # a leap-day birth: 34
    dt.date(1991, 3, 1),  # 35 today
]


def test_one_youth_rule():
    assert people_selectors.youth_q is rules.youth_q
    assert callup_selectors.youth_q is rules.youth_q
    assert callup_selectors.age_q is rules.age_q


@pytest.mark.django_db
def test_the_query_and_the_predicate_agree_on_every_boundary(tree):
    people = [
        PersonFactory(
            organization=tree.branch_a, birth_date=birth, league_joined_on=dt.date(birth.year + 15, 3, 1)
        )
        for birth in BIRTHS
    ]
    found = set(Person.objects.filter(rules.youth_q(ON)).values_list("pk", flat=True))
    assert found == {p.pk for p in people if rules.is_youth(p.birth_date, ON)}
    assert [rules.is_youth(b, ON) for b in BIRTHS] == [True, False, True, False, True, True]


def test_day_bounds_are_local_midnights():
    shanghai = ZoneInfo("Asia/Shanghai")
    start, end = day_bounds(dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert start == dt.datetime(2026, 1, 1, tzinfo=shanghai)
    assert end == dt.datetime(2026, 2, 1, tzinfo=shanghai)
    assert start.astimezone(dt.UTC) == dt.datetime(2025, 12, 31, 16, tzinfo=dt.UTC)
    assert day_bounds(dt.date(2026, 1, 1)) == (start, dt.datetime(2026, 1, 2, tzinfo=shanghai))
    assert Period.parse("2026-01").bounds() == (start, end)
    assert Period.year(2024).bounds()[1] == dt.datetime(2025, 1, 1, tzinfo=shanghai)
