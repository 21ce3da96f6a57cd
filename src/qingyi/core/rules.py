"""The rules of the Communist Youth League and of volunteer-service recording.

Each rule lives here once, with its source. Facts that vary by place, or that could not be
confirmed from the official text, are *settings*: their defaults are declared in
``SETTINGS`` below and the committee admin may change them (``core.Setting``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qingyi.core.models import Setting

# --- Ages ------------------------------------------------------------------------------

# 团章 (League Constitution) art. 1: members join between 14 and 28.
LEAGUE_MIN_AGE = 14
LEAGUE_MAX_AGE = 28
# National medium- and long-term youth development plan (2016–2025): youth means 14–35.
YOUTH_MIN_AGE = 14
YOUTH_MAX_AGE = 35
# 团章 / 团支部工作条例: at 28 a member who holds no league post leaves the league
# (超龄离团); one who holds a post stays until the post ends.
AGE_OUT_AGE = 28


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Whole years completed on ``on``."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def years_before(on: dt.date, years: int) -> dt.date:
    """The date ``years`` years before ``on`` (29 February falls back to the 28th)."""
    try:
        return on.replace(year=on.year - years)
    except ValueError:
        return on.replace(year=on.year - years, day=28)


def born_on_or_before_for_age(age: int, on: dt.date) -> dt.date:
    """People born on or before this date are at least ``age`` on ``on``."""
    return years_before(on, age)


def born_after_for_age_over(age: int, on: dt.date) -> dt.date:
    """People born after this date are at most ``age`` on ``on`` (younger than age + 1)."""
    return years_before(on, age + 1)


def is_youth(birth_date: dt.date | None, on: dt.date) -> bool:
    return birth_date is not None and YOUTH_MIN_AGE <= age_on(birth_date, on) <= YOUTH_MAX_AGE


def age_q(on: dt.date, *, min_age: int | None, max_age: int | None, prefix: str = "") -> Q:
    """Aged ``min_age``–``max_age`` (inclusive; None: no bound) on ``on``, as a birth-date range
    an index can serve. ``prefix`` reaches the birth date through a relation (``volunteer__``)."""
    q = Q()
    if min_age is not None:
        q &= Q(**{f"{prefix}birth_date__lte": born_on_or_before_for_age(min_age, on)})
    if max_age is not None:
        q &= Q(**{f"{prefix}birth_date__gt": born_after_for_age_over(max_age, on)})
    return q


def youth_q(on: dt.date, prefix: str = "") -> Q:
    """Youth (``YOUTH_MIN_AGE``–``YOUTH_MAX_AGE``) on ``on``: ``is_youth`` as a query, the one
    the roster, its figures and the call-up figures filter by."""
    return age_q(on, min_age=YOUTH_MIN_AGE, max_age=YOUTH_MAX_AGE, prefix=prefix)


# --- League development number (发展团员编号) ---------------------------------------------

# 共青团中央组织部《关于规范团员发展编号的通知》 as applied by 智慧团建: 12 digits —
# 4 for the year of joining, 4 for the region, 4 for the sequence; unique; required for
# members who joined from 1 January 2017 on; its year equals the year of joining.
DEVELOPMENT_NUMBER_REQUIRED_FROM = dt.date(2017, 1, 1)
_DEVELOPMENT_NUMBER = re.compile(r"^\d{12}$")


def development_number_errors(number: str, joined_on: dt.date | None, *, is_member: bool) -> list[str]:
    """Reasons why a development number is unacceptable (empty list: fine)."""
    errors: list[str] = []
    number = (number or "").strip()
    if not number:
        if is_member and joined_on and joined_on >= DEVELOPMENT_NUMBER_REQUIRED_FROM:
            errors.append(
                str(_("A development number is required for members who joined from 1 January 2017 on."))
            )
        return errors
    if not _DEVELOPMENT_NUMBER.match(number):
        errors.append(str(_("A development number has exactly 12 digits.")))
        return errors
    if joined_on and int(number[:4]) != joined_on.year:
        errors.append(
            str(_("The development number starts with %(year)s but the member joined in %(joined)s."))
            % {"year": number[:4], "joined": joined_on.year}
        )
    return errors


# --- Chinese resident ID number (GB 11643-1999) ---------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_NUMBER = re.compile(r"^\d{17}[\dX]$")


def id_number_errors(number: str) -> list[str]:
    number = (number or "").strip().upper()
    if not number:
        return []
    if not _ID_NUMBER.match(number):
        return [str(_("An ID number has 18 characters: 17 digits and a digit or X."))]
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        return [str(_("The ID number's check digit is wrong."))]
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return [str(_("The ID number contains an impossible birth date."))]
    return []


def birth_date_from_id_number(number: str) -> dt.date | None:
    try:
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


# --- Terms and elections (换届) ----------------------------------------------------------


def term_years(kind: str, *, is_student: bool = False) -> int:
    """Term length of an organisation's committee.

    团章 art. 23–26 and 团支部工作条例: branch committees serve 2 or 3 years (student
    branches 1 year); basic-level committees 3–5 years; general branches like branches.
    The exact numbers are settings (defaults below).
    """
    if kind == "branch" and is_student:
        return int(get_setting("term_years_student_branch"))
    return int(get_setting(f"term_years_{kind}"))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


# --- Branch size (团章 art. 27; 团支部工作条例) --------------------------------------------
# A branch has 3–50 members (more only with approval).

# --- Cadre training and self-inspection (团干部教育培训, 六查六问) -------------------------
# No national minimum of training hours a year for part-time hospital cadres could be
# confirmed from the league's cadre-training plans; the minimum and the most hours one
# training day can count are committee settings (``training_min_hours_year``,
# ``training_max_hours_per_day``). A training's hours may not exceed its days times the latter.


def training_hours_allowed(start_on: dt.date, end_on: dt.date) -> int:
    """The most hours a training from ``start_on`` to ``end_on`` (inclusive) can count."""
    return ((end_on - start_on).days + 1) * int(get_setting("training_max_hours_per_day"))


# --- Organisational life (三会两制一课) and league activities ------------------------------
# 团支部工作条例 (试行, 2016) and the league's rules on organisational life: a branch holds a
# general meeting (支部团员大会) about once a quarter, a committee meeting (支委会) and a
# group meeting (团小组会) once a month, and a league lecture (团课) regularly. A general
# meeting is quorate when more than half of the members attend. The committee adds its
# own yearly minimums (e.g. twelve theory study sessions a branch). Every minimum is a
# setting ``activity_min_<kind>`` (0: no minimum), counted per branch per year over the
# activities it organised (alone or jointly) and recorded as held.


def quorum_met(present: int, members: int) -> bool:
    """团支部工作条例: a general meeting needs more than half of the members present."""
    return members > 0 and present * 2 > members


# --- Volunteer service (志愿服务条例 2017; 民政部令第67号 志愿服务记录与证明出具办法 2021) ---
# 志愿服务条例 art. 14 and 67号令: registration from 14; under 18 needs a guardian's consent.
VOLUNTEER_MIN_AGE = 14
VOLUNTEER_ADULT_AGE = 18
# 67号令 art. 9: a service record is entered within 10 working days after the activity
# (``volunteer_entry_working_days``); later entries need the committee admin. Hours from
# sign-in and sign-out are kept apart from hours added afterwards, and an added record may
# not exceed the activity's duration (art. 10); at most 3 sign-ins a day per person as the
# national system applies it (``volunteer_daily_sign_ins``). Hours are the time actually
# given (art. 11); how they are rounded, and the grace after a shift's end, are local.
# Star levels (中国志愿服务联合会《志愿者星级认定办法》, as the national system applies them):
# 1★ 100 h, 2★ 300 h, 3★ 600 h, 4★ 1,000 h, 5★ 1,500 h of verified hours (settings).
# A level is announced (公示) before it is awarded; the notice period is a setting
# (``volunteer_star_notice_days``, default 5 days, the committee's choice: no national
# length of the notice could be confirmed from the official text).


def volunteer_needs_guardian(birth_date: dt.date | None, on: dt.date) -> bool:
    return birth_date is not None and age_on(birth_date, on) < VOLUNTEER_ADULT_AGE


def working_days_after(day: dt.date, count: int) -> dt.date:
    """The date ``count`` working days (Monday–Friday) after ``day``.

    Public holidays and their make-up working days are not known here; the deadline is
    therefore a few days generous around holidays, never short.
    """
    current = day
    left = count
    while left > 0:
        current += dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def volunteer_entry_deadline(served_on: dt.date) -> dt.date:
    """The last day a service record for ``served_on`` may be entered without the committee admin."""
    return working_days_after(served_on, int(get_setting("volunteer_entry_working_days")))


def volunteer_hours_rounded(seconds: float) -> Decimal:
    """Seconds of service as hours, rounded down to the committee's step.

    The step is ``volunteer_hours_rounding_minutes``.
    """
    step = max(1, int(get_setting("volunteer_hours_rounding_minutes"))) * 60
    steps = int(max(0, seconds) // step)
    return (Decimal(steps * step) / Decimal(3600)).quantize(Decimal("0.01"))


def volunteer_star_thresholds() -> list[int]:
    return [int(get_setting(f"volunteer_star_{n}_hours")) for n in range(1, 6)]


def volunteer_star_notice_until(start: dt.date) -> dt.date:
    """The last day of a star-level announcement published on ``start`` (both days count)."""
    return start + dt.timedelta(days=max(1, int(get_setting("volunteer_star_notice_days"))) - 1)


def volunteer_star_level(hours: Decimal | float) -> int:
    """0–5: the highest star whose threshold of verified hours is reached."""
    level = 0
    for n, threshold in enumerate(volunteer_star_thresholds(), start=1):
        if hours >= threshold:
            level = n
    return level


# --- Patient escorts (陪诊) ----------------------------------------------------------------
# 志愿服务条例 art. 8 and 个人信息保护法 art. 19 (personal information is kept no longer than
# its purpose needs): a patient's name, phone and needs are erased when the committee's
# retention period (setting ``escort_retention_days``) has passed since the request was
# closed (done or cancelled) — or since it was made, for one never closed. The counts,
# times, department and rating stay, so the figures do not change.

# --- Call-ups (应急动员) -------------------------------------------------------------------
# 志愿服务条例 (as RULES.md records it: tasks fit the volunteer's age and ability; specialised
# tasks need training or a qualification): in hospitals triage (预检分诊) is a nurse's duty;
# volunteers only assist (queue guidance, temperature checks). A triage-assistance call-up says so on its
# page and in its message (callups.models.TRIAGE_NOTICE). The youth share of responders uses
# YOUTH_MIN_AGE–YOUTH_MAX_AGE above.

# --- Settings: facts that vary by place ------------------------------------------------


@dataclass(frozen=True)
class SettingSpec:
    key: str
    default: Any
    label: Any
    source: str
    max_value: int = 1000


SETTINGS: dict[str, SettingSpec] = {
    spec.key: spec
    for spec in [
        SettingSpec("branch_min_members", 3, _("Fewest members of a branch"), "团章 art. 27"),
        SettingSpec("branch_max_members", 50, _("Most members of a branch"), "团支部工作条例"),
        SettingSpec(
            "term_years_committee", 5, _("Term of a basic-level committee (years)"), "团章 art. 23: 3–5 years"
        ),
        SettingSpec("term_years_general_branch", 3, _("Term of a general branch (years)"), "团章 art. 26"),
        SettingSpec("term_years_branch", 3, _("Term of a branch (years)"), "团章 art. 26: 2 or 3 years"),
        SettingSpec("term_years_student_branch", 1, _("Term of a student branch (years)"), "团章 art. 26"),
        SettingSpec(
            "election_warning_days", 90, _("Warn this many days before a term ends"), "local practice"
        ),
        SettingSpec(
            "training_min_hours_year",
            16,
            _("Training hours a cadre should reach each year"),
            "committee decision (no national minimum confirmed)",
        ),
        SettingSpec(
            "training_max_hours_per_day", 12, _("Most training hours one day can count"), "committee decision"
        ),
        SettingSpec(
            "activity_min_general_meeting",
            4,
            _("General meetings a branch holds a year"),
            "团支部工作条例: about quarterly",
        ),
        SettingSpec(
            "activity_min_committee_meeting",
            12,
            _("Committee meetings a branch holds a year"),
            "团支部工作条例: monthly",
        ),
        SettingSpec(
            "activity_min_group_meeting",
            12,
            _("Group meetings a branch holds a year"),
            "团支部工作条例: monthly",
        ),
        SettingSpec(
            "activity_min_league_lecture",
            4,
            _("League lectures a branch holds a year"),
            "团支部工作条例: regularly",
        ),
        SettingSpec(
            "activity_min_theory_study",
            12,
            _("Theory study sessions a branch holds a year"),
            "committee decision",
        ),
        SettingSpec(
            "activity_min_themed_day",
            4,
            _("Themed league days a branch holds a year"),
            "committee decision",
        ),
        SettingSpec(
            "volunteer_entry_working_days",
            10,
            _("Working days within which volunteer hours may be added"),
            "民政部令第67号 art. 9",
        ),
        SettingSpec(
            "volunteer_daily_sign_ins",
            3,
            _("Most volunteer sign-ins per person a day"),
            "民政部令第67号 practice",
        ),
        SettingSpec(
            "volunteer_hours_rounding_minutes",
            30,
            _("Recorded volunteer hours are rounded down to (minutes)"),
            "committee decision",
        ),
        SettingSpec(
            "volunteer_checkout_grace_minutes",
            30,
            _("Recorded hours count until this many minutes after a shift ends"),
            "committee decision",
        ),
        SettingSpec(
            "volunteer_cancel_cutoff_hours",
            24,
            _("Volunteers may cancel until this many hours before a shift"),
            "committee decision",
        ),
        SettingSpec(
            "volunteer_no_show_limit",
            3,
            _("No-shows after which a coordinator must clear a volunteer"),
            "committee decision",
        ),
        SettingSpec(
            "volunteer_reminder_hours",
            24,
            _("Volunteers are reminded of a shift this many hours before it starts"),
            "committee decision",
            max_value=168,
        ),
        SettingSpec(
            "volunteer_star_1_hours",
            100,
            _("Verified hours for 1 star"),
            "志愿者星级认定办法",
            max_value=100000,
        ),
        SettingSpec(
            "volunteer_star_2_hours",
            300,
            _("Verified hours for 2 stars"),
            "志愿者星级认定办法",
            max_value=100000,
        ),
        SettingSpec(
            "volunteer_star_3_hours",
            600,
            _("Verified hours for 3 stars"),
            "志愿者星级认定办法",
            max_value=100000,
        ),
        SettingSpec(
            "volunteer_star_4_hours",
            1000,
            _("Verified hours for 4 stars"),
            "志愿者星级认定办法",
            max_value=100000,
        ),
        SettingSpec(
            "volunteer_star_5_hours",
            1500,
            _("Verified hours for 5 stars"),
            "志愿者星级认定办法",
            max_value=100000,
        ),
        SettingSpec(
            "volunteer_star_notice_days",
            5,
            _("Days a star-level announcement is shown before the award"),
            "志愿者星级认定办法: announced (公示) before awarded; length a committee decision",
            max_value=60,
        ),
        SettingSpec(
            "escort_retention_days",
            180,
            _("Days an escort request keeps the patient's details"),
            "个人信息保护法 art. 19; committee decision",
            max_value=3650,
        ),
        SettingSpec(
            "member_editable_fields",
            ["phone", "education", "professional_title"],
            _("Roster fields members may ask to change"),
            "committee decision",
        ),
    ]
}

_CACHE_PREFIX = "qingyi:setting:"


def get_setting(key: str) -> Any:
    """The committee's value for a rule setting, or its default."""
    spec = SETTINGS[key]
    cached = cache.get(_CACHE_PREFIX + key)
    if cached is not None:
        return cached["v"]
    row = Setting.objects.filter(key=key).values_list("value", flat=True).first()
    value = spec.default if row is None else row
    cache.set(_CACHE_PREFIX + key, {"v": value}, 300)
    return value


def forget_setting(key: str) -> None:
    cache.delete(_CACHE_PREFIX + key)
