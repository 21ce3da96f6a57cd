"""/volunteering (records): service certificates, volunteer applications and star levels.

Mounted beside ``api/volunteering.py`` under the same prefix. Every write goes through the
services the pages use, with the same rules and the same scoping:

- certificates: a volunteer lists and issues their own (``certificates.certificate_issue``:
  verified hours only; asking again with no new hours returns the latest); anyone may check
  one by the token of its QR code — the only endpoint without authentication, and it shows
  what the public page shows (the name masked).
- applications: coordinators (``volunteering.manage``) list the pending ones of their
  organisations, approve (the volunteer's login and its one-time password are in that one
  response) or refuse with a reason.
- star levels: coordinators list who is due, announce them, decide objections and award after
  the notice period; every logged-in member of the hospital reads the announcements and may
  object during the period; a volunteer lists their own awards.

A rule broken (no verified hours, no reason, an award before the period ends ...) is a 422
with the service's message.
"""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from qingyi.api.pagination import PageMapped, Pagination, paginate
from qingyi.api.schemas import ErrorOut, Id, Ref, choice, ref, responses, user_of
from qingyi.organizations import scoping
from qingyi.volunteering import selectors
from qingyi.volunteering.models import (
    Certificate,
    StarAnnouncement,
    StarAnnouncementEntry,
    Volunteer,
    VolunteerApplication,
)
from qingyi.volunteering.services import applications, certificates, stars

router = Router(tags=["volunteering records"])
MANAGE = scoping.VOLUNTEERING_MANAGE


def _volunteer(user) -> Volunteer:
    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        raise HttpError(403, _("Only registered volunteers can do this."))
    return volunteer


def _require_manager(user) -> None:
    if not scoping.has_perm(user, MANAGE):
        raise HttpError(403, _("You do not coordinate volunteer service."))


# --- Certificates --------------------------------------------------------------------------


class CertificateOut(Schema):
    id: int
    number: str
    issued_at: dt.datetime
    issuing_unit: str
    hours: Decimal = Field(description="Verified hours when issued; a certificate never changes.")
    services: int
    content: str
    period_from: dt.date
    period_until: dt.date
    pdf_url: str
    verify_url: str = Field(description="The public page its QR code opens.")

    @staticmethod
    def resolve_pdf_url(obj: Certificate) -> str:
        return reverse("volunteering:certificate_pdf", args=[obj.pk])

    @staticmethod
    def resolve_verify_url(obj: Certificate) -> str:
        return reverse("volunteering:certificate_verify", args=[obj.token])


class CertificateCheckOut(Schema):
    genuine: bool = True
    number: str
    volunteer: str = Field(alias="name_masked", description="The family name, the rest starred.")
    hours: Decimal
    period_from: dt.date
    period_until: dt.date
    issuing_unit: str
    issued_on: dt.date

    @staticmethod
    def resolve_issued_on(obj: Certificate) -> dt.date:
        return timezone.localtime(obj.issued_at).date()


@router.get("/certificates", response=responses(list[CertificateOut]), summary="Your service certificates")
@paginate(Pagination)
def certificate_list(request):
    return selectors.certificates_of(_volunteer(user_of(request)))


@router.post(
    "/certificates",
    response=responses(CertificateOut),
    summary="Issue a certificate of your verified hours",
)
def certificate_issue(request):
    """Verified hours only; 422 without any. With no new verified hours since your latest
    certificate, that one is returned rather than a second identical one."""
    user = user_of(request)
    return certificates.certificate_issue(volunteer=_volunteer(user), actor=user)


@router.get(
    "/certificates/verify/{cert_token}",
    response={200: CertificateCheckOut, 404: ErrorOut},
    auth=None,
    summary="Check a certificate by its QR code (public)",
)
def certificate_verify(request, cert_token: str):
    certificate = selectors.certificate_by_token(cert_token)
    if certificate is None:
        raise HttpError(404, _("No certificate matches this code."))
    return certificate


# --- Volunteer applications ------------------------------------------------------------------


class ApplicationOut(Schema):
    id: int
    status: choice(VolunteerApplication.Status)
    status_label: str = Field(alias="get_status_display")
    organization: Ref
    kind: choice(Volunteer.Kind)
    name: str
    gender: str
    birth_date: dt.date
    id_number_masked: str = Field(description="Masked: the first two characters (the province) only.")
    phone_masked: str = Field(description="Masked: the first three and last two digits only.")
    area: str
    school: str
    skills: str
    service_categories: str
    guardian_consent: bool
    created_at: dt.datetime
    decided_at: dt.datetime | None
    refusal_reason: str


class ApplicationDetailOut(ApplicationOut):
    phone: str = Field(description="To call the applicant; the list shows it masked.")
    guardian_name: str
    guardian_phone: str


class ApprovedOut(Schema):
    application: ApplicationDetailOut
    volunteer_id: int
    login: str
    password: str = Field(
        description="One-time password: shown in this response only, never stored in clear."
    )


class RefuseIn(Schema):
    reason: str = Field("", max_length=255, description="Required.")


class ApplicationFilters(Schema):
    status: choice(VolunteerApplication.Status) = "pending"


def _application(user, id: int) -> VolunteerApplication:
    _require_manager(user)
    return scoping.get_object_for_user(
        VolunteerApplication.objects.select_related("organization"),
        user,
        view_perm=MANAGE,
        path_field="organization__path",
        pk=id,
    )


@router.get(
    "/applications",
    response=responses(list[ApplicationOut]),
    summary="Volunteer applications of your organisations (pending by default)",
)
@paginate(Pagination)
def application_list(request, filters: Query[ApplicationFilters]):
    user = user_of(request)
    _require_manager(user)
    return scoping.scope(
        VolunteerApplication.objects.select_related("organization"),
        user,
        MANAGE,
        path_field="organization__path",
    ).filter(status=filters.status)


@router.get("/applications/{id:id}", response=responses(ApplicationDetailOut), summary="One application")
def application_detail(request, id: Id):
    return _application(user_of(request), id)


@router.post(
    "/applications/{id:id}/approve",
    response=responses(ApprovedOut),
    summary="Approve: register the volunteer and create their login",
)
def application_approve(request, id: Id, response: HttpResponse):
    user = user_of(request)
    application = _application(user, id)
    volunteer, login, password = applications.application_approve(application=application, actor=user)
    application.refresh_from_db()
    response["Cache-Control"] = "no-store"
    return {
        "application": application,
        "volunteer_id": volunteer.pk,
        "login": login.username,
        "password": password,
    }


@router.post(
    "/applications/{id:id}/refuse",
    response=responses(ApplicationDetailOut),
    summary="Refuse, with the reason",
)
def application_refuse(request, id: Id, payload: RefuseIn):
    user = user_of(request)
    application = _application(user, id)
    return applications.application_refuse(application=application, reason=payload.reason, actor=user)


# --- Star levels -----------------------------------------------------------------------------


class DueOut(Schema):
    volunteer: Ref
    organization: Ref
    verified_hours: Decimal
    services: int = Field(description="Verified services.")
    awarded: int = Field(description="The highest level awarded so far (0: none).")
    reached: int = Field(description="The level the verified hours reach.")
    announcement_id: int | None = Field(description="The announcement they are in, awaiting its award.")


class AnnouncementOut(Schema):
    id: int
    organization: Ref
    note: str
    published_at: dt.datetime
    notice_from: dt.date
    notice_until: dt.date = Field(description="Objections are taken until the end of this day.")
    state: Literal["open", "period_over", "awarded"]
    awarded_at: dt.datetime | None

    @staticmethod
    def resolve_state(obj: StarAnnouncement) -> str:
        if obj.awarded_at is not None:
            return "awarded"
        return "period_over" if obj.notice_over(timezone.localdate()) else "open"


class EntryOut(Schema):
    id: int
    volunteer: Ref
    organization: Ref
    level: int
    hours: Decimal = Field(description="Verified hours when announced.")
    outcome: choice(StarAnnouncementEntry.Outcome)
    objected_by_me: bool
    objections: int | None = Field(None, description="For the announcement's coordinators only.")
    decision: str | None = Field(None, description="For the announcement's coordinators only.")
    decision_reason: str | None = Field(None, description="For the announcement's coordinators only.")


class AnnouncementDetailOut(AnnouncementOut):
    entries: list[EntryOut] = Field(alias="entries_out")


class AnnounceIn(Schema):
    volunteers: list[Id] = Field(
        max_length=1000, description="Ids of volunteers on the due list, not yet announced."
    )
    note: str = Field("", max_length=2000)


class ObjectionIn(Schema):
    text: str = Field(max_length=2000)


class ObjectionOut(Schema):
    id: int
    entry_id: int
    created_at: dt.datetime


class DecisionIn(Schema):
    decision: choice(StarAnnouncementEntry.Decision)
    reason: str = Field("", max_length=255, description="Required to uphold.")


class AwardOut(Schema):
    id: int
    volunteer: Ref
    level: int
    awarded_at: dt.datetime
    announcement_id: int


def _due_row(v: Volunteer) -> dict:
    return {
        "volunteer": {"id": v.pk, "name": v.name},
        "organization": ref(v.organization),
        "verified_hours": v.verified,
        "services": v.services,
        "awarded": v.awarded,
        "reached": v.reached,
        "announcement_id": v.announcement_id,
    }


@router.get(
    "/stars/due",
    response=responses(list[DueOut]),
    summary="Volunteers whose verified hours reached a star level above the one awarded",
)
@paginate(Pagination)
def star_due_list(request):
    user = user_of(request)
    _require_manager(user)
    return PageMapped(
        selectors.stars_due_for(user), lambda rows: [_due_row(v) for v in selectors.with_reached(rows)]
    )


@router.get(
    "/stars/announcements",
    response=responses(list[AnnouncementOut]),
    summary="Star-level announcements of your hospital",
)
@paginate(Pagination)
def star_announcement_list(request):
    return selectors.announcements_visible_to(user_of(request)).order_by("-published_at", "-pk")


def _entry_rows(user, announcement: StarAnnouncement, *, only: int | None = None) -> list[dict]:
    manager = selectors.can_manage_announcement(user, announcement)
    entries = selectors.entries_of(announcement, user=user)
    if only is not None:
        entries = entries.filter(pk=only)
    return [
        {
            "id": e.pk,
            "volunteer": {"id": e.volunteer_id, "name": e.volunteer.name},
            "organization": ref(e.volunteer.organization),
            "level": e.level,
            "hours": e.hours,
            "outcome": e.outcome,
            "objected_by_me": e.objected_by_me,
            "objections": e.objection_count if manager else None,
            "decision": e.decision if manager else None,
            "decision_reason": e.decision_reason if manager else None,
        }
        for e in entries
    ]


def _announcement_detail(user, announcement: StarAnnouncement) -> StarAnnouncement:
    announcement.entries_out = _entry_rows(user, announcement)
    return announcement


@router.post(
    "/stars/announcements",
    response=responses(AnnouncementDetailOut),
    summary="Announce volunteers of the due list for the notice period",
)
def star_announce(request, payload: AnnounceIn):
    user = user_of(request)
    # The service refuses (403) without volunteering.manage.
    announcement = stars.announcement_publish(volunteer_ids=payload.volunteers, note=payload.note, actor=user)
    return _announcement_detail(user, announcement)


@router.get(
    "/stars/announcements/{id:id}", response=responses(AnnouncementDetailOut), summary="One announcement"
)
def star_announcement_detail(request, id: Id):
    user = user_of(request)
    return _announcement_detail(user, selectors.announcement_for(user, id))


@router.post(
    "/stars/announcements/{id:id}/award",
    response=responses(list[AwardOut]),
    summary="Award the announced levels after the notice period",
)
def star_announcement_award(request, id: Id):
    """Refused (422) before the period ends, while an objection awaits its decision, or twice."""
    user = user_of(request)
    announcement = selectors.announcement_for(user, id)
    # The service refuses (403) unless the user coordinates the announcement.
    awards = stars.announcement_award(announcement=announcement, actor=user)
    return [
        {
            "id": a.pk,
            "volunteer": ref(a.volunteer),
            "level": a.level,
            "awarded_at": a.awarded_at,
            "announcement_id": a.announcement_id,
        }
        for a in awards
    ]


def _entry(user, id: int) -> StarAnnouncementEntry:
    entry = (
        StarAnnouncementEntry.objects.select_related("announcement__organization", "volunteer")
        .filter(pk=id, announcement__in=selectors.announcements_visible_to(user))
        .first()
    )
    if entry is None:
        raise Http404
    return entry


@router.post(
    "/stars/entries/{id:id}/objections",
    response=responses(ObjectionOut),
    summary="Object to an announced volunteer's level (during the notice period)",
)
def star_objection_create(request, id: Id, payload: ObjectionIn):
    user = user_of(request)
    entry = _entry(user, id)
    return stars.objection_raise(entry=entry, text=payload.text, actor=user)


@router.post(
    "/stars/entries/{id:id}/decision",
    response=responses(EntryOut),
    summary="Decide the objections to a volunteer (after the notice period)",
)
def star_entry_decide(request, id: Id, payload: DecisionIn):
    user = user_of(request)
    entry = _entry(user, id)
    # The service refuses (403) unless the user coordinates the announcement.
    stars.objection_decide(entry=entry, decision=payload.decision, reason=payload.reason, actor=user)
    return _entry_rows(user, entry.announcement, only=entry.pk)[0]


@router.get(
    "/stars/awards",
    response=responses(list[AwardOut]),
    summary="Star-level awards: yours, or (coordinators) those of your organisations",
)
@paginate(Pagination)
def star_award_list(request, mine: bool = False):
    user = user_of(request)
    if mine or not scoping.has_perm(user, MANAGE):
        qs = selectors.awards_of(_volunteer(user)).select_related("volunteer")
    else:
        qs = selectors.awards_for(user)
    return PageMapped(
        qs,
        lambda rows: [
            {
                "id": a.pk,
                "volunteer": ref(a.volunteer),
                "level": a.level,
                "awarded_at": a.awarded_at,
                "announcement_id": a.announcement_id,
            }
            for a in rows
        ],
    )
