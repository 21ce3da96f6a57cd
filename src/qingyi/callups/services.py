"""Writes of call-ups: open, add a post, send, answer, fill, close.

Posts, shifts and places are volunteering's: a call-up's posts are created with
``post_create`` and ``shift_create`` (assignment by the coordinator), and filling calls
``signup_assign``, so capacity, overlap and qualification rules are volunteering's own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.callups import selectors
from qingyi.callups.models import CallUp, Response
from qingyi.core.notifications import CATEGORY_ASSIGNMENT, CATEGORY_CALL_UP, notify
from qingyi.organizations import scoping
from qingyi.volunteering import services as volunteering
from qingyi.volunteering.models import JoinMode, Project, Qualification, Shift, Signup, Volunteer

MANAGE = scoping.VOLUNTEERING_MANAGE


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def callup_create(
    *,
    organization,
    title: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    actor,
    message: str = "",
    place: str = "",
) -> CallUp:
    """Open a call-up (a draft until sent), with the volunteering project that holds its posts."""
    scoping.require_perm(actor, MANAGE, organization)
    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the call-up a title.")]
    if kind not in CallUp.Kind.values:
        errors["kind"] = [_("Choose a kind of call-up.")]
    if starts_at is None or ends_at is None:
        errors["ends_at"] = [_("Give the start and the end.")]
    elif ends_at <= starts_at:
        errors["ends_at"] = [_("The call-up ends before it starts.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        project = volunteering.project_create(
            organization=organization,
            name=_("Call-up: %(title)s (%(when)s)") % {"title": title, "when": _when(starts_at)},
            kind=Project.Kind.OTHER,
            description=message,
            actor=actor,
        )
        return CallUp.objects.create(
            title=title,
            kind=kind,
            organization=organization,
            project=project,
            message=message,
            place=place,
            starts_at=starts_at,
            ends_at=ends_at,
            created_by=actor,
        )


def _require_open(callup: CallUp) -> None:
    """Refused once closed (read from the database: the caller's object may be stale)."""
    if callup.is_closed or CallUp.objects.filter(pk=callup.pk, status=CallUp.Status.CLOSED).exists():
        raise ValidationError(_("This call-up is closed."))


def callup_post_add(
    *,
    callup: CallUp,
    name: str,
    needed: int,
    actor,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    qualifications=(),
    insurance_required: bool = False,
) -> Shift:
    """A post of the call-up and its one shift, with as many places as people needed.

    The shift defaults to the call-up's times; people get in only by the coordinator's
    assignment (from the responders).
    """
    scoping.require_perm(actor, MANAGE, callup.organization)
    _require_open(callup)
    starts_at = starts_at or callup.starts_at
    ends_at = ends_at or callup.ends_at
    with transaction.atomic():
        post = volunteering.post_create(project=callup.project, name=name, actor=actor)
        return volunteering.shift_create(
            project=callup.project,
            post=post,
            start=starts_at,
            end=ends_at,
            capacity=needed,
            place=callup.place,
            join_mode=JoinMode.ASSIGNMENT,
            insurance_required=insurance_required,
            qualifications=qualifications,
            actor=actor,
        )


@dataclass(frozen=True)
class Targeting:
    """Whom to send a call-up to: a subtree, optionally a qualification and an age range."""

    organization: object  # organizations.Organization: its subtree
    qualification: Qualification | None = None
    min_age: int | None = None
    max_age: int | None = None

    def errors(self) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for field, value in (("min_age", self.min_age), ("max_age", self.max_age)):
            if value is not None and not 14 <= value <= 100:
                errors.setdefault(field, []).append(_("An age is between 14 and 100."))
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            errors.setdefault("max_age", []).append(_("The youngest age cannot exceed the oldest."))
        return errors


def callup_send(*, callup: CallUp, targeting: Targeting, actor) -> int:
    """Send the call-up to the volunteers the targeting selects who have not had it yet.

    Each gets a notification with a link to answer. Returns how many it was sent to;
    refused when that is nobody.
    """
    scoping.require_perm(actor, MANAGE, callup.organization)
    scoping.require_perm(actor, MANAGE, targeting.organization)
    errors = targeting.errors()
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        callup = CallUp.objects.select_for_update().select_related("organization").get(pk=callup.pk)
        _require_open(callup)
        if not callup.project.shifts.filter(cancelled_at__isnull=True).exists():
            raise ValidationError(_("Add at least one post before sending the call-up."))
        recipients = list(
            selectors.targeted_volunteers(callup, targeting).select_related("user").order_by("pk")
        )
        if not recipients:
            raise ValidationError(
                _("No volunteer matches this choice (or all of them already have the call-up).")
            )
        now = timezone.now()
        Response.objects.bulk_create([Response(callup=callup, volunteer=v, sent_at=now) for v in recipients])
        if callup.first_sent_at is None:
            callup.first_sent_at = now
        callup.status = CallUp.Status.SENT
        callup.save(update_fields=["first_sent_at", "status", "updated_at"])
        body = callup.message
        if callup.is_triage:
            body = f"{body}\n\n{callup.triage_notice}".strip()
        notify(
            users=[v.user for v in recipients],
            title=_("Call-up: %(title)s, %(when)s")
            % {"title": callup.title, "when": _when(callup.starts_at)},
            body=body,
            link=reverse("callups:answer", args=[callup.pk]),
            category=CATEGORY_CALL_UP,
            key=f"callup:{callup.pk}",
        )
    return len(recipients)


def _is_filled(response: Response) -> bool:
    return Signup.objects.filter(
        volunteer_id=response.volunteer_id,
        shift__project_id=response.callup.project_id,
        status=Signup.Status.CONFIRMED,
    ).exists()


def callup_respond(*, callup: CallUp, volunteer: Volunteer, answer: str, actor) -> Response:
    """A volunteer accepts or declines a call-up sent to them.

    The first answer's time is kept (the response time); the answer may change until the
    volunteer has a place or the call-up closes. The same answer twice is refused.
    """
    if volunteer.user_id is None or volunteer.user_id != actor.pk:
        raise PermissionDenied
    if answer not in (Response.Answer.ACCEPTED, Response.Answer.DECLINED):
        raise ValidationError(_("Accept or decline."))
    with transaction.atomic():
        response = (
            Response.objects.select_for_update()
            .select_related("callup")
            .filter(callup_id=callup.pk, volunteer=volunteer)
            .first()
        )
        if response is None:
            raise PermissionDenied  # the call-up was not sent to this volunteer
        callup = response.callup
        _require_open(callup)
        if response.answer == answer:
            raise ValidationError(
                _("You have already accepted this call-up.")
                if answer == Response.Answer.ACCEPTED
                else _("You have already declined this call-up.")
            )
        if _is_filled(response):
            raise ValidationError(
                _("You already have a place in this call-up; ask the coordinator to change it.")
            )
        now = timezone.now()
        if response.responded_at is None:
            response.responded_at = now
        else:
            response.changed_at = now
        response.answer = answer
        response.save(update_fields=["answer", "responded_at", "changed_at", "updated_at"])
    return response


def callup_fill(*, callup: CallUp, shift: Shift, volunteer: Volunteer, actor) -> Signup:
    """Give a responder who accepted a place on one of the call-up's posts."""
    scoping.require_perm(actor, MANAGE, callup.organization)
    _require_open(callup)
    if shift.project_id != callup.project_id:
        raise ValidationError(_("This shift belongs to another call-up."))
    accepted = Response.objects.filter(
        callup=callup, volunteer=volunteer, answer=Response.Answer.ACCEPTED
    ).exists()
    if not accepted:
        raise ValidationError(_("Only volunteers who accepted the call-up can be given a place."))
    signup = volunteering.signup_assign(shift=shift, volunteer=volunteer, actor=actor)
    post = shift.post.name if shift.post is not None else ""
    notify(
        users=[volunteer.user],
        title=_("You have a place in the call-up %(title)s: %(post)s, %(when)s")
        % {"title": callup.title, "post": post, "when": _when(shift.start)},
        link=reverse("callups:answer", args=[callup.pk]),
        category=CATEGORY_ASSIGNMENT,
    )
    return signup


def callup_close(*, callup: CallUp, actor) -> CallUp:
    """Close the call-up: no more answers or places. Places already given stay."""
    scoping.require_perm(actor, MANAGE, callup.organization)
    with transaction.atomic():
        callup = CallUp.objects.select_for_update().get(pk=callup.pk)
        _require_open(callup)
        callup.status, callup.closed_at = CallUp.Status.CLOSED, timezone.now()
        callup.save(update_fields=["status", "closed_at", "updated_at"])
    return callup
