"""What an import would do, as its preview shows it: rows that add or change a person."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from qingyi.people.models import Person, mask_id_number, mask_phone

# Shown masked to a viewer without the sensitive-data permission, as on the roster.
MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def _label(field_name: str) -> str:
    if field_name == "organization":
        return _("organisation")
    return str(getattr(Person._meta.get_field(field_name), "verbose_name", field_name))


def _shown(field_name: str, value: str, *, reveal: bool) -> str:
    if not value:
        return ""
    if field_name in MASKS and not reveal:
        return MASKS[field_name](value)
    if field_name in {"organization", "department"}:
        return value
    choices = dict(getattr(Person._meta.get_field(field_name), "choices", None) or ())
    return str(choices.get(value, value))


def preview_changes(changes: list[dict[str, Any]], *, reveal: bool) -> list[dict[str, Any]]:
    """The stored changes with labels, choices in words, ID numbers and phones masked unless ``reveal``."""
    return [
        {
            "row": change["row"],
            "action": change["action"],
            "name": change["name"],
            "fields": [
                {
                    "field": name,
                    "label": _label(name),
                    "old": _shown(name, old, reveal=reveal),
                    "new": _shown(name, new, reveal=reveal),
                }
                for name, old, new in change["fields"]
            ],
        }
        for change in changes
    ]
