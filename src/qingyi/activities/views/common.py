from __future__ import annotations

from qingyi.core import scoping
from qingyi.core.params import query_id
from qingyi.core.periods import Period, PeriodError
from qingyi.organizations.models import Organization
from qingyi.organizations.selectors import organization_for_user, primary_organization


def org_from_request(request, *, default: bool = True) -> Organization | None:
    """The ``org`` of the query string (404 outside the user's activities scope), or the user's own."""
    pk = query_id(request, "org")
    if pk is not None:
        return organization_for_user(request.user, pk, perm=scoping.ACTIVITIES_VIEW)
    if not default:
        return None
    paths = scoping.scope_paths(request.user, scoping.ACTIVITIES_VIEW)
    if not paths:
        return primary_organization(request.user)
    return Organization.objects.filter(path__in=paths).order_by("depth", "path").first()


def period_from_request(request, *, default_current: bool = True) -> tuple[Period | None, str]:
    """The ``period`` of the query string and an error message for a bad one."""
    text = request.GET.get("period", "").strip()
    if not text and not default_current:
        return None, ""
    try:
        return Period.parse(text), ""
    except PeriodError as exc:
        return (Period.current_year() if default_current else None), str(exc)


def managed_organizations(user):
    return scoping.scope(
        Organization.objects.filter(archived_at__isnull=True),
        user,
        scoping.ACTIVITIES_MANAGE,
        path_field="path",
    ).order_by("path")
