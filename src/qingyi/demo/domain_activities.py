"""The demo hospital's league activities, registrations and publicity."""

from __future__ import annotations

import datetime as dt

from qingyi.accounts.models import User
from qingyi.activities.models import Activity, ActivityOrganizer, Attendance, Publication, Registration
from qingyi.core import rules
from qingyi.organizations.models import Organization

# Activity plan of a branch: kind -> months in which it is held (the yearly minimums: 12, 12,
# 12, 4, 4, 4 — core.rules settings ``activity_min_<kind>``).
MONTHLY = (Activity.Kind.THEORY_STUDY, Activity.Kind.COMMITTEE_MEETING, Activity.Kind.GROUP_MEETING)
QUARTERLY = {
    Activity.Kind.GENERAL_MEETING: (1, 4, 7, 10),
    Activity.Kind.LEAGUE_LECTURE: (3, 6, 9, 12),
    Activity.Kind.THEMED_DAY: (3, 5, 7, 11),
}
TITLES = {
    Activity.Kind.THEORY_STUDY: (
        "青年大学习集中学习",
        "理论学习：学习团章",
        "读书分享会",
        "专题学习：青年与医德",
    ),
    Activity.Kind.COMMITTEE_MEETING: ("支委会：研究月度工作",),
    Activity.Kind.GROUP_MEETING: ("团小组会",),
    Activity.Kind.GENERAL_MEETING: ("支部团员大会",),
    Activity.Kind.LEAGUE_LECTURE: (
        "团课：青年医务工作者的责任",
        "团课：团史中的青春故事",
        "团课：从入团誓词谈起",
    ),
    Activity.Kind.THEMED_DAY: (
        "主题团日：走进红色教育基地",
        "主题团日：五四青年节",
        "主题团日：学雷锋志愿服务",
    ),
}
WITH_ATTENDANCE = (
    Activity.Kind.THEORY_STUDY,
    Activity.Kind.GENERAL_MEETING,
    Activity.Kind.LEAGUE_LECTURE,
    Activity.Kind.THEMED_DAY,
)
PUBLICATION_TITLES = {
    Publication.Category.STUDY: ("{org}开展“青年大学习”集中学习", "{org}举办读书分享会"),
    Publication.Category.NEWS: ("{org}召开支部团员大会", "{org}开展主题团日活动", "{org}完成换届选举"),
    Publication.Category.VOLUNTEERING: (
        "青年志愿者走进社区义诊",
        "陪诊志愿服务温暖就医路",
        "“小太阳”陪伴患儿过节",
    ),
    Publication.Category.ROLE_MODELS: ("青年榜样：{org}的年轻护士", "{org}青年获评优秀团员"),
    Publication.Category.CARE: ("医院团委举办青年职工联谊活动", "关爱青年职工：暑期子女托管班开班"),
    Publication.Category.OTHER: ("{org}青年风采展示",),
}


class ActivitiesMixin:
    """Mixed into ``domains._Domains``, which holds the shared state (``b``, ``rng``, ``today`` ...)."""

    def activities(self) -> None:
        rng, today = self.rng, self.today
        members: dict[int, list[int]] = {}
        for p in self.people:
            members.setdefault(p.organization_id, []).append(p.pk)
        behind = set(rng.sample([b.pk for b in self.branches], max(2, len(self.branches) // 5)))
        first_year = today.year - 1
        acts: list[Activity] = []
        orgs_of: list[Organization] = []
        for branch in self.branches:
            start = max(dt.date(first_year, 1, 1), branch.founded_on or dt.date(first_year, 1, 1))
            admin = self.branch_admin if branch.name == "内科护理团支部" else self.admin
            for year in (first_year, today.year):
                for month in range(1, 13):
                    kinds = [*MONTHLY, *(k for k, months in QUARTERLY.items() if month in months)]
                    for kind in kinds:
                        day = dt.date(year, month, rng.randint(5, 26))
                        if day < start or day > today + dt.timedelta(days=30):
                            continue
                        past = day < today
                        if past and branch.pk in behind and year == today.year and rng.random() < 0.45:
                            continue  # this branch is behind this year
                        hour = rng.choice((12, 17, 18)) if kind != Activity.Kind.THEMED_DAY else 9
                        joint = kind == Activity.Kind.THEMED_DAY and rng.random() < 0.5
                        status = Activity.Status.HELD if past else Activity.Status.PLANNED
                        if past and day.day > 12 and rng.random() < 0.015:
                            # Called off, then held a week later: cancelled rows without a gap.
                            acts.append(self._cancelled(kind, self.at(day, dt.time(hour, 30)), branch, admin))
                            orgs_of.append(branch)
                            day -= dt.timedelta(days=-7 if day.day < 20 else 7)
                        starts = self.at(day, dt.time(hour, 30))
                        acts.append(
                            Activity(
                                kind=kind,
                                title=rng.choice(TITLES[kind]),
                                starts_at=starts,
                                ends_at=starts
                                + dt.timedelta(hours=3 if kind == Activity.Kind.THEMED_DAY else 1),
                                place=rng.choice(("科室示教室", "行政楼会议室", "团委活动室", "线上")),
                                organization=branch,
                                party_branch_id=branch.party_branch_id if joint else None,
                                status=status,
                                summary="按计划完成，记录已归档。" if status == Activity.Status.HELD else "",
                                held_recorded_at=starts + dt.timedelta(days=1)
                                if status == Activity.Status.HELD
                                else None,
                                created_by=admin,
                            )
                        )
                        orgs_of.append(branch)
        acts += self._committee_events(orgs_of)
        acts = Activity.objects.bulk_create(acts, batch_size=1000)
        ActivityOrganizer.objects.bulk_create(
            [ActivityOrganizer(activity=a, organization=o) for a, o in zip(acts, orgs_of, strict=True)],
            batch_size=2000,
        )
        attendance: list[Attendance] = []
        quorum: list[Activity] = []
        for act, org in zip(acts, orgs_of, strict=True):
            if act.status != Activity.Status.HELD or act.kind not in WITH_ATTENDANCE or org.kind != "branch":
                continue
            expected = members.get(org.pk, [])
            rate = 0.7 if org.pk in behind else 0.88
            present = 0
            for pk in expected:
                roll = rng.random()
                status = (
                    Attendance.Status.PRESENT
                    if roll < rate
                    else Attendance.Status.EXCUSED
                    if roll < rate + 0.07
                    else Attendance.Status.ABSENT
                )
                by_qr = status == Attendance.Status.PRESENT and rng.random() < 0.6
                present += status == Attendance.Status.PRESENT
                attendance.append(
                    Attendance(
                        activity=act,
                        person_id=pk,
                        status=status,
                        source=Attendance.Source.QR if by_qr else Attendance.Source.LIST,
                        checked_in_at=act.starts_at - dt.timedelta(minutes=rng.randint(0, 10))
                        if by_qr
                        else None,
                    )
                )
            if act.kind == Activity.Kind.GENERAL_MEETING:
                act.quorum_met = rules.quorum_met(present, len(expected))
                quorum.append(act)
        Attendance.objects.bulk_create(attendance, batch_size=5000)
        Activity.objects.bulk_update(quorum, ["quorum_met"])
        self.count("activities", len(acts))
        self.count("attendance", len(attendance))
        self.count("branches_behind", len(behind))
        self._registrations()

    def _cancelled(self, kind: str, starts: dt.datetime, branch: Organization, admin: User) -> Activity:
        return Activity(
            kind=kind,
            title=self.rng.choice(TITLES[kind]),
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=1),
            place="科室示教室",
            organization=branch,
            status=Activity.Status.CANCELLED,
            cancelled_at=starts - dt.timedelta(days=1),
            cancelled_by=admin,
            cancel_reason="科室临时抢救任务，改期举行",
            created_by=admin,
        )

    def _committee_events(self, orgs_of: list[Organization]) -> list[Activity]:
        today = self.today
        events = []
        specs = (
            (Activity.Kind.CULTURE_SPORTS, "五四青年节文艺汇演", dt.date(today.year, 5, 4), None),
            (Activity.Kind.CULTURE_SPORTS, "青年职工羽毛球赛", today - dt.timedelta(days=45), None),
            (Activity.Kind.CARE, "青年职工联谊会", today - dt.timedelta(days=100), None),
            (Activity.Kind.CARE, "“暖冬”青年职工关爱活动", today + dt.timedelta(days=12), 40),
        )
        for kind, title, day, capacity in specs:
            starts = self.at(day, dt.time(14, 30))
            past = day < today
            events.append(
                Activity(
                    kind=kind,
                    title=title,
                    starts_at=starts,
                    ends_at=starts + dt.timedelta(hours=3),
                    place="医院礼堂",
                    organization=self.committee,
                    status=Activity.Status.HELD if past else Activity.Status.PLANNED,
                    summary="活动顺利举行。" if past else "",
                    held_recorded_at=starts + dt.timedelta(days=1) if past else None,
                    registration_open=not past,
                    capacity=capacity,
                    registration_deadline=starts - dt.timedelta(days=2) if capacity else None,
                    created_by=self.admin,
                )
            )
            orgs_of.append(self.committee)
        return events

    def _registrations(self) -> None:
        rng = self.rng
        care = Activity.objects.filter(
            organization=self.committee, kind=Activity.Kind.CARE, registration_open=True
        ).first()
        if care is None:
            return
        member_person = next((p for p in self.people if self.member and p.user_id == self.member.pk), None)
        others = rng.sample([p for p in self.people if p is not member_person], min(44, len(self.people) - 1))
        people = ([member_person] if member_person else []) + others
        rows = []
        for n, p in enumerate(people):
            rows.append(
                Registration(
                    activity=care,
                    person=p,
                    status=Registration.Status.CONFIRMED
                    if n < care.capacity
                    else Registration.Status.WAITING,
                    queued_at=self.now - dt.timedelta(days=5, minutes=-n * 7),
                )
            )
        Registration.objects.bulk_create(rows)
        self.count("registrations", len(rows))

    def publications(self) -> None:
        rng, today = self.rng, self.today
        seen = set()
        rows = []
        categories = list(PUBLICATION_TITLES)
        weights = (25, 35, 20, 8, 7, 5)
        while len(rows) < 100:
            org = self.committee if rng.random() < 0.4 else rng.choice(self.branches)
            category = rng.choices(categories, weights=weights)[0]
            title = rng.choice(PUBLICATION_TITLES[category]).format(org=org.name)
            day = today - dt.timedelta(days=rng.randint(0, 700))
            channel = rng.choices(
                (Publication.Channel.WECHAT, Publication.Channel.VIDEO, Publication.Channel.WEBSITE),
                weights=(75, 15, 10),
            )[0]
            if (channel, title, day) in seen:
                continue
            seen.add((channel, title, day))
            rows.append(
                Publication(
                    organization=org,
                    channel=channel,
                    title=title,
                    published_on=day,
                    category=category,
                    created_by=self.admin,
                )
            )
        Publication.objects.bulk_create(rows)
        self.count("publications", len(rows))
