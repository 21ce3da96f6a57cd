"""Branch B's growth objects for the permission matrix (tests/test_permission_matrix.py).

A checklist belongs to a committee, which admin_a may see; so the matrix's checklist is
another hospital's (another tree), which nobody of this tree may see. The self-inspection
and its problem are branch B's cadre's.
"""

from __future__ import annotations

import datetime as dt

from qingyi.growth.models import (
    Checklist,
    ChecklistQuestion,
    ContestResult,
    InspectionProblem,
    SelfInspection,
    TrainingRecord,
)
from qingyi.organizations.services import organization_create_root


def objects_of_b(personas) -> dict:
    b = personas.person_b
    today = dt.date.today()
    training = TrainingRecord.objects.create(
        person=b,
        course="乙支部培训",
        level="hospital",
        start_on=today,
        end_on=today,
        hours=2,
        entered_by=personas.admin_b,
    )
    contest = ContestResult.objects.create(
        person=b,
        contest="乙支部比武",
        level="hospital",
        held_on=today,
        award="first",
        entered_by=personas.admin_b,
    )
    other = organization_create_root(name="另一医院团委")
    checklist = Checklist.objects.create(
        organization=other, year=today.year, title="x", status="published", created_by=personas.admin_b
    )
    question = ChecklistQuestion.objects.create(checklist=checklist, number=1, text="q")
    inspection = SelfInspection.objects.create(checklist=checklist, person=b, submitted_by=personas.admin_b)
    problem = InspectionProblem.objects.create(inspection=inspection, description="d", fix="f", due_on=today)
    return {
        "training_pk": training.pk,
        "contest_pk": contest.pk,
        "checklist_pk": checklist.pk,
        "question_pk": question.pk,
        "inspection_pk": inspection.pk,
        "problem_pk": problem.pk,
        "api_ids": {
            "growth/trainings": training.pk,
            "growth/contests": contest.pk,
            "growth/checklists": checklist.pk,
            "growth/inspections": inspection.pk,
        },
    }


# The checklist and its question are another hospital's (see above): not branch B's.
FOREIGN_KWARGS = ("checklist_pk", "question_pk")
FOREIGN_API = ("growth/checklists",)
EXPECTED_FOR_B = {
    # The training's certificate row exists, but no file was stored.
    "growth/trainings/<id:training_pk>/certificate/": 404,
    # A cadre's own self-inspection problems: branch B's admin is person B, the committee
    # admin is nobody's cadre.
    "growth/me/problems/<id:problem_pk>/delete/": {"committee_admin": 404},
    "growth/me/problems/<id:problem_pk>/done/": {"committee_admin": 404},
}
