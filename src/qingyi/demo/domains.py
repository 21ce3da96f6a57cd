"""The demo hospital's working life: volunteering, league activities, cadre growth, escorts,
a call-up and the member's notifications — so that every domain has something to show.

Called by ``build.build`` for the first hospital once the demo logins exist. Everything comes
from the builder's ``random.Random``: the same seed gives the same year. Volume is written in
bulk; a few single writes go through services (the member's certificate). The rules hold as
the services would hold them: verified records carry hours no longer than their shift, a
volunteer serves at most once a day, shifts never take more confirmed people than places,
general meetings record their quorum, attendance covers every expected member.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from qingyi.accounts.models import User
from qingyi.core.models import Notification
from qingyi.organizations.models import Organization
from qingyi.people.models import Person

if TYPE_CHECKING:
    from qingyi.demo.build import _Builder, _Org
from qingyi.demo.domain_activities import ActivitiesMixin
from qingyi.demo.domain_escorts import EscortsMixin
from qingyi.demo.domain_growth import GrowthMixin
from qingyi.demo.domain_volunteering import VolunteeringMixin


class _Domains(VolunteeringMixin, EscortsMixin, ActivitiesMixin, GrowthMixin):
    def __init__(self, builder: _Builder, orgs: list[_Org]):
        self.b = builder
        self.rng = builder.rng
        self.today = builder.today
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.committee = orgs[0].obj
        self.orgs = orgs
        self.branches = [o.obj for o in orgs if o.obj.kind == Organization.Kind.BRANCH]
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["admin", "branch", "coordinator", "member"])
        }
        self.admin = users["admin"]
        self.branch_admin = users.get("branch", self.admin)
        self.coordinator = users.get("coordinator", self.admin)
        self.member = users.get("member")
        self.people = list(
            Person.objects.filter(organization__in=[o.obj for o in orgs], status=Person.Status.ACTIVE)
            .only("pk", "name", "gender", "birth_date", "id_number", "phone", "organization_id", "user_id")
            .order_by("pk")
        )
        self.counts: dict[str, int] = {}

    def at(self, day: dt.date, time: dt.time) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, time), self.tz)

    def count(self, key: str, n: int) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    # Volunteering, escorts, activities and growth live in the domain_*.py mixins.

    # -- the member's bell -------------------------------------------------------------------

    def notifications(self) -> None:
        if self.member is None:
            return
        rows = [
            ("班次提醒：明天上午门诊导医", "volunteering", False),
            ("您的志愿服务证明已出具", "volunteering", False),
            ("新的陪诊任务已分配给您", "escorts", False),
            ("“暖冬”青年职工关爱活动报名成功", "activities", False),
            ("支部团员大会通知", "activities", True),
            ("服务时长已审核通过", "volunteering", True),
        ]
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=self.member,
                    title=t,
                    category=c,
                    read_at=self.now if read else None,
                    key=f"demo-{n}",
                )
                for n, (t, c, read) in enumerate(rows)
            ]
        )
        self.count("notifications", len(rows))


def build_domains(builder: _Builder, orgs: list[_Org]) -> dict[str, int]:
    """Fill the first hospital's domains; returns what was written, by kind."""
    d = _Domains(builder, orgs)
    d.volunteers()
    d.projects()
    d.certificate()
    d.star_levels()
    d.escorts()
    d.callup()
    d.activities()
    d.publications()
    d.growth()
    d.notifications()
    return d.counts
