"""Branch B's volunteering objects for the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from qingyi.volunteering.models import (
    Certificate,
    Project,
    Qualification,
    ServicePoint,
    ServiceRecord,
    Shift,
    Signup,
    Volunteer,
    VolunteerApplication,
)
from tests.volunteering.matrix_stars import PUBLIC_ROUTES as STAR_PUBLIC_ROUTES
from tests.volunteering.matrix_stars import star_objects_of_b


def objects_of_b(personas) -> dict:
    branch_b = personas.tree.branch_b
    project = Project.objects.create(organization=branch_b, name="乙支部项目", kind=Project.Kind.ELDERLY)
    start = timezone.now() - dt.timedelta(hours=1)
    shift = Shift.objects.create(project=project, start=start, end=start + dt.timedelta(hours=3), capacity=5)
    volunteer = Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=branch_b,
        person=personas.person_b,
        name=personas.person_b.name,
    )
    signup = Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.REQUESTED)
    record = ServiceRecord.objects.create(
        shift=shift, volunteer=volunteer, project=project, served_on=timezone.localdate(), checked_in_at=start
    )
    certificate = Certificate.objects.create(
        number="QY-2000-000001",
        token="matrix-token-of-branch-b-0000000000000",
        volunteer=volunteer,
        issued_at=start,
        issuing_unit="团委",
        name="乙支部人",
        hours=3,
        services=1,
        content="乙支部项目",
        period_from=start.date(),
        period_until=start.date(),
    )
    application = VolunteerApplication.objects.create(
        organization=branch_b,
        kind=Volunteer.Kind.SOCIAL,
        name="乙支部人",
        gender=Volunteer.Gender.FEMALE,
        birth_date=dt.date(1990, 1, 1),
        id_number="110105199001010000",
        phone="13900000009",
        area="乙区",
    )
    # A service point of branch B's project: its screen, form and scan page are B's.
    point = ServicePoint.objects.create(project=project, name="乙支部服务点", place="乙区大厅")
    # Qualification types are the committee's, shared by every branch: branch B's stand-in.
    qualification = Qualification.objects.create(name="乙支部资格")
    stars = star_objects_of_b(personas)
    return {
        **{k: v for k, v in stars.items() if k != "api_ids"},
        "project_pk": project.pk,
        "qualification_pk": qualification.pk,
        "application_pk": application.pk,
        "certificate_pk": certificate.pk,
        # A certificate's public page is its own capability: a guessed token gives nothing.
        "cert_token": "guessed-certificate-token-000000000",
        "shift_pk": shift.pk,
        "point_pk": point.pk,
        "signup_pk": signup.pk,
        "record_pk": record.pk,
        "volunteer_pk": volunteer.pk,
        "api_ids": {
            "volunteering/shifts": shift.pk,
            "volunteering/signups": signup.pk,
            "volunteering/records": record.pk,
            "volunteering/projects": project.pk,
            "volunteering/applications": application.pk,
            **stars["api_ids"],
        },
    }


# The application form and the page a certificate's QR code opens are public (an unknown token is a 404).
PUBLIC_ROUTES = (
    "volunteering/apply/",
    "volunteering/certificates/verify/<str:cert_token>/",
    *STAR_PUBLIC_ROUTES,
)

# Volunteer service is the coordinator's own work (volunteering.manage, committee-wide in the
# personas); tests/volunteering proves who may do what there.
COORDINATOR_ROUTES = ("volunteering/*",)

# A member becomes a volunteer from their own roster record.
OWN_ROUTES = ("volunteering/join/",)
# Stand-ins that are not branch B's: a guessed certificate token, another hospital's star-level
# announcement and its entry (tests/volunteering/matrix_stars.py).
FOREIGN_KWARGS = ("cert_token", "announcement_pk", "entry_pk")
# Qualification types are the committee's: a branch admin sees them but does not edit them.
EXPECTED_FOR_B = {
    "volunteering/manage/qualifications/<id:qualification_pk>/edit/": {"admin_b": 403},
    # Signing up is a volunteer's own act, and neither persona's login is a volunteer's.
    "volunteering/shifts/<id:shift_pk>/signup/": 403,
    "api/v1/volunteering/shifts/<id:id>/signup": 403,
}
# ... and so does branch A's admin: the type is found, editing it is refused.
EXPECTED_FOR_A = {"volunteering/manage/qualifications/<id:qualification_pk>/edit/": 403}
FOREIGN_API = ("volunteering/stars/announcements", "volunteering/stars/entries")
