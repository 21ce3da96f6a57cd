"""Field rules for a person's record, shared by the forms, the import and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import rules
from qingyi.core.text import phone_error
from qingyi.people.models import Person

OLDEST_AGE = 100


def person_errors(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Rule errors of a person's values (types already parsed), by field name."""
    today = today or timezone.localdate()
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    birth = data.get("birth_date")
    if birth:
        if birth > today:
            add("birth_date", _("The birth date is in the future."))
        else:
            age = rules.age_on(birth, today)
            if age < rules.LEAGUE_MIN_AGE or age > OLDEST_AGE:
                add(
                    "birth_date",
                    _("An age of %(age)d is impossible for the roster (%(low)d–%(high)d).")
                    % {"age": age, "low": rules.LEAGUE_MIN_AGE, "high": OLDEST_AGE},
                )
    id_number = (data.get("id_number") or "").strip().upper()
    if id_number:
        for message in rules.id_number_errors(id_number):
            add("id_number", message)
        id_birth = rules.birth_date_from_id_number(id_number)
        if birth and id_birth and "id_number" not in errors and id_birth != birth:
            add(
                "birth_date",
                _("The birth date does not match the ID number (%(date)s).") % {"date": id_birth},
            )
    status = data.get("political_status")
    joined = data.get("league_joined_on")
    is_member = status == Person.PoliticalStatus.LEAGUE_MEMBER
    if is_member and not joined:
        add("league_joined_on", _("A league member needs the date they joined the league."))
    if joined:
        if joined > today:
            add("league_joined_on", _("The joining date is in the future."))
        elif birth:
            joining_age = rules.age_on(birth, joined)
            if joining_age < rules.LEAGUE_MIN_AGE or joining_age > rules.LEAGUE_MAX_AGE:
                add(
                    "league_joined_on",
                    _(
                        "Members join the league between %(low)d and %(high)d; "
                        "this one would have been %(age)d."
                    )
                    % {"low": rules.LEAGUE_MIN_AGE, "high": rules.LEAGUE_MAX_AGE, "age": joining_age},
                )
    for message in rules.development_number_errors(
        data.get("development_number") or "", joined, is_member=is_member
    ):
        add("development_number", message)
    phone = (data.get("phone") or "").strip()
    if phone and (phone_message := phone_error(phone)):
        add("phone", phone_message)
    return errors
