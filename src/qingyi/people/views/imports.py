"""Roster import (upload → preview → apply) and export, as .xlsx workbooks."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.dbrouter import reporting
from qingyi.core.exports import Sheet, write_xlsx, xlsx_response
from qingyi.core.forms import bootstrap
from qingyi.organizations import scoping
from qingyi.organizations.selectors import organizations_for
from qingyi.people import importing, selectors
from qingyi.people.models import RosterImport
from qingyi.people.views.common import roster_filters

# Errors shown on the preview page; the rest are in the downloadable list.
PREVIEW_ERRORS = 500
# Rows that add or change a person shown on the preview (the totals are always shown).
PREVIEW_CHANGES = 500
RECENT_IMPORTS = 10


class RosterImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    organization = forms.ModelChoiceField(
        queryset=None,
        label=gettext_lazy("Import into"),
        help_text=gettext_lazy(
            "Rows without an organisation join this one; rows naming an organisation must name one inside it."
        ),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        bootstrap(self)


def _roster_import(user, pk: int) -> RosterImport:
    """One of the user's own imports; anybody else's is a 404."""
    roster_import = importing.roster_imports_for(user).filter(pk=pk).first()
    if roster_import is None:
        raise Http404
    return roster_import


@login_required
@require_http_methods(["GET", "POST"])
def roster_import(request):
    scoping.require_perm(request.user, scoping.PEOPLE_IMPORT)
    organizations = organizations_for(request.user, scoping.PEOPLE_IMPORT).filter(archived_at__isnull=True)
    default = importing.default_import_organization(request.user)
    form = RosterImportForm(
        request.POST or None,
        request.FILES or None,
        organizations=organizations,
        initial={"organization": default.pk if default else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = importing.roster_import_upload(
                file=form.cleaned_data["file"],
                organization=form.cleaned_data["organization"],
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            return redirect("people:import_preview", created.pk)
    return render(
        request,
        "people/import_upload.html",
        {
            "form": form,
            "columns": importing.column_help(),
            "max_rows": importing.max_rows(),
            "max_bytes": importing.max_bytes(),
            "recent": importing.roster_imports_for(request.user)[:RECENT_IMPORTS],
        },
    )


@login_required
@require_GET
def roster_import_preview(request, import_pk: int):
    roster_import = _roster_import(request.user, import_pk)
    issues = roster_import.errors or []
    errors = [issue for issue in issues if issue.get("level", "error") == "error"]
    warnings = [issue for issue in issues if issue.get("level") == "warning"]
    bad_rows = roster_import.total_rows - roster_import.valid_rows
    # ID numbers and phones masked as on the roster, unless the viewer may see them.
    reveal = scoping.has_perm(request.user, scoping.PEOPLE_SENSITIVE, roster_import.organization)
    changes = importing.preview_changes((roster_import.changes or [])[:PREVIEW_CHANGES], reveal=reveal)
    planned = roster_import.to_create + roster_import.to_update
    return render(
        request,
        "people/import_preview.html",
        {
            "roster_import": roster_import,
            "errors": errors[:PREVIEW_ERRORS],
            "error_count": roster_import.error_count,
            "more_errors": max(0, len(errors) - PREVIEW_ERRORS),
            "unstored_errors": max(0, roster_import.error_count - len(errors)),
            "changes": changes,
            "more_changes": max(0, planned - len(changes)),
            "warnings": warnings,
            "bad_rows": bad_rows,
            "is_preview": roster_import.status == RosterImport.Status.PREVIEW,
            "can_apply_all": bad_rows == 0 and roster_import.total_rows > 0,
            "can_apply_valid": bad_rows > 0 and roster_import.valid_rows > 0,
        },
    )


@login_required
@require_POST
def roster_import_apply(request, import_pk: int):
    roster_import = _roster_import(request.user, import_pk)
    only_valid = request.POST.get("only_valid") == "1"
    try:
        applied = importing.roster_import_apply(
            roster_import=roster_import, actor=request.user, only_valid=only_valid
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Imported: %(created)d people added, %(updated)d updated.")
            % {"created": applied.created_count, "updated": applied.updated_count},
        )
    return redirect("people:import_preview", roster_import.pk)


@login_required
@require_POST
def roster_import_discard(request, import_pk: int):
    roster_import = _roster_import(request.user, import_pk)
    try:
        importing.roster_import_discard(roster_import=roster_import, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("people:import_preview", roster_import.pk)
    messages.success(request, _("The import was discarded; nothing was written."))
    return redirect("people:import")


@login_required
@require_GET
def roster_import_errors(request, import_pk: int):
    """The import's errors as a workbook, to correct a large file."""
    roster_import = _roster_import(request.user, import_pk)
    rows = (
        [
            issue.get("row") or "",
            issue.get("cell", ""),
            issue.get("column", ""),
            issue.get("value", ""),
            issue["message"],
        ]
        for issue in roster_import.errors or []
    )
    content = write_xlsx(
        [_("Row"), _("Cell"), _("Column"), _("Value"), _("Problem")],
        rows,
        title=_("Errors"),
        widths=(6, 8, 14, 24, 80),
    )
    return xlsx_response(content, f"{_('errors')}-{roster_import.file_name.rsplit('.', 1)[0]}.xlsx")


@login_required
@require_GET
def roster_import_template(request):
    """An empty roster workbook with the headers, and a sheet explaining them."""
    scoping.require_perm(request.user, scoping.PEOPLE_IMPORT)
    instructions = Sheet(
        _("Instructions"),
        [_("Column"), _("Required"), _("Accepted values"), _("Also accepted as header")],
        importing.template_rows(),
        widths=(16, 8, 60, 40),
    )
    content = write_xlsx(
        [column.header for column in importing.COLUMNS],
        [],
        title=_("Roster"),
        widths=importing.EXPORT_WIDTHS,
        more_sheets=[instructions],
    )
    return xlsx_response(content, f"{_('roster-template')}.xlsx")


@login_required
@require_GET
@reporting
def roster_export(request):
    """The roster as filtered on the roster page, in the import's layout (so it can be re-imported).

    ID numbers are masked unless the user may see them and asks for them (``?full=1``).
    """
    scoping.require_perm(request.user, scoping.PEOPLE_EXPORT)
    full = request.GET.get("full") == "1"
    reveal_paths = scoping.scope_paths(request.user, scoping.PEOPLE_SENSITIVE) if full else []
    if full and not reveal_paths:
        raise PermissionDenied
    filters = roster_filters(request)
    people = selectors.roster(
        selectors.people_for(request.user, scoping.PEOPLE_EXPORT), filters, user=request.user
    )
    content = write_xlsx(
        importing.EXPORT_HEADERS,
        importing.roster_export_rows(people, reveal_paths=reveal_paths),
        title=_("Roster"),
        widths=importing.EXPORT_WIDTHS,
    )
    return xlsx_response(content, f"{_('roster')}-{timezone.localdate():%Y%m%d}.xlsx")
