"""A volunteer's personal QR code, which a coordinator scans to check them in or out.

The volunteer's phone shows a rotating code for the subject ``volunteer:<id>`` (the one
check-in mechanism, ``core.checkin``); the QR encodes the URL of the coordinator's scan page.
The coordinator's phone camera opens it, the coordinator picks one of today's shifts they
manage, and the check-in (or check-out) is the hand check-in of ``hours`` with the reason
"personal QR", recorded with the coordinator as its author. The scan goes through
``checkin.scan_accept``: forged or expired codes are refused, and a repeated submission
(same scan id) duplicates nothing.

The code is checked at the moment the coordinator's page read it (a signed timestamp the
page carries), so the coordinator has a few minutes to pick the shift.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core import signing
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from qingyi.core import checkin
from qingyi.core.models import Scan
from qingyi.volunteering.models import Shift, Volunteer
from qingyi.volunteering.services import hours

REASON = "personal QR"
_SALT = "qingyi.volunteering.personal-qr"
# How long the coordinator's page may take between reading the code and checking in.
PICK_MAX_AGE = dt.timedelta(minutes=10)


def subject_of(volunteer_id: int) -> str:
    return f"volunteer:{volunteer_id}"


def current_code(volunteer: Volunteer) -> str:
    return checkin.rotating_code(subject_of(volunteer.pk))


def code_is_valid(volunteer_id: int, code: str, *, at: dt.datetime | None = None) -> bool:
    return checkin.code_valid(subject_of(volunteer_id), code, at=at or timezone.now())


def expired_message() -> str:
    return _(
        "This personal QR code has expired or is not genuine. "
        "Ask the volunteer to open “My hours” and show the code again."
    )


def seen_token(volunteer_id: int, code: str, *, at: dt.datetime | None = None) -> str:
    """A signed note of when the coordinator's page read ``code``; carried by the page's form."""
    at = at or timezone.now()
    return signing.dumps({"v": volunteer_id, "c": code, "at": at.isoformat()}, salt=_SALT)


def seen_at(token: str, volunteer_id: int, code: str) -> dt.datetime | None:
    """When the page read the code (None when the token is missing, old or not for this code)."""
    try:
        data = signing.loads(token or "", salt=_SALT, max_age=PICK_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("v") != volunteer_id or data.get("c") != code:
        return None
    return parse_datetime(data.get("at") or "")


def new_scan_id() -> str:
    return uuid.uuid4().hex


def check_in_by_personal_qr(
    *,
    shift: Shift,
    volunteer: Volunteer,
    code: str,
    scan_id: str,
    seen: dt.datetime | None,
    actor,
) -> checkin.ScanOutcome:
    """Check ``volunteer`` in to (or out of) ``shift`` from their personal QR code.

    ``shift`` must come from the actor's scope (the hand check-in checks the permission
    again). Raises ``ValidationError`` with the message to show; nothing is written then.
    A repeated submission with the same ``scan_id`` returns the first outcome.
    """

    def handler(at: dt.datetime) -> tuple[str, str]:
        try:
            result = hours.record_check_in_by_hand(
                shift=shift, volunteer=volunteer, at=at, reason=REASON, actor=actor
            )
        except ValidationError as exc:
            raise checkin.ScanRefused(" ".join(exc.messages)) from None
        done = result.record.checked_out_at is not None
        return (Scan.Result.CHECKED_OUT if done else Scan.Result.CHECKED_IN), result.message

    if not code_is_valid(volunteer.pk, code, at=seen or timezone.now()):
        raise ValidationError(expired_message())
    try:
        return checkin.scan_accept(
            subject=subject_of(volunteer.pk),
            code=code,
            user=actor,
            client_id=scan_id,
            scanned_at=seen,
            handler=handler,
        )
    except checkin.ScanRefused as exc:
        raise ValidationError(str(exc)) from None
