"""/activities: league activities, their attendance, and publicity posts.

Read through the same scoping as the pages (``activities.view``): an activity is visible
when one of its organisers lies in the caller's subtree or above it; its attendance lists
only the people of the caller's subtree. Figures (activities by kind, joint activities,
attendance rate, compliance, posts) come from /metrics (``activities.*``).
"""

import datetime as dt

from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import field_validator

from qingyi.activities import selectors
from qingyi.activities.models import Activity, Publication
from qingyi.api.pagination import Pagination, paginate
from qingyi.api.schemas import Id, Ref, blank_is_none, choice, ref, responses, user_of
from qingyi.core.periods import Period, PeriodError
from qingyi.organizations import scoping
from qingyi.organizations.selectors import organization_for_user

router = Router(tags=["activities"])


class ActivityOut(Schema):
    id: int
    kind: choice(Activity.Kind)
    kind_label: str = Field(alias="get_kind_display")
    title: str
    theme: str
    speaker: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    status: choice(Activity.Status)
    status_label: str = Field(alias="get_status_display")
    organization: Ref = Field(description="The lead organiser.")
    party_branch: Ref | None = Field(description="Set for a joint party–league activity (1+1+N).")
    present: int = Field(description="People recorded present.")
    attendance_recorded: int = Field(
        description="People with an attendance record (present, excused or absent)."
    )

    @staticmethod
    def resolve_present(obj) -> int:
        return obj.present_count

    @staticmethod
    def resolve_attendance_recorded(obj) -> int:
        return obj.attendance_count


class AttendanceSummaryOut(Schema):
    present: int
    excused: int
    absent: int
    expected: int
    rate: float = Field(description="Present as a share of the expected, in percent.")


class ActivityDetailOut(ActivityOut):
    organizers: list[Ref]
    summary: str = Field(description="Minutes or summary, once held.")
    quorum_met: bool | None = Field(description="General meetings: more than half the members present.")
    attendance: AttendanceSummaryOut
    registration_open: bool
    capacity: int | None
    registration_deadline: dt.datetime | None

    @staticmethod
    def resolve_organizers(obj) -> list[dict]:
        return [ref(o) for o in obj.organizers_all]


class AttendanceOut(Schema):
    person: Ref
    organization: Ref
    status: str = Field(description='present | excused | absent | "" (nothing recorded yet)')
    source: str = Field(description='qr | list | ""')
    checked_in_at: dt.datetime | None


class PublicationOut(Schema):
    id: int
    organization: Ref
    channel: choice(Publication.Channel)
    channel_label: str = Field(alias="get_channel_display")
    title: str
    published_on: dt.date
    link: str
    category: choice(Publication.Category)
    category_label: str = Field(alias="get_category_display")


def _period(text: str) -> Period | None:
    if not text:
        return None
    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise HttpError(422, str(exc)) from None


class ActivityFilters(Schema):
    org: Id | None = Field(
        None, description="Activities concerning this organisation (its subtree and above)."
    )
    kind: choice(Activity.Kind) | None = None
    status: choice(Activity.Status) | None = None
    period: str = Field("", max_length=30, description="2025, 2025-Q2, 2025-03 or a range; default: all.")
    joint: bool = Field(False, description="Only joint party–league activities.")
    q: str = Field("", max_length=64, description="Part of the title, theme or speaker.")

    _blank = field_validator("org", "kind", "status", mode="before")(blank_is_none)


@router.get("", response=responses(list[ActivityOut]), summary="List the activities you may see")
@paginate(Pagination)
def activity_list(request, filters: Query[ActivityFilters]):
    """Newest first. Members and people without a role get 403."""
    user = user_of(request)
    scoping.require_perm(user, scoping.ACTIVITIES_VIEW)
    qs = selectors.activities_for(user)
    if filters.org is not None:
        org = organization_for_user(user, filters.org, perm=scoping.ACTIVITIES_VIEW)
        qs = qs.filter(pk__in=selectors.activities_concerning(org).values("pk"))
    period = _period(filters.period)
    if period is not None:
        start, end = period.bounds()
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.joint:
        qs = qs.filter(party_branch__isnull=False)
    if filters.q.strip():
        term = filters.q.strip()
        qs = qs.filter(Q(title__icontains=term) | Q(theme__icontains=term) | Q(speaker__icontains=term))
    return selectors.with_list_figures(qs).order_by("-starts_at", "-pk")


@router.get("/publications", response=responses(list[PublicationOut]), summary="List the publicity posts")
@paginate(Pagination)
def publication_list(request, org: Id | None = None, period: str = ""):
    """Posts of the caller's organisations (or of ``org``'s subtree), newest first."""
    user = user_of(request)
    scoping.require_perm(user, scoping.ACTIVITIES_VIEW)
    qs = selectors.publications_for(user).select_related("organization")
    if org is not None:
        qs = qs.filter(
            organization__in=scoping.subtree_ids(
                organization_for_user(user, org, perm=scoping.ACTIVITIES_VIEW).path
            )
        )
    p = _period(period)
    if p is not None:
        qs = qs.filter(published_on__gte=p.start, published_on__lte=p.end)
    return qs.order_by("-published_on", "-pk")


@router.get("/publications/{id:id}", response=responses(PublicationOut), summary="One publicity post")
def publication_detail(request, id: Id):
    return selectors.publication_for_user(user_of(request), id)


@router.get(
    "/{id:id}", response=responses(ActivityDetailOut), summary="One activity with its attendance figures"
)
def activity_detail(request, id: Id):
    user = user_of(request)
    activity = selectors.with_list_figures(selectors.activities_for(user)).filter(pk=id).first()
    if activity is None:
        raise Http404
    summary = selectors.attendance_summary(activity)
    activity.organizers_all = selectors.organizers_of(activity)
    activity.attendance = {
        "present": summary.present,
        "excused": summary.excused,
        "absent": summary.absent,
        "expected": summary.expected,
        "rate": summary.rate,
    }
    return activity


@router.get(
    "/{id:id}/attendance",
    response=responses(list[AttendanceOut]),
    summary="The expected attendees you may see, with their attendance",
)
@paginate(Pagination)
def activity_attendance(request, id: Id):
    user = user_of(request)
    activity = selectors.activities_for(user).filter(pk=id).first()
    if activity is None:
        raise Http404
    rows = selectors.attendance_rows(activity, user)
    return [
        {
            "person": {"id": r.person.pk, "name": r.person.name},
            "organization": {"id": r.person.organization.pk, "name": r.person.organization.name},
            "status": r.status,
            "source": r.source,
            "checked_in_at": r.checked_in_at,
        }
        for r in rows
    ]
