"""Reads of the organisation tree, cadres and elections; every one scoped to the user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from qingyi.core import rules
from qingyi.organizations import scoping
from qingyi.organizations.models import Election, Organization, Position, RosterStatus
from qingyi.organizations.scoping import subtree_ids


def organizations_for(user, perm: str = scoping.ORG_VIEW) -> QuerySet[Organization]:
    return scoping.organizations_visible_to(user, perm)


def subtree(organization: Organization, *, include_archived: bool = True) -> QuerySet[Organization]:
    qs = Organization.objects.filter(path__startswith=organization.path)
    return qs if include_archived else qs.filter(archived_at__isnull=True)


def with_tree_figures(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate each organisation with its own active members and its last election.

    The members are counted through ``people`` (people.Person's foreign key to the organisation)."""
    active = (
        Organization.objects.filter(pk=OuterRef("pk"), people__status=RosterStatus.ACTIVE)
        .order_by()
        .values("pk")
        .annotate(n=Count("people"))
        .values("n")
    )
    last_election = (
        Election.objects.filter(organization=OuterRef("pk"))
        .order_by()
        .values("organization")
        .annotate(m=Max("held_on"))
    ).values("m")
    return queryset.select_related("party_branch").annotate(
        active_members=Coalesce(Subquery(active, output_field=IntegerField()), 0),
        last_election_on=Subquery(last_election),
    )


def election_due_on(organization: Organization, last_election_on: dt.date | None) -> dt.date | None:
    """When the organisation's next election (换届) is due under the term rules."""
    start = last_election_on or organization.founded_on
    if start is None:
        return None
    return rules.add_years(start, rules.term_years(organization.kind, is_student=organization.is_student))


@dataclass
class TreeRow:
    organization: Organization
    depth: int
    members: int  # active members directly in this organisation
    subtree_members: int
    election_due_on: dt.date | None
    election_state: str  # overdue | due_soon | ok | unknown
    size_flag: str  # "" | too_small | too_large


def _election_state(due: dt.date | None, today: dt.date, warning_days: int) -> str:
    if due is None:
        return "unknown"
    if due < today:
        return "overdue"
    if due <= today + dt.timedelta(days=warning_days):
        return "due_soon"
    return "ok"


def tree_rows(user, *, include_archived: bool = False, today: dt.date | None = None) -> list[TreeRow]:
    """The visible tree, in path order, with its figures; a fixed number of queries."""
    today = today or timezone.localdate()
    qs = organizations_for(user)
    if not include_archived:
        qs = qs.filter(archived_at__isnull=True)
    orgs = list(with_tree_figures(qs).order_by("path"))
    return rows_for(orgs, today)


def rows_for(orgs: list[Organization], today: dt.date) -> list[TreeRow]:
    warning_days = int(rules.get_setting("election_warning_days"))
    low, high = int(rules.get_setting("branch_min_members")), int(rules.get_setting("branch_max_members"))
    totals: dict[str, int] = {}
    for org in orgs:
        # Path prefixes are ancestors: add this organisation's members to each of them.
        for depth in range(1, len(org.path) // Organization.steplen + 1):
            prefix = org.path[: depth * Organization.steplen]
            totals[prefix] = totals.get(prefix, 0) + org.active_members
    min_depth = min((o.depth for o in orgs), default=1)
    rows = []
    for org in orgs:
        due = election_due_on(org, org.last_election_on)
        size_flag = ""
        if org.kind == Organization.Kind.BRANCH and not org.is_archived:
            if org.active_members < low:
                size_flag = "too_small"
            elif org.active_members > high:
                size_flag = "too_large"
        rows.append(
            TreeRow(
                organization=org,
                depth=org.depth - min_depth,
                members=org.active_members,
                subtree_members=totals.get(org.path, 0),
                election_due_on=due,
                election_state="unknown" if org.is_archived else _election_state(due, today, warning_days),
                size_flag=size_flag,
            )
        )
    return rows


def subtree_rows(organization: Organization, *, today: dt.date | None = None) -> list[TreeRow]:
    """Rows for an organisation (first) and its whole subtree, archived included."""
    orgs = list(with_tree_figures(subtree(organization)).order_by("path"))
    return rows_for(orgs, today or timezone.localdate())


def elections_due(organization: Organization, *, today: dt.date | None = None) -> list[TreeRow]:
    """Organisations in the subtree whose election is overdue or due within the warning period."""
    today = today or timezone.localdate()
    orgs = list(with_tree_figures(subtree(organization, include_archived=False)).order_by("path"))
    return [row for row in rows_for(orgs, today) if row.election_state in {"overdue", "due_soon"}]


def positions_current(queryset: QuerySet[Position], on: dt.date) -> QuerySet[Position]:
    return queryset.filter(Q(end_on__isnull=True) | Q(end_on__gte=on), start_on__lte=on)


def cadres_in(organization: Organization, on: dt.date) -> QuerySet[Position]:
    """Current positions held in the subtree, with their people."""
    return positions_current(
        Position.objects.filter(organization__in=subtree_ids(organization.path)), on
    ).select_related("person", "organization")


def positions_of(person) -> QuerySet[Position]:
    return Position.objects.filter(person=person).select_related("organization").order_by("-start_on")


def top_organization(user, perm: str = scoping.ORG_VIEW) -> Organization | None:
    """The user's top organisation for ``perm``: the highest (then first by path) of the
    organisations they hold it in, or None. The one answer to "the user's own organisation"
    of every page that defaults to it."""
    paths = scoping.scope_paths(user, perm)
    if not paths:
        return None
    return (
        Organization.objects.filter(path__in=paths)
        .select_related("party_branch")
        .order_by("depth", "path")
        .first()
    )


def primary_organization(user) -> Organization | None:
    """The highest organisation the user may see (their home on the dashboard)."""
    return top_organization(user, scoping.ORG_VIEW)


def organization_for_user(user, pk, *, perm: str = scoping.ORG_VIEW, need: str | None = None) -> Organization:
    """One organisation: 404 outside the user's scope, 403 without ``need`` inside it."""
    return scoping.get_object_for_user(
        Organization.objects.select_related("party_branch"),
        user,
        view_perm=perm,
        path_field="path",
        need=need,
        org_of=lambda org: org,
        pk=pk,
    )


def election_rows(queryset: QuerySet[Organization], *, today: dt.date) -> list[TreeRow]:
    """Rows (with their election date and state on ``today``) for the given organisations.

    The dashboard lists the ``organizations.elections_due`` metric's own records with it, so
    the list and the figure come from one computation on one day.
    """
    return rows_for(list(with_tree_figures(queryset).order_by("path")), today)
