"""The people app's card on the member home (declared on PeopleConfig; see core/home.py)."""

from __future__ import annotations

from qingyi.people.models import Person


def profile_card(user) -> dict:
    """The member's roster record and a pending change request (two queries)."""
    own = Person.objects.unscoped("the user's own roster record")
    person = own.filter(user_id=user.pk).select_related("organization").first()
    pending = person.change_requests.filter(status="pending").exists() if person else False
    return {"person": person, "pending_change": pending}
