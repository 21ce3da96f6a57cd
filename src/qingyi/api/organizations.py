"""/organizations: the tree the caller may see, with its figures."""

import datetime as dt
from typing import Any

from django.db.models import IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from qingyi.api.pagination import PageMapped, Pagination, paginate
from qingyi.api.schemas import Id, Ref, blank_is_none, choice, ref, responses, user_of
from qingyi.organizations import scoping, selectors
from qingyi.organizations.models import Organization, Position

router = Router(tags=["organizations"])


class OrganizationOut(Schema):
    id: int
    name: str
    kind: choice(Organization.Kind)
    kind_label: str
    parent_id: int | None = Field(description="The parent organisation; null for the top of the tree.")
    path: str = Field(description="Materialised path: the ids of the tree, 4 characters a level.")
    depth: int = Field(description="1 for the top of the tree.")
    party_branch: Ref | None = Field(description="The paired party branch (党建带团建).")
    is_student: bool
    founded_on: dt.date | None
    archived: bool
    archived_at: dt.datetime | None
    active_members: int = Field(description="Active people directly in this organisation.")
    last_election_on: dt.date | None
    election_due_on: dt.date | None = Field(description="When the next term election (换届) is due.")
    election_state: str = Field(description="overdue | due_soon | ok | unknown")
    size_flag: str = Field(description='"" | too_small | too_large (branches only)')


class PostHolderOut(Schema):
    id: int
    person: Ref
    title: choice(Position.Title)
    title_label: str
    start_on: dt.date
    end_on: dt.date | None


class OrganizationDetailOut(OrganizationOut):
    subtree_members: int = Field(description="Active people in this organisation and its whole subtree.")
    children: list[Ref]
    positions: list[PostHolderOut] = Field(description="The posts held today (current cadres).")


class OrganizationFilters(Schema):
    q: str = Field("", max_length=64, description="Part of the name.")
    org: Id | None = Field(None, description="Only this organisation and its subtree.")
    kind: choice(Organization.Kind) | None = None
    archived: bool = Field(False, description="Include archived organisations.")

    _blank = field_validator("org", "kind", mode="before")(blank_is_none)


def _with_parent(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate ``parent_pk`` from the materialised path, in the same query."""
    parent_path = Substr(OuterRef("path"), 1, (OuterRef("depth") - 1) * Organization.steplen)
    parent = Organization.objects.filter(path=parent_path).values("pk")[:1]
    return queryset.annotate(parent_pk=Subquery(parent, output_field=IntegerField()))


def _visible(user) -> QuerySet[Organization]:
    return _with_parent(selectors.with_tree_figures(selectors.organizations_for(user)))


def _item(row: selectors.TreeRow) -> dict[str, Any]:
    org = row.organization
    return {
        "id": org.pk,
        "name": org.name,
        "kind": org.kind,
        "kind_label": str(org.get_kind_display()),
        "parent_id": org.parent_pk,
        "path": org.path,
        "depth": org.depth,
        "party_branch": ref(org.party_branch),
        "is_student": org.is_student,
        "founded_on": org.founded_on,
        "archived": org.is_archived,
        "archived_at": org.archived_at,
        "active_members": org.active_members,
        "last_election_on": org.last_election_on,
        "election_due_on": row.election_due_on,
        "election_state": row.election_state,
        "size_flag": row.size_flag,
    }


def _page(orgs: list[Organization]) -> list[dict[str, Any]]:
    # rows_for gives the per-organisation figures (due date, state, size); it reads its
    # settings once for the whole page.
    return [_item(row) for row in selectors.rows_for(orgs, timezone.localdate())]


@router.get("", response=responses(list[OrganizationOut]), summary="List the organisations you may see")
@paginate(Pagination)
def organization_list(request, filters: Query[OrganizationFilters]):
    """The visible tree in path order (a parent before its children)."""
    user = user_of(request)
    scoping.require_perm(user, scoping.ORG_VIEW)
    qs = _visible(user)
    if not filters.archived:
        qs = qs.filter(archived_at__isnull=True)
    if filters.org is not None:
        qs = qs.filter(path__startswith=selectors.organization_for_user(user, filters.org).path)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    return PageMapped(qs.order_by("path"), _page)


@router.get("/{id:id}", response=responses(OrganizationDetailOut), summary="One organisation")
def organization_detail(request, id: Id):
    user = user_of(request)
    org = scoping.get_object_for_user(
        _visible(user), user, view_perm=scoping.ORG_VIEW, path_field="path", pk=id
    )
    today = timezone.localdate()
    item = _page([org])[0]
    # The organisation page's figure (its first tree row), not a count of our own.
    item["subtree_members"] = selectors.subtree_rows(org, today=today)[0].subtree_members
    item["children"] = [
        {"id": pk, "name": name} for pk, name in org.children().order_by("path").values_list("pk", "name")
    ]
    positions = selectors.positions_current(Position.objects.filter(organization=org), today).select_related(
        "person"
    )
    item["positions"] = [
        {
            "id": p.pk,
            "person": ref(p.person),
            "title": p.title,
            "title_label": str(p.get_title_display()),
            "start_on": p.start_on,
            "end_on": p.end_on,
        }
        for p in positions.order_by("start_on", "pk")
    ]
    return item
