from __future__ import annotations

from qingyi.core.params import period_from_request
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.organizations.params import organization_from_request
from qingyi.organizations.selectors import primary_organization

__all__ = ["managed_organizations", "org_from_request", "period_from_request"]


def org_from_request(request, *, default: bool = True) -> Organization | None:
    """The ``org`` of the query string (404 outside the user's activities scope), or the user's
    top organisation for activities (else the one they may see)."""
    organization = organization_from_request(request, scoping.ACTIVITIES_VIEW, default=default)
    if organization is None and default:
        return primary_organization(request.user)
    return organization


def managed_organizations(user):
    return scoping.scope(
        Organization.objects.filter(archived_at__isnull=True),
        user,
        scoping.ACTIVITIES_MANAGE,
        path_field="path",
    ).order_by("path")
