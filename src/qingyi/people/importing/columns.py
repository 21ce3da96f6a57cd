"""The column table of the roster sheet: headers and their aliases, accepted choice labels."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from qingyi.people.models import Person

# --- The columns --------------------------------------------------------------------------

TEXT, CODE, ID_NUMBER, DATE, CHOICE = "text", "code", "id_number", "date", "choice"


@dataclass(frozen=True)
class Column:
    """One column of the roster file: its field, its Chinese header and accepted aliases."""

    field: str
    header: str
    aliases: tuple[str, ...] = ()
    kind: str = TEXT
    required: bool = False
    max_length: int | None = None


# The Chinese header comes first and is what the export writes; the aliases cover the
# usual variants, the headers of 智慧团建's roster export and English headers.
COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", ("名字", "name", "full name"), TEXT, required=True, max_length=50),
    Column("gender", "性别", ("gender", "sex"), CHOICE, required=True),
    Column("birth_date", "出生日期", ("出生年月日", "出生年月", "生日", "birth date", "date of birth",
                                     "birthday"), DATE, required=True),
    Column("ethnicity", "民族", ("ethnicity", "ethnic group"), TEXT, max_length=20),
    Column("id_number", "身份证号", ("身份证号码", "身份证", "公民身份号码", "公民身份证号码", "证件号码",
                                    "证件号", "id number", "id card number"), ID_NUMBER),
    Column("political_status", "政治面貌", ("political status",), CHOICE, required=True),
    Column("league_joined_on", "入团时间", ("入团日期", "入团年月", "入团年月日", "joined the league on",
                                           "league joined on", "league joining date"), DATE),
    Column("development_number", "团员发展编号", ("发展团员编号", "团员编号", "发展编号",
                                               "development number", "league development number"),
           CODE, max_length=12),
    Column("employee_number", "工号", ("职工号", "员工号", "员工编号", "职工编号", "人员编号", "工作证号",
                                      "employee number", "staff number"), CODE, max_length=32),
    Column("department", "科室", ("所在科室", "部门", "所在部门", "科室部门", "department"), TEXT,
           max_length=100),
    Column("profession", "职业/岗位类别", ("岗位类别", "职业类别", "职业", "岗位", "人员类别", "profession",
                                         "occupation"), CHOICE),
    Column("education", "学历", ("最高学历", "全日制学历", "文化程度", "education"), CHOICE),
    Column("professional_title", "职称", ("专业技术职称", "专业技术职务", "职称级别", "professional title"),
           CHOICE),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "联系方式", "电话", "phone", "mobile",
                              "mobile phone", "phone number"), CODE, max_length=20),
    Column("organization", "所在团组织", ("所在团支部", "所属团组织", "团组织名称", "团组织", "所在组织",
                                         "团支部", "organisation", "organization"), TEXT, max_length=100),
)  # fmt: skip
COLUMN_BY_FIELD = {column.field: column for column in COLUMNS}
IDENTIFIER_FIELDS = ("employee_number", "id_number")
# Written by the export, read by nobody: the import passes over it in silence.
STATUS_HEADER = "状态"
EXPORT_ONLY_HEADERS = (STATUS_HEADER, "status")

# Choice labels accepted in the file; the first of each is the one the export writes.
# The stored value and the English label are accepted too.
CHOICE_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "gender": {
        Person.Gender.MALE: ("男", "男性", "m"),
        Person.Gender.FEMALE: ("女", "女性", "f"),
    },
    "political_status": {
        Person.PoliticalStatus.LEAGUE_MEMBER: ("共青团员", "团员"),
        Person.PoliticalStatus.PARTY_MEMBER: ("中共党员", "党员", "中共党员(保留团籍)"),
        Person.PoliticalStatus.PROBATIONARY_PARTY_MEMBER: ("中共预备党员", "预备党员",
                                                           "中共预备党员(保留团籍)"),
        Person.PoliticalStatus.MASSES: ("群众",),
    },
    "profession": {
        Person.Profession.DOCTOR: ("医生", "医师", "临床医生"),
        Person.Profession.NURSE: ("护士", "护理", "护理人员"),
        Person.Profession.TECHNICIAN: ("医技", "医技人员", "技师"),
        Person.Profession.PHARMACIST: ("药师", "药剂", "药学", "药学人员"),
        Person.Profession.ADMINISTRATION: ("行政", "管理", "行政管理", "行政人员", "管理人员"),
        Person.Profession.LOGISTICS: ("后勤", "后勤人员", "工勤"),
        Person.Profession.STUDENT: ("学生", "在校学生"),
        Person.Profession.OTHER: ("其他",),
    },
    "education": {
        Person.Education.SECONDARY: ("中专", "高中", "中专/高中", "高中/中专", "中学", "初中", "中职"),
        Person.Education.JUNIOR_COLLEGE: ("大专", "专科", "大学专科"),
        Person.Education.BACHELOR: ("本科", "大学本科", "大学"),
        Person.Education.MASTER: ("硕士研究生", "硕士", "研究生"),
        Person.Education.DOCTORATE: ("博士研究生", "博士"),
    },
    # Grades, and the usual titles of each grade in a hospital (卫生专业技术资格).
    "professional_title": {
        Person.Title.NONE: ("无", "未定级"),
        Person.Title.JUNIOR: ("初级", "员级", "助理级", "住院医师", "医师", "护士", "护师", "技士", "技师",
                              "药士", "药师"),
        Person.Title.INTERMEDIATE: ("中级", "主治医师", "主管护师", "主管技师", "主管药师"),
        Person.Title.ASSOCIATE_SENIOR: ("副高级", "副高", "副主任医师", "副主任护师", "副主任技师",
                                        "副主任药师"),
        Person.Title.SENIOR: ("正高级", "正高", "高级", "主任医师", "主任护师", "主任技师", "主任药师"),
    },
}  # fmt: skip
STATUS_LABELS = {
    Person.Status.ACTIVE: "在册",
    Person.Status.TRANSFERRED_OUT: "已转出",
    Person.Status.AGED_OUT: "超龄离团",
    Person.Status.LEFT: "已离团",
}
CHOICE_FIELDS = {
    "gender": Person.Gender,
    "political_status": Person.PoliticalStatus,
    "profession": Person.Profession,
    "education": Person.Education,
    "professional_title": Person.Title,
}


def _key(text: Any) -> str:
    """A header or label reduced for comparison: width-folded, lower case, no spaces or marks."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_*:/、]+", "", folded)


def _build_header_index() -> dict[str, Column]:
    index: dict[str, Column] = {}
    for column in COLUMNS:
        for alias in (column.header, column.field, *column.aliases):
            index.setdefault(_key(alias), column)
    return index


HEADER_INDEX = _build_header_index()
_EXPORT_ONLY_KEYS = {_key(header) for header in EXPORT_ONLY_HEADERS}
_PARENTHESES = re.compile(r"\(.*?\)")


def column_for_header(text: Any) -> Column | None:
    """The column a header names, if any (ignoring 必填 stars and hints in parentheses)."""
    key = _key(text)
    if not key:
        return None
    return HEADER_INDEX.get(key) or HEADER_INDEX.get(_PARENTHESES.sub("", key))


def _choice_index(field_name: str) -> dict[str, str]:
    choices = CHOICE_FIELDS[field_name]
    index: dict[str, str] = {}
    for value, labels in CHOICE_LABELS[field_name].items():
        for label in labels:
            index.setdefault(_key(label), value)
    for value, label in choices.choices:
        index.setdefault(_key(value), value)
        index.setdefault(_key(label), value)  # the label in the active language
    with translation.override("en"):
        for value, label in choices.choices:
            index.setdefault(_key(label), value)
    return index


def choice_label(field_name: str, value: str) -> str:
    """The Chinese label the export writes for a stored choice value."""
    if not value:
        return ""
    labels = CHOICE_LABELS[field_name].get(value)
    return labels[0] if labels else value


def column_help() -> list[dict[str, Any]]:
    """The columns as the upload page explains them."""
    rows = []
    for column in COLUMNS:
        accepted = ""
        if column.kind == CHOICE:
            accepted = " / ".join(labels[0] for labels in CHOICE_LABELS[column.field].values())
        elif column.kind == DATE:
            accepted = "1998-05-03, 1998/5/3, 1998.5.3, 1998年5月3日, 19980503"
        rows.append(
            {
                "header": column.header,
                "label": Person._meta.get_field(column.field).verbose_name
                if column.field != "organization"
                else _("organisation"),
                "aliases": "、".join(a for a in column.aliases if not a.isascii())[:60],
                "required": column.required,
                "accepted": accepted,
            }
        )
    return rows
