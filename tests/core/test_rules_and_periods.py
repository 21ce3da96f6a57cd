import datetime as dt

import pytest

from qingyi.core import rules
from qingyi.core.periods import Period, PeriodError
from tests.factories import id_number_for


def test_age_on_birthday_boundaries():
    assert rules.age_on(dt.date(2000, 3, 1), dt.date(2028, 2, 29)) == 27
    assert rules.age_on(dt.date(2000, 3, 1), dt.date(2028, 3, 1)) == 28
    assert rules.age_on(dt.date(2000, 2, 29), dt.date(2021, 2, 28)) == 20


def test_youth_is_14_to_35():
    on = dt.date(2025, 6, 1)
    assert rules.is_youth(dt.date(1990, 6, 2), on)  # 34
    assert rules.is_youth(dt.date(1989, 6, 2), on)  # 35, the last youth birthday
    assert not rules.is_youth(dt.date(1989, 6, 1), on)  # 36 today
    assert not rules.is_youth(dt.date(2011, 6, 2), on)  # 13


def test_development_number_rules():
    joined = dt.date(2019, 5, 4)
    assert rules.development_number_errors("201950010001", joined, is_member=True) == []
    assert rules.development_number_errors("", joined, is_member=True)
    assert rules.development_number_errors("", dt.date(2015, 5, 4), is_member=True) == []
    assert rules.development_number_errors("2019500100", joined, is_member=True)
    assert rules.development_number_errors("201850010001", joined, is_member=True)


def test_id_number_checksum():
    good = id_number_for(dt.date(1999, 12, 31), 5)
    assert rules.id_number_errors(good) == []
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert rules.id_number_errors(bad)
    assert rules.birth_date_from_id_number(good) == dt.date(1999, 12, 31)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ("2025-Q2", dt.date(2025, 4, 1), dt.date(2025, 6, 30)),
        ("2025-q4", dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2025-01-05..2025-03-01", dt.date(2025, 1, 5), dt.date(2025, 3, 1)),
    ],
)
def test_period_parse(text, start, end):
    period = Period.parse(text)
    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize(
    "text", ["20xx", "2025-13", "2025-Q5", "2025-03-01..2025-01-01", "2025-02-30..2025-03-01"]
)
def test_bad_periods_are_refused(text):
    with pytest.raises(PeriodError):
        Period.parse(text)


def test_settings_override_defaults(personas):
    from qingyi.core.services import settings_update

    assert rules.term_years("branch") == 3
    settings_update(values={"term_years_branch": 2}, actor=personas.committee_admin)
    assert rules.term_years("branch") == 2
    settings_update(values={"term_years_branch": 3}, actor=personas.committee_admin)
    assert rules.term_years("branch") == 3


def test_settings_page_refuses_nonsense(personas, login):
    from django.urls import reverse

    client = login(personas.committee_admin)
    response = client.post(
        reverse("core:settings"),
        {
            "branch_min_members": 60,
            "branch_max_members": 50,
            "term_years_committee": 5,
            "term_years_general_branch": 3,
            "term_years_branch": 3,
            "term_years_student_branch": 1,
            "election_warning_days": 90,
        },
    )
    assert response.status_code == 200
    assert "cannot exceed" in response.content.decode()
    assert rules.get_setting("branch_min_members") == 3
