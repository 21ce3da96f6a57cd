"""/escorts: escort requests (陪诊) for their coordinators — list, detail, assign, transitions.

Only coordinators (``volunteering.manage``) of a request's organisation see it here; the
patient's name and phone appear only in the detail, and not at all once erased. Every
write goes through the same services as the pages, with the same rules: a move out of
order, a volunteer outside your organisations or a missing note gives 422 with a message.
"""

import datetime as dt
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import field_validator

from qingyi.api.pagination import Pagination, paginate
from qingyi.api.schemas import Id, Ref, blank_is_none, choice, responses, user_of
from qingyi.escorts import selectors, services
from qingyi.escorts.models import EscortRequest
from qingyi.organizations import scoping

router = Router(tags=["escorts"])


class VolunteerRef(Schema):
    id: int
    name: str


class EscortOut(Schema):
    id: int
    status: choice(EscortRequest.Status)
    status_label: str = Field(alias="get_status_display")
    organization: Ref
    department: Ref | None
    wanted_at: dt.datetime
    created_at: dt.datetime
    assigned_at: dt.datetime | None
    started_at: dt.datetime | None
    done_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    volunteer: VolunteerRef | None
    rating: int | None
    patient_masked: str = Field(description="The surname and stars; “—” once erased.")
    erased: bool = Field(description="The patient's details have been erased (retention period).")

    @staticmethod
    def resolve_erased(obj: EscortRequest) -> bool:
        return obj.is_erased


class EscortDetailOut(EscortOut):
    patient_name: str = Field(description="Empty once erased.")
    phone: str = Field(description="Empty once erased.")
    needs: str
    outcome_note: str
    cancel_reason: str
    rating_comment: str


class EscortFilters(Schema):
    status: choice(EscortRequest.Status) | Literal["open"] | None = Field(
        "open", description="“open” (new, assigned, under way) by default; empty for all."
    )

    _blank = field_validator("status", mode="before")(blank_is_none)


class AssignIn(Schema):
    volunteer: Id = Field(description="The id of an active volunteer in your organisations.")


class TransitionIn(Schema):
    to: Literal["under_way", "done", "cancelled"]
    note: str = Field("", max_length=2000, description="Required to move to done.")
    reason: str = Field("", max_length=255, description="Required to cancel.")


def _escort(user, id: int) -> EscortRequest:
    """A request the caller coordinates: 404 outside their organisations."""
    scoping.require_perm(user, scoping.VOLUNTEERING_MANAGE)
    escort = selectors.escort_for_user(user, id)
    if not services.can_dispatch(user, escort):  # the assigned volunteer uses the pages
        raise HttpError(403, _("You do not coordinate this request."))
    return escort


@router.get("", response=responses(list[EscortOut]), summary="List the escort requests you coordinate")
@paginate(Pagination)
def escort_list(request, filters: Query[EscortFilters]):
    """Open requests by the time wanted (default), or those of one status, newest first."""
    user = user_of(request)
    scoping.require_perm(user, scoping.VOLUNTEERING_MANAGE)
    return selectors.dispatch_board(user, status=filters.status or "all")


@router.get(
    "/{id:id}", response=responses(EscortDetailOut), summary="One escort request, with the patient's details"
)
def escort_detail(request, id: Id):
    return _escort(user_of(request), id)


@router.post("/{id:id}/assign", response=responses(EscortDetailOut), summary="Assign or reassign a volunteer")
def escort_assign(request, id: Id, payload: AssignIn):
    user = user_of(request)
    escort = _escort(user, id)
    volunteer = selectors.volunteer_to_assign(user, str(payload.volunteer))
    if volunteer is None:
        raise HttpError(422, _("No such volunteer."))
    return services.escort_assign(escort=escort, volunteer=volunteer, actor=user)


@router.post("/{id:id}/transition", response=responses(EscortDetailOut), summary="Start, complete or cancel")
def escort_transition(request, id: Id, payload: TransitionIn):
    user = user_of(request)
    escort = _escort(user, id)
    if payload.to == "under_way":
        return services.escort_start(escort=escort, actor=user)
    if payload.to == "done":
        return services.escort_complete(escort=escort, note=payload.note, actor=user)
    return services.escort_cancel(escort=escort, reason=payload.reason, actor=user)
