"""Importing the roster from a spreadsheet, and exporting it in the same columns.

``columns`` holds the column table and header matching, ``reading`` the header row and
the data cells (the file's safety checks are ``qingyi.core.workbooks``), ``cells`` the
conversion of cells to values, ``validation`` the row checks against the rules and the
database (``identify`` decides who a row is), ``preview`` what the preview shows of the
planned changes, ``services`` the upload/apply/discard flow and purge, and ``exporting``
the roster export. The names below are the ones the rest of the code uses.
"""

from qingyi.core.workbooks import OLE_SIGNATURE, max_bytes, max_rows
from qingyi.people.importing.cells import parse_date
from qingyi.people.importing.columns import COLUMNS, choice_label, column_help
from qingyi.people.importing.exporting import EXPORT_HEADERS, EXPORT_WIDTHS, roster_export_rows, template_rows
from qingyi.people.importing.preview import preview_changes
from qingyi.people.importing.reading import CellError
from qingyi.people.importing.services import (
    default_import_organization,
    roster_import_apply,
    roster_import_discard,
    roster_import_upload,
    roster_imports_for,
    roster_imports_purge,
)

__all__ = [
    "COLUMNS",
    "EXPORT_HEADERS",
    "EXPORT_WIDTHS",
    "OLE_SIGNATURE",
    "CellError",
    "choice_label",
    "column_help",
    "default_import_organization",
    "max_bytes",
    "max_rows",
    "parse_date",
    "preview_changes",
    "roster_export_rows",
    "roster_import_apply",
    "roster_import_discard",
    "roster_import_upload",
    "roster_imports_for",
    "roster_imports_purge",
    "template_rows",
]
