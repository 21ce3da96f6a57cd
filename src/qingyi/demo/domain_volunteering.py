"""The demo hospital's volunteering: volunteers, projects, shifts, service records, a certificate."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qingyi.core import rules
from qingyi.demo import domain_stars
from qingyi.demo.names import ID_AREAS, id_number
from qingyi.volunteering import certificates
from qingyi.volunteering.models import (
    JoinMode,
    Post,
    Project,
    Qualification,
    ServicePoint,
    ServiceRecord,
    Shift,
    Signup,
    Volunteer,
    VolunteerQualification,
)

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
# Fixed desks with a standing check-in screen: (project index, name, place, post name or None).
SERVICE_POINTS = (
    (0, "门诊大厅导诊台", "门诊楼一楼大厅", None),
    (1, "陪诊服务台", "门诊楼一楼东侧", "陪诊"),
    (2, "儿科病房活动室", "住院部三楼儿科", None),
)
QUALIFICATIONS = (
    ("院感防控培训", "医院感染防控基础知识"),
    ("急救培训（BLS）", "心肺复苏与AED使用"),
    ("儿童陪伴培训", "与住院患儿沟通的基本方法"),
)


class VolunteeringMixin:
    """Mixed into ``domains._Domains``, which holds the shared state (``b``, ``rng``, ``today`` ...)."""

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
        points = ServicePoint.objects.bulk_create(
            [
                ServicePoint(
                    project=projects[i],
                    post=next(p for p in by_project[projects[i].pk] if p.name == post) if post else None,
                    name=name,
                    place=place,
                    created_by=self.coordinator,
                )
                for i, name, place, post in SERVICE_POINTS
            ]
        )
        self.count("service_points", len(points))
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

    def star_levels(self) -> None:
        """One announcement awarded a few days ago, one open now (demo/domain_stars.py)."""
        domain_stars.star_levels(self)
