"""Validation of the parsed rows against the rules and the database, without writing."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.forms import Field as FormField
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import scoping
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

    @property
    def valid_rows(self) -> int:
        return self.total - len(self.invalid_rows)

    @property
    def errors(self) -> list[Issue]:
        return [issue for issue in self.issues if issue.level == "error"]

    def issues_as_json(self) -> list[dict[str, Any]]:
        return [issue.as_json() for issue in self.issues]


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
        self.departments = {
            _name_key(d.name): d for d in Department.objects.only("pk", "name", "archived_at")
        }
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
        self.development_owner: dict[str, tuple[int, str]] = {}
        for start in range(0, len(values), CHUNK):
            chunk = values[start : start + CHUNK]
            for number, pk, name in Person.objects.filter(development_number__in=chunk).values_list(
                "development_number", "pk", "name"
            ):
                self.development_owner[number] = (pk, name)

    def owner(self, field_name: str, value: str) -> tuple[int, str] | None:
        if field_name == "development_number":
            return self.development_owner.get(value)
        person = self.people_by[field_name].get(value)
        return (person.pk, person.name) if person else None

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


def plan_import(sheet: SheetData, *, actor, organization: Organization, today: dt.date | None = None) -> Plan:
    """Validate every row against the rules and the database; write nothing."""
    today = today or timezone.localdate()
    rows = parse_rows(sheet)
    with scoping.unscoped("identifiers are matched across the hospital (duplicates, transfers)"):
        lookup = _Lookup(rows, actor=actor, organization=organization)
    plan = Plan(len(rows), list(sheet.warnings), [], [], 0, set())

    # Numbers that appear in more than one row make every such row an error: which one is
    # right cannot be told.
    seen: dict[str, dict[str, list[int]]] = {name: defaultdict(list) for name in UNIQUE_FIELDS}
    # The person each row matches (by employee number, else ID number), and rows per person.
    matches: dict[int, Person | None] = {}
    rows_of: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        for name in UNIQUE_FIELDS:
            if row.values.get(name):
                seen[name][row.values[name]].append(row.number)
        match = next(
            (
                lookup.people_by[name][row.values[name]]
                for name in IDENTIFIER_FIELDS
                if row.values.get(name) in lookup.people_by[name]
            ),
            None,
        )
        matches[row.number] = match
        if match is not None:
            rows_of[match.pk].append(row.number)

    for row in rows:
        issues = _row_issues(row, sheet, lookup, seen, matches[row.number], rows_of, today)
        if issues:
            plan.invalid_rows.add(row.number)
            plan.issues.extend(issues)
    for row in rows:
        if row.number not in plan.invalid_rows:
            _plan_row(plan, row, lookup, matches[row.number])
    plan.issues.sort(key=lambda issue: (issue.level != "warning", issue.row or 0))
    return plan


def _row_issues(
    row: ParsedRow,
    sheet: SheetData,
    lookup: _Lookup,
    seen: dict[str, dict[str, list[int]]],
    match: Person | None,
    rows_of: dict[int, list[int]],
    today: dt.date,
) -> list[Issue]:
    issues = list(row.issues)
    values = row.values

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
    for name in UNIQUE_FIELDS:
        value = values.get(name)
        if value and len(seen[name][value]) > 1:
            others = ", ".join(str(n) for n in seen[name][value] if n != row.number)
            add(
                name,
                _("This %(label)s also appears in row %(rows)s.")
                % {"label": _unique_label(name), "rows": others},
            )
        owner = lookup.owner(name, value) if value else None
        if owner and (match is None or owner[0] != match.pk):
            add(
                name,
                _("This %(label)s already belongs to %(name)s.")
                % {"label": _unique_label(name), "name": owner[1]},
            )

    if match is not None:
        matched_by = (
            "employee_number" if values.get("employee_number") == match.employee_number else "id_number"
        )
        if not lookup.in_scope(match.organization):
            # Outside the admin's scope: say so without naming the person.
            add(
                matched_by,
                _("This %(label)s belongs to someone outside your organisations; a transfer brings them in.")
                % {"label": _unique_label(matched_by)},
            )
            return issues
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
        if len(rows_of[match.pk]) > 1:
            others = ", ".join(str(n) for n in rows_of[match.pk] if n != row.number)
            add(
                matched_by,
                _("This row and row %(rows)s are the same person (%(name)s).")
                % {"rows": others, "name": match.name},
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
        return
    changed = [name for name, value in given.items() if getattr(match, name) != value]
    for name in changed:
        setattr(match, name, given[name])
    if department is not None and department.pk != match.department_id:
        match.department = department
        changed.append("department")
    if changed:
        plan.updates.append((match, changed))
    else:
        plan.unchanged += 1
