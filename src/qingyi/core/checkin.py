"""The one check-in mechanism: rotating QR codes and idempotent scans.

Volunteer shifts (签到 at a post) and league activities (签到 at a meeting) both use it:
a screen or the organiser's phone shows a QR code for a *subject* (``"shift:42"``,
``"activity:7"``) that changes every ``WINDOW_SECONDS``; a member's phone scans it and
sends the code with the scan time and a client-chosen id. ``scan_accept`` checks the
code (forged or expired codes are refused), recognises a replayed scan by its client id,
and calls the domain's handler to record the check-in or check-out — once.

A code is an HMAC of the subject and the time window under the project's SECRET_KEY, so
nothing needs storing to verify it, and a code for one subject is useless for another.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import segno
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core.models import Scan

WINDOW_SECONDS = 60
# A code stays valid for the window it was shown in and the next one (scan delay, clock skew).
GRACE_WINDOWS = 1
# Offline scans are accepted when sent within this time of the scan.
OFFLINE_MAX_AGE = dt.timedelta(hours=24)
# A scan's own clock may run ahead of the server by at most this.
CLOCK_SKEW = dt.timedelta(minutes=2)


class ScanRefused(Exception):
    """The scan was refused; ``str(exc)`` is the message for the person scanning."""


def _window(at: dt.datetime) -> int:
    return int(at.timestamp()) // WINDOW_SECONDS


def _mac(subject: str, window: int) -> str:
    key = cast(str, settings.SECRET_KEY).encode()  # settings.py refuses to start without one
    digest = hmac.new(key, f"qingyi-checkin:{subject}:{window}".encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def rotating_code(subject: str, *, at: dt.datetime | None = None) -> str:
    """The code shown for ``subject`` now (or at ``at``): ``<window>.<mac>``."""
    window = _window(at or timezone.now())
    return f"{window}.{_mac(subject, window)}"


def code_valid(subject: str, code: str, *, at: dt.datetime) -> bool:
    """Is ``code`` a genuine code for ``subject``, shown at most GRACE_WINDOWS before ``at``?"""
    try:
        window_text, mac = code.split(".", 1)
        window = int(window_text)
    except (ValueError, AttributeError):
        return False
    if not hmac.compare_digest(mac, _mac(subject, window)):
        return False
    return 0 <= _window(at) - window <= GRACE_WINDOWS


def seconds_left(*, at: dt.datetime | None = None) -> int:
    now = at or timezone.now()
    return WINDOW_SECONDS - int(now.timestamp()) % WINDOW_SECONDS


def qr_svg(data: str, *, scale: int = 6) -> str:
    """An inline SVG QR code (segno), served by the project itself: ``scale`` pixels a module at
    most, shrinking to the width of its box (a phone's screen) instead of being cut off. Its
    size is in width/height attributes and the class ``qr-svg`` (qingyi.css), not a style=
    attribute, which the Content-Security-Policy would not apply."""
    qr = segno.make(data, error="m")
    width = qr.symbol_size(scale=scale)[0]
    svg = qr.svg_inline(scale=scale, omitsize=True, svgclass="qr-svg", dark="#111", light="#fff")
    return svg.replace("<svg ", f'<svg width="{width}" height="{width}" ', 1)


@dataclass(frozen=True)
class ScanOutcome:
    result: str
    message: str
    replayed: bool = False


def _replay(*, client_id: str, subject: str, user) -> ScanOutcome | None:
    """The first outcome of an earlier scan with this id, or None if there is none."""
    rows = list(
        Scan.objects.filter(client_id=client_id).values_list("user_id", "subject", "result", "message")[:1]
    )
    if not rows:
        return None
    user_id, earlier_subject, result, message = rows[0]
    if user_id != user.pk or earlier_subject != subject:
        raise ScanRefused(_("This scan id was already used."))
    return ScanOutcome(result, message, replayed=True)


def scan_accept(
    *,
    subject: str,
    code: str,
    user,
    client_id: str,
    scanned_at: dt.datetime | None,
    handler: Callable[[dt.datetime], tuple[str, str]],
) -> ScanOutcome:
    """Accept one scan, at most once per ``client_id``.

    ``handler(scanned_at)`` records the domain's check-in or check-out and returns
    (``Scan.Result`` value, message); it raises ``ScanRefused`` to refuse. A replayed
    scan returns the first outcome, whatever the code, the time or the handler would say now.

    A replay is rare, so the earlier scan is not looked up first: the handler runs and the
    scan is inserted in one transaction, and the unique ``client_id`` makes the insert of a
    replay fail — which rolls back everything the handler wrote — and only then (or when
    the scan is refused) is the earlier scan looked up. A handler must therefore write
    only to the database (``transaction.on_commit`` for anything else): its writes for a
    replay are undone, never doubled.
    """
    now = timezone.now()
    client_id = (client_id or "").strip()[:64]
    if not client_id:
        raise ScanRefused(_("The scan has no id; scan again."))
    try:
        return _accept_new(
            subject=subject,
            code=code,
            user=user,
            client_id=client_id,
            scanned_at=scanned_at,
            handler=handler,
            now=now,
        )
    except ScanRefused:
        # A replay sent after its code expired, or that the handler now refuses ("already
        # checked in"), still gets the first answer.
        replay = _replay(client_id=client_id, subject=subject, user=user)
        if replay is None:
            raise
        return replay


def _accept_new(
    *,
    subject: str,
    code: str,
    user,
    client_id: str,
    scanned_at: dt.datetime | None,
    handler: Callable[[dt.datetime], tuple[str, str]],
    now: dt.datetime,
) -> ScanOutcome:
    offline = scanned_at is not None and now - scanned_at > dt.timedelta(
        seconds=WINDOW_SECONDS * (GRACE_WINDOWS + 1)
    )
    at = scanned_at or now
    if at > now + CLOCK_SKEW:
        raise ScanRefused(_("The scan's time is in the future; check the phone's clock."))
    if now - at > OFFLINE_MAX_AGE:
        raise ScanRefused(_("This scan is more than a day old and can no longer be accepted."))
    if not code_valid(subject, code, at=at):
        raise ScanRefused(_("This QR code has expired or is not genuine. Scan the code on the screen again."))
    try:
        with transaction.atomic():
            result, message = handler(at)
            Scan.objects.create(
                client_id=client_id,
                subject=subject,
                user_id=user.pk,
                scanned_at=at,
                offline=offline,
                result=result,
                message=message,
            )
    except IntegrityError:
        # A replay (the unique client id; the handler's writes are rolled back with the
        # insert), or the same scan twice at the same moment, the first of which won.
        # Otherwise the handler's own conflict, for the caller.
        replay = _replay(client_id=client_id, subject=subject, user=user)
        if replay is None:
            raise
        return replay
    return ScanOutcome(result, message)
