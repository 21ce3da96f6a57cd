"""Template tags of league work; ``activities_compliance_card`` is the block on the home page."""

from __future__ import annotations

from django import template

from qingyi.activities import selectors
from qingyi.activities.models import Activity
from qingyi.organizations import scoping

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.inclusion_tag("activities/includes/compliance_table.html")
def compliance_table(rows, kinds, minimums):
    return {"rows": rows, "kinds": kinds, "minimums": minimums}


@register.inclusion_tag("activities/includes/compliance_card.html", takes_context=True)
def activities_compliance_card(context, scope):
    """The branches of ``scope.organization`` against the year's minimums, those behind first."""
    request = context.get("request")
    user = getattr(request, "user", None)
    organization = scope.organization
    if user is None or not scoping.has_perm(user, scoping.ACTIVITIES_VIEW, organization):
        return {"show": False}
    year = scope.period.end.year
    rows = selectors.compliance_rows(organization, year, today=scope.period.as_of)
    rows.sort(key=lambda r: (not r.behind, r.organization.path))
    return {
        "show": True,
        "organization": organization,
        "year": year,
        "rows": rows,
        "behind_count": sum(1 for r in rows if r.behind),
        "kinds": [(k, Activity.Kind(k).label) for k in selectors.COMPLIANCE_KINDS],
        "minimums": selectors.minimums(),
    }
