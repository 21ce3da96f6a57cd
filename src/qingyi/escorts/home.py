"""The escorts card of the member home (core/home.py): shown while escorts are assigned to me."""

from __future__ import annotations

from qingyi.escorts import selectors
from qingyi.escorts.models import EscortRequest


def my_escorts_card(user) -> dict | None:
    """One query: my open escorts, by the time wanted."""
    escorts = list(
        selectors.assigned_to(user).filter(status__in=EscortRequest.OPEN).order_by("wanted_at", "pk")[:4]
    )
    if not escorts:
        return None
    return {"escorts": escorts[:3], "more": len(escorts) > 3}
