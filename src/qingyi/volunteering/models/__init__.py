"""The volunteering models, one module per area: ``volunteers`` (volunteers, qualifications,
applications), ``shifts`` (projects, posts, shifts, sign-ups, service records, service points,
certificates) and ``stars`` (star-level announcements and awards). Every model is importable
from ``qingyi.volunteering.models``."""

from qingyi.volunteering.models.shifts import (
    Certificate,
    JoinMode,
    Post,
    Project,
    ServicePoint,
    ServiceRecord,
    Shift,
    ShiftSeries,
    Signup,
)
from qingyi.volunteering.models.stars import StarAnnouncement, StarAnnouncementEntry, StarAward, StarObjection
from qingyi.volunteering.models.volunteers import (
    Qualification,
    Volunteer,
    VolunteerApplication,
    VolunteerQualification,
)

__all__ = [
    "Certificate",
    "JoinMode",
    "Post",
    "Project",
    "Qualification",
    "ServicePoint",
    "ServiceRecord",
    "Shift",
    "ShiftSeries",
    "Signup",
    "StarAnnouncement",
    "StarAnnouncementEntry",
    "StarAward",
    "StarObjection",
    "Volunteer",
    "VolunteerApplication",
    "VolunteerQualification",
]
