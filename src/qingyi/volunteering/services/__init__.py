"""Writes of volunteer service, one module per area.

Every service validates, writes inside one transaction and raises ``ValidationError`` with a
message for the person in front of it. ``volunteers`` holds volunteers, qualifications,
projects and posts; ``shifts`` one-off and repeating shifts; ``signups`` sign-ups, the waiting
list and reminders (and the no-overbooking lock); ``common`` the permission and notifications
they share. Their public names are re-exported here: callers use ``services.<name>`` (``rules``
too, which views read through this module).

The other areas are used as modules (``from qingyi.volunteering.services import hours``):
``hours`` (check-in, check-out and hours: the writes of service records), ``personal_qr``
(check-in by a volunteer's personal code), ``service_points`` (points and their scan),
``certificates``, ``applications`` and ``stars`` (star levels). Their reads are selectors.
"""

from qingyi.core import rules
from qingyi.volunteering.services.common import CATEGORY_CANCELLED, CATEGORY_DECISION, MANAGE, logger
from qingyi.volunteering.services.shifts import (
    SERIES_MAX_DAYS,
    SERIES_MAX_SHIFTS,
    SHIFT_FIELDS,
    series_days,
    shift_cancel,
    shift_create,
    shift_series_create,
    shift_update,
)
from qingyi.volunteering.services.signups import (
    cancel_cutoff,
    eligibility_errors,
    reminder_key,
    shift_reminders_send,
    shifts_visible,
    signup_approve,
    signup_assign,
    signup_cancel,
    signup_create,
    signup_refuse,
    signups_mark_no_shows,
)
from qingyi.volunteering.services.volunteers import (
    STATUS_CHOICES,
    VOLUNTEER_FIELDS,
    add_months,
    can_manage_qualification_types,
    post_create,
    project_create,
    project_update,
    qualification_grant,
    qualification_type_create,
    qualification_type_update,
    volunteer_change_status,
    volunteer_clear_no_shows,
    volunteer_create,
    volunteer_register_staff,
    volunteer_set_status,
    volunteer_update,
)

__all__ = [
    "CATEGORY_CANCELLED",
    "CATEGORY_DECISION",
    "MANAGE",
    "SERIES_MAX_DAYS",
    "SERIES_MAX_SHIFTS",
    "SHIFT_FIELDS",
    "STATUS_CHOICES",
    "VOLUNTEER_FIELDS",
    "add_months",
    "can_manage_qualification_types",
    "cancel_cutoff",
    "eligibility_errors",
    "logger",
    "post_create",
    "project_create",
    "project_update",
    "qualification_grant",
    "qualification_type_create",
    "qualification_type_update",
    "reminder_key",
    "rules",
    "series_days",
    "shift_cancel",
    "shift_create",
    "shift_reminders_send",
    "shift_series_create",
    "shift_update",
    "shifts_visible",
    "signup_approve",
    "signup_assign",
    "signup_cancel",
    "signup_create",
    "signup_refuse",
    "signups_mark_no_shows",
    "volunteer_change_status",
    "volunteer_clear_no_shows",
    "volunteer_create",
    "volunteer_register_staff",
    "volunteer_set_status",
    "volunteer_update",
]
