"""The hours export: every volunteer's verified hours in a period, as an .xlsx workbook.

Rows come from ``selectors.hours_export_rows`` (the overview's figures and order: one GROUP BY
over the period's records and one list of volunteers) and are written by the shared safe writer
(formula-like text neutralised).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from qingyi.core.exports import write_xlsx_table, xlsx_response
from qingyi.core.periods import Period
from qingyi.people.masking import mask_phone
from qingyi.volunteering.models import Volunteer


def hours_rows(rows: Iterable[tuple]):
    """The export's cells of ``selectors.hours_export_rows``: labels for kind and status, the
    phone masked."""
    # Labels translated once, not a lazy string's gettext per row.
    kinds = {value: str(label) for value, label in Volunteer.Kind.choices}
    statuses = {value: str(label) for value, label in Volunteer.Status.choices}
    for name, kind, org, phone, status, hours, services, served in rows:
        yield (
            name,
            kinds.get(kind, kind),
            org,
            mask_phone(phone),
            statuses.get(status, status),
            hours,
            services,
            served,
        )


def hours_workbook(rows: Iterable[tuple], period: Period) -> bytes:
    headers = [
        _("Name"),
        _("Kind"),
        _("Organisation"),
        _("Phone"),
        _("Status"),
        _("Verified hours"),
        _("Services"),
        _("People served"),
    ]
    return write_xlsx_table(
        headers,
        hours_rows(rows),
        title=_("Hours %(period)s") % {"period": period.label},
        widths=(14, 12, 20, 14, 10, 12, 10, 12),
        numbers=(5, 6, 7),
    )


def hours_response(rows: Iterable[tuple], period: Period):
    filename = _("volunteer-hours-%(period)s.xlsx") % {"period": period.label}
    return xlsx_response(hours_workbook(rows, period), filename)
