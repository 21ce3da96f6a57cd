"""Writes of league activities, one module per area: ``activities`` (plan, edit, cancel, record
as held), ``attendance`` (the register and check-in), ``files``, ``publicity`` (posts logged by
hand or imported from a channel's export list) and ``registrations`` (care, culture and sports
events, with their waiting list).

Every function validates, checks the actor's permission through core.scoping and writes inside
one transaction, so bad input writes nothing. Callers use ``services.<name>``: every public
name is re-exported here (as in ``volunteering.services``)."""

from qingyi.activities.services.activities import (
    ACTIVITY_FIELDS,
    CATEGORY_ACTIVITY_CANCELLED,
    activity_cancel,
    activity_create,
    activity_record_held,
    activity_update,
    refuse_cancelled,
    update_quorum,
)
from qingyi.activities.services.attendance import (
    CHECKIN_CLOSES_AFTER,
    CHECKIN_OPENS_BEFORE,
    activity_scan,
    attendance_check_in,
    attendance_save,
    checkin_window,
)
from qingyi.activities.services.files import (
    DOCUMENT_TYPES,
    IMAGE_TYPES,
    MAGIC,
    file_add,
    file_delete,
    file_errors,
    files_add,
    upload_max_bytes,
)
from qingyi.activities.services.publicity import (
    CATEGORY_ALIASES,
    CHANNEL_ALIASES,
    HEADERS,
    ImportResult,
    parse_date,
    publication_create,
    publication_delete,
    publications_import,
)
from qingyi.activities.services.registrations import (
    registration_cancel,
    registration_configure,
    registration_create,
    waiting_position,
)

__all__ = [
    "ACTIVITY_FIELDS",
    "CATEGORY_ACTIVITY_CANCELLED",
    "CATEGORY_ALIASES",
    "CHANNEL_ALIASES",
    "CHECKIN_CLOSES_AFTER",
    "CHECKIN_OPENS_BEFORE",
    "DOCUMENT_TYPES",
    "HEADERS",
    "IMAGE_TYPES",
    "MAGIC",
    "ImportResult",
    "activity_cancel",
    "activity_create",
    "activity_record_held",
    "activity_scan",
    "activity_update",
    "attendance_check_in",
    "attendance_save",
    "checkin_window",
    "file_add",
    "file_delete",
    "file_errors",
    "files_add",
    "parse_date",
    "publication_create",
    "publication_delete",
    "publications_import",
    "refuse_cancelled",
    "registration_cancel",
    "registration_configure",
    "registration_create",
    "update_quorum",
    "upload_max_bytes",
    "waiting_position",
]
