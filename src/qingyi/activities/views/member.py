"""A member's pages, made for a phone: upcoming activities, registrations, check-in, own attendance."""

from __future__ import annotations

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.activities import selectors, services
from qingyi.activities.models import Attendance
from qingyi.core import checkin


@login_required
@require_GET
def my_activities(request):
    person = selectors.person_of(request.user)
    if person is None:
        return render(request, "activities/mine.html", {"person": None})
    upcoming = list(selectors.upcoming_for_person(person)[:30])
    registrations = selectors.registrations_of(person)
    for activity in upcoming:
        activity.my_registration = registrations.get(activity.pk)
    history = Paginator(selectors.attendance_history(person), 30).get_page(request.GET.get("page"))
    counts = selectors.attendance_counts(person)
    return render(
        request,
        "activities/mine.html",
        {
            "person": person,
            "upcoming": upcoming,
            "history": history,
            "counts": counts,
            "rate": selectors.attendance_rate_of(counts),
            "now": timezone.now(),
        },
    )


def _scanned_at(text: str) -> dt.datetime | None:
    """The time the phone opened the code (sent by the page), for scans sent late."""
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return value if timezone.is_aware(value) else None


@login_required
@require_http_methods(["GET", "POST"])
def check_in(request, activity_pk: int):
    """Opened by scanning the activity's QR code: one tap records the member as present."""
    person = selectors.person_of(request.user)
    activity = selectors.activity_for_person(person, activity_pk)
    outcome = None
    error = ""
    if request.method == "POST":
        try:
            outcome = services.activity_scan(
                activity=activity,
                person=person,
                user=request.user,
                code=request.POST.get("code", ""),
                client_id=request.POST.get("client_id", ""),
                scanned_at=_scanned_at(request.POST.get("scanned_at", "")),
            )
        except checkin.ScanRefused as exc:
            error = str(exc)
    code = request.POST.get("code") if request.method == "POST" else request.GET.get("code", "")
    already = Attendance.objects.filter(
        activity=activity, person=person, status=Attendance.Status.PRESENT
    ).first()
    return render(
        request,
        "activities/check_in.html",
        {
            "activity": activity,
            "code": code or "",
            "client_id": uuid.uuid4().hex,
            "outcome": outcome,
            "error": error,
            "already": already,
        },
    )


@login_required
@require_POST
def register(request, activity_pk: int):
    person = selectors.person_of(request.user)
    activity = selectors.activity_for_person(person, activity_pk)
    try:
        registration = services.registration_create(activity=activity, person=person, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        if registration.status == registration.Status.CONFIRMED:
            messages.success(request, _("You are registered for “%(title)s”.") % {"title": activity.title})
        else:
            messages.warning(
                request,
                _("All places are taken: you are number %(n)s on the waiting list.")
                % {"n": services.waiting_position(registration)},
            )
    return redirect("activities:mine")
