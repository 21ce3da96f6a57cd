"""Reads of escort requests; every one through the scoping rule.

A request is visible to the coordinators (``volunteering.manage``) of its organisation's
subtree and to the volunteer assigned to it — nobody else, and the patient only through
their link.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from qingyi.core.params import parse_id
from qingyi.core.scoping import ScopedQuerySet
from qingyi.escorts.models import EscortRequest
from qingyi.organizations import scoping
from qingyi.volunteering.models import Project, ServiceRecord, Volunteer
from qingyi.volunteering.selectors import volunteer_search_q


def _base() -> ScopedQuerySet[EscortRequest]:
    return EscortRequest.objects.select_related("department", "volunteer", "organization")


def dispatchable_by(user) -> QuerySet[EscortRequest]:
    """The requests the user coordinates."""
    return scoping.scope(_base(), user, scoping.VOLUNTEERING_MANAGE, path_field="organization__path")


def escorts_for(user) -> QuerySet[EscortRequest]:
    """The requests the user coordinates, and those assigned to them as a volunteer."""
    if not getattr(user, "is_authenticated", False):
        return EscortRequest.objects.none()
    paths = scoping.scope_paths(user, scoping.VOLUNTEERING_MANAGE)
    mine = Q(volunteer__user_id=user.pk)
    return (
        _base()
        .unscoped("scoped just here: the user's organisations and their own assignments")
        .filter(scoping.path_q(paths, "organization__path") | mine)
    )


def escort_for_user(user, pk: int) -> EscortRequest:
    """One request the user may see: 404 for anyone else."""
    try:
        return escorts_for(user).get(pk=pk)
    except EscortRequest.DoesNotExist:
        raise Http404 from None


def dispatch_board(user, *, status: str = "open") -> QuerySet[EscortRequest]:
    """The dispatch screen: open requests first by the time wanted; or one status."""
    same_phone_open = EscortRequest.objects.filter(
        organization=OuterRef("organization"),
        phone=OuterRef("phone"),
        status__in=EscortRequest.OPEN,
        erased_at__isnull=True,
    ).exclude(phone="")
    qs = dispatchable_by(user).annotate(
        # Several open requests for one phone (the public form accepts them: refusing would tell
        # anyone whether a number has open requests): the dispatcher sees them together.
        open_for_phone=Subquery(
            same_phone_open.order_by().values("phone").annotate(n=Count("pk")).values("n")[:1]
        )
    )
    if status == "open":
        return qs.filter(status__in=EscortRequest.OPEN).order_by("wanted_at", "pk")
    if status in EscortRequest.Status.values:
        return qs.filter(status=status).order_by("-wanted_at", "-pk")
    return qs.order_by("-wanted_at", "-pk")


def assigned_to(user) -> QuerySet[EscortRequest]:
    """A volunteer's own escorts: open ones by time, then the closed ones, newest first."""
    if not getattr(user, "is_authenticated", False):
        return EscortRequest.objects.none()
    return _base().unscoped("the volunteer's own assignments").filter(volunteer__user_id=user.pk)


def on_duty_q(now=None) -> Exists:
    """Checked in (not yet out) to a shift of an escort project that is on now."""
    now = now or timezone.now()
    return Exists(
        ServiceRecord.objects.filter(
            volunteer=OuterRef("pk"),
            project__kind=Project.Kind.ESCORT,
            checked_in_at__isnull=False,
            checked_out_at__isnull=True,
            shift__start__lte=now,
            shift__end__gte=now,
        )
    )


def volunteer_to_assign(user, pk: str) -> Volunteer | None:
    """The volunteer of that id among those the user coordinates; None for anyone else (an id
    outside the user's organisations names nobody)."""
    number = parse_id(pk)
    if number is None:
        return None
    return (
        scoping.scope(
            Volunteer.objects.select_related("organization", "user"),
            user,
            scoping.VOLUNTEERING_MANAGE,
            path_field="organization__path",
        )
        .filter(pk=number)
        .first()
    )


def escort_candidates(user, *, q: str = "", now=None) -> QuerySet[Volunteer]:
    """Volunteers the user may assign: active, with a login, in the user's scope; those on duty
    at an escort post right now first."""
    qs = scoping.scope(
        Volunteer.objects.filter(status=Volunteer.Status.ACTIVE, user__isnull=False),
        user,
        scoping.VOLUNTEERING_MANAGE,
        path_field="organization__path",
    )
    if q:
        qs = qs.filter(volunteer_search_q(user, q))
    return (
        qs.select_related("organization").annotate(on_duty=on_duty_q(now)).order_by("-on_duty", "name", "pk")
    )
