"""Validation of the parsed rows against the rules and the database, without writing."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.forms import Field as FormField
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qingyi.core import workbooks
from qingyi.organizations import scoping
from qingyi.organizations.models import Department, Organization
from qingyi.people.importing.cells import ParsedRow, parse_rows
from qingyi.people.importing.columns import COLUMN_BY_FIELD, COLUMNS, IDENTIFIER_FIELDS
from qingyi.people.importing.reading import Issue, SheetData
from qingyi.people.models import Person
from qingyi.people.services import EDITABLE_FIELDS
from qingyi.people.validation import person_errors

# --- Validation against the rules and the database ----------------------------------------

CHUNK = 500
UNIQUE_FIELDS = ("employee_number", "id_number", "development_number")


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name or ""))


def _unique_label(field_name: str) -> str:
    # The same labels as the services' uniqueness messages.
    return {
        "id_number": _("ID number"),
        "employee_number": _("employee number"),
        "development_number": _("development number"),
    }[field_name]


@dataclass
class Plan:
    """What an import would do: the people to create and to update, and every issue."""

    total: int
    issues: list[Issue]
    creates: list[Person]
    updates: list[tuple[Person, list[str]]]
    unchanged: int
    invalid_rows: set[int]
    # Per valid row that adds or changes a person: what the preview shows (row order).
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def valid_rows(self) -> int:
        return self.total - len(self.invalid_rows)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    def issues_as_json(self, limit: int | None = None) -> list[dict[str, Any]]:
        issues = self.issues if limit is None else self.issues[:limit]
        return [issue.as_json() for issue in issues]


class _Lookup:
    """Everything a row is checked against, loaded in a few queries."""

    def __init__(self, rows: list[ParsedRow], *, actor, organization: Organization):
        self.organization = organization
        self.import_paths = scoping.scope_paths(actor, scoping.PEOPLE_IMPORT)
        self.visible: dict[str, list[Organization]] = defaultdict(list)
        for org in scoping.organizations_visible_to(actor).only("pk", "name", "path", "depth", "archived_at"):
            self.visible[_name_key(org.name)].append(org)
        roots = {path[: Organization.steplen] for path in scoping.scope_paths(actor, scoping.ORG_VIEW)}
        self.known_names = {
            _name_key(name)
            for name in Organization.objects.filter(scoping.path_q(sorted(roots), "path")).values_list(
                "name", flat=True
            )
        }
        departments = list(Department.objects.only("pk", "name", "archived_at"))
        self.departments = {_name_key(d.name): d for d in departments}
        self.department_names = {d.pk: d.name for d in departments}
        wanted: dict[str, set[str]] = {name: set() for name in UNIQUE_FIELDS}
        for row in rows:
            for name in UNIQUE_FIELDS:
                if row.values.get(name):
                    wanted[name].add(row.values[name])
        self.people_by: dict[str, dict[str, Person]] = {name: {} for name in UNIQUE_FIELDS}
        for name in IDENTIFIER_FIELDS:
            values = sorted(wanted[name])
            for start in range(0, len(values), CHUNK):
                chunk = values[start : start + CHUNK]
                for person in Person.objects.select_related("organization").filter(**{f"{name}__in": chunk}):
                    self.people_by[name][getattr(person, name)] = person
        values = sorted(wanted["development_number"])
        # development number -> (pk, name, organisation path) of its holder
        self.development_owner: dict[str, tuple[int, str, str]] = {}
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            for number, pk, name, path in Person.objects.filter(development_number__in=chunk).values_list(
                "development_number", "pk", "name", "organization__path"
            ):
                self.development_owner[number or ""] = (pk, name, path)

    def owner(self, field_name: str, value: str) -> tuple[int, str] | None:
        """The holder of a number: (pk, name as the importer may see it)."""
        if field_name == "development_number":
            found = self.development_owner.get(value)
            return (found[0], self.who(found[1], found[2])) if found else None
        person = self.people_by[field_name].get(value)
        return (person.pk, self.who(person.name, person.organization.path)) if person else None

    def who(self, name: str, path: str) -> str:
        """A person's name, or a phrase naming no one when they are outside the importer's scope."""
        if any(path.startswith(scope) for scope in self.import_paths):
            return name
        return _("someone outside your organisations")

    def in_scope(self, org: Organization) -> bool:
        return any(org.path.startswith(path) for path in self.import_paths)

    def resolve_organization(self, name: str) -> tuple[Organization | None, str]:
        key = _name_key(name)
        candidates = self.visible.get(key, [])
        if not candidates:
            if key in self.known_names:
                return None, _("“%(name)s” is outside the organisations you may import into.") % {
                    "name": name
                }
            return None, _("There is no organisation called “%(name)s”.") % {"name": name}
        inside = [
            org for org in candidates if org.path.startswith(self.organization.path) and self.in_scope(org)
        ]
        if not inside:
            return None, _("“%(name)s” is outside “%(org)s”, the organisation this import is for.") % {
                "name": name,
                "org": self.organization.name,
            }
        live = [org for org in inside if org.archived_at is None]
        if not live:
            return None, _("“%(name)s” is archived; people cannot be added to it.") % {"name": name}
        if len(live) > 1:
            return None, _("Several organisations are called “%(name)s”; rename one of them first.") % {
                "name": name
            }
        return live[0], ""

    def resolve_department(self, name: str) -> tuple[Department | None, str]:
        department = self.departments.get(_name_key(name))
        if department is None:
            return None, _(
                "There is no department called “%(name)s”. "
                "Check the spelling, or ask the committee admin to add it."
            ) % {"name": name}
        if department.archived_at is not None:
            return None, _("The department “%(name)s” is archived.") % {"name": name}
        return department, ""


@dataclass
class Identity:
    """Who a row is: the existing person it changes (if any), or the conflict that stops it."""

    person: Person | None = None
    by: str = ""  # the field that found the person
    conflict_field: str = ""
    conflict: str = ""
    outside: bool = False  # the conflict is with someone outside the importer's scope


def identify(row: ParsedRow, lookup: _Lookup) -> Identity:
    """The one rule deciding whether a row is an existing person (and so may change them).

    A row is an existing person only when its identity agrees with theirs: the same ID
    number, or — when the row or the person has no ID number — the same name and birth
    date. An employee number alone never decides: a new hire's mistyped employee number
    would otherwise turn one person into another. A row whose numbers point at someone
    whose identity is not the row's is a conflict, and the row an error naming it. People
    outside the importer's scope are never named, and the same message stands whether or
    not their identity agrees (the import is no oracle).
    """
    values = row.values
    by_id = lookup.people_by["id_number"].get(values.get("id_number", ""))
    by_number = lookup.people_by["employee_number"].get(values.get("employee_number", ""))
    for found, name in ((by_number, "employee_number"), (by_id, "id_number")):
        if found is not None and not lookup.in_scope(found.organization):
            return Identity(
                conflict_field=name,
                outside=True,
                conflict=_(
                    "This %(label)s belongs to someone outside your organisations; a transfer brings them in."
                )
                % {"label": _unique_label(name)},
            )
    if by_id is not None:
        if by_number is not None and by_number.pk != by_id.pk:
            return Identity(
                conflict_field="employee_number",
                conflict=_(
                    "The employee number belongs to %(number_owner)s but the ID number to %(id_owner)s; "
                    "one row cannot be two people. Correct the one that is wrong."
                )
                % {"number_owner": by_number.name, "id_owner": by_id.name},
            )
        return Identity(by_id, "id_number")
    if by_number is None:
        return Identity()
    # Found by the employee number alone: the rest of the identity must agree.
    if values.get("id_number") and by_number.id_number:
        return Identity(
            conflict_field="id_number",
            conflict=_(
                "The employee number belongs to %(name)s, whose ID number is not this one. If this row is "
                "another person, correct the employee number; if it is %(name)s, correct the ID number."
            )
            % {"name": by_number.name},
        )
    given_name, birth = values.get("name"), values.get("birth_date")
    if not given_name or not birth:
        return Identity(
            conflict_field="employee_number",
            conflict=_(
                "The employee number belongs to %(name)s; give the ID number, or the name and the birth "
                "date, so that the row can be checked to be them."
            )
            % {"name": by_number.name},
        )
    if _name_key(given_name) != _name_key(by_number.name) or birth != by_number.birth_date:
        return Identity(
            conflict_field="employee_number",
            conflict=_(
                "The employee number belongs to %(name)s, but this row's name and birth date are not "
                "theirs. If this row is another person, correct the employee number."
            )
            % {"name": by_number.name},
        )
    return Identity(by_number, "employee_number")


def plan_import(
    sheet: SheetData,
    *,
    actor,
    organization: Organization,
    today: dt.date | None = None,
    budget: workbooks.Budget | None = None,
) -> Plan:
    """Validate every row against the rules and the database; write nothing.

    Every message is of constant size (a duplicate names the first row it repeats, not
    every other row), so the issues grow with the file, never with its square.
    """
    today = today or timezone.localdate()
    budget = budget or workbooks.Budget()
    rows = parse_rows(sheet)
    budget.check()
    with scoping.unscoped("identifiers are matched across the hospital (duplicates, transfers)"):
        lookup = _Lookup(rows, actor=actor, organization=organization)
    plan = Plan(len(rows), list(sheet.warnings), [], [], 0, set())

    # Numbers that appear in more than one row make every such row an error: which one is
    # right cannot be told. Per value: the first row, the next one and how many rows.
    seen: dict[str, dict[str, list[int]]] = {name: {} for name in UNIQUE_FIELDS}
    identities: dict[int, Identity] = {}
    rows_of: dict[int, list[int]] = {}  # person pk -> [first row, next row, count]
    for index, row in enumerate(rows, start=1):
        for name in UNIQUE_FIELDS:
            if row.values.get(name):
                _note(seen[name], row.values[name], row.number)
        identity = identify(row, lookup)
        identities[row.number] = identity
        if identity.person is not None:
            _note(rows_of, identity.person.pk, row.number)
        if index % workbooks.CHECK_EVERY == 0:
            budget.check()

    for index, row in enumerate(rows, start=1):
        issues = _row_issues(row, sheet, lookup, seen, identities[row.number], rows_of, today)
        if issues:
            plan.invalid_rows.add(row.number)
            plan.issues.extend(issues)
        if index % workbooks.CHECK_EVERY == 0:
            budget.check()
    for row in rows:
        if row.number not in plan.invalid_rows:
            _plan_row(plan, row, lookup, identities[row.number].person)
    plan.issues.sort(key=lambda issue: (issue.level != "warning", issue.row or 0))
    budget.check()
    return plan


def _note(occurrences: dict, key: Any, number: int) -> None:
    """Count one more row for ``key``: [first row, second row, number of rows]."""
    found = occurrences.get(key)
    if found is None:
        occurrences[key] = [number, 0, 1]
    else:
        if found[2] == 1:
            found[1] = number
        found[2] += 1


def _repeats(found: list[int], number: int, *, first: str, later: str, more: str, **names) -> str:
    """The message of a row whose value repeats: the first row names the next, the others the first."""
    head, second, count = found
    if number != head:
        return later % {**names, "row": head}
    if count == 2:
        return first % {**names, "row": second}
    return more % {**names, "row": second, "more": count - 2}


def _row_issues(
    row: ParsedRow,
    sheet: SheetData,
    lookup: _Lookup,
    seen: dict[str, dict[str, list[int]]],
    identity: Identity,
    rows_of: dict[int, list[int]],
    today: dt.date,
) -> list[Issue]:
    issues = list(row.issues)
    values = row.values
    match = identity.person

    def add(field_name: str, message: str) -> None:
        column = sheet.columns.get(field_name)
        cell = f"{column.letter}{row.number}" if column else ""
        header = column.header if column else COLUMN_BY_FIELD[field_name].header
        issues.append(Issue(message, row.number, cell, header, row.shown.get(field_name, "")))

    # Who is this?
    identifiers_given = any(values.get(name) for name in IDENTIFIER_FIELDS)
    if not identifiers_given and not row.bad_fields & set(IDENTIFIER_FIELDS):
        if row.masked_id:
            add(
                "id_number",
                _("The ID number is masked; export with full ID numbers, or give the employee number."),
            )
        else:
            add(
                "employee_number" if "employee_number" in sheet.columns else "id_number",
                _("Give an employee number or an ID number so that the person can be recognised."),
            )
    if identity.conflict:
        add(identity.conflict_field, identity.conflict)
        if identity.outside:
            return issues
    for name in UNIQUE_FIELDS:
        value = values.get(name)
        if value and seen[name][value][2] > 1:
            label = _unique_label(name)
            add(
                name,
                _repeats(
                    seen[name][value],
                    row.number,
                    first=_("This %(label)s appears again in row %(row)d."),
                    later=_("This %(label)s repeats row %(row)d."),
                    more=ngettext(
                        "This %(label)s appears again in row %(row)d and %(more)d other row.",
                        "This %(label)s appears again in row %(row)d and %(more)d other rows.",
                        seen[name][value][2] - 2,
                    ),
                    label=label,
                ),
            )
        owner = lookup.owner(name, value) if value else None
        # A conflict has already named the holders of the identifying numbers.
        named = identity.conflict and name in IDENTIFIER_FIELDS
        if owner and (match is None or owner[0] != match.pk) and not named:
            add(
                name,
                _("This %(label)s already belongs to %(name)s.")
                % {"label": _unique_label(name), "name": owner[1]},
            )

    if match is not None:
        matched_by = identity.by
        if not match.organization.path.startswith(lookup.organization.path):
            add(
                "organization",
                _(
                    "%(name)s belongs to “%(org)s”, outside “%(import_org)s”, "
                    "the organisation this import is for."
                )
                % {
                    "name": match.name,
                    "org": match.organization.name,
                    "import_org": lookup.organization.name,
                },
            )
        if (
            matched_by == "id_number"
            and values.get("employee_number")
            and match.employee_number
            and values["employee_number"] != match.employee_number
        ):
            add(
                "employee_number",
                _("The ID number belongs to %(name)s, whose employee number is %(number)s, not this one.")
                % {"name": match.name, "number": match.employee_number},
            )
        if rows_of[match.pk][2] > 1:
            add(
                matched_by,
                _repeats(
                    rows_of[match.pk],
                    row.number,
                    first=_("Row %(row)d is the same person (%(name)s)."),
                    later=_("This row is the same person as row %(row)d (%(name)s)."),
                    more=ngettext(
                        "Row %(row)d and %(more)d other row are the same person (%(name)s).",
                        "Row %(row)d and %(more)d other rows are the same person (%(name)s).",
                        rows_of[match.pk][2] - 2,
                    ),
                    name=match.name,
                ),
            )

    # Where do they belong?
    if values.get("organization"):
        org, message = lookup.resolve_organization(values["organization"])
        if message:
            add("organization", message)
        elif match is not None and org is not None and org.pk != match.organization_id:
            add(
                "organization",
                _("%(name)s belongs to “%(org)s”; moving to another organisation goes through a transfer.")
                % {"name": match.name, "org": match.organization.name},
            )
    if values.get("department"):
        _department, message = lookup.resolve_department(values["department"])
        if message:
            add("department", message)

    # The field rules, on the person as they would be after the import.
    given = {name: values[name] for name in EDITABLE_FIELDS if name in values and name != "department"}
    if match is None:
        required = str(FormField.default_error_messages["required"])
        for column in COLUMNS:
            if column.required and column.field not in values and column.field not in row.bad_fields:
                add(column.field, required)
        merged = given
    else:
        merged = {name: getattr(match, name) for name in EDITABLE_FIELDS if name != "department"}
        merged.update(given)
    for name, messages in person_errors(merged, today=today).items():
        if name not in row.bad_fields:
            for message in messages:
                add(name, message)
    return issues


def _stored(value: Any) -> str:
    """A field's value as the preview stores it (rendered, and masked, when shown)."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _plan_row(plan: Plan, row: ParsedRow, lookup: _Lookup, match: Person | None) -> None:
    values = row.values
    given = {name: values[name] for name in EDITABLE_FIELDS if name in values and name != "department"}
    org = lookup.resolve_organization(values["organization"])[0] if values.get("organization") else None
    department = lookup.resolve_department(values["department"])[0] if values.get("department") else None
    if match is None:
        person = Person(organization=org or lookup.organization, department=department, **given)
        for name in UNIQUE_FIELDS:
            if not getattr(person, name):
                setattr(person, name, None)
        plan.creates.append(person)
        shown = [[name, "", _stored(value)] for name, value in given.items() if value not in (None, "")]
        if department is not None:
            shown.append(["department", "", department.name])
        shown.append(["organization", "", person.organization.name])
        plan.changes.append({"row": row.number, "action": "add", "name": person.name, "fields": shown})
        return
    changed = [name for name, value in given.items() if getattr(match, name) != value]
    shown = [[name, _stored(getattr(match, name)), _stored(given[name])] for name in changed]
    for name in changed:
        setattr(match, name, given[name])
    if department is not None and department.pk != match.department_id:
        old_department = lookup.department_names.get(match.department_id or 0, "")
        shown.append(["department", old_department, department.name])
        match.department = department
        changed.append("department")
    if changed:
        plan.updates.append((match, changed))
        plan.changes.append(
            {"row": row.number, "action": "change", "name": match.name, "person": match.pk, "fields": shown}
        )
    else:
        plan.unchanged += 1
