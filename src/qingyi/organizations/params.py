"""The organisation a page is asked for (``?org=``): one reading for every page.

``organization_from_request`` gives the organisation in the query string if the user holds
``perm`` there, the ordinary 404 for one that does not exist, lies outside the user's scope or
cannot be an id (``core.params.query_id``); without one, the user's top organisation for
``perm`` (``selectors.top_organization``). The period is ``core.params.period_from_request``.
"""

from __future__ import annotations

from qingyi.core.params import query_id
from qingyi.organizations.models import Organization
from qingyi.organizations.selectors import organization_for_user, top_organization


def organization_from_request(request, perm: str, *, default: bool = True) -> Organization | None:
    """``?org=`` within the user's ``perm`` scope (else 404); when absent, the user's top
    organisation for ``perm`` (None if they hold it nowhere), or None if not ``default``."""
    pk = query_id(request, "org")
    if pk is not None:
        return organization_for_user(request.user, pk, perm=perm)
    return top_organization(request.user, perm) if default else None
