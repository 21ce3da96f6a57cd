"""Roster figures: people by status, political status, department and profession; youth; age-out;
the cadres' age and education (``organizations.cadre_*``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.core import rules
from qingyi.core.metrics import Bucket, Scope, breakdown, metric, share
from qingyi.organizations.models import Department, PartyBranch, Position
from qingyi.organizations.scoping import subtree_ids
from qingyi.organizations.selectors import cadres_in
from qingyi.people.models import Person
from qingyi.people.selectors import due_to_age_out_q, youth_q

PERSON_COLUMNS = (
    ("name", _("Name")),
    ("organization", _("Organisation")),
    ("get_political_status_display", _("Political status")),
    ("department", _("Department")),
)


def _people(scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(organization__in=subtree_ids(scope.path)).select_related(
        "organization", "department"
    )


def _active(scope: Scope) -> QuerySet[Person]:
    return _people(scope).filter(status=Person.Status.ACTIVE)


def _active_bucket(field: str):
    def records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
        qs = _active(scope)
        if key is None:
            return qs
        if key == "":
            return (
                qs.filter(**{f"{field}__isnull": True}) if field.endswith("_id") else qs.filter(**{field: ""})
            )
        return qs.filter(**{field: key})

    return records


@metric(
    "people.active",
    label=_("Active people"),
    unit=_("people"),
    records=lambda scope, key=None: _active(scope),
    columns=PERSON_COLUMNS,
)
def people_active(scope: Scope) -> int:
    return _active(scope).count()


def _by_status_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    return _people(scope) if key is None else _people(scope).filter(status=key)


@metric(
    "people.by_status",
    label=_("People by status"),
    kind="breakdown",
    records=_by_status_records,
    columns=PERSON_COLUMNS,
)
def people_by_status(scope: Scope):
    return breakdown(_people(scope), "status", dict(Person.Status.choices))


@metric(
    "people.by_political_status",
    label=_("Active people by political status"),
    kind="breakdown",
    records=_active_bucket("political_status"),
    columns=PERSON_COLUMNS,
)
def people_by_political_status(scope: Scope):
    return breakdown(_active(scope), "political_status", dict(Person.PoliticalStatus.choices))


@metric(
    "people.by_profession",
    label=_("Active people by profession"),
    kind="breakdown",
    records=_active_bucket("profession"),
    columns=PERSON_COLUMNS,
)
def people_by_profession(scope: Scope):
    return breakdown(_active(scope), "profession", {**dict(Person.Profession.choices), "": _("Not given")})


def _department_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    qs = _active(scope)
    if key is None:
        return qs
    return qs.filter(department__isnull=True) if key == "" else qs.filter(department_id=key)


@metric(
    "people.by_department",
    label=_("Active people by department"),
    kind="breakdown",
    records=_department_records,
    columns=PERSON_COLUMNS,
)
def people_by_department(scope: Scope):

    return _named_buckets(breakdown(_active(scope), "department_id"), Department, _("No department"))


def _named_buckets(rows, model, empty_label):
    """Relabel id buckets with the names of ``model`` rows (one query)."""

    names = dict(model.objects.filter(pk__in=[b.key for b in rows if b.key]).values_list("pk", "name"))
    return [Bucket(b.key, names.get(int(b.key), "—") if b.key else str(empty_label), b.value) for b in rows]


def _youth_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    return _active(scope).filter(youth_q(scope.period.as_of))


@metric(
    "people.youth_share",
    label=_("Youth share (aged 35 or under)"),
    unit="%",
    kind="share",
    records=_youth_records,
    whole=lambda scope, key=None: _active(scope),
    columns=PERSON_COLUMNS,
    description=_("Active people aged 14–35 on the period's last day, as a share of all active people."),
)
def people_youth_share(scope: Scope) -> float:
    active = _active(scope)
    return share(active.filter(youth_q(scope.period.as_of)).count(), active.count())


def _league_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    return _active(scope).filter(political_status=Person.PoliticalStatus.LEAGUE_MEMBER)


@metric(
    "people.league_members",
    label=_("League members"),
    unit=_("people"),
    records=_league_records,
    columns=PERSON_COLUMNS,
)
def people_league_members(scope: Scope) -> int:
    return _league_records(scope).count()


def _age_out_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    return _people(scope).filter(due_to_age_out_q(scope.period.as_of))


@metric(
    "people.due_to_age_out",
    label=_("Members due to age out"),
    unit=_("people"),
    records=_age_out_records,
    columns=PERSON_COLUMNS,
    description=_("League members aged 28 or more who hold no league post."),
)
def people_due_to_age_out(scope: Scope) -> int:
    return _age_out_records(scope).count()


def _party_branch_records(scope: Scope, key: str | None = None) -> QuerySet[Person]:
    qs = _active(scope)
    if key is None:
        return qs
    return (
        qs.filter(organization__party_branch__isnull=True)
        if key == ""
        else qs.filter(organization__party_branch_id=key)
    )


@metric(
    "people.by_party_branch",
    label=_("Active people by paired party branch"),
    kind="breakdown",
    records=_party_branch_records,
    columns=PERSON_COLUMNS,
    description=_(
        "People counted under the party branch paired with their league organisation (党建带团建)."
    ),
)
def people_by_party_branch(scope: Scope):

    return _named_buckets(
        breakdown(_active(scope), "organization__party_branch_id"), PartyBranch, _("Not paired")
    )


# --- The cadre structure ------------------------------------------------------------------
# Figures of the organisations' cadres (organizations.Position), named in the organizations
# domain where the cadres are; counted here because their records are people on the roster.

CADRE_AGE_BANDS = (
    ("le28", _("28 or under"), 0, 28),
    ("29_35", _("29–35"), 29, 35),
    ("36_45", _("36–45"), 36, 45),
    ("gt45", _("Over 45"), 46, 200),
)


def _cadres(scope: Scope) -> QuerySet[Position]:
    return cadres_in(scope.organization, scope.period.as_of)


def _cadre_people(scope: Scope):
    return Person.objects.filter(pk__in=_cadres(scope).values("person_id")).select_related(
        "organization", "department"
    )


def _band_range(key: str, on: dt.date) -> dict:
    for band_key, _label, low, high in CADRE_AGE_BANDS:
        if band_key == key:
            return {
                "birth_date__gt": rules.born_after_for_age_over(high, on),
                "birth_date__lte": rules.born_on_or_before_for_age(low, on),
            }
    raise KeyError(key)


def _cadre_age_records(scope: Scope, key: str | None = None):
    qs = _cadre_people(scope)
    return qs if key is None else qs.filter(**_band_range(key, scope.period.as_of))


CADRE_COLUMNS = (
    ("name", _("Name")),
    ("organization", _("Organisation")),
    ("get_education_display", _("Education")),
)


@metric(
    "organizations.cadre_age",
    label=_("Cadres by age"),
    kind="breakdown",
    records=_cadre_age_records,
    columns=CADRE_COLUMNS,
    description=_("People holding a league post on the period's last day, by age band."),
)
def cadre_age(scope: Scope):
    on = scope.period.as_of
    births = list(_cadre_people(scope).values_list("birth_date", flat=True))
    counts = dict.fromkeys((band[0] for band in CADRE_AGE_BANDS), 0)
    for birth in births:
        age = rules.age_on(birth, on)
        for key, _label, low, high in CADRE_AGE_BANDS:
            if low <= age <= high:
                counts[key] += 1
                break
    return [Bucket(key, str(label), counts[key]) for key, label, _low, _high in CADRE_AGE_BANDS]


def _cadre_education_records(scope: Scope, key: str | None = None):
    qs = _cadre_people(scope)
    return qs if key is None else qs.filter(education=key)


@metric(
    "organizations.cadre_education",
    label=_("Cadres by education"),
    kind="breakdown",
    records=_cadre_education_records,
    columns=CADRE_COLUMNS,
)
def cadre_education(scope: Scope):
    return breakdown(
        _cadre_people(scope), "education", {**dict(Person.Education.choices), "": _("Not given")}
    )
