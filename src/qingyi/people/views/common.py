"""What the people pages share: the roster filters read from the query string (the list and
the export)."""

from __future__ import annotations

from qingyi.core.params import parse_id
from qingyi.organizations import scoping
from qingyi.organizations.params import organization_from_request
from qingyi.people import selectors
from qingyi.people.models import Person


def roster_filters(request) -> selectors.RosterFilters:
    """Read the roster filters from the query string; an organisation outside the scope is a 404."""
    params = request.GET
    filters = selectors.RosterFilters(
        q=params.get("q", "").strip()[:64],
        status=params.get("status", Person.Status.ACTIVE) if params.get("status", "x") != "" else "",
        political_status=params.get("political_status", ""),
        profession=params.get("profession", ""),
        youth=params.get("youth") == "1",
        due_to_age_out=params.get("due_to_age_out") == "1",
    )
    organization = organization_from_request(request, scoping.ORG_VIEW, default=False)
    if organization is not None:
        filters.organization_path = organization.path
    if parse_id(params.get("department")) is not None:
        filters.department_id = parse_id(params["department"])
    return filters
