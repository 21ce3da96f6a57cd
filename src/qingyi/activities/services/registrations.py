"""Registration for care, culture and sports events: configure places, register, cancel, and
the waiting list that moves up."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qingyi.activities import selectors
from qingyi.activities.models import Activity, Registration
from qingyi.activities.services.activities import refuse_cancelled
from qingyi.core.notifications import CATEGORY_WAITING_LIST, notify
from qingyi.organizations import scoping
from qingyi.people.models import Person


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
        refuse_cancelled(activity)
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
    refuse_cancelled(activity)
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
