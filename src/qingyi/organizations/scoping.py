"""The one place that answers "what may this user see and do": the module every app imports.

A user sees the organisations their roles give them and those organisations' subtrees.
Roles map to permission sets in one table (``ROLE_PERMISSIONS``). Every list goes through
``scope()``, every object page through ``get_object_for_user()``: outside the user's scope
the object does not exist (404); inside it without the needed permission, 403.

The subtree of an organisation is every organisation whose materialised path starts with
its path: one indexed range query.

The roles, the permission table, the user's grants and the fail-closed query guard
(``ScopedQuerySet``, ``unscoped``) stand on the ground floor, ``core/scoping.py`` (core's own
menu, cards and settings check permissions with them); they are named here too, so an app
reads one module. This half finds the rows that lie in a subtree, which needs the tree.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from qingyi.core.scoping import (
    ACTIVITIES_MANAGE,
    ACTIVITIES_VIEW,
    CADRES_MANAGE,
    GROWTH_MANAGE,
    METRICS_VIEW,
    ORG_MANAGE,
    ORG_VIEW,
    PEOPLE_EXPORT,
    PEOPLE_IMPORT,
    PEOPLE_MANAGE,
    PEOPLE_SENSITIVE,
    PEOPLE_VIEW,
    ROLE_PERMISSIONS,
    SETTINGS_MANAGE,
    TRANSFERS_DECIDE,
    VOLUNTEERING_MANAGE,
    Grant,
    Role,
    ScopedQuerySet,
    ScopeError,
    forget_grants,
    grants,
    has_perm,
    mark_scoped,
    require_perm,
    roles,
    scope_paths,
    scoped_request,
    unscoped,
)
from qingyi.organizations.models import Organization

__all__ = [
    "ACTIVITIES_MANAGE",
    "ACTIVITIES_VIEW",
    "CADRES_MANAGE",
    "GROWTH_MANAGE",
    "METRICS_VIEW",
    "ORG_MANAGE",
    "ORG_VIEW",
    "PEOPLE_EXPORT",
    "PEOPLE_IMPORT",
    "PEOPLE_MANAGE",
    "PEOPLE_SENSITIVE",
    "PEOPLE_VIEW",
    "ROLE_PERMISSIONS",
    "SETTINGS_MANAGE",
    "TRANSFERS_DECIDE",
    "VOLUNTEERING_MANAGE",
    "Grant",
    "Role",
    "ScopeError",
    "ScopedQuerySet",
    "forget_grants",
    "get_object_for_user",
    "grants",
    "has_perm",
    "mark_scoped",
    "organizations_visible_to",
    "path_q",
    "require_perm",
    "roles",
    "scope",
    "scope_paths",
    "scoped_request",
    "subtree_ids",
    "unscoped",
]

_M = TypeVar("_M", bound=Model)


def subtree_ids(*paths: str) -> QuerySet:
    """Ids of the organisations in the subtrees of ``paths``, as a subquery.

    Filter related rows with ``organization__in=subtree_ids(path)`` rather than
    ``organization__path__startswith=path``: the same rows, but SQLite cannot use an index
    for a LIKE with ESCAPE, so on a join it would walk every row of the large table; with
    the subquery it starts from the (small) organisation table and the foreign-key index.
    """
    return Organization.objects.filter(path_q(list(paths), "path")).values("pk")


def path_q(paths: list[str], path_field: str) -> Q:
    """A filter matching rows whose organisation path lies in any of ``paths``.

    ``path_field`` is ``"path"`` on organisations, or ``"<relation>__path"`` on rows that
    point to one (then matched by organisation id, see ``subtree_ids``).
    """
    if not paths:
        return Q(pk__in=[])
    if path_field != "path" and path_field.endswith("__path"):
        return Q(**{f"{path_field.removesuffix('__path')}__in": subtree_ids(*paths)})
    q = Q()
    for path in paths:
        q |= Q(**{f"{path_field}__startswith": path})
    return q


def scope(queryset: QuerySet, user, perm: str, *, path_field: str) -> QuerySet:
    """Restrict any queryset to the rows whose organisation lies in the user's scope for ``perm``.

    ``path_field`` names the organisation path from the queryset's model, for example
    ``"path"`` for organisations or ``"organization__path"`` for people.
    """
    return mark_scoped(queryset.filter(path_q(scope_paths(user, perm), path_field)))


def organizations_visible_to(user, perm: str = ORG_VIEW) -> QuerySet:
    return scope(Organization.objects.all(), user, perm, path_field="path")


def get_object_for_user(
    queryset: QuerySet[_M],
    user,
    *,
    view_perm: str,
    path_field: str,
    need: str | None = None,
    org_of=None,
    **lookup,
) -> _M:
    """Fetch one object the user may see: 404 outside their scope, 403 inside it without ``need``.

    ``org_of`` returns the organisation that ``need`` is checked against (default: the
    object's ``organization``).
    """
    try:
        obj = scope(queryset, user, view_perm, path_field=path_field).get(**lookup)
    except ObjectDoesNotExist:  # the model's DoesNotExist
        raise Http404 from None
    if need is not None:
        organization = org_of(obj) if org_of else obj.organization
        if not has_perm(user, need, organization):
            raise PermissionDenied
    return obj
