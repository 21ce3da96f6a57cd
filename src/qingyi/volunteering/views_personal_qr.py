"""The personal QR code: shown on the volunteer's phone, scanned by the coordinator's phone."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from qingyi.core import checkin
from qingyi.organizations import scoping
from qingyi.volunteering import personal_qr, selectors
from qingyi.volunteering.models import ServiceRecord, Signup, Volunteer

MANAGE = scoping.VOLUNTEERING_MANAGE


def personal_qr_svg(url: str) -> str:
    """The QR of ``url``, drawn once per code: the URL holds the volunteer and the code of the
    current window, so every request of that window (the page, its refreshes, other workers
    with a shared cache) reuses the drawing (a fifth of the page's time otherwise)."""
    key = "personal-qr-svg:" + hashlib.sha256(url.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = checkin.qr_svg(url, scale=5)
        # The code changes with the window: the drawing is of no use longer than that.
        cache.set(key, svg, timeout=checkin.WINDOW_SECONDS * (checkin.GRACE_WINDOWS + 1))
    return svg


def personal_qr_context(request, volunteer: Volunteer) -> dict:
    """What the volunteer's page shows: the QR of the coordinator's scan URL, renewed each minute."""
    code = personal_qr.current_code(volunteer)
    url = request.build_absolute_uri(reverse("volunteering:scan_person")) + f"?v={volunteer.pk}&c={code}"
    return {"personal_qr": personal_qr_svg(url), "personal_qr_seconds": checkin.seconds_left()}


@login_required
@require_GET
def my_code(request):
    """The personal QR fragment (htmx renews it when the code changes)."""
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise Http404
    return render(request, "volunteering/my_hours.html#personal_qr", personal_qr_context(request, volunteer))


def _today_shifts(request, volunteer: Volunteer):
    """Today's shifts the coordinator manages, with whether the volunteer is expected there and
    the state of their record (so the button says check in or check out)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    expected = Signup.objects.filter(
        shift_id=OuterRef("pk"), volunteer_id=volunteer.pk, status=Signup.Status.CONFIRMED
    )
    record = ServiceRecord.objects.filter(shift_id=OuterRef("pk"), volunteer_id=volunteer.pk)
    return (
        selectors.shifts_for(request.user)
        .filter(start__gte=start, start__lt=start + dt.timedelta(days=1), cancelled_at__isnull=True)
        .annotate(
            expected=Exists(expected),
            record_status=Subquery(record.values("status")[:1]),
            checked_out=Exists(record.filter(checked_out_at__isnull=False)),
        )
        .order_by("-expected", "start", "pk")
    )


def _int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def scan_person(request):
    """The page a volunteer's personal QR opens on the coordinator's phone: pick one of today's
    shifts and check the volunteer in or out there."""
    scoping.require_perm(request.user, MANAGE)
    data = request.POST if request.method == "POST" else request.GET
    volunteer_id, code = _int(data.get("v")), (data.get("c") or "")[:64]
    seen = None
    if request.method == "POST":
        seen = personal_qr.seen_at(request.POST.get("seen", ""), volunteer_id, code)
    if volunteer_id is None or not personal_qr.code_is_valid(volunteer_id, code, at=seen):
        return render(
            request, "volunteering/scan_person.html", {"refused": personal_qr.expired_message()}, status=400
        )
    # The genuine code names the volunteer standing in front of the coordinator.
    volunteer = (
        Volunteer.objects.unscoped("the volunteer whose genuine personal code was scanned")
        .select_related("organization")
        .filter(pk=volunteer_id)
        .first()
    )
    if volunteer is None:
        raise Http404
    if request.method == "POST":
        shift = selectors.shifts_for(request.user).filter(pk=_int(request.POST.get("shift"))).first()
        if shift is None:
            raise Http404
        try:
            outcome = personal_qr.check_in_by_personal_qr(
                shift=shift,
                volunteer=volunteer,
                code=code,
                scan_id=request.POST.get("scan_id", ""),
                seen=seen,
                actor=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"{volunteer.name}: {outcome.message}")
            return redirect("volunteering:shift_detail", shift.pk)
    return render(
        request,
        "volunteering/scan_person.html",
        {
            "volunteer": volunteer,
            "code": code,
            "shifts": list(_today_shifts(request, volunteer)),
            "seen": personal_qr.seen_token(volunteer.pk, code, at=seen),
            "scan_id": personal_qr.new_scan_id(),
        },
    )
