# ruff: noqa: RUF001 — Chinese demo text uses full-width question marks.
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
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from qingyi.accounts.models import User
from qingyi.activities.models import Activity, ActivityOrganizer, Attendance, Publication, Registration
from qingyi.callups.models import CallUp, Response
from qingyi.core import rules
from qingyi.core.demo.names import ID_AREAS, id_number
from qingyi.core.models import Notification
from qingyi.escorts.models import EscortRequest, token_digest
from qingyi.growth.models import (
    Checklist,
    ChecklistQuestion,
    ContestResult,
    InspectionAnswer,
    InspectionProblem,
    RecordStatus,
    SelfInspection,
    TrainingRecord,
)
from qingyi.organizations.models import Organization, Position
from qingyi.people.models import Person
from qingyi.volunteering import certificates
from qingyi.volunteering.models import (
    JoinMode,
    Post,
    Project,
    Qualification,
    ServiceRecord,
    Shift,
    Signup,
    Volunteer,
    VolunteerQualification,
)

if TYPE_CHECKING:
    from qingyi.core.demo.build import _Builder, _Org

STAFF_VOLUNTEERS = 0.18  # share of the active roster who volunteer (capped below)
SOCIAL_VOLUNTEERS = 26
STUDENT_VOLUNTEERS = 16
UPCOMING_DAYS = 21

# (name, kind, description, posts, weekdays, start, end, places, people served per person, mode)
PROJECTS = (
    (
        "门诊导医志愿服务",
        Project.Kind.OTHER,
        "门诊大厅导诊、自助机使用引导与秩序维护。",
        ("导诊台", "自助机引导"),
        (0, 1, 2, 3, 4),
        dt.time(8, 0),
        dt.time(11, 0),
        4,
        (20, 60),
        JoinMode.INSTANT,
    ),
    (
        "“青心相伴”陪诊服务",
        Project.Kind.ESCORT,
        "为独自就医的老人和行动不便的患者提供挂号、检查、取药全程陪同。",
        ("陪诊",),
        (0, 2, 4),
        dt.time(8, 30),
        dt.time(11, 30),
        3,
        (2, 5),
        JoinMode.INSTANT,
    ),
    (
        "“小太阳”儿科病房陪伴",
        Project.Kind.CHILDREN,
        "为住院患儿读绘本、做手工、组织游戏，缓解住院焦虑。",
        ("绘本陪读", "游戏陪伴"),
        (2, 5),
        dt.time(15, 0),
        dt.time(17, 0),
        5,
        (5, 15),
        JoinMode.REQUEST,
    ),
    (
        "“银龄关爱”老年病房探访",
        Project.Kind.ELDERLY,
        "陪伴老年住院患者聊天、协助送餐、讲解出院用药注意事项。",
        ("陪伴聊天", "送餐协助"),
        (1, 4),
        dt.time(15, 0),
        dt.time(17, 0),
        4,
        (3, 10),
        JoinMode.INSTANT,
    ),
)
OUTREACH = (
    "“健康进社区”义诊",
    Project.Kind.OUTREACH,
    "每月第二个周六走进社区，开展义诊咨询、血压血糖测量和健康宣教。",
    ("义诊咨询", "健康宣教", "血压测量"),
)
PARTNERS = ("青山街道社区卫生服务中心", "东湖社区居委会", "南岭村卫生室", "滨江敬老院")
SCHOOLS = ("青山医学院", "青山职业技术学院", "滨江大学", "青山卫生学校")
AREAS = ("青山区", "东湖区", "滨江区", "南岭区", "高新区")
QUALIFICATIONS = (
    ("院感防控培训", "医院感染防控基础知识"),
    ("急救培训（BLS）", "心肺复苏与AED使用"),
    ("儿童陪伴培训", "与住院患儿沟通的基本方法"),
)

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
QUESTIONS = (
    "查理想信念：是否坚持学习，政治立场是否坚定？",
    "查责任担当：是否履行团干部职责，带头完成急难险重任务？",
    "查工作作风：是否深入青年，有无形式主义、官僚主义表现？",
    "查联系青年：是否经常与团员青年谈心谈话，了解所思所盼？",
    "查纪律规矩：是否严格遵守组织纪律和院规院纪？",
    "查能力本领：是否主动学习业务与团务知识，本领有无短板？",
)
ANSWERS = (
    "能够按时参加集中学习，但自学深度还不够，今后将制定个人学习计划。",
    "基本履行职责，支部活动组织较为规范，个别活动准备时间不足。",
    "与团员青年交流较多，但对轮转人员关心不够。",
    "严格遵守纪律，无违规情况。",
    "业务工作繁忙时团务工作有所放松，需要统筹安排时间。",
    "积极参加团干部培训，但在新媒体宣传方面能力不足。",
)
PROBLEMS = (
    ("理论学习不够系统", "每月至少精读一篇学习材料并在支部分享"),
    ("与轮转团员联系不够", "建立轮转人员联系表，每季度谈心一次"),
    ("活动记录归档不及时", "活动结束三日内上传记录和照片"),
    ("宣传稿件数量偏少", "每季度至少投稿一篇"),
)
TRAININGS = (
    ("全省医院团干部培训班", TrainingRecord.Level.PROVINCIAL_LEAGUE, "共青团省委", 3),
    ("市直卫生系统团干部示范培训", TrainingRecord.Level.CITY_LEAGUE, "共青团市委", 2),
    ("青年干部能力提升网络培训", TrainingRecord.Level.HEALTH_COMMISSION, "市卫生健康委", 1),
    ("医院团干部集中轮训", TrainingRecord.Level.HOSPITAL, "医院团委", 1),
    ("新任团支部书记培训", TrainingRecord.Level.HOSPITAL, "医院团委", 1),
)
CONTESTS = (
    ("全市团干部“大比武”", ContestResult.Level.PROVINCIAL, "共青团市委"),
    ("医院团支部书记述职比武", ContestResult.Level.HOSPITAL, "医院团委"),
    ("团务知识竞赛", ContestResult.Level.HOSPITAL, "医院团委"),
)


class _Domains:
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

    # -- volunteering ------------------------------------------------------------------------

    def volunteers(self) -> None:
        rng, today = self.rng, self.today
        member_person = next((p for p in self.people if self.member and p.user_id == self.member.pk), None)
        young = [
            p for p in self.people if p.birth_date > rules.years_before(today, 36) and p is not member_person
        ]
        staff = rng.sample(young, min(len(young), max(20, round(len(self.people) * STAFF_VOLUNTEERS))))
        if member_person is not None:
            staff.insert(0, member_person)
        vols = []
        for i, p in enumerate(staff):
            vols.append(
                Volunteer(
                    kind=Volunteer.Kind.STAFF,
                    status=Volunteer.Status.SUSPENDED if i % 97 == 50 else Volunteer.Status.ACTIVE,
                    organization_id=p.organization_id,
                    person=p,
                    user=self.member if p is member_person else None,
                    name=p.name,
                    gender=p.gender,
                    birth_date=p.birth_date,
                    id_number=p.id_number,
                    phone=p.phone,
                    skills=rng.choice(("护理", "导诊", "急救", "儿童陪伴", "摄影", "")),
                    service_categories="医疗卫生",
                    registered_on=today - dt.timedelta(days=rng.randint(380, 1500)),
                )
            )
        outsiders = [(Volunteer.Kind.SOCIAL, n) for n in range(SOCIAL_VOLUNTEERS)]
        outsiders += [(Volunteer.Kind.STUDENT, n) for n in range(STUDENT_VOLUNTEERS)]
        for kind, n in outsiders:
            woman = rng.random() < 0.65
            age = rng.randint(19, 22) if kind == Volunteer.Kind.STUDENT else rng.randint(26, 66)
            birth = self.b.birth_for_age(age)
            area = ID_AREAS[(n + 3) % len(ID_AREAS)]
            self.b.id_sequences[(area, birth)] += 1
            sequence = 2 * self.b.id_sequences[(area, birth)] + (0 if woman else 1)
            vols.append(
                Volunteer(
                    kind=kind,
                    status=Volunteer.Status.ACTIVE,
                    organization=self.committee,
                    name=self.b.name(woman),
                    gender=Volunteer.Gender.FEMALE if woman else Volunteer.Gender.MALE,
                    birth_date=birth,
                    id_number=id_number(area, birth, sequence),
                    phone=self.b.phone(),
                    area=rng.choice(AREAS),
                    school=rng.choice(SCHOOLS) if kind == Volunteer.Kind.STUDENT else "",
                    skills=rng.choice(("陪伴聊天", "手工", "书法", "外语", "")),
                    service_categories="医疗卫生、关爱服务",
                    insurance_policy=f"YW{today.year}{n:05d}",
                    insurance_from=dt.date(today.year, 1, 1),
                    insurance_until=dt.date(today.year, 12, 31),
                    registered_on=today - dt.timedelta(days=rng.randint(60, 900)),
                )
            )
        self.vols = self.b.add(Volunteer, vols)
        self.member_vol = self.vols[0] if member_person is not None else None
        self.count("volunteers", len(self.vols))
        quals = Qualification.objects.bulk_create(
            [Qualification(name=n, description=d) for n, d in QUALIFICATIONS]
        )
        grants = [
            VolunteerQualification(
                volunteer=v,
                qualification=rng.choice(quals),
                obtained_on=today - dt.timedelta(days=rng.randint(30, 700)),
            )
            for v in self.vols
            if rng.random() < 0.35
        ]
        VolunteerQualification.objects.bulk_create(grants)
        # Some volunteers give much more time than others.
        self.active_vols = [v for v in self.vols if v.status == Volunteer.Status.ACTIVE]
        self.weights = [rng.paretovariate(1.6) for _ in self.active_vols]

    def projects(self) -> None:
        rng, today = self.rng, self.today
        specs = [*PROJECTS, (*OUTREACH, (), dt.time(8, 30), dt.time(11, 30), 10, (0, 0), JoinMode.INSTANT)]
        projects = Project.objects.bulk_create(
            [
                Project(
                    organization=self.committee,
                    name=s[0],
                    kind=s[1],
                    description=s[2],
                    created_by=self.coordinator,
                )
                for s in specs
            ]
        )
        posts = Post.objects.bulk_create(
            [Post(project=p, name=n) for p, s in zip(projects, specs, strict=True) for n in s[3]]
        )
        by_project: dict[int, list[Post]] = {}
        for post in posts:
            by_project.setdefault(post.project_id, []).append(post)
        self.count("projects", len(projects))
        self.count("posts", len(posts))
        self.escort_project = projects[1]

        first = today - dt.timedelta(days=365)
        last = today + dt.timedelta(days=UPCOMING_DAYS)
        shifts: list[Shift] = []
        served: dict[int, tuple] = {}  # shift index -> (spec, per-person served)
        day = first
        while day <= last:
            for project, spec in zip(projects, specs, strict=True):
                is_outreach = spec[1] == Project.Kind.OUTREACH
                if is_outreach:
                    if not (day.weekday() == 5 and 8 <= day.day <= 14):
                        continue
                elif day.weekday() not in spec[4]:
                    continue
                project_posts = by_project[project.pk]
                post = project_posts[(day.toordinal() // 7) % len(project_posts)]
                past = day < today
                shifts.append(
                    Shift(
                        project=project,
                        post=post,
                        start=self.at(day, spec[5]),
                        end=self.at(day, spec[6]),
                        place=rng.choice(PARTNERS)
                        if is_outreach
                        else "门诊楼一楼"
                        if spec[0].startswith("门诊")
                        else "住院部",
                        capacity=spec[7],
                        join_mode=spec[9],
                        partner=rng.choice(PARTNERS) if is_outreach else "",
                        people_reached=rng.randint(80, 220) if is_outreach and past else None,
                        insurance_required=is_outreach,
                    )
                )
                served[len(shifts) - 1] = spec
            day += dt.timedelta(days=1)
        shifts = self.b.add(Shift, shifts)
        self.count("shifts", len(shifts))
        self._staff(shifts, served)

    def _staff(self, shifts: list[Shift], specs: dict[int, tuple]) -> None:
        rng, today = self.rng, self.today
        busy: set[tuple[int, dt.date]] = set()
        signups: list[Signup] = []
        records: list[ServiceRecord] = []
        member = self.member_vol
        member_days = 0
        member_upcoming = 0
        for index, shift in enumerate(shifts):
            spec = specs[index]
            day = timezone.localtime(shift.start, self.tz).date()
            past = day < today
            insured_only = shift.insurance_required
            pool_size = shift.capacity
            if past:
                n = min(shift.capacity, max(1, round(shift.capacity * rng.uniform(0.5, 1.0))))
            else:
                ahead = (day - today).days
                fill = rng.uniform(0.8, 1.4) if ahead <= 7 else rng.uniform(0.2, 0.9)
                n = round(shift.capacity * fill)
            chosen: list[Volunteer] = []
            # The member: the weekly Tuesday front-desk shift, a children's ward afternoon now and then.
            if member is not None and (day, member.pk) not in busy:
                on_desk = spec[0].startswith("门诊") and day.weekday() == 1
                if (past and on_desk and member_days < 38) or (not past and on_desk and member_upcoming < 3):
                    chosen.append(member)
            tries = 0
            while len(chosen) < n + (2 if not past else 0) and tries < 4 * pool_size + 10:
                tries += 1
                v = rng.choices(self.active_vols, weights=self.weights)[0]
                if v in chosen or (v.pk, day) in busy or v is member:
                    continue
                if insured_only and v.kind != Volunteer.Kind.STAFF and not v.insured_on(day):
                    continue
                chosen.append(v)
            for position, v in enumerate(chosen[:n] if past else chosen):
                busy.add((v.pk, day))
                if v is member:
                    member_days += past
                    member_upcoming += not past
                if past:
                    no_show = v is not member and rng.random() < 0.03
                    signups.append(
                        Signup(
                            shift=shift,
                            volunteer=v,
                            status=Signup.Status.NO_SHOW if no_show else Signup.Status.CONFIRMED,
                        )
                    )
                    if not no_show:
                        records.append(self._record(shift, v, spec, day))
                    continue
                if position < shift.capacity:
                    status = Signup.Status.CONFIRMED
                    if shift.join_mode == JoinMode.REQUEST and v is not member and rng.random() < 0.4:
                        status = Signup.Status.REQUESTED
                    signups.append(Signup(shift=shift, volunteer=v, status=status))
                elif position < n:
                    signups.append(
                        Signup(
                            shift=shift,
                            volunteer=v,
                            status=Signup.Status.WAITING,
                            queued_at=shift.start - dt.timedelta(days=rng.randint(2, 6), minutes=position),
                        )
                    )
        Signup.objects.bulk_create(signups, batch_size=2000)
        records = self.b.add(ServiceRecord, records)
        self.count("signups", len(signups))
        self.count("service_records", len(records))
        self.count("verified_hours", int(sum(r.verified_hours or 0 for r in records)))

    def _record(self, shift: Shift, v: Volunteer, spec: tuple, day: dt.date) -> ServiceRecord:
        rng = self.rng
        scheduled = shift.scheduled_hours
        checked_in = shift.start - dt.timedelta(minutes=rng.randint(0, 12))
        checked_out = shift.end + dt.timedelta(minutes=rng.randint(-10, 15))
        recorded = min(scheduled, rules.volunteer_hours_rounded((checked_out - shift.start).total_seconds()))
        low, high = spec[8]
        served = rng.randint(low, high) if high else (shift.people_reached or 100) // shift.capacity
        fresh = (self.today - day).days <= 6  # the last week waits for its verification
        return ServiceRecord(
            shift=shift,
            volunteer=v,
            project_id=shift.project_id,
            served_on=day,
            source=ServiceRecord.Source.SCAN,
            status=ServiceRecord.Status.RECORDED if fresh else ServiceRecord.Status.VERIFIED,
            checked_in_at=checked_in,
            checked_out_at=checked_out,
            scheduled_hours=scheduled,
            recorded_hours=recorded,
            verified_hours=None if fresh else recorded,
            people_served=served,
            created_by=None,
            verified_by=None if fresh else self.coordinator,
            verified_at=None if fresh else shift.end + dt.timedelta(days=rng.randint(1, 4)),
        )

    def certificate(self) -> None:
        if self.member_vol is None or self.member is None:
            return
        certificates.certificate_issue(volunteer=self.member_vol, actor=self.member)
        self.count("certificates", 1)

    # -- escorts and a call-up ---------------------------------------------------------------

    def escorts(self) -> None:
        rng, today = self.rng, self.today
        departments = list(self.b.departments.values())
        escorters = [v for v in self.active_vols if v.kind == Volunteer.Kind.STAFF][:40]
        plan = ["new"] * 4 + ["assigned"] * 4 + ["under_way"] + ["done"] * 28 + ["cancelled"] * 4
        rows = []
        for n, state in enumerate(plan):
            if state in ("new", "assigned"):
                wanted = self.at(
                    today + dt.timedelta(days=rng.randint(1, 6)), dt.time(rng.choice((8, 9, 10)), 0)
                )
            elif state == "under_way":
                wanted = self.now - dt.timedelta(minutes=40)
            else:
                wanted = self.at(
                    today - dt.timedelta(days=rng.randint(2, 300)), dt.time(rng.choice((8, 9, 10)), 30)
                )
            created = wanted - dt.timedelta(days=rng.randint(1, 4), hours=rng.randint(0, 8))
            volunteer = None
            if state not in ("new", "cancelled"):
                volunteer = (
                    self.member_vol
                    if state == "assigned" and n == 4 and self.member_vol
                    else rng.choice(escorters)
                )
            assigned_at = created + dt.timedelta(minutes=rng.randint(10, 300)) if volunteer else None
            row = EscortRequest(
                organization=self.committee,
                status=state,
                patient_name=self.b.name(rng.random() < 0.5),
                phone=self.b.phone(),
                needs=rng.choice(
                    ("行动不便，需要轮椅", "独自就医，不会使用自助机", "听力不好，需要陪同沟通", "")
                ),
                wanted_at=wanted,
                department=rng.choice(departments) if departments else None,
                token_digest=token_digest(f"demo-escort-{n}-{rng.random()}"),
                volunteer=volunteer,
                assigned_by=self.coordinator if volunteer else None,
                assigned_at=assigned_at,
                started_at=wanted if state in ("under_way", "done") else None,
                done_at=wanted + dt.timedelta(minutes=rng.randint(60, 180)) if state == "done" else None,
                outcome_note="顺利完成检查和取药。" if state == "done" else "",
                cancelled_at=created + dt.timedelta(hours=rng.randint(1, 20))
                if state == "cancelled"
                else None,
                cancelled_by=self.coordinator if state == "cancelled" else None,
                cancel_reason="患者改期就诊" if state == "cancelled" else "",
            )
            if state == "done" and rng.random() < 0.8:
                row.rating = rng.choices((5, 4, 3), weights=(70, 25, 5))[0]
                row.rating_comment = rng.choice(("志愿者非常耐心", "很贴心，谢谢", ""))
                row.rated_at = row.done_at + dt.timedelta(hours=rng.randint(1, 30))
            row._created = created
            rows.append(row)
        saved = EscortRequest.objects.bulk_create(rows)
        for row, original in zip(saved, rows, strict=True):
            row.created_at = original._created
        EscortRequest.objects.bulk_update(saved, ["created_at"])
        self.count("escort_requests", len(saved))

    def callup(self) -> None:
        rng, today = self.rng, self.today
        day = today - dt.timedelta(days=rng.randint(40, 70))
        starts, ends = self.at(day, dt.time(8, 0)), self.at(day, dt.time(12, 0))
        title = "流感疫苗集中接种现场保障"
        project = Project.objects.create(
            organization=self.committee,
            name=f"应急动员：{title}（{day:%Y-%m-%d}）",
            kind=Project.Kind.OTHER,
            created_by=self.coordinator,
        )
        posts = Post.objects.bulk_create([Post(project=project, name=n) for n in ("现场引导", "信息登记")])
        shifts = self.b.add(
            Shift,
            [
                Shift(
                    project=project,
                    post=p,
                    start=starts,
                    end=ends,
                    place="门诊楼二楼接种点",
                    capacity=c,
                    join_mode=JoinMode.ASSIGNMENT,
                )
                for p, c in zip(posts, (4, 3), strict=True)
            ],
        )
        sent = starts - dt.timedelta(days=2)
        callup = CallUp.objects.create(
            title=title,
            kind=CallUp.Kind.VACCINATION,
            organization=self.committee,
            project=project,
            message="周六上午集中接种，需引导和登记志愿者，请在两小时内回复。",
            place="门诊楼二楼接种点",
            starts_at=starts,
            ends_at=ends,
            status=CallUp.Status.CLOSED,
            first_sent_at=sent,
            closed_at=ends + dt.timedelta(hours=2),
            created_by=self.coordinator,
        )
        staff = [v for v in self.active_vols if v.kind == Volunteer.Kind.STAFF and v is not self.member_vol]
        asked = rng.sample(staff, min(30, len(staff)))
        responses, signups, records = [], [], []
        places = [s for s in shifts for _ in range(s.capacity)]
        for n, v in enumerate(asked):
            answer = (
                Response.Answer.ACCEPTED
                if n < 12
                else Response.Answer.DECLINED
                if n < 20
                else Response.Answer.PENDING
            )
            answered = (
                sent + dt.timedelta(minutes=rng.randint(3, 150))
                if answer != Response.Answer.PENDING
                else None
            )
            responses.append(
                Response(callup=callup, volunteer=v, sent_at=sent, answer=answer, responded_at=answered)
            )
            if answer == Response.Answer.ACCEPTED and places:
                shift = places.pop(0)
                signups.append(
                    Signup(
                        shift=shift, volunteer=v, status=Signup.Status.CONFIRMED, decided_by=self.coordinator
                    )
                )
                records.append(
                    self._record(shift, v, (title, None, None, None, None, None, None, None, (15, 40)), day)
                )
        Response.objects.bulk_create(responses)
        Signup.objects.bulk_create(signups)
        self.b.add(ServiceRecord, records)
        self.count("callups", 1)
        self.count("callup_responses", len(responses))

    # -- league activities and publicity -----------------------------------------------------

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

    # -- cadre growth ------------------------------------------------------------------------

    def growth(self) -> None:
        rng, today = self.rng, self.today
        year_start = dt.date(today.year, 1, 1)
        cadre_ids = sorted(
            set(
                Position.objects.filter(organization__in=[o.obj for o in self.orgs], start_on__lte=today)
                .exclude(end_on__lt=year_start)
                .values_list("person_id", flat=True)
            )
        )
        active = {p.pk for p in self.people}
        cadre_ids = [pk for pk in cadre_ids if pk in active]
        trainings, contests = [], []
        for pk in cadre_ids:
            for course, level, organiser, days in rng.sample(
                TRAININGS, rng.choices((0, 1, 2, 3), weights=(25, 40, 25, 10))[0]
            ):
                start = today - dt.timedelta(days=rng.randint(20, 700))
                end = start + dt.timedelta(days=days - 1)
                hours = Decimal(min(rules.training_hours_allowed(start, end), days * rng.choice((6, 7, 8))))
                pending = end > today - dt.timedelta(days=40) and rng.random() < 0.3
                trainings.append(
                    TrainingRecord(
                        person_id=pk,
                        course=course,
                        level=level,
                        organiser=organiser,
                        start_on=start,
                        end_on=end,
                        hours=hours,
                        status=RecordStatus.PENDING if pending else RecordStatus.APPROVED,
                        entered_by=self.branch_admin if pending else self.admin,
                        decided_by=None if pending else self.admin,
                        decided_at=None if pending else self.at(end, dt.time(10)) + dt.timedelta(days=3),
                    )
                )
            if rng.random() < 0.2:
                contest, level, organiser = rng.choice(CONTESTS)
                contests.append(
                    ContestResult(
                        person_id=pk,
                        contest=contest,
                        level=level,
                        organiser=organiser,
                        held_on=today - dt.timedelta(days=rng.randint(20, 600)),
                        award=rng.choices(list(ContestResult.Award.values), weights=(5, 10, 15, 15, 5, 50))[
                            0
                        ],
                        entered_by=self.admin,
                        decided_by=self.admin,
                        decided_at=self.now - dt.timedelta(days=rng.randint(1, 15)),
                    )
                )
        TrainingRecord.objects.bulk_create(trainings)
        ContestResult.objects.bulk_create(contests)
        self.count("trainings", len(trainings))
        self.count("contest_results", len(contests))

        published = self.at(dt.date(today.year, 3, 1), dt.time(9))
        checklist = Checklist.objects.create(
            organization=self.committee,
            year=today.year,
            title=f"{today.year}年度团干部“六查六问”自查",
            intro="请每位团干部对照以下问题如实自查，列出问题和整改措施。",
            status=Checklist.Status.PUBLISHED,
            published_at=published,
            published_by=self.admin,
            created_by=self.admin,
        )
        questions = ChecklistQuestion.objects.bulk_create(
            [
                ChecklistQuestion(checklist=checklist, number=n, text=t)
                for n, t in enumerate(QUESTIONS, start=1)
            ]
        )
        answering = [pk for pk in cadre_ids if rng.random() < 0.82]
        inspections = SelfInspection.objects.bulk_create(
            [SelfInspection(checklist=checklist, person_id=pk, submitted_by=self.admin) for pk in answering]
        )
        answers, problems = [], []
        overdue = 0
        for inspection in inspections:
            answers += [
                InspectionAnswer(inspection=inspection, question=q, text=rng.choice(ANSWERS))
                for q in questions
            ]
            if rng.random() < 0.45:
                description, fix = rng.choice(PROBLEMS)
                due = dt.date(today.year, rng.randint(5, 12), rng.randint(1, 28))
                done = None
                if due < today:
                    if overdue < 5 and rng.random() < 0.15:
                        overdue += 1
                    else:
                        done = due - dt.timedelta(days=rng.randint(0, 30))
                problems.append(
                    InspectionProblem(
                        inspection=inspection,
                        description=description,
                        fix=fix,
                        due_on=due,
                        done_on=done,
                        done_note="已按措施完成整改。" if done else "",
                    )
                )
        InspectionAnswer.objects.bulk_create(answers, batch_size=2000)
        InspectionProblem.objects.bulk_create(problems)
        self.count("self_inspections", len(inspections))
        self.count("overdue_fixes", overdue)

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
    d.escorts()
    d.callup()
    d.activities()
    d.publications()
    d.growth()
    d.notifications()
    return d.counts
