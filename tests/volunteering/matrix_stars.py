"""Star-level objects for the permission matrix (joined into ``matrix.objects_of_b``).

A star-level announcement (公示) is shown by design to everybody logged in at its hospital —
branch A's people see branch B's, as RULES.md wants levels announced before they are awarded
(tests/volunteering/test_stars.py proves that, and that only its coordinators decide and
award). What nobody may see is another hospital's: the stand-in for "branch B's
announcement" is therefore one of a second committee, with its volunteer and its entry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from qingyi.organizations.services import organization_create_root
from qingyi.volunteering.models import StarAnnouncement, StarAnnouncementEntry, Volunteer


def star_objects_of_b(personas) -> dict:
    other = organization_create_root(name="邻院团委")
    volunteer = Volunteer.objects.create(kind=Volunteer.Kind.SOCIAL, organization=other, name="邻院志愿者")
    today = timezone.localdate()
    announcement = StarAnnouncement.objects.create(
        organization=other,
        published_at=timezone.now(),
        published_by=personas.admin_b,
        notice_from=today,
        notice_until=today + dt.timedelta(days=4),
    )
    entry = StarAnnouncementEntry.objects.create(
        announcement=announcement, volunteer=volunteer, level=1, hours=Decimal("120")
    )
    return {
        "announcement_pk": announcement.pk,
        "entry_pk": entry.pk,
        "api_ids": {
            "volunteering/stars/announcements": announcement.pk,
            "volunteering/stars/entries": entry.pk,
        },
    }


# The API twin of the certificate's public page.
PUBLIC_ROUTES = ("api/v1/volunteering/certificates/verify/<cert_token>",)
