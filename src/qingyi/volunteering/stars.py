"""Star levels (志愿者星级): announced (公示) before they are awarded.

RULES.md ("Volunteer service records"): star levels go by verified hours — thresholds and
the notice period are settings in ``core.rules`` — and are announced before they are
awarded. The way through:

1. ``stars_due_for(user)``: the volunteers in the coordinator's scope whose verified hours
   reached a level above the one awarded to them (one aggregate query).
2. ``announcement_publish``: some of them are announced, with the level and the verified
   hours of that moment, for ``volunteer_star_notice_days`` days (both ends included).
   Every logged-in member of the hospital sees the announcement: names, organisation,
   level and hours — never ID numbers or phones. It is not public: the names of social
   volunteers and students (some under 18) are not published outside the hospital without
   their consent (志愿服务条例 art. 8, RULES.md), and the people who can object — colleagues,
   fellow volunteers, coordinators — all have a login.
3. ``objection_raise``: anyone logged in who sees it may object during the period.
4. ``objection_decide``: after the period the coordinator decides each objected volunteer:
   upheld (with a reason: not awarded) or dismissed (awarded).
5. ``announcement_award``: after the period, with every objection decided, the coordinator
   awards; each award is a ``StarAward`` row, never changed nor deleted, and the volunteer
   is notified. Hours verified later never change an award; a higher level is a new award.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
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
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qingyi.accounts.models import User
from qingyi.core import rules
from qingyi.core.notifications import notify
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.volunteering import selectors
from qingyi.volunteering.models import (
    ServiceRecord,
    StarAnnouncement,
    StarAnnouncementEntry,
    StarAward,
    StarObjection,
    Volunteer,
)

MANAGE = scoping.VOLUNTEERING_MANAGE
STEP = Organization.steplen
HOURS: DecimalField = DecimalField(max_digits=10, decimal_places=2)
OBJECTION_MAX = 2000
CATEGORY_STARS = "stars"
Outcome = StarAnnouncementEntry.Outcome
Decision = StarAnnouncementEntry.Decision


# --- Reads ---------------------------------------------------------------------------------


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
        selectors.volunteers_for(user)
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
    volunteer = selectors.volunteer_of(user)
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


def can_manage(user, announcement: StarAnnouncement) -> bool:
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


# --- Writes --------------------------------------------------------------------------------


def _publishing_organization(actor, volunteers: list[Volunteer]) -> Organization:
    """The organisation the actor manages (at the top of their scope) holding every volunteer."""
    for path in scoping.scope_paths(actor, MANAGE):
        if all(v.organization.path.startswith(path) for v in volunteers):
            return Organization.objects.get(path=path)
    raise ValidationError(_("Announce the volunteers of one of your organisations at a time."))


def announcement_publish(
    *, volunteer_ids: list[int], actor, note: str = "", today: dt.date | None = None
) -> StarAnnouncement:
    """Announce the star levels the chosen volunteers reached, for the notice period.

    Each must be due (in the actor's scope, active, reached a level above the one awarded)
    and not already in an announcement awaiting its award; otherwise nothing is written.
    """
    if not scoping.has_perm(actor, MANAGE):
        raise PermissionDenied
    ids = sorted({int(pk) for pk in volunteer_ids})
    if not ids:
        raise ValidationError({"volunteers": [_("Choose at least one volunteer to announce.")]})
    due = {v.pk: v for v in with_reached(stars_due_for(actor).filter(pk__in=ids))}
    missing = [pk for pk in ids if pk not in due]
    if missing:
        names = list(selectors.volunteers_for(actor).filter(pk__in=missing).values_list("name", flat=True))
        raise ValidationError(
            {
                "volunteers": [
                    _("Not due for a star level: %(names)s.")
                    % {"names": "、".join(names) if names else _("a volunteer outside your organisations")}
                ]
            }
        )
    busy = [v.name for v in due.values() if v.announcement_id is not None]
    if busy:
        raise ValidationError(
            {
                "volunteers": [
                    _("Already in an announcement awaiting its award: %(names)s.")
                    % {"names": "、".join(busy)}
                ]
            }
        )
    volunteers = [due[pk] for pk in ids]
    organization = _publishing_organization(actor, volunteers)
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            announcement = StarAnnouncement.objects.create(
                organization=organization,
                note=(note or "").strip()[:2000],
                published_at=timezone.now(),
                published_by=actor,
                notice_from=today,
                notice_until=rules.volunteer_star_notice_until(today),
            )
            StarAnnouncementEntry.objects.bulk_create(
                [
                    StarAnnouncementEntry(
                        announcement=announcement, volunteer=v, level=v.reached, hours=v.verified
                    )
                    for v in sorted(volunteers, key=lambda v: (-v.reached, -v.verified, v.name))
                ]
            )
    except IntegrityError:
        # Another coordinator announced one of them meanwhile (one pending entry per volunteer).
        raise ValidationError(
            {"volunteers": [_("One of these volunteers was announced meanwhile; reload the list.")]}
        ) from None
    return announcement


def announcement_visible(user, announcement: StarAnnouncement) -> bool:
    return announcement.organization.path[:STEP] in hospital_roots(user)


@transaction.atomic
def objection_raise(
    *, entry: StarAnnouncementEntry, text: str, actor, today: dt.date | None = None
) -> StarObjection:
    """Anyone logged in who sees the announcement objects to an announced volunteer, during the
    notice period. The coordinator who published it is notified."""
    announcement = entry.announcement
    if not announcement_visible(actor, announcement):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write what your objection is.")]})
    if len(text) > OBJECTION_MAX:
        raise ValidationError(
            {"text": [_("An objection has at most %(n)s characters.") % {"n": OBJECTION_MAX}]}
        )
    today = today or timezone.localdate()
    if announcement.notice_over(today) or entry.outcome != Outcome.PENDING:
        raise ValidationError(
            _("The notice period ended on %(day)s: objections are no longer taken.")
            % {"day": announcement.notice_until.isoformat()}
        )
    objection = StarObjection.objects.create(entry=entry, raised_by=actor, text=text)
    notify(
        users=[announcement.published_by],
        title=_("An objection to the star level of %(name)s") % {"name": entry.volunteer.name},
        body=text[:500],
        link=reverse("volunteering:star_announcement_detail", args=[announcement.pk]),
        category=CATEGORY_STARS,
    )
    return objection


@transaction.atomic
def objection_decide(
    *, entry: StarAnnouncementEntry, decision: str, reason: str, actor, today: dt.date | None = None
) -> StarAnnouncementEntry:
    """The coordinator's decision on the objections to one volunteer, after the notice period
    (when every objection is in): upheld — not awarded, with the reason — or dismissed."""
    announcement = entry.announcement
    scoping.require_perm(actor, MANAGE, announcement.organization)
    entry = StarAnnouncementEntry.objects.select_for_update().select_related("announcement").get(pk=entry.pk)
    if decision not in Decision.values:
        raise ValidationError({"decision": [_("Uphold or dismiss the objection.")]})
    if entry.outcome != Outcome.PENDING:
        raise ValidationError(_("This announcement has already been awarded."))
    if not entry.objections.exists():
        raise ValidationError(_("Nobody objected to this volunteer: there is nothing to decide."))
    today = today or timezone.localdate()
    if not announcement.notice_over(today):
        raise ValidationError(
            _("Objections are decided once the notice period is over, when all are in: from %(day)s.")
            % {"day": (announcement.notice_until + dt.timedelta(days=1)).isoformat()}
        )
    reason = (reason or "").strip()
    if decision == Decision.UPHELD and not reason:
        raise ValidationError({"reason": [_("Give the reason for upholding the objection.")]})
    entry.decision, entry.decision_reason = decision, reason[:255]
    entry.decided_by, entry.decided_at = actor, timezone.now()
    entry.save(update_fields=["decision", "decision_reason", "decided_by", "decided_at"])
    return entry


@transaction.atomic
def announcement_award(
    *, announcement: StarAnnouncement, actor, today: dt.date | None = None
) -> list[StarAward]:
    """Award the announced levels once the notice period is over and every objection is decided.

    Volunteers whose objection was upheld are not awarded; the others get a ``StarAward`` and a
    notification. Refused before the period ends, or twice.
    """
    scoping.require_perm(actor, MANAGE, announcement.organization)
    announcement = StarAnnouncement.objects.select_for_update().get(pk=announcement.pk)
    if announcement.awarded_at is not None:
        raise ValidationError(_("This announcement has already been awarded."))
    today = today or timezone.localdate()
    if not announcement.notice_over(today):
        raise ValidationError(
            _("The notice period runs until %(until)s: the levels can be awarded from %(day)s.")
            % {
                "until": announcement.notice_until.isoformat(),
                "day": (announcement.notice_until + dt.timedelta(days=1)).isoformat(),
            }
        )
    entries = list(
        announcement.entries.filter(outcome=Outcome.PENDING)
        .select_related("volunteer")
        .annotate(objection_count=Count("objections"))
    )
    undecided = [e.volunteer.name for e in entries if e.objection_count and not e.decision]
    if undecided:
        raise ValidationError(
            _("Decide the objections first: %(names)s.") % {"names": "、".join(sorted(undecided))}
        )
    now = timezone.now()
    awards: list[StarAward] = []
    for entry in entries:
        if entry.decision == Decision.UPHELD:
            entry.outcome = Outcome.WITHHELD
            continue
        entry.outcome = Outcome.AWARDED
        awards.append(
            StarAward(
                volunteer=entry.volunteer,
                level=entry.level,
                awarded_at=now,
                announcement=announcement,
                awarded_by=actor,
            )
        )
    StarAnnouncementEntry.objects.bulk_update(entries, ["outcome"])
    StarAward.objects.bulk_create(awards)
    announcement.awarded_at, announcement.awarded_by = now, actor
    announcement.save(update_fields=["awarded_at", "awarded_by", "updated_at"])
    by_level: dict[int, list] = defaultdict(list)
    for award in awards:
        if award.volunteer.user_id is not None:
            by_level[award.level].append(award.volunteer.user_id)
    for level, user_ids in sorted(by_level.items()):
        notify(
            users=User.objects.filter(pk__in=user_ids),
            title=_("You were awarded the %(n)s-star volunteer level") % {"n": level},
            body=_("Congratulations: the announcement is over and your star level is awarded."),
            link=reverse("volunteering:home"),
            category=CATEGORY_STARS,
            key=f"star-award:{announcement.pk}",
        )
    return awards
