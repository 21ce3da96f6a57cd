"""/callups: call-ups (应急动员) — for coordinators the call-ups and their responses; for
volunteers the call-ups sent to them and their answer.

The same services as the pages, with the same rules: answering twice the same way, a closed
call-up, or a call-up not sent to you (404) each give a clear message.
"""

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Router, Schema

from qingyi.api.pagination import Pagination, paginate
from qingyi.api.schemas import Id, Ref, choice, responses, user_of
from qingyi.callups import selectors, services
from qingyi.callups.models import CallUp, Response
from qingyi.organizations import scoping

router = Router(tags=["callups"])


class CallUpOut(Schema):
    id: int
    title: str
    kind: choice(CallUp.Kind)
    kind_label: str = Field(alias="get_kind_display")
    status: choice(CallUp.Status)
    organization: Ref
    place: str
    message: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    first_sent_at: dt.datetime | None
    closed_at: dt.datetime | None
    triage_notice: str = Field(description="For triage assistance: volunteers only assist a nurse.")


class MyCallUpOut(Schema):
    callup: CallUpOut
    answer: choice(Response.Answer)
    sent_at: dt.datetime
    responded_at: dt.datetime | None


class VolunteerRef(Schema):
    id: int
    name: str


class ResponseOut(Schema):
    id: int
    volunteer: VolunteerRef
    answer: choice(Response.Answer)
    sent_at: dt.datetime
    responded_at: dt.datetime | None
    minutes_to_answer: float | None
    placed_post: str | None = Field(None, description="The post the volunteer was given, if any.")


class RespondIn(Schema):
    answer: Literal["accepted", "declined"]


@router.get("", response=responses(list[CallUpOut]), summary="List the call-ups you coordinate")
@paginate(Pagination)
def callup_list(request):
    user = user_of(request)
    scoping.require_perm(user, scoping.VOLUNTEERING_MANAGE)
    return selectors.callups_managed_by(user)


@router.get("/mine", response=responses(list[MyCallUpOut]), summary="The call-ups sent to you")
@paginate(Pagination)
def callup_mine(request):
    return selectors.responses_of_user(user_of(request))


@router.get("/{id:id}", response=responses(CallUpOut), summary="One call-up (its coordinator or a recipient)")
def callup_detail(request, id: Id):
    user = user_of(request)
    try:
        return selectors.callup_for_manager(user, id)
    except (Http404, PermissionDenied):
        return selectors.response_of(user, id).callup


@router.post("/{id:id}/respond", response=responses(MyCallUpOut), summary="Accept or decline a call-up")
def callup_respond(request, id: Id, payload: RespondIn):
    user = user_of(request)
    response = selectors.response_of(user, id)
    return services.callup_respond(
        callup=response.callup, volunteer=response.volunteer, answer=payload.answer, actor=user
    )


@router.get(
    "/{id:id}/responses",
    response=responses(list[ResponseOut]),
    summary="The answers to a call-up you coordinate",
)
@paginate(Pagination)
def callup_responses(request, id: Id, answer: choice(Response.Answer) | None = None):
    callup = selectors.callup_for_manager(user_of(request), id)
    return selectors.responses_of(callup, answer=answer)
