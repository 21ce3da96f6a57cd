"""Reads of star levels: who is due a level, the announcements a user may see, their entries,
objections and awards (the way through, and its writes: ``services/stars.py``)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from qingyi.core import rules
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.volunteering.models import (
    ServiceRecord,
    StarAnnouncement,
    StarAnnouncementEntry,
    StarAward,
    StarObjection,
    Volunteer,
)
from qingyi.volunteering.selectors.shifts import HOURS, MANAGE, volunteer_of, volunteers_for

STEP = Organization.steplen
Outcome = StarAnnouncementEntry.Outcome


def awarded_level_subquery(volunteer_ref: str = "pk") -> Coalesce:
    """The highest level awarded to the volunteer (0: none), as a correlated subquery."""
    top = (
        StarAward.objects.filter(volunteer_id=OuterRef(volunteer_ref)).order_by("-level").values("level")[:1]
    )
    return Coalesce(Subquery(top), Value(0), output_field=IntegerField())


def verified_hours_subquery(volunteer_ref: str = "pk") -> Coalesce:
    """The volunteer's verified hours, summed by the database as a correlated subquery."""
    total = (
        ServiceRecord.objects.filter(
            volunteer_id=OuterRef(volunteer_ref), status=ServiceRecord.Status.VERIFIED
        )
        .order_by()
        .values("volunteer_id")
        .annotate(total=Sum("verified_hours"))
        .values("total")
    )
    return Coalesce(Subquery(total), Value(Decimal(0)), output_field=HOURS)


def next_level_hours_case(awarded_field: str) -> Case:
    """The fewest verified hours that reach a level above the awarded one (None above 5★): the
    lowest threshold among the levels above it, so the comparison holds whatever the settings."""
    thresholds = rules.volunteer_star_thresholds()
    return Case(
        *[When(**{awarded_field: n}, then=Value(min(thresholds[n:]))) for n in range(len(thresholds))],
        default=Value(None),
        output_field=IntegerField(),
    )


def stars_due_for(user) -> QuerySet[Volunteer]:
    """Active volunteers in the user's scope whose verified hours reached a level above the one
    awarded to them, most hours first, with ``verified``, ``services``, ``awarded`` and
    ``announcement_id`` (the announcement they are in, awaiting its award, if any). The level
    reached is ``rules.volunteer_star_level(verified)``: ``with_reached`` sets it on a page.

    One query, whatever the number of volunteers and records: each volunteer's hours are
    summed by the database (a correlated subquery on the (volunteer, status, …) index), and
    compared with the threshold above their award in the same statement.
    """
    pending = StarAnnouncementEntry.objects.filter(volunteer_id=OuterRef("pk"), outcome=Outcome.PENDING)
    services = (
        ServiceRecord.objects.filter(volunteer_id=OuterRef("pk"), status=ServiceRecord.Status.VERIFIED)
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        volunteers_for(user)
        .filter(status=Volunteer.Status.ACTIVE)
        .annotate(
            verified=verified_hours_subquery(),
            awarded=awarded_level_subquery(),
            announcement_id=Subquery(pending.values("announcement_id")[:1]),
        )
        .annotate(next_hours=next_level_hours_case("awarded"))
        .filter(verified__gte=F("next_hours"))
        .annotate(services=Coalesce(Subquery(services), Value(0)))
        .order_by("-verified", "name", "pk")
    )


def with_reached(volunteers):
    """Set ``reached`` (the level the verified hours reach) on rows of ``stars_due_for``."""
    rows = list(volunteers)
    for v in rows:
        v.reached = rules.volunteer_star_level(v.verified)
    return rows


def hospital_roots(user) -> list[str]:
    """The root paths of the hospitals (committees) the user belongs to: through any role, or
    as a volunteer. Anyone logged in there sees its announcements."""
    if not getattr(user, "is_authenticated", False):
        return []
    roots = {grant.path[:STEP] for grant in scoping.grants(user)}
    volunteer = volunteer_of(user)
    if volunteer is not None:
        roots.add(volunteer.organization.path[:STEP])
    return sorted(roots)


def announcements_visible_to(user) -> QuerySet[StarAnnouncement]:
    roots = hospital_roots(user)
    return StarAnnouncement.objects.filter(scoping.path_q(roots, "organization__path")).select_related(
        "organization"
    )


def announcement_for(user, announcement_pk: int) -> StarAnnouncement:
    """An announcement of the user's hospital; any other: 404."""
    announcement = announcements_visible_to(user).filter(pk=announcement_pk).first()
    if announcement is None:
        raise Http404
    return announcement


def can_manage_announcement(user, announcement: StarAnnouncement) -> bool:
    return scoping.has_perm(user, MANAGE, announcement.organization)


def announcement_list_for(user) -> QuerySet[StarAnnouncement]:
    """The hospital's announcements, newest first, with how many volunteers each names."""
    return (
        announcements_visible_to(user)
        .annotate(
            volunteers=Count("entries"),
            awarded_count=Count("entries", filter=Q(entries__outcome=Outcome.AWARDED)),
        )
        .order_by("-published_at", "-pk")
    )


def entries_of(announcement: StarAnnouncement, *, user) -> QuerySet[StarAnnouncementEntry]:
    """The announced volunteers with their organisation, the number of objections and
    whether ``user`` raised one — one query."""
    mine = StarObjection.objects.filter(entry_id=OuterRef("pk"), raised_by_id=user.pk)
    return (
        announcement.entries.select_related("volunteer", "volunteer__organization")
        .annotate(objection_count=Count("objections"), objected_by_me=Exists(mine))
        .order_by("-level", "-hours", "volunteer__name", "pk")
    )


def objections_of(announcement: StarAnnouncement) -> dict[int, list[StarObjection]]:
    """Every objection of the announcement, by entry id (for its coordinators only)."""
    result: dict[int, list[StarObjection]] = defaultdict(list)
    for objection in (
        StarObjection.objects.filter(entry__announcement=announcement)
        .select_related("raised_by")
        .order_by("created_at", "pk")
    ):
        result[objection.entry_id].append(objection)
    return result


def awards_of(volunteer: Volunteer) -> QuerySet[StarAward]:
    return StarAward.objects.filter(volunteer=volunteer).select_related("announcement").order_by("-level")


def awards_for(user) -> QuerySet[StarAward]:
    """Awards of the volunteers in the manager's scope."""
    return scoping.scope(
        StarAward.objects.select_related("volunteer", "volunteer__organization", "announcement"),
        user,
        MANAGE,
        path_field="volunteer__organization__path",
    ).order_by("-awarded_at", "-pk")
