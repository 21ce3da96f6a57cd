"""Organisation figures: the tree and elections due. (The cadre structure, which reads the
cadres' records on the roster, is counted in people/metrics.py.)"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.core.metrics import Scope, breakdown, metric
from qingyi.organizations.models import Organization
from qingyi.organizations.selectors import elections_due, subtree


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
