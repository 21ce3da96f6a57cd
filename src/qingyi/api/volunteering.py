"""/volunteering: shifts, sign-ups, check-in and service records, with the pages' services and scoping.

A volunteer sees the open shifts they qualify for and their own sign-ups and records, signs
up, cancels and checks in (the scan of the shift's QR code: its code, a client id, and the
scan's own time for offline scans). Coordinators and org admins list the shifts and
records of their subtree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from qingyi.api.pagination import Pagination, paginate
from qingyi.api.schemas import Id, Ref, choice, responses, user_of
from qingyi.core import checkin
from qingyi.organizations import scoping
from qingyi.volunteering import hours, selectors, services
from qingyi.volunteering.models import JoinMode, ServiceRecord, Shift, Signup

router = Router(tags=["volunteering"])


class ShiftOut(Schema):
    id: int
    project: Ref
    post: Ref | None
    start: dt.datetime
    end: dt.datetime
    place: str
    capacity: int
    taken: int | None = Field(None, description="Places taken (confirmed or awaiting approval).")
    waiting: int | None = None
    join_mode: choice(JoinMode)
    insurance_required: bool
    my_status: str | None = Field(None, description="Your sign-up's status, if any.")


class SignupOut(Schema):
    id: int
    shift_id: int
    volunteer: Ref
    status: choice(Signup.Status)
    status_label: str = Field(alias="get_status_display")
    walk_in: bool


class RecordOut(Schema):
    id: int
    shift_id: int
    volunteer: Ref
    project: Ref
    served_on: dt.date
    source: choice(ServiceRecord.Source)
    status: choice(ServiceRecord.Status)
    walk_in: bool
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    scheduled_hours: Decimal
    recorded_hours: Decimal | None
    verified_hours: Decimal | None = Field(description="Only verified hours count in totals.")
    people_served: int


class ScanIn(Schema):
    code: str = Field(max_length=64, description="The code of the shift's QR code (its ?c= parameter).")
    client_id: str = Field(max_length=64, description="Chosen by the client; a scan sent twice counts once.")
    scanned_at: dt.datetime | None = Field(None, description="When the scan was made (offline scans).")


class ScanOut(Schema):
    result: str
    message: str
    replayed: bool


def _volunteer(user):
    volunteer = selectors.volunteer_of(user)
    if volunteer is None:
        raise HttpError(403, "Only registered volunteers can do this.")
    return volunteer


def _shift(user, shift_id: int) -> Shift:
    shift = selectors.shifts_for(user).filter(pk=shift_id).first()
    if shift is None:
        volunteer = selectors.volunteer_of(user)
        if volunteer is not None:
            shift = selectors.shifts_visible_to(volunteer).filter(pk=shift_id).first()
    if shift is None:
        raise Http404
    return shift


@router.get("/shifts/open", response=responses(list[ShiftOut]), summary="Open shifts you qualify for")
@paginate(Pagination)
def shift_open_list(request):
    return selectors.shifts_open_for(_volunteer(user_of(request)))


@router.get(
    "/shifts", response=responses(list[ShiftOut]), summary="Shifts of your organisations (coordinators)"
)
@paginate(Pagination)
def shift_list(request, upcoming: bool = True):
    user = user_of(request)
    scoping.require_perm(user, scoping.VOLUNTEERING_MANAGE)
    qs = selectors.with_place_counts(selectors.shifts_for(user))
    if upcoming:
        from django.utils import timezone

        qs = qs.filter(end__gte=timezone.now())
    return qs.order_by("start", "pk")


@router.get("/shifts/{id:id}", response=responses(ShiftOut), summary="One shift")
def shift_detail(request, id: Id):
    user = user_of(request)
    shift = _shift(user, id)
    return selectors.with_place_counts(
        Shift.objects.select_related("project", "post").filter(pk=shift.pk)
    ).get()


@router.post(
    "/shifts/{id:id}/signup", response=responses(SignupOut), summary="Sign up (a place, or the waiting list)"
)
def signup_create(request, id: Id):
    user = user_of(request)
    shift = _shift(user, id)
    return services.signup_create(shift=shift, volunteer=_volunteer(user), actor=user)


@router.post("/shifts/{id:id}/scan", response=responses(ScanOut), summary="Check in or out with the QR code")
def shift_scan(request, id: Id, payload: ScanIn):
    user = user_of(request)
    shift = _shift(user, id)
    try:
        outcome = hours.shift_scan(
            shift=shift,
            user=user,
            code=payload.code,
            client_id=payload.client_id,
            scanned_at=payload.scanned_at,
        )
    except checkin.ScanRefused as exc:
        raise HttpError(422, str(exc)) from None
    return {"result": outcome.result, "message": outcome.message, "replayed": outcome.replayed}


@router.get("/signups", response=responses(list[SignupOut]), summary="Your sign-ups")
@paginate(Pagination)
def signup_list(request):
    volunteer = _volunteer(user_of(request))
    return selectors.signups_of(volunteer).select_related("volunteer").order_by("-shift__start", "pk")


@router.post("/signups/{id:id}/cancel", response=responses(SignupOut), summary="Cancel a sign-up")
def signup_cancel(request, id: Id):
    user = user_of(request)
    signup = Signup.objects.select_related("shift__project__organization", "volunteer").filter(pk=id).first()
    if signup is None or (
        signup.volunteer.user_id != user.pk
        and not scoping.has_perm(user, scoping.VOLUNTEERING_MANAGE, signup.shift.project.organization)
    ):
        raise Http404
    return services.signup_cancel(signup=signup, actor=user)


@router.get("/records", response=responses(list[RecordOut]), summary="Service records")
@paginate(Pagination)
def record_list(request, mine: bool = False):
    """Your own records with ``mine=true`` (volunteers); otherwise those of your organisations."""
    user = user_of(request)
    if mine or not scoping.has_perm(user, scoping.VOLUNTEERING_MANAGE):
        return selectors.records_of(_volunteer(user)).select_related("volunteer")
    return selectors.records_for(user).select_related("volunteer", "project").order_by("-served_on", "-pk")


@router.get("/records/{id:id}", response=responses(RecordOut), summary="One service record")
def record_detail(request, id: Id):
    user = user_of(request)
    record = selectors.records_for(user).select_related("volunteer", "project").filter(pk=id).first()
    if record is None:
        volunteer = selectors.volunteer_of(user)
        if volunteer is not None:
            record = selectors.records_of(volunteer).select_related("volunteer").filter(pk=id).first()
    if record is None:
        raise Http404
    return record
