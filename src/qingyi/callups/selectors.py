"""Reads of call-ups; every one through the scoping rule or the volunteer's own answers.

Coordinators (``volunteering.manage``) see the call-ups of their subtree; a volunteer sees a
call-up only when it was sent to them.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from qingyi.callups.models import CallUp, Response
from qingyi.core import rules
from qingyi.organizations import scoping
from qingyi.volunteering.models import Shift, Signup, Volunteer, VolunteerQualification

MANAGE = scoping.VOLUNTEERING_MANAGE


def callups_managed_by(user) -> QuerySet[CallUp]:
    qs = CallUp.objects.select_related("organization").annotate(
        sent_count=Count("responses", distinct=True),
        accepted_count=Count(
            "responses", filter=Q(responses__answer=Response.Answer.ACCEPTED), distinct=True
        ),
    )
    return scoping.scope(qs, user, MANAGE, path_field="organization__path").order_by("-starts_at", "-pk")


def callup_for_manager(user, pk: int) -> CallUp:
    """A call-up the user coordinates: 404 outside their subtree."""
    return scoping.get_object_for_user(
        CallUp.objects.select_related("organization", "project"),
        user,
        view_perm=MANAGE,
        path_field="organization__path",
        need=MANAGE,
        pk=pk,
    )


def response_of(user, callup_pk: int) -> Response:
    """The user's own response to a call-up sent to them: 404 for anyone else."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    response = (
        Response.objects.select_related("callup", "callup__organization", "volunteer")
        .filter(callup_id=callup_pk, volunteer__user_id=user.pk)
        .first()
    )
    if response is None:
        raise Http404
    return response


def responses_of_user(user) -> QuerySet[Response]:
    """A volunteer's call-ups, open ones first, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Response.objects.none()
    return (
        Response.objects.filter(volunteer__user_id=user.pk)
        .select_related("callup")
        .order_by("callup__closed_at", "-callup__starts_at", "-pk")
    )


age_q = rules.age_q  # the age and youth rules live in core.rules
youth_q = rules.youth_q


def targeted_volunteers(callup: CallUp, targeting) -> QuerySet[Volunteer]:
    """Active volunteers with a login in the targeting's subtree, holding its qualification on
    the call-up's day and within its age range, who have not had this call-up yet."""
    day = timezone.localtime(callup.starts_at).date()
    # The targeting's organisation is one the coordinator manages (TargetingForm, callup_send).
    qs = (
        Volunteer.objects.unscoped("the targeting's subtree")
        .filter(
            status=Volunteer.Status.ACTIVE,
            user__isnull=False,
            user__is_active=True,
            organization__in=scoping.subtree_ids(targeting.organization.path),
        )
        .exclude(Exists(Response.objects.filter(callup_id=callup.pk, volunteer=OuterRef("pk"))))
    )
    if targeting.qualification is not None:
        qs = qs.filter(
            Exists(
                VolunteerQualification.objects.filter(
                    volunteer=OuterRef("pk"), qualification=targeting.qualification, obtained_on__lte=day
                ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
            )
        )
    if targeting.min_age is not None or targeting.max_age is not None:
        qs = qs.filter(age_q(day, min_age=targeting.min_age, max_age=targeting.max_age))
    return qs


def targeted_count(callup: CallUp, targeting) -> int:
    """How many volunteers the targeting selects (the preview before sending)."""
    return targeted_volunteers(callup, targeting).count()


def shifts_of(callup: CallUp) -> QuerySet[Shift]:
    """The call-up's posts (one shift each) with the places taken."""
    return (
        callup.project.shifts.filter(cancelled_at__isnull=True)
        .select_related("post")
        .annotate(taken=Count("signups", filter=Q(signups__status__in=Signup.HOLDING)))
        .order_by("post__name", "start", "pk")
    )


def response_counts(responses: QuerySet[Response]) -> dict[str, int]:
    """The board's figures in one aggregate: sent, accepted, declined."""
    return responses.aggregate(
        sent=Count("pk"),
        accepted=Count("pk", filter=Q(answer=Response.Answer.ACCEPTED)),
        declined=Count("pk", filter=Q(answer=Response.Answer.DECLINED)),
    )


def responses_of(callup: CallUp, *, answer: str | None = None) -> QuerySet[Response]:
    """The responses with the volunteer and the post they were given (if any): flat queries."""
    placed = Signup.objects.filter(
        volunteer=OuterRef("volunteer"), shift__project_id=callup.project_id, status=Signup.Status.CONFIRMED
    )
    qs = (
        Response.objects.filter(callup=callup)
        .select_related("volunteer", "volunteer__organization")
        .annotate(
            placed_shift_id=Subquery(placed.values("shift_id")[:1]),
            placed_post=Subquery(placed.values("shift__post__name")[:1]),
        )
    )
    if answer:
        qs = qs.filter(answer=answer)
    return qs.order_by("responded_at", "volunteer__name", "pk")
