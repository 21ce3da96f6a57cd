"""What every volunteering service shares: the permission, the notification categories, ``_tell``."""

from __future__ import annotations

import logging

from django.urls import reverse

from qingyi.core import notifications
from qingyi.organizations import scoping
from qingyi.volunteering.models import Shift

logger = logging.getLogger("qingyi.volunteering")

MANAGE = scoping.VOLUNTEERING_MANAGE
# Notification categories of this app (beside core's assignment, waiting list and reminder).
CATEGORY_DECISION = "volunteering_decision"
CATEGORY_CANCELLED = "volunteering_cancelled"


# --- Notifications: the one place this app tells someone something ------------------------


def _tell(user, title: str, *, shift: Shift | None = None, category: str = "", key: str = "") -> None:
    """Tell a volunteer something through the platform's notifications (stored with the
    caller's transaction, sent in the background after commit)."""
    if user is None:
        return
    link = reverse("volunteering:shift_detail", args=[shift.pk]) if shift is not None else ""
    notifications.notify(users=[user], title=title, link=link, category=category, key=key)
