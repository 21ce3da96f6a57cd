"""The volunteering card of the member home (core/home.py): my next shifts, verified hours and star
level (the one awarded; a higher level the hours reached shows apart, until it is announced and
awarded) — or, for someone without a volunteer record, the invitation to become one."""

from __future__ import annotations

from qingyi.volunteering import selectors


def my_volunteering_card(user) -> dict:
    """Three queries: the volunteer record, the hours summary (with the awarded star level), the
    next shifts."""
    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        return {"volunteer": None}
    summary = selectors.hours_summary_of(volunteer)
    return {
        "volunteer": volunteer,
        "summary": summary,
        "stars": range(summary["star"]),
        "reached": summary["star_reached"] if summary["star_reached"] > summary["star"] else 0,
        "upcoming": list(selectors.upcoming_signups_of(volunteer)[:3]),
    }
