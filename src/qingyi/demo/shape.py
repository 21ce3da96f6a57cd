"""The shape of one demo hospital: its organisations, party branches, departments and staff mix."""

from __future__ import annotations

from dataclasses import dataclass

from qingyi.organizations.models import Position
from qingyi.people.models import Person

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


def hospitals_for(orgs: int) -> int:
    """How many hospitals make about ``orgs`` organisations."""
    return max(1, round(orgs / orgs_per_hospital()))


def orgs_per_hospital() -> int:
    return 1 + len(GENERAL_BRANCHES) + sum(len(g.branches) for g in GENERAL_BRANCHES) + len(DIRECT_BRANCHES)
