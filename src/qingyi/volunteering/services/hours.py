"""Check-in, check-out and hours: the writes of service records.

Three numbers are kept apart: scheduled hours (the shift), recorded hours (check-in to
check-out, rounded down to the committee's step and counted at most until the shift's end
plus the grace period) and verified hours — only these count. Scans go through the one
check-in mechanism, ``core.checkin`` (subject ``shift:<id>``), which refuses forged or
expired codes and recognises replayed offline scans. Hours added by hand are kept apart
(``source = manual``), carry a reason and author, never exceed the shift's duration, and
are entered within the committee's working days (RULES.md; later only by the committee
admin). Verified records are locked; a correction keeps its history with reason and author.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import checkin, rules
from qingyi.core.models import Scan
from qingyi.organizations import scoping
from qingyi.volunteering import scan_sql, selectors
from qingyi.volunteering.models import ServiceRecord, Shift, Signup, Volunteer
from qingyi.volunteering.services.signups import eligibility_errors

MANAGE = scoping.VOLUNTEERING_MANAGE
# Check-in opens this long before a shift starts.
CHECK_IN_OPENS = dt.timedelta(hours=1)
# A second scan within this time of the check-in is a repeat, not a check-out.
MIN_SERVICE = dt.timedelta(minutes=5)


def checkout_grace() -> dt.timedelta:
    return dt.timedelta(minutes=int(rules.get_setting("volunteer_checkout_grace_minutes")))


def recorded_hours(shift: Shift, checked_in_at: dt.datetime, checked_out_at: dt.datetime) -> Decimal:
    """Check-in to check-out, counted at most until the shift's end plus the grace period,
    rounded down to the committee's step."""
    end = min(checked_out_at, shift.end + checkout_grace())
    return rules.volunteer_hours_rounded((end - checked_in_at).total_seconds())


def served_on(shift: Shift) -> dt.date:
    return timezone.localtime(shift.start).date()


def _hhmm(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M")


def _scan_state(volunteer: Volunteer, shift: Shift) -> tuple[int | None, int, str | None]:
    """The volunteer's record of the shift (its id, None without one), their sign-ins on the
    shift's day and the status of their sign-up to the shift (None without one), in one query
    (plain SQL: ``scan_sql.scan_state``)."""
    return scan_sql.scan_state(volunteer_id=volunteer.pk, shift_id=shift.pk, day=served_on(shift))


def _lock_volunteer(volunteer: Volunteer) -> None:
    """Serialise one volunteer's scans until the transaction ends, so that the daily limit counts
    the sign-ins of their other check-ins in flight and a record is created once.

    PostgreSQL: the volunteer's row FOR NO KEY UPDATE (rows referencing it — sign-ups, records
    — are not blocked; other volunteers are not serialised). SQLite: the IMMEDIATE transaction
    already holds the database's write lock, so there is nothing to take.
    """
    if connection.features.has_select_for_update:
        rows = Volunteer.objects.select_for_update(no_key=True).filter(pk=volunteer.pk).order_by()
        list(rows.values_list("pk", flat=True))


def _check_in_new(
    *,
    shift: Shift,
    volunteer: Volunteer,
    at: dt.datetime,
    source: str,
    actor,
    used: int,
    signup_status: str | None,
    reason: str = "",
):
    """Create the record of a first check-in (a walk-in when the volunteer holds no place);
    ``used`` sign-ins today, ``signup_status`` of the volunteer's sign-up (``_scan_state``)."""
    limit = int(rules.get_setting("volunteer_daily_sign_ins"))
    if limit and used >= limit:
        raise checkin.ScanRefused(_("At most %(n)s sign-ins a day are allowed.") % {"n": limit})
    walk_in = signup_status != Signup.Status.CONFIRMED
    if walk_in:
        # A walk-in is there in person: the rules of a place apply, not the overlap of sign-ups.
        problems = eligibility_errors(shift=shift, volunteer=volunteer, check_overlap=False)
        if problems:
            raise checkin.ScanRefused(" ".join(problems))
    record = ServiceRecord(
        shift=shift,
        volunteer=volunteer,
        project_id=shift.project_id,
        served_on=served_on(shift),
        source=source,
        status=ServiceRecord.Status.CHECKED_IN,
        walk_in=walk_in,
        checked_in_at=at,
        scheduled_hours=shift.scheduled_hours,
        created_by=actor,
        reason=reason,
    )
    scan_sql.save_with_history(record, user=actor, reason=reason or "check-in")
    if walk_in:
        return Scan.Result.CHECKED_IN, _("Checked in at %(time)s as a walk-in.") % {"time": _hhmm(at)}
    return Scan.Result.CHECKED_IN, _("Checked in at %(time)s.") % {"time": _hhmm(at)}


def _scan_on_record(record: ServiceRecord, *, shift: Shift, at: dt.datetime, actor, reason: str = ""):
    """A later scan of a volunteer who has a record (of ``shift``): check-out, or an earlier
    offline scan."""
    if record.status == ServiceRecord.Status.VERIFIED:
        raise checkin.ScanRefused(_("Your hours for this shift are already verified."))
    if record.checked_in_at is None:
        raise checkin.ScanRefused(_("Hours for this shift were added by hand; ask the coordinator."))
    if record.checked_out_at is None:
        if abs(at - record.checked_in_at) < MIN_SERVICE:
            raise checkin.ScanRefused(
                _("You checked in at %(time)s. Scan again at the end of your shift to check out.")
                % {"time": _hhmm(record.checked_in_at)}
            )
        first, last = sorted([record.checked_in_at, at])
    elif at < record.checked_in_at:
        # An offline check-in arriving after the check-out: it moves the check-in earlier.
        first, last = at, record.checked_out_at
    else:
        raise checkin.ScanRefused(
            _("You already checked out at %(time)s.") % {"time": _hhmm(record.checked_out_at)}
        )
    record.checked_in_at, record.checked_out_at = first, last
    record.recorded_hours = recorded_hours(shift, first, last)
    record.status = ServiceRecord.Status.RECORDED
    scan_sql.save_with_history(
        record,
        user=actor,
        reason=reason or "check-out",
        update_fields=["checked_in_at", "checked_out_at", "recorded_hours", "status", "updated_at"],
    )
    return Scan.Result.CHECKED_OUT, _("Checked out at %(time)s: %(hours)s hours recorded.") % {
        "time": _hhmm(last),
        "hours": record.recorded_hours,
    }


def scan_window_error(shift: Shift, at: dt.datetime, *, by_hand: bool) -> str | None:
    if shift.cancelled_at is not None:
        return _("This shift has been cancelled.")
    if at < shift.start - CHECK_IN_OPENS:
        return _("Check-in opens one hour before the shift.")
    # A coordinator may record a check-out afterwards; the hours stay capped at end + grace.
    if at > shift.end + checkout_grace() and not by_hand:
        return _("This shift is over; ask the coordinator to add your hours.")
    return None


def record_scan(*, shift: Shift, volunteer: Volunteer, at: dt.datetime, source: str, actor, reason: str = ""):
    error = scan_window_error(shift, at, by_hand=source == ServiceRecord.Source.HAND)
    if error:
        raise checkin.ScanRefused(error)
    _lock_volunteer(volunteer)
    # Read after the lock (a new statement sees what the volunteer's other scans wrote).
    record_id, used, signup_status = _scan_state(volunteer, shift)
    if record_id is None:
        return _check_in_new(
            shift=shift,
            volunteer=volunteer,
            at=at,
            source=source,
            actor=actor,
            used=used,
            signup_status=signup_status,
            reason=reason,
        )
    # The whole record, locked against a coordinator's verification or correction in flight.
    record = ServiceRecord.objects.select_for_update().get(pk=record_id)
    return _scan_on_record(record, shift=shift, at=at, actor=actor, reason=reason)


def shift_scan(
    *,
    shift: Shift,
    user,
    code: str,
    client_id: str,
    scanned_at: dt.datetime | None,
    volunteer: Volunteer | None = None,
) -> checkin.ScanOutcome:
    """A volunteer's phone scanned the shift's QR code: check in, or (the second time) out.

    Raises ``checkin.ScanRefused`` with the message to show. ``shift`` is used as given (with
    its project's organisation loaded, as ``selectors.scan_parties`` does, the check costs no
    query). The shift's row is not locked: what must hold per volunteer comes from the record's
    row lock (check-out), the volunteer's row lock (the daily limit), the unique (shift,
    volunteer) record and the unique scan id — so check-ins of many volunteers to one shift run
    side by side.
    """
    volunteer = volunteer or selectors.volunteer_of(user)
    if volunteer is None:
        raise checkin.ScanRefused(_("Only registered volunteers can check in. Become a volunteer first."))
    if not selectors.project_visible_to(volunteer, shift.project):
        raise PermissionDenied

    def handler(at: dt.datetime):
        return record_scan(
            shift=shift, volunteer=volunteer, at=at, source=ServiceRecord.Source.SCAN, actor=user
        )

    return accept_scan(
        subject=shift.subject,
        user=user,
        code=code,
        client_id=client_id,
        scanned_at=scanned_at,
        handler=handler,
    )


def accept_scan(*, subject: str, user, code: str, client_id: str, scanned_at, handler) -> checkin.ScanOutcome:
    """``checkin.scan_accept`` for a volunteer's scan of a shift's or a service point's code."""
    try:
        return checkin.scan_accept(
            subject=subject, code=code, user=user, client_id=client_id, scanned_at=scanned_at, handler=handler
        )
    except IntegrityError:
        # The same volunteer's two scans raced to create the record: the first one won.
        raise checkin.ScanRefused(_("You are already checked in.")) from None


@dataclass(frozen=True)
class HandResult:
    record: ServiceRecord
    message: str


@transaction.atomic
def record_check_in_by_hand(
    *, shift: Shift, volunteer: Volunteer, at: dt.datetime, reason: str, actor
) -> HandResult:
    """A coordinator checks a volunteer in (or, if checked in, out) by hand, with a reason."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason for checking in by hand.")]})
    if at > timezone.now() + checkin.CLOCK_SKEW:
        raise ValidationError({"at": [_("The time is in the future.")]})
    shift = Shift.objects.select_for_update(of=("self",)).select_related("project").get(pk=shift.pk)
    try:
        _result, message = record_scan(
            shift=shift,
            volunteer=volunteer,
            at=at,
            source=ServiceRecord.Source.HAND,
            actor=actor,
            reason=reason,
        )
    except checkin.ScanRefused as exc:
        raise ValidationError(str(exc)) from None
    return HandResult(ServiceRecord.objects.get(shift=shift, volunteer=volunteer), message)


def entry_deadline_error(day: dt.date, actor) -> str | None:
    """RULES.md: hours are entered within 10 working days; later only by the committee admin."""
    if timezone.localdate() > rules.volunteer_entry_deadline(day) and not scoping.has_perm(
        actor, scoping.SETTINGS_MANAGE
    ):
        return _(
            "Hours must be entered within %(n)s working days of the activity; ask the committee admin."
        ) % {"n": rules.get_setting("volunteer_entry_working_days")}
    return None


@transaction.atomic
def hours_add(
    *, shift: Shift, volunteer: Volunteer, hours: Decimal, people_served: int, reason: str, actor
) -> ServiceRecord:
    """Hours added by hand, apart from scanned hours: with a reason, never more than the shift."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for adding hours by hand."))
    if hours is None or hours <= 0:
        errors.setdefault("hours", []).append(_("Hours must be more than zero."))
    elif hours > shift.scheduled_hours:
        errors.setdefault("hours", []).append(
            _("Added hours cannot exceed the activity's duration (%(h)s hours).")
            % {"h": shift.scheduled_hours}
        )
    if people_served is not None and people_served < 0:
        errors.setdefault("people_served", []).append(_("People served cannot be negative."))
    if shift.start > timezone.now():
        errors.setdefault("__all__", []).append(_("Hours can be added only once the shift has started."))
    deadline = entry_deadline_error(served_on(shift), actor)
    if deadline:
        errors.setdefault("__all__", []).append(deadline)
    if ServiceRecord.objects.filter(shift=shift, volunteer=volunteer).exists():
        errors.setdefault("__all__", []).append(
            _("%(name)s already has a record for this shift; correct it instead.") % {"name": volunteer.name}
        )
    if errors:
        raise ValidationError(errors)
    record = ServiceRecord(
        shift=shift,
        volunteer=volunteer,
        project_id=shift.project_id,
        served_on=served_on(shift),
        source=ServiceRecord.Source.MANUAL,
        status=ServiceRecord.Status.RECORDED,
        recorded_hours=hours,
        scheduled_hours=shift.scheduled_hours,
        people_served=people_served or 0,
        reason=reason,
        created_by=actor,
    )
    record._history_user = actor
    record._change_reason = reason
    record.save()
    return record


@dataclass(frozen=True)
class VerifyRow:
    record_id: int
    hours: Decimal | None
    people_served: int
    verify: bool = True


@transaction.atomic
def hours_verify_shift(*, shift: Shift, rows: list[VerifyRow], actor) -> list[ServiceRecord]:
    """Verify a whole shift on one screen: every row is checked, then all are saved, or none."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    records = {
        r.pk: r
        for r in ServiceRecord.objects.select_for_update()
        .filter(shift=shift, pk__in=[row.record_id for row in rows])
        .select_related("volunteer")
    }
    errors: list[str] = []
    now = timezone.now()
    changed: list[ServiceRecord] = []
    for row in rows:
        record = records.get(row.record_id)
        if record is None:
            errors.append(_("A row does not belong to this shift."))
            continue
        if record.is_locked or not row.verify:
            continue
        if row.hours is None:
            errors.append(_("%(name)s: give the hours to verify.") % {"name": record.volunteer.name})
            continue
        if (
            row.hours < 0
            or row.hours > shift.scheduled_hours + Decimal(checkout_grace().total_seconds()) / 3600
        ):
            errors.append(
                _("%(name)s: verified hours must be between 0 and the shift's %(h)s hours.")
                % {"name": record.volunteer.name, "h": shift.scheduled_hours}
            )
            continue
        if row.people_served is None or row.people_served < 0:
            errors.append(_("%(name)s: people served cannot be negative.") % {"name": record.volunteer.name})
            continue
        record.verified_hours = row.hours
        record.people_served = row.people_served
        record.status = ServiceRecord.Status.VERIFIED
        record.verified_by = actor
        record.verified_at = now
        changed.append(record)
    if errors:
        raise ValidationError(errors)
    for record in changed:
        record._history_user = actor
        record._change_reason = "verified"
        record.save()
    return changed


@transaction.atomic
def record_correct(
    *, record: ServiceRecord, hours: Decimal, people_served: int, reason: str, actor
) -> ServiceRecord:
    """Correct a record's hours with a reason; the history keeps the old values and the author.

    A verified record is locked: only the committee admin may correct it.
    """
    shift = record.shift
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if record.is_locked and not scoping.has_perm(actor, scoping.SETTINGS_MANAGE):
        raise PermissionDenied(_("Verified hours are locked; only the committee admin can correct them."))
    errors: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for the correction."))
    if (
        hours is None
        or hours < 0
        or hours > shift.scheduled_hours + Decimal(checkout_grace().total_seconds()) / 3600
    ):
        errors.setdefault("hours", []).append(
            _("Hours must be between 0 and the shift's %(h)s hours.") % {"h": shift.scheduled_hours}
        )
    if people_served is None or people_served < 0:
        errors.setdefault("people_served", []).append(_("People served cannot be negative."))
    if errors:
        raise ValidationError(errors)
    if record.is_locked:
        record.verified_hours = hours
    else:
        record.recorded_hours = hours
        if record.status == ServiceRecord.Status.CHECKED_IN:
            record.status = ServiceRecord.Status.RECORDED
    record.people_served = people_served
    record._history_user = actor
    record._change_reason = reason
    record.save()
    return record
