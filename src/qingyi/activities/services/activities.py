"""Writes of league activities: plan, edit, cancel and record as held.

Every function validates, checks the actor's permission through core.scoping and writes
inside one transaction, so bad input writes nothing. Attendance and check-in, files and
registration are the package's other modules.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qingyi.accounts.models import RoleAssignment
from qingyi.activities import selectors
from qingyi.activities.models import Activity, ActivityOrganizer, Attendance, Registration
from qingyi.core import rules
from qingyi.core.notifications import notify
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization, PartyBranch

CATEGORY_ACTIVITY_CANCELLED = "activity_cancelled"

ACTIVITY_FIELDS = ("kind", "title", "theme", "speaker", "starts_at", "ends_at", "place")


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
    refuse_cancelled(activity)
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
        update_quorum(activity)
    return activity


def refuse_cancelled(activity: Activity) -> None:
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


def update_quorum(activity: Activity) -> None:
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
    refuse_cancelled(activity)
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
    update_quorum(activity)
    return activity
