"""One "today": the local day (``TIME_ZONE``, Asia/Shanghai), not the server's clock. At 23:30
UTC it is already 07:30 the next day in Shanghai; ``date.today()`` on a UTC server said the day
before, so ages, the current year and snapshot days were a day behind for eight hours a day."""

import datetime as dt
import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.utils import timezone

from qingyi.core.periods import Period
from qingyi.people.models import Person
from qingyi.people.validation import person_errors

SRC = Path(__file__).resolve().parents[2] / "src" / "qingyi"
# 2026-12-31 23:30 UTC is 2027-01-01 07:30 in Shanghai.
LATE_UTC = dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC)
SHANGHAI_DAY = dt.date(2027, 1, 1)


@pytest.fixture
def late_evening_utc():
    with mock.patch("django.utils.timezone.now", return_value=LATE_UTC):
        yield


def test_the_project_day_is_shanghais():
    assert settings.TIME_ZONE == "Asia/Shanghai" and settings.USE_TZ


def test_today_is_the_local_day_at_23_30_utc(late_evening_utc):
    assert timezone.localdate() == SHANGHAI_DAY
    assert Period.current_year() == Period.year(2027)
    assert Period.year(2027).as_of == SHANGHAI_DAY
    # Born on 1 January 2000: 27 on the Shanghai day, still 26 on the UTC one.
    person = Person(birth_date=dt.date(2000, 1, 1))
    assert person.age() == 27
    # A joining date of the Shanghai day is not "in the future".
    errors = person_errors({"league_joined_on": SHANGHAI_DAY})
    assert not any("future" in message for message in errors.get("league_joined_on", []))


SERVER_CLOCK = re.compile(r"\bdate\.today\(\)|\bdatetime\.(now|today|utcnow)\(\s*\)")


def test_no_module_reads_the_servers_clock():
    """``date.today()`` and a naive ``datetime.now()`` are the server's day; ruff's DTZ rules
    say the same in CI (pyproject.toml)."""
    offenders = [
        f"{path.relative_to(SRC)}:{number}"
        for path in SRC.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SERVER_CLOCK.search(line)
    ]
    assert offenders == []
