"""Organisation figures: the tree, elections due, the cadre structure."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.core import rules
from qingyi.core.metrics import Bucket, Scope, breakdown, metric
from qingyi.organizations.models import Organization, Position
from qingyi.organizations.selectors import cadres_in, elections_due, subtree
from qingyi.people.models import Person


def _live(scope: Scope) -> QuerySet[Organization]:
    return subtree(scope.organization, include_archived=False).select_related("party_branch")


def _by_kind_records(scope: Scope, key: str | None = None) -> QuerySet[Organization]:
    return _live(scope) if key is None else _live(scope).filter(kind=key)


@metric(
    "organizations.by_kind",
    label=_("Organisations by kind"),
    kind="breakdown",
    records=_by_kind_records,
    columns=(
        ("name", _("Name")),
        ("get_kind_display", _("Kind")),
        ("party_branch", _("Paired party branch")),
    ),
)
def organizations_by_kind(scope: Scope):
    return breakdown(_live(scope), "kind", dict(Organization.Kind.choices))


def _elections_due_records(scope: Scope, key: str | None = None) -> QuerySet[Organization]:
    pks = [row.organization.pk for row in elections_due(scope.organization, today=scope.period.as_of)]
    return Organization.objects.filter(pk__in=pks).order_by("path")


@metric(
    "organizations.elections_due",
    label=_("Elections overdue or due soon"),
    unit=_("organisations"),
    records=_elections_due_records,
    columns=(("name", _("Name")), ("get_kind_display", _("Kind"))),
    description=_("Organisations whose term has ended, or ends within the warning period (a setting)."),
)
def organizations_elections_due(scope: Scope) -> int:
    return len(elections_due(scope.organization, today=scope.period.as_of))


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
