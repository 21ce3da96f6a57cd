"""Writes of league activities: plan, record as held, attendance, check-in, files, registration.

Every function validates, checks the actor's permission through core.scoping and writes
inside one transaction, so bad input writes nothing.
"""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qingyi.accounts.models import RoleAssignment
from qingyi.activities import selectors
from qingyi.activities.models import Activity, ActivityFile, ActivityOrganizer, Attendance, Registration
from qingyi.core import checkin, rules
from qingyi.core.models import Scan
from qingyi.core.notifications import CATEGORY_WAITING_LIST, notify
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization, PartyBranch
from qingyi.people.models import Person

CATEGORY_ACTIVITY_CANCELLED = "activity_cancelled"

ACTIVITY_FIELDS = ("kind", "title", "theme", "speaker", "starts_at", "ends_at", "place")

# Members may check in from this long before the start until this long after the end.
CHECKIN_OPENS_BEFORE = dt.timedelta(hours=1)
CHECKIN_CLOSES_AFTER = dt.timedelta(hours=1)


def _require_organizers(organizers: list[Organization], actor) -> list[Organization]:
    organizers = list(dict.fromkeys(organizers))  # keep order, drop repeats
    if not organizers:
        raise ValidationError({"organizers": _("Choose at least one organising organisation.")})
    for org in organizers:
        scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, org)
        if org.is_archived:
            raise ValidationError({"organizers": _("“%(name)s” is archived.") % {"name": org.name}})
    return organizers


def _validated(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    data = {key: data.get(key) for key in ACTIVITY_FIELDS}
    for key in ("title", "theme", "speaker", "place"):
        data[key] = (data[key] or "").strip()
    if not data["title"]:
        errors.setdefault("title", []).append(_("Give the activity a title."))
    if data["kind"] not in Activity.Kind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of activity."))
    if not data["starts_at"]:
        errors.setdefault("starts_at", []).append(_("Give the start."))
    if not data["ends_at"]:
        errors.setdefault("ends_at", []).append(_("Give the end."))
    if data["starts_at"] and data["ends_at"] and data["ends_at"] < data["starts_at"]:
        errors.setdefault("ends_at", []).append(_("The activity ends before it starts."))
    if errors:
        raise ValidationError(errors)
    return data


def _party_branch(joint: bool, party_branch: PartyBranch | None, lead: Organization) -> PartyBranch | None:
    if not joint:
        return None
    party_branch = party_branch or lead.party_branch
    if party_branch is None:
        raise ValidationError(
            {
                "party_branch": _(
                    "“%(name)s” has no paired party branch: "
                    "choose the party branch this activity is held with."
                )
                % {"name": lead.name}
            }
        )
    return party_branch


def _set_organizers(activity: Activity, organizers: list[Organization]) -> None:
    ActivityOrganizer.objects.filter(activity=activity).exclude(organization__in=organizers).delete()
    existing = set(
        ActivityOrganizer.objects.filter(activity=activity).values_list("organization_id", flat=True)
    )
    ActivityOrganizer.objects.bulk_create(
        [ActivityOrganizer(activity=activity, organization=o) for o in organizers if o.pk not in existing]
    )


@transaction.atomic
def activity_create(
    *,
    data: dict[str, Any],
    organizers: list[Organization],
    joint: bool = False,
    party_branch: PartyBranch | None = None,
    actor,
) -> Activity:
    """Plan an activity; the first organiser leads it (its admins manage it)."""
    organizers = _require_organizers(organizers, actor)
    data = _validated(data)
    lead = organizers[0]
    activity = Activity.objects.create(
        **data, organization=lead, party_branch=_party_branch(joint, party_branch, lead), created_by=actor
    )
    _set_organizers(activity, organizers)
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    data: dict[str, Any],
    organizers: list[Organization],
    joint: bool = False,
    party_branch: PartyBranch | None = None,
    actor,
) -> Activity:
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    _refuse_cancelled(activity)
    organizers = _require_organizers(organizers, actor)
    data = _validated(data)
    if activity.is_held and data["starts_at"] > timezone.now():
        raise ValidationError({"starts_at": _("A held activity cannot start in the future.")})
    if data["kind"] not in Activity.REGISTRATION_KINDS and activity.registrations.exists():
        raise ValidationError(
            {"kind": _("This activity has registrations; its kind must allow registration.")}
        )
    for key, value in data.items():
        setattr(activity, key, value)
    activity.organization = organizers[0]
    activity.party_branch = _party_branch(joint, party_branch, organizers[0])
    activity.save()
    _set_organizers(activity, organizers)
    if activity.is_held:
        _update_quorum(activity)
    return activity


def _refuse_cancelled(activity: Activity) -> None:
    if activity.is_cancelled:
        raise ValidationError(_("This activity was cancelled."))


@transaction.atomic
def activity_cancel(*, activity: Activity, reason: str, actor) -> Activity:
    """Cancel a planned activity, with a reason; it stays in the lists, marked, and counts nowhere.

    Its registration closes; registrants (confirmed or waiting) and the admins of the organising
    organisations are notified. Nothing is deleted: attendance and registrations stay as they were.
    """
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != Activity.Status.PLANNED:
        raise ValidationError(
            _("Only a planned activity can be cancelled; this one is already %(status)s.")
            % {"status": activity.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"cancel_reason": _("Say why the activity is cancelled.")})
    limit = Activity._meta.get_field("cancel_reason").max_length
    assert limit is not None  # a CharField
    if len(reason) > limit:
        raise ValidationError({"cancel_reason": _("Keep the reason under 300 characters.")})
    activity.status = Activity.Status.CANCELLED
    activity.cancel_reason = reason
    activity.cancelled_at = timezone.now()
    activity.cancelled_by = actor
    activity.registration_open = False
    activity.save()
    organizer_ids = list(activity.organizer_links.values_list("organization_id", flat=True))
    admin_ids = RoleAssignment.objects.filter(
        role=scoping.Role.ORG_ADMIN, organization_id__in=organizer_ids
    ).values_list("user_id", flat=True)
    registrant_ids = Registration.objects.filter(
        activity=activity,
        status__in=(Registration.Status.CONFIRMED, Registration.Status.WAITING),
        person__user__isnull=False,
    ).values_list("person__user_id", flat=True)
    organisers = (set(admin_ids) | {activity.created_by_id}) - {actor.pk}
    registrants = set(registrant_ids) - organisers - {actor.pk}
    title = _("Cancelled: %(title)s") % {"title": activity.title}
    body = _("%(when)s. Reason: %(reason)s") % {
        "when": date_format(timezone.localtime(activity.starts_at), "DATETIME_FORMAT"),
        "reason": reason,
    }
    User = get_user_model()
    for users, link in (
        (organisers, reverse("activities:detail", args=[activity.pk])),
        (registrants, reverse("activities:mine")),
    ):
        notify(
            users=User.objects.filter(pk__in=users),
            title=title,
            body=body,
            link=link,
            category=CATEGORY_ACTIVITY_CANCELLED,
            key=f"activity-cancelled:{activity.pk}",
        )
    return activity


def _update_quorum(activity: Activity) -> None:
    """A held general meeting's quorum, from its attendance when attendance was taken."""
    if activity.kind != Activity.Kind.GENERAL_MEETING or not activity.is_held:
        return
    summary = selectors.attendance_summary(activity)
    if summary.recorded:
        activity.quorum_met = rules.quorum_met(summary.present, summary.expected)
        activity.save(update_fields=["quorum_met", "updated_at"])


@transaction.atomic
def activity_record_held(
    *, activity: Activity, summary: str, quorum_met: bool | None = None, actor
) -> Activity:
    """Record a planned activity as held, with its minutes or summary.

    Attendance taken (by check-in or on the list) is completed: every expected attendee
    without a record is marked absent. A general meeting's quorum is computed from the
    attendance when it was taken, otherwise the organiser's answer is kept.
    """
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    _refuse_cancelled(activity)
    if activity.starts_at > timezone.now():
        raise ValidationError(
            _("The activity has not started yet; it can be recorded once it has been held.")
        )
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": _("Write the minutes or a short summary of what was done.")})
    if Attendance.objects.filter(activity=activity).exists():
        recorded = set(Attendance.objects.filter(activity=activity).values_list("person_id", flat=True))
        Attendance.objects.bulk_create(
            [
                Attendance(
                    activity=activity, person_id=pk, status=Attendance.Status.ABSENT, recorded_by=actor
                )
                for pk in selectors.expected_people(activity).values_list("pk", flat=True)
                if pk not in recorded
            ]
        )
    activity.status = Activity.Status.HELD
    activity.summary = summary
    activity.held_recorded_at = timezone.now()
    activity.quorum_met = quorum_met if activity.kind == Activity.Kind.GENERAL_MEETING else None
    activity.save()
    _update_quorum(activity)
    return activity


# --- Attendance -------------------------------------------------------------------------------


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
    _update_quorum(activity)
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
    _update_quorum(activity)
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


# --- Files --------------------------------------------------------------------------------------

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt
_ZIP = b"PK\x03\x04"  # .docx .xlsx .pptx
MAGIC = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
    ".doc": (_OLE,),
    ".xls": (_OLE,),
    ".ppt": (_OLE,),
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".pptx": (_ZIP,),
}


def upload_max_bytes() -> int:
    return int(getattr(settings, "QINGYI_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def file_errors(name: str, size: int, head: bytes) -> list[str]:
    """Why an uploaded file cannot be kept (empty list: it can)."""
    raw = name or ""
    if (
        not raw.strip()
        or "/" in raw
        or "\\" in raw
        or ".." in raw
        or raw.startswith(".")
        or any(ord(ch) < 32 for ch in raw)
        or len(raw) > 200
    ):
        return [_("The file name “%(name)s” is not allowed: use a plain file name.") % {"name": raw[:80]}]
    suffix = PurePosixPath(raw).suffix.lower()
    if suffix not in IMAGE_TYPES and suffix not in DOCUMENT_TYPES:
        return [
            _(
                "“%(name)s” is not an allowed type: "
                "upload photos (JPG, PNG, GIF, WebP), PDF or Office documents."
            )
            % {"name": raw}
        ]
    if size > upload_max_bytes():
        return [
            _("“%(name)s” is too big (%(size).1f MB); the limit is %(limit).0f MB.")
            % {"name": raw, "size": size / 1048576, "limit": upload_max_bytes() / 1048576}
        ]
    if size == 0:
        return [_("“%(name)s” is empty.") % {"name": raw}]
    if not head.startswith(MAGIC[suffix]) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        return [_("“%(name)s” is not really a %(type)s file.") % {"name": raw, "type": suffix[1:].upper()}]
    return []


@transaction.atomic
def file_add(*, activity: Activity, upload, actor) -> ActivityFile:
    """Keep a photo or document of the activity under a generated name in MEDIA_ROOT."""
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    name = getattr(upload, "name", "") or ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    errors = file_errors(name, upload.size, head)
    if errors:
        raise ValidationError(errors)
    suffix = PurePosixPath(name).suffix.lower()
    is_image = suffix in IMAGE_TYPES
    return ActivityFile.objects.create(
        activity=activity,
        file=upload,
        original_name=name,
        kind=ActivityFile.Kind.IMAGE if is_image else ActivityFile.Kind.DOCUMENT,
        content_type=(IMAGE_TYPES if is_image else DOCUMENT_TYPES)[suffix],
        size=upload.size,
        uploaded_by=actor,
    )


@transaction.atomic
def files_add(*, activity: Activity, uploads: list, actor) -> list[ActivityFile]:
    """Keep several files at once: every one is checked first, and none is kept if one is refused."""
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    errors = []
    for upload in uploads:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        errors += file_errors(getattr(upload, "name", "") or "", upload.size, head)
    if errors:
        raise ValidationError(errors)
    return [file_add(activity=activity, upload=upload, actor=actor) for upload in uploads]


@transaction.atomic
def file_delete(*, activity_file: ActivityFile, actor) -> None:
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity_file.activity.organization)
    stored = activity_file.file
    activity_file.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))


# --- Registration (care, culture and sports events) ---------------------------------------------


def _locked(activity: Activity) -> Activity:
    """The activity row locked for the rest of the transaction (PostgreSQL: FOR UPDATE;
    SQLite: the IMMEDIATE transaction already holds the write lock), so places are counted
    by one registration at a time and never overbooked."""
    return Activity.objects.select_for_update().get(pk=activity.pk)


def _promote(activity: Activity) -> list[Registration]:
    """Move people from the waiting list into free places, first come first served."""
    if activity.capacity is None:
        waiting = list(
            Registration.objects.filter(activity=activity, status=Registration.Status.WAITING).select_related(
                "person__user"
            )
        )
    else:
        taken = Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED).count()
        free = max(0, activity.capacity - taken)
        waiting = list(
            Registration.objects.filter(activity=activity, status=Registration.Status.WAITING)
            .select_related("person__user")
            .order_by("queued_at", "pk")[:free]
        )
    now = timezone.now()
    for registration in waiting:
        registration.status = Registration.Status.CONFIRMED
        registration.updated_at = now  # bulk_update does not apply auto_now
    Registration.objects.bulk_update(waiting, ["status", "updated_at"])
    _notify_promoted(activity, waiting)
    return waiting


def _notify_promoted(activity: Activity, promoted: list[Registration]) -> None:
    """Tell each person moved from the waiting list that they have a place (once per registration)."""
    link = reverse("activities:mine")
    when = date_format(timezone.localtime(activity.starts_at), "DATETIME_FORMAT")
    for registration in promoted:
        user = registration.person.user
        if user is None:
            continue
        notify(
            users=[user],
            title=_("You have a place: %(title)s") % {"title": activity.title},
            body=_("A place freed up and you came off the waiting list. %(when)s, %(place)s.")
            % {"when": when, "place": activity.place or "—"},
            link=link,
            category=CATEGORY_WAITING_LIST,
            key=f"registration-promoted:{registration.pk}:{registration.queued_at.timestamp():.0f}",
        )


@transaction.atomic
def registration_configure(
    *, activity: Activity, open: bool, capacity: int | None, deadline: dt.datetime | None, actor
) -> Activity:
    """Open or close the registration of a care or culture event; more places promote the waiting."""
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    activity = _locked(activity)
    if open:
        _refuse_cancelled(activity)
    if open and not activity.allows_registration:
        raise ValidationError(_("Only care events and culture and sports events take registrations."))
    if capacity is not None and capacity < 1:
        raise ValidationError({"capacity": _("Give at least one place, or leave it empty for no limit.")})
    if open and deadline is not None and deadline > activity.starts_at:
        raise ValidationError(
            {"registration_deadline": _("The registration deadline must come before the start.")}
        )
    activity.registration_open = open
    activity.capacity = capacity
    activity.registration_deadline = deadline
    activity.save(update_fields=["registration_open", "capacity", "registration_deadline", "updated_at"])
    _promote(activity)
    return activity


@transaction.atomic
def registration_create(
    *, activity: Activity, person: Person, actor, now: dt.datetime | None = None
) -> Registration:
    """Register a person: a place while there is one, otherwise the waiting list."""
    now = now or timezone.now()
    activity = _locked(activity)
    own = getattr(actor, "pk", None) is not None and person.user_id == actor.pk
    if not own:
        scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    _refuse_cancelled(activity)
    if not activity.registration_open:
        raise ValidationError(_("Registration for this activity is not open."))
    if activity.registration_deadline is not None and now > activity.registration_deadline:
        raise ValidationError(_("The registration deadline has passed."))
    if now > activity.starts_at:
        raise ValidationError(_("The activity has already started."))
    if not selectors.is_expected(activity, person):
        raise ValidationError(
            _("%(name)s is not a member of the organising organisations.") % {"name": person.name}
        )
    registration = Registration.objects.filter(activity=activity, person=person).first()
    if registration is not None and registration.status != Registration.Status.CANCELLED:
        raise ValidationError(_("%(name)s is already registered.") % {"name": person.name})
    confirmed = Registration.objects.filter(activity=activity, status=Registration.Status.CONFIRMED).count()
    full = activity.capacity is not None and confirmed >= activity.capacity
    status = Registration.Status.WAITING if full else Registration.Status.CONFIRMED
    if registration is None:
        registration = Registration.objects.create(
            activity=activity, person=person, status=status, queued_at=now
        )
    else:
        registration.status, registration.queued_at = status, now
        registration.save(update_fields=["status", "queued_at", "updated_at"])
    return registration


@transaction.atomic
def registration_cancel(*, registration: Registration, actor) -> list[Registration]:
    """Cancel a registration (the person or an organiser); a freed place goes to the waiting list.

    Returns the registrations promoted from the waiting list.
    """
    activity = _locked(registration.activity)
    registration = Registration.objects.select_related("person__organization").get(pk=registration.pk)
    if registration.person.user_id != getattr(actor, "pk", None):
        scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
        # An organiser acts only on the registrants of their own subtree (a shared activity).
        scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, registration.person.organization)
    if registration.status == Registration.Status.CANCELLED:
        return []
    registration.status = Registration.Status.CANCELLED
    registration.save(update_fields=["status", "updated_at"])
    return _promote(activity)


def waiting_position(registration: Registration) -> int | None:
    if registration.status != Registration.Status.WAITING:
        return None
    return (
        Registration.objects.filter(activity_id=registration.activity_id, status=Registration.Status.WAITING)
        .filter(
            Q(queued_at__lt=registration.queued_at)
            | Q(queued_at=registration.queued_at, pk__lt=registration.pk)
        )
        .count()
        + 1
    )
