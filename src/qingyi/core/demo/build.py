"""A fictional hospital league committee for demos, tests and benchmarks.

``build()`` writes one or more fictional hospitals — committee, general branches, branches
(some of them student branches), party branches paired with them, departments, a roster of
people with plausible names and numbers, cadres with their terms and past elections — in
bulk, so that 150,000 people take seconds rather than hours. Everything comes from a
``random.Random(seed)``: the same seed gives the same hospital.

Every name here is invented (surname and given-name characters drawn at random; hospitals
named after imaginary places). ID numbers carry a valid check digit; development numbers
follow the league's rules (12 digits, year of joining first, required from 2017); a few
records are deliberately out of line so the alerts have something to show: members past
28 without a post (超龄离团), branches under three members, elections overdue or due soon.

The first hospital also gets one demo login per role (``DEMO_ACCOUNTS``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from qingyi.accounts.models import Role, RoleAssignment, User
from qingyi.core import rules
from qingyi.core.scoping import subtree_ids
from qingyi.organizations.models import Department, Election, Organization, PartyBranch, Position
from qingyi.people.models import Person, Transfer

COMMITTEE_NAME = "青山医院团委"
HOSPITAL_PEOPLE = 1500
DEFAULT_SEED = 504  # 4 May, Youth Day
DEMO_PASSWORD = "qingyi-demo"  # passes the password validators: 11 characters, not common, not numeric
MIN_PEOPLE_PER_HOSPITAL = 100
BATCH_SIZE = 2000

PS = Person.PoliticalStatus
PROF = Person.Profession
EDU = Person.Education
TITLE = Person.Title
POST = Position.Title


# --- The shape of one hospital -----------------------------------------------------------


@dataclass(frozen=True)
class BranchSpec:
    name: str
    departments: tuple[str, ...]
    profile: str  # key of PROFILES
    party_branch: str
    weight: float = 1.0  # share of the roster, relative to other branches
    student: bool = False
    tiny: bool = False  # has shrunk below three members: the tree flags it
    young: bool = False  # founded months ago, no election yet


@dataclass(frozen=True)
class GeneralBranchSpec:
    name: str
    party_branch: str
    branches: tuple[BranchSpec, ...]


def _b(name: str, profile: str, party_branch: str, weight: float, departments: str, **flags) -> BranchSpec:
    return BranchSpec(name, tuple(departments.split()), profile, party_branch, weight, **flags)


# fmt: off
PARTY_BRANCHES = (
    "护理第一党支部", "护理第二党支部", "内科党支部", "外科党支部", "医技党支部", "妇儿党支部",
    "急诊重症党支部", "机关第一党支部", "机关第二党支部", "后勤党支部", "研究生党支部", "学生党支部",
)

DEPARTMENTS = [
    "心血管内科", "呼吸与危重症医学科", "消化内科", "神经内科", "肾内科", "内分泌科", "肿瘤科", "血液科",
    "感染科", "老年病科", "普外科", "骨科", "神经外科", "泌尿外科", "胸外科", "麻醉科",
    "手术室", "妇产科", "儿科", "新生儿科", "急诊科", "重症医学科", "院前急救科", "检验科",
    "放射科", "超声科", "病理科", "药学部", "中医科", "康复医学科", "眼科", "耳鼻喉科",
    "口腔科", "体检中心", "门诊部", "护理部", "医务部", "党委办公室", "人力资源部", "信息中心",
    "后勤保障部",
]

GENERAL_BRANCHES = (
    GeneralBranchSpec("护理团总支", "护理第一党支部", (
        _b("内科护理团支部", "nursing", "护理第一党支部", 1.1,
           "心血管内科 呼吸与危重症医学科 消化内科 神经内科"),
        _b("外科护理团支部", "nursing", "护理第一党支部", 1.1, "普外科 骨科 神经外科 泌尿外科 胸外科"),
        _b("妇儿护理团支部", "nursing", "护理第二党支部", 1.05, "妇产科 儿科 新生儿科"),
        _b("急危重症护理团支部", "nursing", "护理第二党支部", 1.05, "急诊科 重症医学科"),
        _b("手术室护理团支部", "nursing", "护理第二党支部", 1.0, "手术室 麻醉科"),
        _b("门诊护理团支部", "nursing", "护理第二党支部", 0.95, "门诊部 护理部 体检中心"),
        _b("老年病护理团支部", "nursing", "护理第一党支部", 0.95, "老年病科 肾内科 内分泌科 康复医学科"),
        _b("肿瘤血液护理团支部", "nursing", "护理第一党支部", 0.95, "肿瘤科 血液科 感染科"),
    )),
    GeneralBranchSpec("内科团总支", "内科党支部", (
        _b("心血管内科团支部", "medical", "内科党支部", 1.0, "心血管内科"),
        _b("呼吸消化内科团支部", "medical", "内科党支部", 1.0, "呼吸与危重症医学科 消化内科"),
        _b("神经内科团支部", "medical", "内科党支部", 0.85, "神经内科"),
        _b("肾内内分泌科团支部", "medical", "内科党支部", 0.85, "肾内科 内分泌科"),
        _b("肿瘤血液科团支部", "medical", "内科党支部", 0.85, "肿瘤科 血液科"),
        _b("感染科团支部", "medical", "内科党支部", 0.7, "感染科"),
    )),
    GeneralBranchSpec("外科团总支", "外科党支部", (
        _b("普外科团支部", "medical", "外科党支部", 1.0, "普外科"),
        _b("骨科团支部", "medical", "外科党支部", 0.9, "骨科"),
        _b("神经外科团支部", "medical", "外科党支部", 0.8, "神经外科"),
        _b("泌尿胸外科团支部", "medical", "外科党支部", 0.85, "泌尿外科 胸外科"),
        _b("麻醉科团支部", "medical", "外科党支部", 0.8, "麻醉科 手术室"),
    )),
    GeneralBranchSpec("医技团总支", "医技党支部", (
        _b("检验科团支部", "technician", "医技党支部", 0.9, "检验科"),
        _b("影像科团支部", "technician", "医技党支部", 0.9, "放射科 超声科"),
        _b("药学部团支部", "pharmacy", "医技党支部", 0.8, "药学部"),
        _b("病理科团支部", "technician", "医技党支部", 0.0, "病理科", tiny=True),
    )),
    GeneralBranchSpec("妇儿团总支", "妇儿党支部", (
        _b("妇产科团支部", "medical", "妇儿党支部", 0.9, "妇产科"),
        _b("儿科团支部", "medical", "妇儿党支部", 0.9, "儿科 新生儿科"),
    )),
    GeneralBranchSpec("急诊重症团总支", "急诊重症党支部", (
        _b("急诊科团支部", "medical", "急诊重症党支部", 0.85, "急诊科"),
        _b("重症医学科团支部", "medical", "急诊重症党支部", 0.8, "重症医学科"),
        _b("院前急救团支部", "medical", "急诊重症党支部", 0.0, "院前急救科", tiny=True),
    )),
    GeneralBranchSpec("行政后勤团总支", "机关第一党支部", (
        _b("机关第一团支部", "admin", "机关第一党支部", 0.7, "党委办公室 医务部 人力资源部"),
        _b("机关第二团支部", "admin", "机关第二党支部", 0.6, "护理部 门诊部 医务部"),
        _b("信息中心团支部", "admin", "机关第二党支部", 0.45, "信息中心"),
        _b("后勤保障团支部", "logistics", "后勤党支部", 0.6, "后勤保障部"),
    )),
    GeneralBranchSpec("学生团总支", "研究生党支部", (
        _b("规培医师团支部", "resident", "研究生党支部", 1.0, "心血管内科 消化内科 普外科 骨科 急诊科 儿科"),
        _b("研究生第一团支部", "postgraduate", "研究生党支部", 0.8, "心血管内科 神经内科 肿瘤科 普外科",
           student=True),
        _b("研究生第二团支部", "postgraduate", "研究生党支部", 0.8, "骨科 妇产科 儿科 检验科 放射科",
           student=True),
        _b("临床实习生第一团支部", "intern", "学生党支部", 0.9, "消化内科 普外科 急诊科 儿科", student=True),
        _b("临床实习生第二团支部", "intern", "学生党支部", 0.9, "神经内科 骨科 妇产科 感染科", student=True),
        _b("护理实习生团支部", "nursing_intern", "学生党支部", 0.9, "心血管内科 普外科 儿科 手术室",
           student=True),
    )),
)

DIRECT_BRANCHES = (
    _b("中医康复团支部", "medical", "内科党支部", 0.7, "中医科 康复医学科"),
    _b("五官科团支部", "medical", "外科党支部", 0.7, "眼科 耳鼻喉科 口腔科"),
    _b("体检中心团支部", "nursing", "护理第二党支部", 0.5, "体检中心", young=True),
)
# fmt: on

DEMO_BRANCH = "内科护理团支部"  # the branch of the demo org admin and member
COORDINATOR_BRANCH = "机关第一团支部"
TINY_BRANCH_SIZE = 2

# Who works in a branch: professions, share of women, political status mix.
STAFF_STATUS = {PS.LEAGUE_MEMBER: 66, PS.PROBATIONARY_PARTY_MEMBER: 4, PS.PARTY_MEMBER: 14, PS.MASSES: 16}
STUDENT_STATUS = {PS.LEAGUE_MEMBER: 84, PS.PROBATIONARY_PARTY_MEMBER: 5, PS.PARTY_MEMBER: 8, PS.MASSES: 3}
PROFILES: dict[str, dict] = {
    "nursing": {"professions": {PROF.NURSE: 1}, "women": 0.92},
    "medical": {"professions": {PROF.DOCTOR: 80, PROF.NURSE: 12, PROF.TECHNICIAN: 8}, "women": 0.5},
    "technician": {"professions": {PROF.TECHNICIAN: 85, PROF.DOCTOR: 15}, "women": 0.6},
    "pharmacy": {"professions": {PROF.PHARMACIST: 90, PROF.TECHNICIAN: 10}, "women": 0.68},
    "admin": {"professions": {PROF.ADMINISTRATION: 80, PROF.OTHER: 10, PROF.NURSE: 10}, "women": 0.62},
    "logistics": {"professions": {PROF.LOGISTICS: 85, PROF.OTHER: 15}, "women": 0.3},
    "resident": {"professions": {PROF.DOCTOR: 1}, "women": 0.52},
    "postgraduate": {"professions": {PROF.STUDENT: 1}, "women": 0.55, "student": True},
    "intern": {"professions": {PROF.STUDENT: 1}, "women": 0.55, "student": True},
    "nursing_intern": {"professions": {PROF.STUDENT: 1}, "women": 0.9, "student": True},
}
EDUCATION = {
    PROF.NURSE: {EDU.JUNIOR_COLLEGE: 33, EDU.BACHELOR: 62, EDU.MASTER: 5},
    PROF.DOCTOR: {EDU.BACHELOR: 22, EDU.MASTER: 58, EDU.DOCTORATE: 20},
    PROF.TECHNICIAN: {EDU.JUNIOR_COLLEGE: 20, EDU.BACHELOR: 65, EDU.MASTER: 15},
    PROF.PHARMACIST: {EDU.BACHELOR: 60, EDU.MASTER: 40},
    PROF.ADMINISTRATION: {EDU.BACHELOR: 62, EDU.MASTER: 38},
    PROF.LOGISTICS: {EDU.SECONDARY: 30, EDU.JUNIOR_COLLEGE: 50, EDU.BACHELOR: 20},
    PROF.OTHER: {EDU.JUNIOR_COLLEGE: 40, EDU.BACHELOR: 60},
}
# Youngest age at which each degree is plausible.
EDUCATION_MIN_AGE = {EDU.MASTER: 24, EDU.DOCTORATE: 27}

# --- Names (drawn at random: every name is invented) --------------------------------------------

# fmt: off
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
SURNAME_WEIGHTS = tuple(1 / (rank + 6) for rank in range(len(SURNAMES)))
GIVEN_WOMEN = (
    "婷娟静丽敏燕艳芳玲雪琳洁颖欣怡佳梦雨露倩瑶璐悦蕾薇莉慧婧晶丹萍霞月琪茜妍馨诗涵思彤可宁韵岚菲蓉莹"
)
GIVEN_MEN = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆旭龙林阳博文昊然轩豪峰成亮新洋毅源翔睿哲航"
GIVEN_ANY = "子一思家嘉雨欣晓梓若文天海春秋云安书卓泽明清昕晨宁"
ETHNICITIES = {
    "汉族": 930, "土家族": 20, "苗族": 12, "回族": 10, "壮族": 8, "彝族": 6,
    "满族": 5, "蒙古族": 3, "藏族": 3, "侗族": 3,
}

# Places of the imaginary city, for the other hospitals of a city-scale volume.
PLACES = [
    "白石", "松溪", "云岭", "南湖", "东川", "西岭", "北坪", "临江", "清河", "柳林", "桃源", "石门",
    "金沙", "玉泉", "长宁", "安平", "星桥", "望江", "凤鸣", "龙溪", "梅岭", "竹溪", "兰亭", "枫桥",
]
HOSPITAL_KINDS = ("人民医院", "中医院", "妇幼保健院", "中心医院", "第二人民医院")
# Area codes for ID numbers (first six digits) and league regions (four digits of development numbers).
ID_AREAS = (
    "510104", "510107", "430102", "420106", "610113", "530102", "520102", "450103", "360102", "410105",
)
PHONE_PREFIXES = (
    "130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152", "155", "157", "158", "159",
    "166", "175", "176", "177", "180", "181", "182", "183", "186", "187", "188", "189", "191", "198", "199",
)

# fmt: on

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(area: str, birth: dt.date, sequence: int) -> str:
    """A resident ID number (GB 11643-1999) with its check digit; ``sequence`` odd for men."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


# --- Demo logins -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountSpec:
    username: str
    role: str
    where: str  # "committee" or a branch name
    who: str  # how the linked person is chosen


DEMO_ACCOUNTS = (
    AccountSpec("admin", Role.COMMITTEE_ADMIN, "committee", "secretary"),
    AccountSpec("branch", Role.ORG_ADMIN, DEMO_BRANCH, "secretary"),
    AccountSpec("coordinator", Role.COORDINATOR, "committee", COORDINATOR_BRANCH),
    AccountSpec("member", Role.MEMBER, DEMO_BRANCH, "member"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    organization: str
    person: str
    password: str  # the demo password, or a note that it was changed


@dataclass
class BuildReport:
    hospitals: int = 0
    organizations: int = 0
    party_branches: int = 0
    departments: int = 0
    people: int = 0
    elections: int = 0
    positions: int = 0
    history_rows: int = 0
    seconds: float = 0.0
    accounts: list[DemoAccount] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return (
            self.organizations
            + self.party_branches
            + self.departments
            + self.people
            + self.elections
            + self.positions
            + self.history_rows
        )


def demo_exists() -> bool:
    return Organization.objects.filter(depth=1, name=COMMITTEE_NAME).exists()


def demo_accounts() -> list[DemoAccount]:
    """The demo logins as they stand in the database (the password only if it still works)."""
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])}
    persons = dict(Person.objects.filter(user__in=users.values()).values_list("user_id", "name"))
    result = []
    for spec in DEMO_ACCOUNTS:
        user = users.get(spec.username)
        if user is None:
            continue
        grant = (
            RoleAssignment.objects.filter(user=user, role=spec.role).select_related("organization").first()
        )
        result.append(
            DemoAccount(
                username=user.username,
                role=str(Role(spec.role).label),
                organization=grant.organization.name if grant else "—",
                person=persons.get(user.pk, "—"),
                password=DEMO_PASSWORD if user.check_password(DEMO_PASSWORD) else "(changed since)",
            )
        )
    return result


# --- The builder -------------------------------------------------------------------------------------


def hospitals_for(orgs: int) -> int:
    """How many hospitals make about ``orgs`` organisations."""
    return max(1, round(orgs / orgs_per_hospital()))


def orgs_per_hospital() -> int:
    return 1 + len(GENERAL_BRANCHES) + sum(len(g.branches) for g in GENERAL_BRANCHES) + len(DIRECT_BRANCHES)


@dataclass
class _Draft:
    """A person being generated, with what the builder needs to know beyond the model's fields."""

    person: Person
    branch: int  # index into the hospital's branch list
    age: int
    no_post: bool = False  # past 28 and kept off every committee, so the age-out list has people


@dataclass
class _Org:
    obj: Organization
    spec: BranchSpec | GeneralBranchSpec | None
    branches: list[int] = field(default_factory=list)  # for a general branch or the committee: branch indexes
    elections: tuple[dt.date, dt.date] | None = (
        None  # (previous, latest) held on; None: appointed, no election
    )


class _Builder:
    def __init__(self, *, seed: int, today: dt.date, history: bool, progress: Callable[[str], None] | None):
        self.rng = random.Random(seed)
        self.today = today
        self.history = history
        self.progress = progress or (lambda message: None)
        self.report = BuildReport()
        self.id_sequences: dict[tuple[str, dt.date], int] = defaultdict(int)
        self.development_sequences: dict[tuple[int, str], int] = defaultdict(int)
        self.phones: set[str] = set()
        self.departments: dict[str, Department] = {}
        self.term_years = {
            (kind, student): rules.term_years(kind, is_student=student)
            for kind in Organization.Kind.values
            for student in (False, True)
        }

    # -- small random helpers

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def name(self, woman: bool) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        chars = GIVEN_WOMEN if woman else GIVEN_MEN
        if rng.random() < 0.28:
            return surname + rng.choice(chars)
        first = rng.choice(chars + GIVEN_ANY)
        second = rng.choice(chars)
        return surname + first + (second if second != first or rng.random() < 0.3 else rng.choice(chars))

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth_for_age(self, age: int) -> dt.date:
        """A birth date at which one is exactly ``age`` today."""
        latest = rules.years_before(self.today, age)
        return latest - dt.timedelta(days=self.rng.randrange(365))

    def add(self, model, objs: list) -> list:
        if not objs:
            return objs
        if self.history:
            objs = bulk_create_with_history(objs, model, batch_size=BATCH_SIZE)
            self.report.history_rows += len(objs)
            return objs
        return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)

    # -- shared reference data

    def ensure_departments(self) -> None:
        existing = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}
        missing = [
            Department(name=name, code=f"D{index + 1:02d}")
            for index, name in enumerate(DEPARTMENTS)
            if name not in existing
        ]
        Department.objects.bulk_create(missing)
        self.report.departments += len(missing)
        self.departments = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}

    # -- one hospital

    def hospital(self, index: int, *, people: int, root_step: int) -> list[_Org]:
        rng = self.rng
        if index == 0:
            committee_name, prefix, short = COMMITTEE_NAME, "QS", ""
        else:
            place = PLACES[(index - 1) % len(PLACES)]
            kind = HOSPITAL_KINDS[((index - 1) // len(PLACES)) % len(HOSPITAL_KINDS)]
            round_no = (index - 1) // (len(PLACES) * len(HOSPITAL_KINDS))
            short = f"{place}{kind}" + (f"{round_no + 1}院区" if round_no else "")
            committee_name, prefix = f"{short}团委", f"H{index:03d}"
        id_area = ID_AREAS[index % len(ID_AREAS)]
        region = f"{5101 + index % 8000:04d}"

        party = PartyBranch.objects.bulk_create(
            [
                PartyBranch(name=f"{short}{name}", secretary=self.name(rng.random() < 0.5))
                for name in PARTY_BRANCHES
            ]
        )
        self.report.party_branches += len(party)
        party_by_name = dict(zip(PARTY_BRANCHES, party, strict=True))

        orgs, branch_specs = self._tree(committee_name, root_step, party_by_name)
        drafts = self._people(orgs, branch_specs, people, prefix=prefix, id_area=id_area, region=region)
        self._cadres(orgs, drafts)
        self.report.hospitals += 1
        return orgs

    def _tree(self, committee_name: str, root_step: int, party: dict[str, PartyBranch]):
        rng, today = self.rng, self.today
        root_path = Organization._get_path(None, 1, root_step)
        top_level = len(GENERAL_BRANCHES) + len(DIRECT_BRANCHES)
        committee = Organization(
            name=committee_name,
            kind=Organization.Kind.COMMITTEE,
            path=root_path,
            depth=1,
            numchild=top_level,
            founded_on=dt.date(rng.randint(1998, 2008), rng.randint(3, 6), rng.randint(1, 28)),
        )
        orgs: list[_Org] = [_Org(committee, None)]
        branch_specs: list[tuple[BranchSpec, int]] = []  # (spec, index into orgs)

        def branch(spec: BranchSpec, parent: Organization, step: int) -> None:
            founded = (
                today - dt.timedelta(days=rng.randint(200, 300))
                if spec.young
                else dt.date(rng.randint(2012, 2019), rng.randint(1, 12), rng.randint(1, 28))
            )
            obj = Organization(
                name=spec.name,
                kind=Organization.Kind.BRANCH,
                path=Organization._get_path(parent.path, parent.depth + 1, step),
                depth=parent.depth + 1,
                numchild=0,
                party_branch=party[spec.party_branch],
                is_student=spec.student,
                founded_on=founded,
            )
            orgs.append(_Org(obj, spec))
            branch_specs.append((spec, len(orgs) - 1))

        for step, general in enumerate(GENERAL_BRANCHES, start=1):
            obj = Organization(
                name=general.name,
                kind=Organization.Kind.GENERAL_BRANCH,
                path=Organization._get_path(root_path, 2, step),
                depth=2,
                numchild=len(general.branches),
                party_branch=party[general.party_branch],
                founded_on=dt.date(rng.randint(2009, 2015), rng.randint(1, 12), rng.randint(1, 28)),
            )
            orgs.append(_Org(obj, general))
            for child_step, spec in enumerate(general.branches, start=1):
                branch(spec, obj, child_step)
        for step, spec in enumerate(DIRECT_BRANCHES, start=len(GENERAL_BRANCHES) + 1):
            branch(spec, committee, step)
        self._election_dates(orgs)
        created = self.add(Organization, [o.obj for o in orgs])
        for org, obj in zip(orgs, created, strict=True):
            org.obj = obj
        # Which branches lie under which organisation (for choosing cadres from below).
        branch_index = {index: position for position, (_spec, index) in enumerate(branch_specs)}
        for org in orgs:
            org.branches = [
                branch_index[i]
                for i, other in enumerate(orgs)
                if i in branch_index and other.obj.path.startswith(org.obj.path)
            ]
        self.report.organizations += len(orgs)
        return orgs, branch_specs

    # -- elections: a few overdue, a few due within the warning period, the rest in order

    def _election_dates(self, orgs: list[_Org]) -> None:
        """The last two elections of each organisation (founded before the first of them)."""
        rng = self.rng
        plan = self._elections_plan(orgs)
        for index, org in enumerate(orgs):
            obj = org.obj
            if getattr(org.spec, "young", False):
                continue  # a new branch: its first committee was appointed when it was founded
            term = self.term_years[(obj.kind, obj.is_student)]
            latest = rules.years_before(self._latest_due(plan.get(index, "ok"), term), term)
            previous = rules.years_before(latest, term) - dt.timedelta(days=rng.randint(0, 40))
            if obj.founded_on is None or obj.founded_on > previous - dt.timedelta(days=30):
                obj.founded_on = previous - dt.timedelta(days=rng.randint(30, 400))
            org.elections = (previous, latest)

    def _elections_plan(self, orgs: list[_Org]) -> dict[int, str]:
        rng = self.rng
        candidates = [
            i
            for i, o in enumerate(orgs)
            if o.spec is not None and not getattr(o.spec, "young", False) and o.obj.name != DEMO_BRANCH
        ]
        staff_branches = [
            i for i in candidates if orgs[i].obj.kind == "branch" and not orgs[i].obj.is_student
        ]
        generals = [i for i in candidates if orgs[i].obj.kind == "general_branch"]
        students = [i for i in candidates if orgs[i].obj.is_student]
        overdue = {*rng.sample(staff_branches, 2), rng.choice(generals)}
        due_soon = set(rng.sample([i for i in staff_branches if i not in overdue], 2)) | {
            rng.choice(students)
        }
        return dict.fromkeys(overdue, "overdue") | dict.fromkeys(due_soon, "due_soon")

    def _latest_due(self, state: str, term: int) -> dt.date:
        rng, today = self.rng, self.today
        if state == "overdue":
            return today - dt.timedelta(days=rng.randint(20, 200))
        if state == "due_soon":
            return today + dt.timedelta(days=rng.randint(10, 80))
        return today + dt.timedelta(days=rng.randint(120, max(121, term * 365 - 60)))

    # -- the roster

    def _people(
        self, orgs, branch_specs, people: int, *, prefix: str, id_area: str, region: str
    ) -> list[_Draft]:
        rng = self.rng
        tiny = [i for i, (spec, _o) in enumerate(branch_specs) if spec.tiny]
        regular = [i for i, (spec, _o) in enumerate(branch_specs) if not spec.tiny]
        inactive = round(people * 0.04)
        active = people - inactive - TINY_BRANCH_SIZE * len(tiny)
        total_weight = sum(branch_specs[i][0].weight for i in regular)
        targets = {i: int(active * branch_specs[i][0].weight / total_weight) for i in regular}
        # Hand out the rounding remainder to the largest branches first... then the rest.
        remainder = active - sum(targets.values())
        for i in sorted(regular, key=lambda i: -branch_specs[i][0].weight)[:remainder]:
            targets[i] += 1
        for i in tiny:
            targets[i] = TINY_BRANCH_SIZE
        slots = [(i, True) for i in targets for _ in range(targets[i])]
        slots += [(rng.choice(regular), False) for _ in range(inactive)]

        drafts: list[_Draft] = []
        staff_no = student_no = 0
        for branch, is_active in slots:
            spec, org_index = branch_specs[branch]
            profile = PROFILES[spec.profile]
            student = profile.get("student", False)
            if student:
                student_no += 1
                number = f"{prefix}S{student_no:05d}"
            else:
                staff_no += 1
                number = f"{prefix}{staff_no:06d}"
            draft = self._person(
                spec=spec,
                profile=profile,
                organization=orgs[org_index].obj,
                employee_number=number,
                id_area=id_area if rng.random() < 0.7 else rng.choice(ID_AREAS),
                region=region,
                active=is_active,
                tiny=spec.tiny,
            )
            draft.branch = branch
            drafts.append(draft)
        created = self.add(Person, [d.person for d in drafts])
        for draft, obj in zip(drafts, created, strict=True):
            draft.person = obj
        self.report.people += len(drafts)
        return drafts

    def _person(
        self, *, spec, profile, organization, employee_number, id_area, region, active, tiny
    ) -> _Draft:
        rng, today = self.rng, self.today
        student = profile.get("student", False)
        status = self.weighted(STUDENT_STATUS if student else STAFF_STATUS)
        if tiny:
            status = PS.LEAGUE_MEMBER
        no_post = False
        if student:
            low, high = (23, 27) if spec.profile == "postgraduate" else (20, 24)
            age = rng.randint(low, high)
        elif status == PS.LEAGUE_MEMBER:
            if not tiny and rng.random() < 0.02:
                age, no_post = rng.randint(28, 29), True
            else:
                age = min(27, max(21, round(rng.triangular(21, 28, 25))))
        elif status == PS.PROBATIONARY_PARTY_MEMBER:
            age = rng.randint(23, 31)
        elif status == PS.PARTY_MEMBER:
            age = round(rng.triangular(24, 42, 30))
        else:
            age = round(rng.triangular(22, 45, 31))
        person_status = Person.Status.ACTIVE
        changed_on = None
        if not active:
            person_status = self.weighted(
                {Person.Status.AGED_OUT: 50, Person.Status.TRANSFERRED_OUT: 30, Person.Status.LEFT: 20}
            )
            if person_status == Person.Status.AGED_OUT:
                status, age = PS.LEAGUE_MEMBER, rng.randint(29, 31)
        birth = self.birth_for_age(age)
        if not active:
            if person_status == Person.Status.AGED_OUT:
                changed_on = rules.add_years(birth, 28) + dt.timedelta(days=rng.randint(30, 300))
            else:
                changed_on = today - dt.timedelta(days=rng.randint(10, 700))
            changed_on = min(changed_on, today)

        woman = rng.random() < profile["women"]
        profession = self.weighted(profile["professions"])
        if student:
            education = EDU.BACHELOR if spec.profile == "postgraduate" else EDU.SECONDARY
            if spec.profile == "nursing_intern" and rng.random() < 0.4:
                education = EDU.SECONDARY
            professional_title = TITLE.NONE
        else:
            education = self.weighted(EDUCATION[profession])
            while EDUCATION_MIN_AGE.get(education, 0) > age:
                education = self.weighted(EDUCATION[profession])
            professional_title = self._professional_title(age, profession)

        joined = None
        if status != PS.MASSES or rng.random() < 0.55:
            join_age = self.weighted({14: 30, 15: 30, 16: 15, 17: 8, 18: 8, 19: 4, 20: 3, 21: 2})
            join_age = min(join_age, age - 1, rules.LEAGUE_MAX_AGE)
            joined = rules.add_years(birth, join_age) + dt.timedelta(days=rng.randrange(365))
            joined = min(joined, today - dt.timedelta(days=30))
        development_number = None
        if joined and joined >= rules.DEVELOPMENT_NUMBER_REQUIRED_FROM:
            key = (joined.year, region)
            self.development_sequences[key] += 1
            development_number = f"{joined.year}{region}{self.development_sequences[key]:04d}"

        sequence_key = (id_area, birth)
        self.id_sequences[sequence_key] += 1
        sequence = 2 * self.id_sequences[sequence_key] + (0 if woman else 1)
        if sequence > 999:  # crowded birthday: borrow another area code
            id_area = rng.choice(ID_AREAS)
            return self._person(
                spec=spec,
                profile=profile,
                organization=organization,
                employee_number=employee_number,
                id_area=id_area,
                region=region,
                active=active,
                tiny=tiny,
            )

        person = Person(
            name=self.name(woman),
            gender=Person.Gender.FEMALE if woman else Person.Gender.MALE,
            birth_date=birth,
            ethnicity=self.weighted(ETHNICITIES),
            id_number=id_number(id_area, birth, sequence),
            political_status=status,
            league_joined_on=joined,
            development_number=development_number,
            employee_number=employee_number,
            department=self.departments[rng.choice(spec.departments)],
            profession=profession,
            education=education,
            professional_title=professional_title,
            phone=self.phone(),
            organization=organization,
            status=person_status,
            status_changed_on=changed_on,
        )
        return _Draft(person=person, branch=-1, age=age, no_post=no_post)

    def _professional_title(self, age: int, profession: str) -> str:
        if profession in (PROF.LOGISTICS, PROF.OTHER) and self.rng.random() < 0.6:
            return TITLE.NONE
        if age < 24:
            return TITLE.JUNIOR if self.rng.random() < 0.6 else TITLE.NONE
        if age < 30:
            return TITLE.JUNIOR if self.rng.random() < 0.85 else TITLE.INTERMEDIATE
        if age < 36:
            return TITLE.INTERMEDIATE if self.rng.random() < 0.7 else TITLE.JUNIOR
        return TITLE.ASSOCIATE_SENIOR if self.rng.random() < 0.35 else TITLE.INTERMEDIATE

    # -- cadres and elections

    def _cadres(self, orgs: list[_Org], drafts: list[_Draft]) -> None:
        rng = self.rng
        by_branch: dict[int, list[_Draft]] = defaultdict(list)
        for draft in drafts:
            if draft.person.status == Person.Status.ACTIVE:
                by_branch[draft.branch].append(draft)
        elections: list[Election] = []
        # (organisation, election or None for an appointed committee, [(person, title)], start, end)
        terms: list[
            tuple[Organization, Election | None, list[tuple[Person, str]], dt.date, dt.date | None]
        ] = []
        self.secretaries: dict[str, Person] = {}
        for org in orgs:
            obj = org.obj
            members = [d for b in org.branches for d in by_branch[b]]
            pool = (
                [
                    d
                    for d in members
                    if not d.no_post and d.age <= 35 and d.person.political_status != PS.MASSES
                ]
                or [d for d in members if not d.no_post]
                or members
            )
            titles = self._titles(obj, len(members))
            term = self.term_years[(obj.kind, obj.is_student)]
            if org.elections is None:
                # A new branch: its first committee was appointed when it was founded; no election yet.
                crew = self._pick(pool, titles, prefer_senior=False)
                terms.append((obj, None, list(zip(crew, titles, strict=True)), obj.founded_on, None))
                continue
            previous, latest = org.elections
            if obj.kind == Organization.Kind.COMMITTEE:
                people_now = self._committee_people(pool, titles)
            else:
                people_now = self._pick(pool, titles, prefer_senior=obj.kind != Organization.Kind.BRANCH)
            people_before = [
                person if rng.random() < 0.35 else self._pick(pool, [title], prefer_senior=False)[0]
                for person, title in zip(people_now, titles, strict=True)
            ]
            if obj.kind == Organization.Kind.COMMITTEE:
                self.secretaries["committee"] = people_now[0]
            else:
                self.secretaries[obj.name] = people_now[0]
            for held, due, end, crew in (
                (previous, None, latest - dt.timedelta(days=1), people_before),
                (
                    latest,
                    rules.add_years(previous, term),
                    rules.add_years(latest, term) - dt.timedelta(days=1),
                    people_now,
                ),
            ):
                election = Election(
                    organization=obj,
                    held_on=held,
                    due_on=due,
                    term_years=term,
                    result=f"选举产生新一届委员会，{crew[0].name}任书记。",
                )
                elections.append(election)
                terms.append((obj, election, list(zip(crew, titles, strict=True)), held, end))
        elections = self.add(Election, elections)
        self.report.elections += len(elections)
        positions = [
            Position(
                person=person, organization=obj, title=title, start_on=start, end_on=end, election=election
            )
            for obj, election, crew, start, end in terms
            for person, title in crew
        ]
        positions = self.add(Position, positions)
        self.report.positions += len(positions)

    def _titles(self, org: Organization, members: int) -> list[str]:
        if org.kind == "committee":
            return [
                POST.SECRETARY,
                POST.DEPUTY_SECRETARY,
                POST.DEPUTY_SECRETARY,
                POST.ORGANIZATION,
                POST.PUBLICITY,
                POST.CULTURE_SPORTS,
                POST.YOUTH_WORK,
            ]
        if org.kind == "general_branch":
            return [POST.SECRETARY, POST.DEPUTY_SECRETARY, POST.ORGANIZATION, POST.PUBLICITY, POST.YOUTH_WORK]
        # 团支部工作条例: seven or more members elect a committee of 3–5; fewer, a secretary (and a deputy).
        if members >= 7:
            titles = [POST.SECRETARY, POST.DEPUTY_SECRETARY, POST.ORGANIZATION]
            if members >= 20:
                titles.append(POST.PUBLICITY)
            if members >= 35:
                titles.append(POST.CULTURE_SPORTS)
            return titles
        return [POST.SECRETARY, POST.DEPUTY_SECRETARY] if members >= 4 else [POST.SECRETARY]

    def _pick(self, pool: list[_Draft], titles: list[str], *, prefer_senior: bool) -> list[Person]:
        """Different people for the posts when the pool allows it; seniors first for higher levels."""
        rng = self.rng

        def score(d: _Draft) -> float:
            base = rng.random()
            if 25 <= d.age <= 33:
                base += 0.6 if prefer_senior else 0.3
            if d.person.political_status in (PS.PARTY_MEMBER, PS.PROBATIONARY_PARTY_MEMBER):
                base += 0.2
            return base

        ranked = sorted(pool, key=score, reverse=True)
        chosen = [d.person for d in ranked[: len(titles)]]
        while len(chosen) < len(titles):  # tiny pools: someone holds two posts
            chosen.append(rng.choice(pool).person)
        return chosen

    def _committee_people(self, pool: list[_Draft], titles: list[str]) -> list[Person]:
        """The committee's secretary is a party member in the administration, the rest from everywhere."""
        office = [
            d
            for d in pool
            if d.person.profession == PROF.ADMINISTRATION
            and d.person.political_status == PS.PARTY_MEMBER
            and 28 <= d.age <= 35
        ]
        secretary = (
            self.rng.choice(office).person if office else self._pick(pool, titles[:1], prefer_senior=True)[0]
        )
        others = [p for p in self._pick(pool, titles, prefer_senior=True) if p.pk != secretary.pk][
            : len(titles) - 1
        ]
        return [secretary, *others]


def _next_root_step() -> int:
    last = Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    return Organization._str2int(last) + 1 if last else 1


def build(
    *,
    people: int = HOSPITAL_PEOPLE,
    hospitals: int = 1,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    history: bool = True,
    accounts: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Write ``hospitals`` fictional hospitals sharing ``people`` people; demo logins in the first.

    Each hospital is written in its own transaction, so memory stays flat at any volume.
    """
    if hospitals < 1:
        raise ValueError("at least one hospital")
    if people < MIN_PEOPLE_PER_HOSPITAL * hospitals:
        raise ValueError(f"at least {MIN_PEOPLE_PER_HOSPITAL} people per hospital")
    started = time.perf_counter()
    builder = _Builder(seed=seed, today=today or timezone.localdate(), history=history, progress=progress)
    builder.ensure_departments()
    root_step = _next_root_step()
    first_orgs: list[_Org] = []
    for index in range(hospitals):
        share = people // hospitals + (1 if index < people % hospitals else 0)
        with transaction.atomic():
            orgs = builder.hospital(index, people=share, root_step=root_step + index)
            if index == 0:
                first_orgs = orgs
                if accounts:
                    _create_accounts(builder, orgs)
        builder.progress(
            f"hospital {index + 1}/{hospitals}: {builder.report.people:,} people, "
            f"{builder.report.organizations:,} organisations, {time.perf_counter() - started:.1f} s"
        )
    builder.report.seconds = time.perf_counter() - started
    if accounts and first_orgs:
        builder.report.accounts = demo_accounts()
    return builder.report


def _create_accounts(builder: _Builder, orgs: list[_Org]) -> None:
    """One login per role, linked to roster people of the demo hospital."""
    committee = orgs[0].obj
    by_name = {o.obj.name: o.obj for o in orgs}
    secretaries = builder.secretaries
    used: set[int] = set()
    for spec in DEMO_ACCOUNTS:
        organization = committee if spec.where == "committee" else by_name[spec.where]
        if spec.who == "secretary":
            person = secretaries["committee" if spec.where == "committee" else spec.where]
        else:
            branch = by_name[DEMO_BRANCH if spec.who == "member" else spec.who]
            cadres = set(
                Position.objects.filter(organization__in=subtree_ids(committee.path)).values_list(
                    "person_id", flat=True
                )
            )
            candidates = Person.objects.filter(
                organization=branch, status=Person.Status.ACTIVE, user__isnull=True
            ).exclude(pk__in=cadres | used)
            if spec.who == "member":
                candidates = candidates.filter(
                    political_status=PS.LEAGUE_MEMBER,
                    birth_date__gt=rules.years_before(builder.today, 27),
                )
            person = candidates.order_by("employee_number").first()
        user = User.objects.filter(username=spec.username).first()
        if user is None:
            user = User(
                username=spec.username, phone=person.phone if person and spec.who == "member" else None
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        RoleAssignment.objects.get_or_create(user=user, role=spec.role, organization=organization)
        if person is not None and person.user_id is None and not Person.objects.filter(user=user).exists():
            Person.objects.filter(pk=person.pk).update(user=user)
            used.add(person.pk)
    # Two people waiting to move into the demo branch, for its admin to decide.
    branch = by_name[DEMO_BRANCH]
    admin = User.objects.get(username="admin")
    movers = (
        Person.objects.filter(
            organization__in=subtree_ids(committee.path),
            organization__kind=Organization.Kind.BRANCH,
            organization__is_student=False,
            status=Person.Status.ACTIVE,
            user__isnull=True,
        )
        .exclude(organization=branch)
        .exclude(positions__isnull=False)
        .order_by("employee_number")[:2]
    )
    Transfer.objects.bulk_create(
        [
            Transfer(
                person=p,
                from_organization_id=p.organization_id,
                to_organization=branch,
                requested_by=admin,
                note="轮转至内科护理单元",
            )
            for p in movers
        ]
    )
