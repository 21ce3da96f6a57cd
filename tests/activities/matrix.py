"""Branch B's league-work objects for the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qingyi.activities.models import Activity, ActivityFile, ActivityOrganizer, Publication, Registration


def objects_of_b(personas) -> dict:
    tree = personas.tree
    start = timezone.now() + dt.timedelta(days=3)
    activity = Activity.objects.create(
        kind=Activity.Kind.CARE,
        title="乙支部联谊",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        organization=tree.branch_b,
        registration_open=True,
        capacity=10,
        created_by=personas.admin_b,
    )
    ActivityOrganizer.objects.create(activity=activity, organization=tree.branch_b)
    registration = Registration.objects.create(
        activity=activity,
        person=personas.person_b,
        status=Registration.Status.CONFIRMED,
        queued_at=timezone.now(),
    )
    # Only the row: nothing is written to MEDIA_ROOT (the download would be a 404 anyway).
    stored = ActivityFile.objects.create(
        activity=activity,
        file=f"activities/{activity.pk}/matrix.pdf",
        original_name="b.pdf",
        kind=ActivityFile.Kind.DOCUMENT,
        content_type="application/pdf",
        size=8,
        uploaded_by=personas.admin_b,
    )
    publication = Publication.objects.create(
        organization=tree.branch_b,
        title="乙支部推文",
        published_on=dt.date(2025, 3, 1),
        created_by=personas.admin_b,
    )
    return {
        "activity_pk": activity.pk,
        "file_pk": stored.pk,
        "registration_pk": registration.pk,
        "publication_pk": publication.pk,
        "api_ids": {"activities": activity.pk, "activities/publications": publication.pk},
    }


EXPECTED_FOR_B = {
    # The file's row exists but nothing was written to MEDIA_ROOT.
    "activities/<id:activity_pk>/files/<id:file_pk>/": 404,
    # A participant's own check-in page: branch B's admin is registered (as person B), the
    # committee admin is not.
    "activities/<id:activity_pk>/check-in/": {"committee_admin": 404},
    "activities/<id:activity_pk>/register/": {"committee_admin": 404},
}
