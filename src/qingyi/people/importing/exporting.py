"""Exporting the roster in the import's column order, and the empty template's instructions."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from qingyi.people.importing.columns import COLUMNS, STATUS_HEADER, STATUS_LABELS, choice_label, column_help
from qingyi.people.models import Person, mask_id_number

# --- Export ---------------------------------------------------------------------------------

EXPORT_HEADERS = (*(column.header for column in COLUMNS), STATUS_HEADER)
EXPORT_WIDTHS = (10, 6, 12, 8, 22, 14, 12, 16, 12, 14, 14, 12, 10, 14, 18, 10)


def roster_export_rows(people: QuerySet[Person], *, reveal_paths: Sequence[str] = ()) -> Iterator[list[Any]]:
    """The roster in the import's column order; ID numbers masked outside ``reveal_paths``."""
    for person in people.select_related("organization", "department").iterator(chunk_size=2000):
        id_number = person.id_number or ""
        if id_number and not any(person.organization.path.startswith(path) for path in reveal_paths):
            id_number = mask_id_number(id_number)
        yield [
            person.name,
            choice_label("gender", person.gender),
            person.birth_date,
            person.ethnicity,
            id_number,
            choice_label("political_status", person.political_status),
            person.league_joined_on,
            person.development_number or "",
            person.employee_number or "",
            person.department.name if person.department else "",
            choice_label("profession", person.profession),
            choice_label("education", person.education),
            choice_label("professional_title", person.professional_title),
            person.phone,
            person.organization.name,
            STATUS_LABELS.get(person.status, person.status),
        ]


def template_rows() -> Iterable[Sequence[Any]]:
    """The instructions sheet of the empty template: each column, whether required, accepted values."""
    for column in column_help():
        yield [
            column["header"],
            _("required") if column["required"] else "",
            column["accepted"],
            column["aliases"],
        ]
