"""Roster import from .xlsx and the file format it shares with the roster export.

The flow: ``roster_import_upload`` reads and checks the file, validates every row against
the rules and the database *without writing any person*, and stores a ``RosterImport`` for
the preview; ``roster_import_apply`` re-validates (the data may have changed since) and
writes inside one transaction — every row, or only the valid ones when the admin says so.

Reading goes through ``qingyi.core.workbooks`` (the guards every import of an untrusted
file shares: format, XML through defusedxml, rows, cells, strings, and a time budget for
the whole upload or apply), then openpyxl's read-only mode. Validation costs a constant
number of queries whatever the number of rows, and the writes use simple_history's bulk
helpers, so each person keeps a history entry naming the admin. Field rules come from
``qingyi.people.validation`` (the same messages as the forms); this package only adds what
belongs to files: columns, cell types, dates, names of organisations and departments, and
duplicates.

Decisions: a formula in a cell is refused (its cached value may be stale or missing — the
admin pastes values instead); merged cells at or below the header row refuse the file (a
merge leaves all but one of its cells empty); an empty cell leaves an existing person's
value unchanged; an ID number containing ``*`` (a masked export) is ignored; a person is
never moved to another organisation by an import (that is a transfer); an unknown
department is an error, not created. A row changes an existing person only when its
identity agrees with theirs (``validation.identify``). What is stored is bounded: the first
``QINGYI_IMPORT_STORED_ISSUES`` issues and planned changes (the totals in full); the file
itself is dropped once the import is applied or discarded, and every import is deleted
``QINGYI_IMPORT_RETENTION_DAYS`` after upload (on each upload, and by the management
command ``purge_roster_imports``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from qingyi.core import workbooks
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.people.importing.reading import read_sheet
from qingyi.people.importing.validation import CHUNK, Plan, plan_import
from qingyi.people.models import Person, RosterImport

# --- Services -------------------------------------------------------------------------------


def roster_imports_for(user) -> QuerySet[RosterImport]:
    """The user's own imports, in organisations where they may still import (files not loaded)."""
    return scoping.scope(
        RosterImport.objects.filter(uploaded_by_id=user.pk).select_related("organization").defer("content"),
        user,
        scoping.PEOPLE_IMPORT,
        path_field="organization__path",
    )


def default_import_organization(actor) -> Organization | None:
    """The organisation an import goes to when the admin does not choose: their one scope."""
    paths = scoping.scope_paths(actor, scoping.PEOPLE_IMPORT)
    if len(paths) != 1:
        return None
    return Organization.objects.filter(path=paths[0]).first()


def _check_organization(actor, organization: Organization) -> None:
    scoping.require_perm(actor, scoping.PEOPLE_IMPORT, organization)
    if organization.is_archived:
        raise ValidationError(
            _("“%(name)s” is archived; people cannot be added to it.") % {"name": organization.name}
        )


def stored_issues() -> int:
    return int(settings.QINGYI_IMPORT_STORED_ISSUES)


def _plan_fields(plan: Plan) -> dict:
    """The plan as the import keeps it: bounded lists, full totals."""
    limit = stored_issues()
    return {
        "total_rows": plan.total,
        "valid_rows": plan.valid_rows,
        "errors": plan.issues_as_json(limit),
        "error_count": len(plan.errors),
        "changes": plan.changes[:limit],
        "to_create": len(plan.creates),
        "to_update": len(plan.updates),
    }


def roster_imports_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the imports (and their files) older than ``QINGYI_IMPORT_RETENTION_DAYS``; the count."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=int(settings.QINGYI_IMPORT_RETENTION_DAYS))
    deleted, _by_model = RosterImport.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def roster_import_upload(*, file, actor, organization: Organization | None = None) -> RosterImport:
    """Check an uploaded roster and store it for the preview; no person is written.

    Raises ``ValidationError`` when the file as a whole cannot be imported (not an .xlsx,
    empty, too big, too many rows, missing columns, merged cells ...). Errors of single
    rows are stored on the returned ``RosterImport``.
    """
    if organization is None:
        organization = default_import_organization(actor)
        if organization is None:
            if not scoping.has_perm(actor, scoping.PEOPLE_IMPORT):
                raise PermissionDenied
            raise ValidationError(_("Choose the organisation to import into."))
    _check_organization(actor, organization)
    roster_imports_purge()
    budget = workbooks.Budget()
    content = workbooks.read_upload(file)
    sheet = read_sheet(content, budget=budget)
    plan = plan_import(sheet, actor=actor, organization=organization, budget=budget)
    file_name = PurePath(str(getattr(file, "name", "") or "roster.xlsx")).name[:255]
    return RosterImport.objects.create(
        organization=organization,
        file_name=file_name,
        content=content,
        uploaded_by=actor,
        **_plan_fields(plan),
    )


def _write(plan: Plan, *, actor, reason: str) -> None:
    now = timezone.now()
    if plan.creates:
        bulk_create_with_history(
            plan.creates, Person, batch_size=CHUNK, default_user=actor, default_change_reason=reason
        )
    if plan.updates:
        fields: set[str] = {"version", "updated_at"}
        people = []
        for person, changed in plan.updates:
            fields.update(changed)
            person.version += 1
            person.updated_at = now
            people.append(person)
        bulk_update_with_history(
            people, Person, sorted(fields), batch_size=CHUNK, default_user=actor, default_change_reason=reason
        )


APPLY_FIELDS = [
    "total_rows", "valid_rows", "errors", "error_count", "changes", "to_create", "to_update", "status",
    "created_count", "updated_count", "applied_at", "updated_at",
]  # fmt: skip


def roster_import_apply(*, roster_import: RosterImport, actor, only_valid: bool) -> RosterImport:
    """Re-validate a previewed import and write it in one transaction: all rows or none.

    With ``only_valid`` the rows that are still valid are written and the others skipped;
    without it, any error refuses the whole import. The refreshed errors are kept either way.
    """
    if roster_import.uploaded_by_id != actor.pk:
        raise PermissionDenied
    refusal = ""
    done = ValidationError(_("This import has already been applied or discarded."))
    budget = workbooks.Budget()
    # Reading the workbook is pure and slow: do it before taking the database's write lock.
    status, content = RosterImport.objects.filter(pk=roster_import.pk).values_list("status", "content").get()
    if status != RosterImport.Status.PREVIEW:
        raise done
    sheet = read_sheet(bytes(content), budget=budget)
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().defer("content").get(pk=roster_import.pk)
        organization = Organization.objects.get(pk=current.organization_id)
        _check_organization(actor, organization)
        if current.status != RosterImport.Status.PREVIEW:
            raise done
        plan = plan_import(sheet, actor=actor, organization=organization, budget=budget)
        for name, value in _plan_fields(plan).items():
            setattr(current, name, value)
        bad = len(plan.invalid_rows)
        if bad and not only_valid:
            refusal = _(
                "Nothing was imported: %(bad)d of %(total)d rows have errors. Correct the file and upload it "
                "again, or import only the valid rows."
            ) % {"bad": bad, "total": plan.total}
        elif not plan.valid_rows:
            refusal = _("Nothing was imported: no row is valid.")
        else:
            reason = (_("Roster import #%(pk)d") % {"pk": current.pk})[:100]
            budget.check()  # the last moment to give up: nothing is written yet
            try:
                with transaction.atomic():
                    _write(plan, actor=actor, reason=reason)
            except IntegrityError:
                raise ValidationError(
                    _("Someone else has just saved a person with the same numbers; check and try again.")
                ) from None
            current.status = RosterImport.Status.APPLIED
            current.created_count = len(plan.creates)
            current.updated_count = len(plan.updates)
            current.applied_at = timezone.now()
            current.content = b""  # the file is not needed any more
        current.save(
            update_fields=APPLY_FIELDS + (["content"] if current.status == current.Status.APPLIED else [])
        )
    if refusal:
        raise ValidationError(refusal)
    return current


def roster_import_discard(*, roster_import: RosterImport, actor) -> RosterImport:
    if roster_import.uploaded_by_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().defer("content").get(pk=roster_import.pk)
        if current.status != RosterImport.Status.PREVIEW:
            raise ValidationError(_("This import has already been applied or discarded."))
        current.status = RosterImport.Status.DISCARDED
        current.content = b""
        current.save(update_fields=["status", "content", "updated_at"])
    return current
