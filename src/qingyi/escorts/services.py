"""Writes to escort requests: the public request, assignment, each transition, rating, erasure.

The life of a request, and the only moves allowed (``TRANSITIONS``)::

    new ──assign──▶ assigned ──start──▶ under way ──complete──▶ done ──(rate once)
     │                │  ▲ reassign          │
     └──cancel────────┴──┴───────────────────┴──▶ cancelled (with a reason)

Every move checks the current status under a row lock, so two people acting at once
cannot skip or repeat a step.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.core import notifications, rules
from qingyi.core.ratelimit import RateLimited, take
from qingyi.core.text import clean_name, fold_phone, phone_error
from qingyi.escorts.models import EscortRequest, token_digest
from qingyi.organizations import scoping
from qingyi.organizations.models import Department, Organization
from qingyi.volunteering.models import Volunteer

Status = EscortRequest.Status

TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.ASSIGNED, Status.CANCELLED},
    Status.ASSIGNED: {Status.ASSIGNED, Status.UNDER_WAY, Status.CANCELLED},
    Status.UNDER_WAY: {Status.DONE, Status.CANCELLED},
    Status.DONE: set(),
    Status.CANCELLED: set(),
}

# Floods of the public form: at most this many requests per (window) from one address. There is
# no refusal per phone number on purpose: "this number already has open requests" told anyone
# whether a number belonged to a patient. Several requests for one phone are shown together on
# the dispatch board (``selectors.dispatch_board``: open_for_phone) for the dispatcher to merge.
RATE_PER_IP = (5, 3600)
# How far ahead a request may be made, and how late (a few minutes: the form took time).
MAX_AHEAD = dt.timedelta(days=60)
PAST_GRACE = dt.timedelta(minutes=10)

NAME_MAX = 50
NEEDS_MAX = 500


normalise_phone = fold_phone  # the one phone rule lives in core.text


def committee() -> Organization:
    """The organisation a public request belongs to: the root of the tree (the committee)."""
    root = Organization.objects.filter(depth=1, archived_at__isnull=True).order_by("path").first()
    if root is None:
        raise ValidationError(_("Escort requests cannot be taken yet: the hospital has no committee set up."))
    return root


# --- The public request --------------------------------------------------------------------


@dataclass
class RequestData:
    patient_name: str
    phone: str
    wanted_at: dt.datetime
    department: Department | None
    needs: str


def escort_request_errors(data: RequestData, *, now: dt.datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    name = clean_name(data.patient_name)
    if not name:
        errors["patient_name"] = [_("Please give the patient's name.")]
    elif len(name) > NAME_MAX:
        errors["patient_name"] = [_("A name has at most %(n)d characters.") % {"n": NAME_MAX}]
    if message := phone_error(data.phone):
        errors["phone"] = [message]
    if data.wanted_at is None:
        errors["wanted_at"] = [_("Please give the time you want the escort.")]
    elif data.wanted_at < now - PAST_GRACE:
        errors["wanted_at"] = [_("This time has already passed; please choose a time from now on.")]
    elif data.wanted_at > now + MAX_AHEAD:
        errors["wanted_at"] = [
            _("Requests can be made at most %(days)d days ahead.") % {"days": MAX_AHEAD.days}
        ]
    if data.department is not None and data.department.archived_at is not None:
        errors["department"] = [_("This department no longer takes requests.")]
    if len(data.needs or "") > NEEDS_MAX:
        errors["needs"] = [_("Please describe the needs in at most %(n)d characters.") % {"n": NEEDS_MAX}]
    return errors


def escort_request_create(
    *, data: RequestData, ip: str, organization: Organization | None = None, now: dt.datetime | None = None
) -> tuple[EscortRequest, str]:
    """File a public request; returns it and the raw token of the patient's link (shown once).

    Refused with a clear message — and nothing written — for bad input, or a flood from one
    address (counted before anything is looked up). The answer never depends on other
    requests for the same phone number: see ``RATE_PER_IP``.
    """
    now = now or timezone.now()
    errors = escort_request_errors(data, now=now)  # the input alone: nothing looked up
    if errors:
        raise ValidationError(errors)
    if not take(f"qingyi:escort:ip:{ip}", *RATE_PER_IP):
        raise RateLimited(
            _(
                "Too many requests from this network. Please try again in an hour, or call the volunteer service desk."  # noqa: E501
            )
        )
    phone = normalise_phone(data.phone)
    raw = secrets.token_urlsafe(24)
    with transaction.atomic():
        escort = EscortRequest.objects.create(
            organization=organization or committee(),
            patient_name=clean_name(data.patient_name),
            phone=phone,
            wanted_at=data.wanted_at,
            department=data.department,
            needs=(data.needs or "").strip(),
            token_digest=token_digest(raw),
        )
    return escort, raw


def escort_by_token(raw: str) -> EscortRequest | None:
    if not raw or len(raw) > 64:
        return None
    by_link = EscortRequest.objects.unscoped("the patient's link: its token is the permission")
    return by_link.select_related("department").filter(token_digest=token_digest(raw)).first()


# --- Dispatch and transitions -------------------------------------------------------------------


def _locked(escort: EscortRequest) -> EscortRequest:
    return (
        EscortRequest.objects.select_for_update(of=("self",))
        .select_related("volunteer", "organization")
        .get(pk=escort.pk)
    )


def _check_move(current: EscortRequest, to: str) -> None:
    if to not in TRANSITIONS[current.status]:
        messages: dict[str, str] = {
            Status.ASSIGNED: _("Only a new or assigned request can be assigned; this one is %(status)s."),
            Status.UNDER_WAY: _("Only an assigned request can be started; this one is %(status)s."),
            Status.DONE: _("Only a request under way can be completed; this one is %(status)s."),
            Status.CANCELLED: _("This request is %(status)s and can no longer be cancelled."),
        }
        raise ValidationError(
            messages[to] % {"status": current.get_status_display().lower()}, code="transition"
        )


def can_dispatch(user, escort: EscortRequest) -> bool:
    return scoping.has_perm(user, scoping.VOLUNTEERING_MANAGE, escort.organization)


def is_assigned_volunteer(user, escort: EscortRequest) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and escort.volunteer is not None
        and escort.volunteer.user_id == user.pk
    )


def volunteer_assignable_errors(volunteer: Volunteer, *, actor) -> list[str]:
    if not scoping.has_perm(actor, scoping.VOLUNTEERING_MANAGE, volunteer.organization):
        return [_("%(name)s is outside the organisations you coordinate.") % {"name": volunteer.name}]
    if volunteer.status != Volunteer.Status.ACTIVE:
        return [_("%(name)s is not an active volunteer.") % {"name": volunteer.name}]
    if volunteer.user_id is None:
        return [
            _("%(name)s has no login, so could not see the request on their phone.")
            % {"name": volunteer.name}
        ]
    return []


@transaction.atomic
def escort_assign(*, escort: EscortRequest, volunteer: Volunteer, actor) -> EscortRequest:
    """Assign (or reassign) a volunteer; they are notified."""
    current = _locked(escort)
    if not can_dispatch(actor, current):
        raise PermissionDenied
    _check_move(current, Status.ASSIGNED)
    errors = volunteer_assignable_errors(volunteer, actor=actor)
    if errors:
        raise ValidationError({"volunteer": errors})
    if current.volunteer_id == volunteer.pk:
        raise ValidationError({"volunteer": [_("%(name)s is already assigned.") % {"name": volunteer.name}]})
    previous = current.volunteer
    now = timezone.now()
    current.status = Status.ASSIGNED
    current.volunteer = volunteer
    current.assigned_by = actor
    current.assigned_at = current.assigned_at or now
    current.save(update_fields=["status", "volunteer", "assigned_by", "assigned_at", "updated_at"])
    link = reverse("escorts:detail", args=[current.pk])
    when = timezone.localtime(current.wanted_at).strftime("%Y-%m-%d %H:%M")
    department = str(current.department) if current.department_id else "—"
    notifications.notify(
        users=[volunteer.user],
        title=_("Escort assigned to you: %(when)s") % {"when": when},
        body=_("Department: %(department)s. Open the request for the patient's details.")
        % {"department": department},
        link=link,
        category=notifications.CATEGORY_ASSIGNMENT,
    )
    if previous is not None and previous.user_id:
        notifications.notify(
            users=[previous.user],
            title=_("Escort at %(when)s handed to another volunteer") % {"when": when},
            link=reverse("escorts:mine"),
            category=notifications.CATEGORY_ESCORT,
        )
    return current


def _actor_may_run(actor, current: EscortRequest) -> None:
    if not (is_assigned_volunteer(actor, current) or can_dispatch(actor, current)):
        raise PermissionDenied


@transaction.atomic
def escort_start(*, escort: EscortRequest, actor) -> EscortRequest:
    """The volunteer has met the patient: assigned → under way."""
    current = _locked(escort)
    _actor_may_run(actor, current)
    _check_move(current, Status.UNDER_WAY)
    current.status = Status.UNDER_WAY
    current.started_at = timezone.now()
    current.save(update_fields=["status", "started_at", "updated_at"])
    return current


@transaction.atomic
def escort_complete(*, escort: EscortRequest, note: str, actor) -> EscortRequest:
    """Under way → done, with a note on how it went."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": [_("Please write a short note on how the escort went.")]})
    current = _locked(escort)
    _actor_may_run(actor, current)
    _check_move(current, Status.DONE)
    current.status = Status.DONE
    current.done_at = timezone.now()
    current.outcome_note = note[:2000]
    current.save(update_fields=["status", "done_at", "outcome_note", "updated_at"])
    return current


@transaction.atomic
def escort_cancel(
    *, escort: EscortRequest, reason: str, actor=None, by_patient: bool = False
) -> EscortRequest:
    """Cancel with a reason: by a coordinator at any open step, or by the patient through their
    link before the escort is under way. The assigned volunteer is told."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Please give a reason for cancelling.")]})
    current = _locked(escort)
    if by_patient:
        if current.status == Status.UNDER_WAY:
            raise ValidationError(_("The escort is already under way; please tell the volunteer with you."))
    elif not can_dispatch(actor, current):
        raise PermissionDenied
    _check_move(current, Status.CANCELLED)
    current.status = Status.CANCELLED
    current.cancelled_at = timezone.now()
    current.cancelled_by = None if by_patient else actor
    current.cancel_reason = reason[:255]
    current.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancel_reason", "updated_at"])
    volunteer = current.volunteer
    if volunteer is not None and volunteer.user_id:
        when = timezone.localtime(current.wanted_at).strftime("%Y-%m-%d %H:%M")
        notifications.notify(
            users=[volunteer.user],
            title=_("Escort at %(when)s cancelled") % {"when": when},
            body=reason,
            link=reverse("escorts:detail", args=[current.pk]),
            category=notifications.CATEGORY_ESCORT,
        )
    return current


@transaction.atomic
def escort_rate(*, escort: EscortRequest, rating: int, comment: str = "") -> EscortRequest:
    """The patient rates a done escort, once (1–5)."""
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": [_("Choose from 1 to 5 stars.")]})
    current = _locked(escort)
    if current.status != Status.DONE:
        raise ValidationError(_("An escort can be rated once it is done."))
    if current.rating is not None:
        raise ValidationError(_("This escort has already been rated. Thank you!"))
    current.rating = rating
    current.rating_comment = (comment or "").strip()[:255] if not current.is_erased else ""
    current.rated_at = timezone.now()
    current.save(update_fields=["rating", "rating_comment", "rated_at", "updated_at"])
    return current


# --- Erasure ---------------------------------------------------------------------------------


def retention_days() -> int:
    return max(1, int(rules.get_setting("escort_retention_days")))


def erasable(*, now: dt.datetime | None = None):
    """Requests whose patient details are due for erasure (see core.rules, 陪诊)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=retention_days())
    return EscortRequest.objects.filter(erased_at__isnull=True).filter(
        Q(status=Status.DONE, done_at__lt=cutoff)
        | Q(status=Status.CANCELLED, cancelled_at__lt=cutoff)
        | Q(status__in=EscortRequest.OPEN, created_at__lt=cutoff)
    )


def escorts_erase_patient_data(*, now: dt.datetime | None = None) -> int:
    """Blank the patient's details of every request past the retention period; idempotent.

    One UPDATE: the rows keep status, times, department, volunteer and rating.
    """
    now = now or timezone.now()
    return erasable(now=now).update(
        patient_name="",
        phone="",
        needs="",
        outcome_note="",
        cancel_reason="",
        rating_comment="",
        erased_at=now,
        updated_at=now,
    )
