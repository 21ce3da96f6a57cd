"""The hours export: every volunteer's verified hours in a period, as an .xlsx workbook.

Rows come from the same selector as the hours overview (one aggregate query, streamed in
chunks) and are written by the shared safe writer (formula-like text neutralised).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qingyi.core.exports import write_xlsx, xlsx_response
from qingyi.core.periods import Period
from qingyi.people.masking import mask_phone
from qingyi.volunteering.models import Volunteer


def hours_rows(volunteers: QuerySet[Volunteer]):
    # Labels translated once, not a lazy string's gettext per row.
    kinds = {value: str(label) for value, label in Volunteer.Kind.choices}
    statuses = {value: str(label) for value, label in Volunteer.Status.choices}
    for row in volunteers.values_list(
        "name", "kind", "organization__name", "phone", "status", "hours", "services", "served"
    ).iterator(chunk_size=2000):
        name, kind, org, phone, status, hours, services, served = row
        masked = mask_phone(phone)
        yield [
            name,
            kinds.get(kind, kind),
            org,
            masked,
            statuses.get(status, status),
            hours,
            services,
            served,
        ]


def hours_workbook(volunteers: QuerySet[Volunteer], period: Period) -> bytes:
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
    return write_xlsx(
        headers,
        hours_rows(volunteers),
        title=_("Hours %(period)s") % {"period": period.label},
        widths=(14, 12, 20, 14, 10, 12, 10, 12),
    )


def hours_response(volunteers: QuerySet[Volunteer], period: Period):
    filename = _("volunteer-hours-%(period)s.xlsx") % {"period": period.label}
    return xlsx_response(hours_workbook(volunteers, period), filename)
