"""Sign-ups: eligibility, the waiting list and its promotions, decisions, no-shows, reminders.

No overbooking: a sign-up locks its shift's row first — ``select_for_update`` on
PostgreSQL; on SQLite every transaction begins IMMEDIATE (settings), so writers queue on
the busy timeout instead of failing — and counts the places taken inside the lock.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import notifications, rules
from qingyi.core.models import Notification
from qingyi.organizations import scoping
from qingyi.volunteering import selectors
from qingyi.volunteering.models import JoinMode, Shift, Signup, Volunteer, VolunteerQualification
from qingyi.volunteering.services.common import CATEGORY_DECISION, MANAGE, _tell

# --- Sign-ups ----------------------------------------------------------------------------


def _when(shift: Shift) -> str:
    return timezone.localtime(shift.start).strftime("%Y-%m-%d %H:%M")


def eligibility_errors(*, shift: Shift, volunteer: Volunteer, check_overlap: bool = True) -> list[str]:
    """Why the volunteer may not take a place on the shift (empty: they may)."""
    errors: list[str] = []
    if volunteer.status != Volunteer.Status.ACTIVE:
        errors.append(_("Your volunteer registration is not active."))
    day = timezone.localtime(shift.start).date()
    required = list(shift.required_qualifications.all())
    if required:
        held = set(
            VolunteerQualification.objects.filter(
                volunteer=volunteer, qualification__in=required, obtained_on__lte=day
            )
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
            .values_list("qualification_id", flat=True)
        )
        missing = [q.name for q in required if q.pk not in held]
        if missing:
            errors.append(
                _("This shift requires a valid qualification: %(names)s.") % {"names": ", ".join(missing)}
            )
    if shift.insurance_required and not (
        volunteer.insured_on(day) and volunteer.insured_on(timezone.localtime(shift.end).date())
    ):
        errors.append(_("This shift requires accident insurance covering its date."))
    limit = int(rules.get_setting("volunteer_no_show_limit"))
    if limit and selectors.no_shows_of(volunteer) >= limit:
        errors.append(
            _("After %(n)s no-shows, a coordinator must clear you before you sign up again.") % {"n": limit}
        )
    overlapping = check_overlap and (
        Signup.objects.filter(
            volunteer=volunteer,
            status__in=Signup.ACTIVE,
            shift__start__lt=shift.end,
            shift__end__gt=shift.start,
            shift__cancelled_at__isnull=True,
        )
        .exclude(shift=shift)
        .select_related("shift__project")
        .first()
    )
    if overlapping:
        errors.append(
            _("You are already signed up for %(project)s at %(when)s, which overlaps this shift.")
            % {"project": overlapping.shift.project.name, "when": _when(overlapping.shift)}
        )
    return errors


def _locked_shift(shift: Shift) -> Shift:
    """The shift's row, locked until the end of the transaction (PostgreSQL); on SQLite the
    IMMEDIATE transaction already holds the write lock."""
    return (
        Shift.objects.select_for_update(of=("self",))
        .select_related("project", "project__organization")
        .get(pk=shift.pk)
    )


def _taken(shift: Shift) -> int:
    return Signup.objects.filter(shift=shift, status__in=Signup.HOLDING).count()


def _place_status(shift: Shift) -> str:
    return Signup.Status.REQUESTED if shift.join_mode == JoinMode.REQUEST else Signup.Status.CONFIRMED


def signup_create(*, shift: Shift, volunteer: Volunteer, actor) -> Signup:
    """Sign a volunteer up: a place if one is free, else the waiting list.

    Instant shifts confirm at once; request shifts hold the place until a coordinator
    approves; assignment shifts take only the coordinator's assignments (``signup_assign``).
    """
    is_self = volunteer.user_id is not None and volunteer.user_id == actor.pk
    if not is_self:
        raise PermissionDenied
    with transaction.atomic():
        shift = _locked_shift(shift)
        if not shifts_visible(volunteer, shift):
            raise PermissionDenied
        if shift.cancelled_at is not None:
            raise ValidationError(_("This shift has been cancelled."))
        if shift.start <= timezone.now():
            raise ValidationError(_("This shift has already started."))
        if shift.join_mode == JoinMode.ASSIGNMENT:
            raise ValidationError(_("People are assigned to this shift by the coordinator."))
        existing = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
        if existing is not None and existing.status in Signup.ACTIVE:
            return existing
        if existing is not None and existing.status == Signup.Status.REFUSED:
            raise ValidationError(_("The coordinator has refused your request for this shift."))
        errors = eligibility_errors(shift=shift, volunteer=volunteer)
        if errors:
            raise ValidationError(errors)
        now = timezone.now()
        if _taken(shift) < shift.capacity:
            status, queued_at = _place_status(shift), None
        else:
            status, queued_at = Signup.Status.WAITING, now
        if existing is not None:
            existing.status, existing.queued_at, existing.walk_in, existing.decided_by = (
                status,
                queued_at,
                False,
                None,
            )
            existing.save(update_fields=["status", "queued_at", "walk_in", "decided_by", "updated_at"])
            return existing
        return Signup.objects.create(shift=shift, volunteer=volunteer, status=status, queued_at=queued_at)


def shifts_visible(volunteer: Volunteer, shift: Shift) -> bool:
    return Shift.objects.filter(selectors.visible_projects_q(volunteer, "project__"), pk=shift.pk).exists()


@transaction.atomic
def signup_assign(*, shift: Shift, volunteer: Volunteer, actor) -> Signup:
    """A coordinator gives a volunteer a place (any join mode); refused when the shift is full."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    shift = _locked_shift(shift)
    if not scoping.has_perm(actor, MANAGE, volunteer.organization) and not shifts_visible(volunteer, shift):
        raise PermissionDenied
    if shift.cancelled_at is not None:
        raise ValidationError(_("This shift has been cancelled."))
    existing = Signup.objects.filter(shift=shift, volunteer=volunteer).first()
    if existing is not None and existing.status == Signup.Status.CONFIRMED:
        return existing
    errors = eligibility_errors(shift=shift, volunteer=volunteer)
    if errors:
        raise ValidationError(errors)
    holds = existing is not None and existing.status == Signup.Status.REQUESTED
    if not holds and _taken(shift) >= shift.capacity:
        raise ValidationError(_("The shift is full."))
    signup = existing or Signup(shift=shift, volunteer=volunteer)
    signup.status, signup.queued_at, signup.decided_by = Signup.Status.CONFIRMED, None, actor
    signup.save()
    _tell(
        volunteer.user,
        _("You have been assigned to %(project)s at %(when)s.")
        % {"project": shift.project.name, "when": _when(shift)},
        shift=shift,
        category=notifications.CATEGORY_ASSIGNMENT,
    )
    return signup


def _promote_waiting(shift: Shift, *, actor=None) -> list[Signup]:
    """Give free places to the first on the waiting list, in the order they joined it."""
    free = shift.capacity - _taken(shift)
    promoted: list[Signup] = []
    if free <= 0 or shift.cancelled_at is not None:
        return promoted
    waiting = (
        Signup.objects.filter(shift=shift, status=Signup.Status.WAITING)
        .select_related("volunteer__user")
        .order_by("queued_at", "pk")[:free]
    )
    for signup in waiting:
        signup.status = _place_status(shift)
        signup.queued_at = None
        signup.save(update_fields=["status", "queued_at", "updated_at"])
        promoted.append(signup)
        _tell(
            signup.volunteer.user,
            _("A place has freed up: you now have a place on %(project)s at %(when)s.")
            % {"project": shift.project.name, "when": _when(shift)},
            shift=shift,
            category=notifications.CATEGORY_WAITING_LIST,
        )
    return promoted


def cancel_cutoff(shift: Shift) -> dt.datetime:
    return Signup.cancel_cutoff(shift)


def signup_cancel(*, signup: Signup, actor) -> Signup:
    """The volunteer cancels before the cut-off (a coordinator at any time); the first waiting
    volunteer gets the freed place."""
    with transaction.atomic():
        shift = _locked_shift(signup.shift)
        signup = Signup.objects.select_related("volunteer").get(pk=signup.pk)
        manager = scoping.has_perm(actor, MANAGE, shift.project.organization)
        if not manager and signup.volunteer.user_id != actor.pk:
            raise PermissionDenied
        signup.shift = shift
        refusal = signup.cancel_refusal(manager=manager, now=timezone.now())
        if refusal is not None:
            raise ValidationError(refusal)
        held = signup.status in Signup.HOLDING
        signup.status = Signup.Status.CANCELLED
        signup.queued_at = None
        signup.save(update_fields=["status", "queued_at", "updated_at"])
        if held:
            _promote_waiting(shift, actor=actor)
        return signup


@transaction.atomic
def signup_approve(*, signup: Signup, actor) -> Signup:
    shift = _locked_shift(signup.shift)
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    signup = Signup.objects.select_related("volunteer__user").get(pk=signup.pk)
    if signup.status != Signup.Status.REQUESTED:
        raise ValidationError(_("Only a request awaiting approval can be approved."))
    signup.status, signup.decided_by = Signup.Status.CONFIRMED, actor
    signup.save(update_fields=["status", "decided_by", "updated_at"])
    _tell(
        signup.volunteer.user,
        _("Your place on %(project)s at %(when)s is confirmed.")
        % {"project": shift.project.name, "when": _when(shift)},
        shift=shift,
        category=CATEGORY_DECISION,
    )
    return signup


@transaction.atomic
def signup_refuse(*, signup: Signup, actor) -> Signup:
    shift = _locked_shift(signup.shift)
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    signup = Signup.objects.select_related("volunteer__user").get(pk=signup.pk)
    if signup.status not in (Signup.Status.REQUESTED, Signup.Status.WAITING):
        raise ValidationError(_("Only a request or a place on the waiting list can be refused."))
    held = signup.status in Signup.HOLDING
    signup.status, signup.decided_by, signup.queued_at = Signup.Status.REFUSED, actor, None
    signup.save(update_fields=["status", "decided_by", "queued_at", "updated_at"])
    _tell(
        signup.volunteer.user,
        _("Your request for %(project)s at %(when)s was not accepted.")
        % {"project": shift.project.name, "when": _when(shift)},
        shift=shift,
        category=CATEGORY_DECISION,
    )
    if held:
        _promote_waiting(shift, actor=actor)
    return signup


@transaction.atomic
def signups_mark_no_shows(*, shift: Shift, actor) -> int:
    """After the shift: confirmed volunteers without a service record are counted as no-shows."""
    scoping.require_perm(actor, MANAGE, shift.project.organization)
    if shift.end > timezone.now():
        raise ValidationError(_("No-shows are counted after the shift has ended."))
    return (
        Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED)
        .exclude(volunteer__records__shift=shift)
        .update(status=Signup.Status.NO_SHOW, updated_at=timezone.now())
    )


# --- Reminders -----------------------------------------------------------------------------


def reminder_key(signup: Signup) -> str:
    return f"shift-reminder:{signup.pk}"


def shift_reminders_send(*, now: dt.datetime | None = None, hours: int | None = None) -> int:
    """Remind confirmed volunteers of their shifts starting within the next ``hours`` (the
    setting ``volunteer_reminder_hours`` by default) — once per sign-up, however often it runs
    (the notification's key). Returns how many reminders were stored now."""
    now = now or timezone.now()
    hours = int(rules.get_setting("volunteer_reminder_hours")) if hours is None else int(hours)
    if hours <= 0:
        return 0
    signups = list(
        Signup.objects.filter(
            status=Signup.Status.CONFIRMED,
            shift__cancelled_at__isnull=True,
            shift__start__gt=now,
            shift__start__lte=now + dt.timedelta(hours=hours),
            volunteer__user__isnull=False,
        ).select_related("shift__project", "volunteer__user")
    )
    already = set(
        Notification.objects.filter(key__in=[reminder_key(s) for s in signups]).values_list("key", flat=True)
    )
    sent = 0
    for signup in signups:
        if reminder_key(signup) in already:
            continue
        shift = signup.shift
        title = _("Reminder: %(project)s starts at %(when)s") % {
            "project": shift.project.name,
            "when": _when(shift),
        }
        body = shift.place or ""
        stored = notifications.notify(
            users=[signup.volunteer.user],
            title=title,
            body=body,
            link=reverse("volunteering:shift_detail", args=[shift.pk]),
            category=notifications.CATEGORY_REMINDER,
            key=reminder_key(signup),
        )
        sent += len(stored)
    return sent
