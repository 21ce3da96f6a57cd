"""Periods for metrics: a year (2025), a quarter (2025-Q2), a month (2025-03) or a day range.

Years are bounded to ``MIN_YEAR``–``MAX_YEAR``: a period outside them is a ``PeriodError``
with a message (year 99999 used to reach the date arithmetic and fail there), and every
year a view or the API reads goes through ``check_year``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

MIN_YEAR = 1900
MAX_YEAR = 2999


class PeriodError(ValueError):
    pass


def day_bounds(first: dt.date, last: dt.date | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The days ``first``…``last`` (inclusive; one day if ``last`` is None) as the half-open
    range [start, end) of aware datetimes in local time (``TIME_ZONE``): midnight of the first
    day, midnight after the last — a range an index on a datetime column can serve."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine((last or first) + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def check_year(year: int) -> int:
    """``year`` if it lies within ``MIN_YEAR``–``MAX_YEAR``, else a ``PeriodError``."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(
            _("The year %(year)s is out of range: use a year from %(min)s to %(max)s.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )
    return year


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str

    @classmethod
    def year(cls, year: int) -> Period:
        check_year(year)
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))

    @classmethod
    def current_year(cls) -> Period:
        return cls.year(timezone.localdate().year)

    @classmethod
    def parse(cls, text: str | None) -> Period:
        """Parse '2025', '2025-Q2', '2025-03' or '2025-01-01..2025-06-30'; empty means this year."""
        text = (text or "").strip()
        if not text:
            return cls.current_year()
        try:
            if m := re.fullmatch(r"(\d{4})", text):
                return cls.year(int(m[1]))
            if m := re.fullmatch(r"(\d{4})-Q([1-4])", text, re.IGNORECASE):
                year, quarter = check_year(int(m[1])), int(m[2])
                start = dt.date(year, 3 * quarter - 2, 1)
                end = (
                    dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
                ) - dt.timedelta(days=1)
                return cls(start, end, f"{year}-Q{quarter}")
            if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
                year, month = check_year(int(m[1])), int(m[2])
                start = dt.date(year, month, 1)
                end = (
                    dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
                ) - dt.timedelta(days=1)
                return cls(start, end, f"{year}-{month:02d}")
            if m := re.fullmatch(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})", text):
                start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
                check_year(start.year), check_year(end.year)
                if end < start:
                    raise PeriodError(_("The period ends before it starts."))
                return cls(start, end, text)
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
            raise PeriodError(_("“%(text)s” is not a valid period.") % {"text": text}) from None
        raise PeriodError(
            _("“%(text)s” is not a period: use 2025, 2025-Q2, 2025-03 or 2025-01-01..2025-06-30.")
            % {"text": text}
        )

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as [start, end) datetimes in local time (``day_bounds``)."""
        return day_bounds(self.start, self.end)

    @property
    def as_of(self) -> dt.date:
        """The day snapshot figures are taken on: the period's end, or today if it has not ended."""
        return min(self.end, timezone.localdate())
