"""Attendance of league activities: the organiser's register and a member's check-in by the
activity's code (``core.checkin``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qingyi.activities import selectors
from qingyi.activities.models import Activity, Attendance
from qingyi.activities.services.activities import update_quorum
from qingyi.core import checkin
from qingyi.core.models import Scan
from qingyi.organizations import scoping
from qingyi.people.models import Person

# Members may check in from this long before the start until this long after the end.
CHECKIN_OPENS_BEFORE = dt.timedelta(hours=1)
CHECKIN_CLOSES_AFTER = dt.timedelta(hours=1)


@transaction.atomic
def attendance_save(*, activity: Activity, statuses: dict[int, str], actor) -> int:
    """Save the attendance list in one go: {person id: present | excused | absent}.

    Every person must be an expected attendee (an active member of the organisers'
    subtrees) whom the actor manages; otherwise nothing is written. Returns the rows changed.
    """
    if not any(
        scoping.has_perm(actor, scoping.ACTIVITIES_MANAGE, org) for org in selectors.organizers_of(activity)
    ):
        raise PermissionDenied
    bad_status = [pk for pk, status in statuses.items() if status not in Attendance.Status.values]
    if bad_status:
        raise ValidationError(_("An attendance must be present, excused or absent."))
    allowed = set(
        selectors.expected_people(activity)
        .filter(selectors.people_visible_q(actor, scoping.ACTIVITIES_MANAGE))
        .filter(pk__in=list(statuses))
        .values_list("pk", flat=True)
    )
    existing = {
        a.person_id: a for a in Attendance.objects.filter(activity=activity, person_id__in=list(statuses))
    }
    outsiders = [pk for pk in statuses if pk not in allowed and pk not in existing]
    if outsiders:
        # Names only of people the actor may see: an id is not an oracle for anyone else's name.
        visible = scoping.scope(
            Person.objects.filter(pk__in=outsiders),
            actor,
            scoping.PEOPLE_VIEW,
            path_field="organization__path",
        )
        names = list(visible.values_list("name", flat=True)[:5]) or [str(pk) for pk in outsiders[:5]]
        raise ValidationError(
            _("Not among the expected attendees of this activity: %(names)s. Nothing was saved.")
            % {"names": ", ".join(names)}
        )
    to_create, to_update = [], []
    now = timezone.now()
    for pk, status in statuses.items():
        row = existing.get(pk)
        if row is None:
            to_create.append(Attendance(activity=activity, person_id=pk, status=status, recorded_by=actor))
        elif row.status != status:
            row.status, row.recorded_by, row.source = status, actor, Attendance.Source.LIST
            row.updated_at = now  # bulk_update does not apply auto_now
            if status != Attendance.Status.PRESENT:
                row.checked_in_at = None
            to_update.append(row)
    Attendance.objects.bulk_create(to_create)
    Attendance.objects.bulk_update(
        to_update, ["status", "recorded_by", "source", "checked_in_at", "updated_at"]
    )
    update_quorum(activity)
    return len(to_create) + len(to_update)


def checkin_window(activity: Activity) -> tuple[dt.datetime, dt.datetime]:
    return activity.starts_at - CHECKIN_OPENS_BEFORE, activity.ends_at + CHECKIN_CLOSES_AFTER


def attendance_check_in(*, activity: Activity, person: Person, at: dt.datetime) -> tuple[str, str]:
    """Record a person as present at ``at``; a second check-in changes and duplicates nothing.

    The handler of the shared check-in mechanism (core.checkin); raises ``ScanRefused``.
    """
    if activity.is_cancelled:
        raise checkin.ScanRefused(_("This activity was cancelled."))
    opens, closes = checkin_window(activity)
    if not opens <= at <= closes:
        raise checkin.ScanRefused(
            _("Check-in for this activity is open from %(opens)s to %(closes)s.")
            % {
                "opens": date_format(timezone.localtime(opens), "DATETIME_FORMAT"),
                "closes": date_format(timezone.localtime(closes), "DATETIME_FORMAT"),
            }
        )
    if not selectors.is_expected(activity, person):
        raise checkin.ScanRefused(_("You are not among the expected attendees of this activity."))
    row = Attendance.objects.select_for_update().filter(activity=activity, person=person).first()
    if row is not None and row.status == Attendance.Status.PRESENT:
        when = date_format(timezone.localtime(row.checked_in_at), "TIME_FORMAT") if row.checked_in_at else ""
        return Scan.Result.CHECKED_IN, _("You had already checked in %(when)s.") % {"when": when}
    if row is None:
        try:
            with transaction.atomic():
                Attendance.objects.create(
                    activity=activity,
                    person=person,
                    status=Attendance.Status.PRESENT,
                    source=Attendance.Source.QR,
                    checked_in_at=at,
                )
        except IntegrityError:
            return Scan.Result.CHECKED_IN, _("You had already checked in.")
    else:
        row.status, row.source, row.checked_in_at = Attendance.Status.PRESENT, Attendance.Source.QR, at
        row.save(update_fields=["status", "source", "checked_in_at", "updated_at"])
    update_quorum(activity)
    return Scan.Result.CHECKED_IN, _("Checked in to “%(title)s”. Welcome!") % {"title": activity.title}


def activity_scan(
    *, activity: Activity, person: Person, user, code: str, client_id: str, scanned_at: dt.datetime | None
) -> checkin.ScanOutcome:
    """A member's scan of the activity's QR code, through the one check-in mechanism."""
    return checkin.scan_accept(
        subject=activity.checkin_subject,
        code=code,
        user=user,
        client_id=client_id,
        scanned_at=scanned_at,
        handler=lambda at: attendance_check_in(activity=activity, person=person, at=at),
    )
