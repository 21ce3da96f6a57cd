"""The self-inspection card of the member home (core/home.py): shown to cadres only."""

from __future__ import annotations

from django.utils import timezone

from qingyi.growth import selectors
from qingyi.growth.models import InspectionProblem
from qingyi.people.models import Person


def my_inspection_card(user) -> dict | None:
    """Three queries: person, the checklists to answer (latest first), the open fixes."""
    own = Person.objects.unscoped("the user's own roster record")
    person = own.filter(user_id=user.pk).select_related("organization").first()
    if person is None:
        return None
    checklists = list(selectors.checklists_to_answer(person)[:2])
    if not checklists:
        return None  # not a cadre in a year with a published checklist
    today = timezone.localdate()
    open_fixes = list(
        InspectionProblem.objects.filter(inspection__person=person, done_on__isnull=True)
        .order_by("due_on", "pk")
        .values_list("due_on", flat=True)
    )
    return {
        "checklist": checklists[0],
        "open_fixes": len(open_fixes),
        "overdue_fixes": sum(1 for due in open_fixes if due < today),
    }
