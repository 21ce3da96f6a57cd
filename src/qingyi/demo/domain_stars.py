"""The demo hospital's star levels: one announcement awarded a few days ago, one open now with
the member in it (so their page shows the level reached, to be announced).

Written in bulk like the rest of the demo (the dates lie in the past, which the services
would refuse), with the rules the services hold: the levels are those the verified hours
reached on the day of publication, a volunteer is in one announcement awaiting its award at
a time, and only the closed announcement has awards.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Sum

from qingyi.core import rules
from qingyi.volunteering import selectors
from qingyi.volunteering.models import (
    ServiceRecord,
    StarAnnouncement,
    StarAnnouncementEntry,
    StarAward,
    StarObjection,
)

if TYPE_CHECKING:
    from qingyi.demo.domains import _Domains

AWARDED_DAYS_AGO = 12
AWARDED_COUNT = 6
OPEN_DAYS_AGO = 2
OPEN_COUNT = 5


def star_levels(d: _Domains) -> None:
    today, coordinator = d.today, d.coordinator
    published = today - dt.timedelta(days=AWARDED_DAYS_AGO)
    member = d.member_vol
    then = (
        ServiceRecord.objects.filter(
            volunteer__in=[v for v in d.active_vols if v is not member],
            status=ServiceRecord.Status.VERIFIED,
            served_on__lt=published,
        )
        .values("volunteer_id")
        .annotate(h=Sum("verified_hours"))
        .order_by("-h", "volunteer_id")
    )
    reached = [(row["volunteer_id"], row["h"], rules.volunteer_star_level(row["h"])) for row in then]
    reached = [r for r in reached if r[2] >= 1][:AWARDED_COUNT]
    past = StarAnnouncement.objects.create(
        organization=d.committee,
        note="经审核，以下志愿者服务时长达到相应星级标准，现予以公示。公示期内如有异议，请在平台上提出。",
        published_at=d.at(published, dt.time(9, 0)),
        published_by=coordinator,
        notice_from=published,
        notice_until=rules.volunteer_star_notice_until(published),
        awarded_at=d.at(published + dt.timedelta(days=6), dt.time(10, 0)),
        awarded_by=coordinator,
    )
    entries = StarAnnouncementEntry.objects.bulk_create(
        [
            StarAnnouncementEntry(
                announcement=past, volunteer_id=pk, level=level, hours=Decimal(h), outcome="awarded"
            )
            for pk, h, level in reached
        ]
    )
    if entries:
        # An objection, checked and dismissed: the records were genuine.
        first = entries[0]
        objection = StarObjection.objects.create(
            entry=first, raised_by=d.branch_admin, text="该志愿者时长较多，请核实是否均为志愿服务。"
        )
        raised = d.at(published + dt.timedelta(days=1), dt.time(15, 20))
        StarObjection.objects.filter(pk=objection.pk).update(created_at=raised, updated_at=raised)
        StarAnnouncementEntry.objects.filter(pk=first.pk).update(
            decision="dismissed",
            decision_reason="经核对签到记录，时长均为门诊导医志愿服务。",
            decided_by=coordinator,
            decided_at=past.awarded_at - dt.timedelta(hours=1),
        )
    StarAward.objects.bulk_create(
        [
            StarAward(
                volunteer_id=e.volunteer_id,
                level=e.level,
                awarded_at=past.awarded_at,
                announcement=past,
                awarded_by=coordinator,
            )
            for e in entries
        ]
    )
    # Now: the volunteers due today (the member among them when their hours reach 1★).
    due = selectors.with_reached(selectors.stars_due_for(coordinator)[: OPEN_COUNT + 5])
    chosen = [v for v in due if member is not None and v.pk == member.pk]
    chosen += [v for v in due if v not in chosen][: OPEN_COUNT - len(chosen)]
    opened = today - dt.timedelta(days=OPEN_DAYS_AGO)
    current = StarAnnouncement.objects.create(
        organization=d.committee,
        note="以下志愿者服务时长达到相应星级标准，现予以公示。",
        published_at=d.at(opened, dt.time(9, 0)),
        published_by=coordinator,
        notice_from=opened,
        notice_until=rules.volunteer_star_notice_until(opened),
    )
    StarAnnouncementEntry.objects.bulk_create(
        [
            StarAnnouncementEntry(announcement=current, volunteer=v, level=v.reached, hours=v.verified)
            for v in chosen
        ]
    )
    d.count("star_announcements", 2)
    d.count("star_awards", len(entries))
