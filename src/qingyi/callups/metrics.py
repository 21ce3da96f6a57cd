"""Call-up figures: opened, responders, acceptance rate, youth share, median response time.

Each for an organisation's subtree (the call-up's organisation) and a period: call-ups
opened in the period; responses (answers) given in it. The per-call-up figures on the
coordinator's page use the same functions (``youth_share_of``, ``median_response_minutes_of``)
on that call-up's responses.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qingyi.callups.models import CallUp, Response
from qingyi.callups.selectors import youth_q
from qingyi.core.metrics import Scope, median_duration, metric, share
from qingyi.organizations.scoping import subtree_ids

CALLUP_COLUMNS = (
    ("title", _("Title")),
    ("get_kind_display", _("Kind")),
    ("organization", _("Organisation")),
    ("starts_at", _("Starts")),
    ("get_status_display", _("Status")),
)
RESPONSE_COLUMNS = (
    ("callup", _("Call-up")),
    ("volunteer", _("Volunteer")),
    ("get_answer_display", _("Answer")),
    ("sent_at", _("Sent at")),
    ("responded_at", _("Answered at")),
    ("minutes_to_answer", _("Minutes to answer")),
)


def _opened(scope: Scope, key=None) -> QuerySet[CallUp]:
    start, end = scope.period.bounds()
    return (
        CallUp.objects.filter(
            organization__in=subtree_ids(scope.path), created_at__gte=start, created_at__lt=end
        )
        .select_related("organization")
        .order_by("-created_at", "-pk")
    )


def _responders(scope: Scope, key=None) -> QuerySet[Response]:
    start, end = scope.period.bounds()
    return (
        Response.objects.filter(
            callup__organization__in=subtree_ids(scope.path),
            responded_at__gte=start,
            responded_at__lt=end,
        )
        .select_related("callup", "volunteer")
        .order_by("-responded_at", "-pk")
    )


def _accepted(scope: Scope, key=None) -> QuerySet[Response]:
    return _responders(scope).filter(answer=Response.Answer.ACCEPTED)


def _youth(scope: Scope, key=None) -> QuerySet[Response]:
    return _responders(scope).filter(youth_q(scope.period.as_of, prefix="volunteer__"))


def youth_share_of(responses: QuerySet[Response], on: dt.date) -> float:
    """The share (percent) of answered responses whose volunteer is aged 35 or under on ``on``."""
    answered = responses.filter(responded_at__isnull=False)
    return share(answered.filter(youth_q(on, prefix="volunteer__")).count(), answered.count())


def median_response_minutes_of(responses: QuerySet[Response]) -> float:
    """The median minutes from sending to the first answer (0 when nobody answered)."""
    median = median_duration(responses.filter(responded_at__isnull=False), "sent_at", "responded_at")
    return round(median.total_seconds() / 60, 1) if median is not None else 0.0


@metric(
    "callups.opened",
    label=_("Call-ups opened"),
    unit=_("call-ups"),
    records=_opened,
    columns=CALLUP_COLUMNS,
    description=_("Call-ups opened in the period."),
)
def callups_opened(scope: Scope) -> int:
    return _opened(scope).count()


@metric(
    "callups.responders",
    label=_("Call-up responders"),
    unit=_("answers"),
    records=_responders,
    columns=RESPONSE_COLUMNS,
    description=_("Volunteers who answered a call-up (accepted or declined) in the period."),
)
def callups_responders(scope: Scope) -> int:
    return _responders(scope).count()


@metric(
    "callups.acceptance_rate",
    label=_("Call-up acceptance rate"),
    unit="%",
    kind="share",
    records=_accepted,
    whole=_responders,
    columns=RESPONSE_COLUMNS,
    description=_("Of the answers given in the period, the share that accepted."),
)
def callups_acceptance_rate(scope: Scope) -> float:
    return share(_accepted(scope).count(), _responders(scope).count())


@metric(
    "callups.youth_share",
    label=_("Youth share of call-up responders (aged 35 or under)"),
    unit="%",
    kind="share",
    records=_youth,
    whole=_responders,
    columns=RESPONSE_COLUMNS,
    description=_("Responders aged 14–35 on the period's last day, as a share of all responders."),
)
def callups_youth_share(scope: Scope) -> float:
    return youth_share_of(_responders(scope), scope.period.as_of)


@metric(
    "callups.median_response_minutes",
    aggregate="median",
    column=lambda response: (response.responded_at - response.sent_at).total_seconds() / 60,
    label=_("Median call-up response time"),
    unit=_("minutes"),
    records=_responders,
    columns=RESPONSE_COLUMNS,
    description=_("From sending a call-up to the volunteer's first answer, for answers in the period."),
)
def callups_median_response_minutes(scope: Scope) -> float:
    return median_response_minutes_of(_responders(scope))
