"""The activities card of the member home (core/home.py): my next activities, my attendance rate."""

from __future__ import annotations

from qingyi.activities import selectors
from qingyi.activities.models import Activity


def my_activities_card(user) -> dict | None:
    """Four queries whatever the volume: person, next activities, their registrations, attendance."""
    person = selectors.person_of(user)
    if person is None:
        return None
    upcoming = list(selectors.upcoming_for_person(person).exclude(status=Activity.Status.CANCELLED)[:3])
    registrations = selectors.registrations_of(person, [a.pk for a in upcoming])
    for activity in upcoming:
        activity.my_registration = registrations.get(activity.pk)
    counts = selectors.attendance_counts(person)
    rate = selectors.attendance_rate_of(counts)
    return {
        "upcoming": upcoming,
        "counts": counts,
        "rate": round(rate) if rate is not None else None,  # the card shows whole percents
    }
