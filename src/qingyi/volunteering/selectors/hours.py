"""Reads of service records and hours: a volunteer's records, totals and projects, the hours
overview and its export (one computation of hours per volunteer), certificates."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    F,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from qingyi.core import rules
from qingyi.core.periods import Period
from qingyi.volunteering.models import (
    Certificate,
    ServiceRecord,
    Signup,
    StarAnnouncementEntry,
    StarAward,
    Volunteer,
)
from qingyi.volunteering.selectors.shifts import HOURS, volunteer_search_q, volunteers_for


def records_of(volunteer: Volunteer) -> QuerySet[ServiceRecord]:
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .select_related("shift", "project", "shift__post")
        .order_by("-served_on", "-pk")
    )


def own_hours_rows(volunteer: Volunteer) -> QuerySet:
    """The volunteer's records as their hours page shows them, newest first: plain rows of the
    fields shown (no model instances to build, a third of the page's time otherwise)."""
    return (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .order_by("-served_on", "-pk")
        .values(
            "served_on",
            "scheduled_hours",
            "recorded_hours",
            "verified_hours",
            "source",
            "status",
            project_name=F("project__name"),
            post_name=F("shift__post__name"),
        )
    )


def verified_hours_of(volunteer: Volunteer) -> Decimal:
    total = ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.VERIFIED).aggregate(
        h=Coalesce(Sum("verified_hours"), Value(Decimal(0)), output_field=HOURS)
    )["h"]
    return Decimal(total)


def hours_summary_of(volunteer: Volunteer) -> dict:
    """A volunteer's totals in one query: verified, recorded-but-unverified, people served, the
    number of records, and the star level: ``star`` is the level awarded (after its
    announcement, volunteering/services/stars.py), ``star_reached`` the level the verified hours reach,
    which may be higher until announced and awarded, and ``announced_until`` the last day of
    the announcement it is in, if any."""
    # The awarded level rides along as an uncorrelated scalar subquery (evaluated once); MAX()
    # lets the grouped rows carry it. Awards and announcements exist only for volunteers with
    # verified records, so a volunteer without records has neither.
    awarded = StarAward.objects.filter(volunteer_id=volunteer.pk).order_by("-level").values("level")[:1]
    announced = StarAnnouncementEntry.objects.filter(volunteer_id=volunteer.pk, outcome="pending").values(
        "announcement__notice_until"
    )[:1]
    # One row a status (a handful), summed here: plain SUMs compile in a third of the time of
    # the FILTERed, COALESCEd and CAST aggregate() this was (a fifth of "My hours").
    by_status = (
        ServiceRecord.objects.filter(volunteer=volunteer)
        .order_by()
        .values_list("status")
        .annotate(
            Sum("verified_hours"),
            Sum("recorded_hours"),
            Sum("people_served"),
            Count("pk"),
            star=Max(Subquery(awarded)),
            # The last day of the announcement the volunteer is in, awaiting its award (or None).
            announced_until=Max(Subquery(announced)),
        )
    )
    verified = pending = Decimal(0)
    served = services = star = records = 0
    announced_until = None
    for status, verified_sum, recorded_sum, served_sum, count, level, until in by_status:
        records += count
        if status == ServiceRecord.Status.VERIFIED:
            verified += verified_sum or 0
            served += served_sum or 0
            services += count
        else:
            pending += recorded_sum or 0
        star = max(star, level or 0)
        announced_until = announced_until or until
    cents = Decimal("0.01")  # HOURS' two places, as the database's sums had them
    row: dict[str, Any] = {
        "verified": verified.quantize(cents),
        "pending": pending.quantize(cents),
        "served": served,
        "services": services,
        "records": records,  # every record, whatever its status (the hours page's page count)
        "star": star,
        "announced_until": announced_until,
    }
    row["star_reached"] = rules.volunteer_star_level(row["verified"])
    thresholds = rules.volunteer_star_thresholds()
    row["next_star_hours"] = next((t for t in thresholds if t > row["verified"]), None)
    return row


def projects_served_by(volunteer: Volunteer) -> list[dict]:
    """Projects with the volunteer's verified hours in each (one GROUP BY)."""
    return list(
        ServiceRecord.objects.filter(volunteer=volunteer, status=ServiceRecord.Status.VERIFIED)
        .values("project_id", "project__name")
        .annotate(hours=Sum("verified_hours"), times=Count("pk"))
        .order_by("-hours")
    )


def no_shows_of(volunteer: Volunteer) -> int:
    """No-shows since the coordinator last cleared the volunteer."""
    qs = Signup.objects.filter(volunteer=volunteer, status=Signup.Status.NO_SHOW)
    if volunteer.no_shows_cleared_at:
        qs = qs.filter(shift__start__gt=volunteer.no_shows_cleared_at)
    return qs.count()


# --- Hours overview (one aggregate query per page) ------------------------------------------


def hours_overview(user, period: Period, *, q: str = "") -> QuerySet[Volunteer]:
    """Volunteers in the user's scope with their verified hours, services and people served in
    the period (``hours_per_volunteer``)."""
    records = ServiceRecord.objects.filter(
        status=ServiceRecord.Status.VERIFIED, served_on__gte=period.start, served_on__lte=period.end
    )
    return hours_per_volunteer(hours_overview_volunteers(user, q=q), records)


def hours_per_volunteer(
    volunteers: QuerySet[Volunteer], records: QuerySet[ServiceRecord]
) -> QuerySet[Volunteer]:
    """The one computation of hours per volunteer: each of ``volunteers`` with its ``hours``
    (verified hours), ``services`` and ``served`` (people served) among ``records`` (verified
    service records), most hours first. Read by the hours overview, its export and the
    figures export's "hours per volunteer" sheet.

    Summed by the database, never in Python: each sum a subquery per volunteer that reads only
    the given records (for a period's verified records, from the covering index (volunteer,
    status, served_on, verified_hours, people_served)). A page sorts on the hours alone, so the
    other two sums run for the rows shown only."""
    per_volunteer = records.filter(volunteer=OuterRef("pk")).order_by().values("volunteer")
    return volunteers.annotate(
        hours=Coalesce(
            Subquery(per_volunteer.annotate(total=Sum("verified_hours")).values("total")),
            Value(Decimal(0)),
            output_field=HOURS,
        ),
        services=Coalesce(Subquery(per_volunteer.annotate(total=Count("*")).values("total")), 0),
        served=Coalesce(Subquery(per_volunteer.annotate(total=Sum("people_served")).values("total")), 0),
    ).order_by("-hours", "name", "pk")


def verified_sums(records: QuerySet[ServiceRecord]) -> dict[int, tuple[Decimal, int, int]]:
    """Each volunteer's (verified hours, services, people served) among ``records`` (verified
    service records): one GROUP BY — the exports' computation, which need every volunteer's
    sums at once (the overview's page sorts by hours in the database: ``hours_per_volunteer``
    sums the same columns per volunteer; tests/volunteering/test_hours_export.py holds them
    equal)."""
    return {
        volunteer_id: (hours, services, served)
        for volunteer_id, hours, services, served in records.order_by()
        .values("volunteer_id")
        .annotate(
            hours=Sum("verified_hours", output_field=HOURS),
            services=Count("*"),
            served=Coalesce(Sum("people_served"), 0),
        )
        .values_list("volunteer_id", "hours", "services", "served")
    }


NO_SUMS = (Decimal("0.00"), 0, 0)


def hours_export_rows(user, period: Period) -> list[tuple]:
    """Every volunteer in the user's scope as (name, kind, organisation name, phone, status,
    verified hours, services, people served) in the period, in the overview's order (most hours
    first, then name and pk) — for the export, which needs every row: ``verified_sums`` over
    the period's verified records of the scope and one list of the volunteers in name order,
    joined here, instead of three subqueries a volunteer (the overview's plan, made for one page)."""
    volunteers = hours_overview_volunteers(user)
    sums = verified_sums(
        ServiceRecord.objects.filter(
            volunteer__in=volunteers.values("pk"),
            status=ServiceRecord.Status.VERIFIED,
            served_on__gte=period.start,
            served_on__lte=period.end,
        )
    )
    rows = [
        (name, kind, organization, phone, status, *sums.get(pk, NO_SUMS))
        for pk, name, kind, organization, phone, status in volunteers.order_by("name", "pk").values_list(
            "pk", "name", "kind", "organization__name", "phone", "status"
        )
    ]
    # Stable: equal hours keep the database's name-and-pk order (its collation, as the overview).
    rows.sort(key=lambda row: row[5], reverse=True)
    return rows


def hours_overview_volunteers(user, *, q: str = "") -> QuerySet[Volunteer]:
    qs = volunteers_for(user)
    if q:
        qs = qs.filter(volunteer_search_q(user, q))
    return qs


def certificates_of(volunteer: Volunteer) -> QuerySet[Certificate]:
    return Certificate.objects.filter(volunteer=volunteer).order_by("-issued_at", "-pk")


def certificate_for(user, certificate_pk: int) -> Certificate:
    """A certificate for its own volunteer, or for a coordinator of the volunteer's
    organisation; anyone else: 404."""
    certificate = Certificate.objects.select_related("volunteer").filter(pk=certificate_pk).first()
    if certificate is None:
        raise Http404
    if certificate.volunteer.user_id is not None and certificate.volunteer.user_id == user.pk:
        return certificate
    if not volunteers_for(user).filter(pk=certificate.volunteer_id).exists():
        raise Http404
    return certificate


def certificate_by_token(token: str) -> Certificate | None:
    """The certificate a public QR code names (None for an unknown or malformed token)."""
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    return Certificate.objects.filter(token=token).first()
