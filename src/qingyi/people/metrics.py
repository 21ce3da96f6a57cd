"""Roster figures: people by status, political status, department and profession; youth; age-out."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.core.metrics import Bucket, Scope, breakdown, metric, share
from qingyi.organizations.models import Department, PartyBranch
from qingyi.organizations.scoping import subtree_ids
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
