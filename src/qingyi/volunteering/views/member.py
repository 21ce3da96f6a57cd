"""The volunteer's pages (mostly on a phone): my volunteering, open shifts, sign-up, scan, my hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.volunteering import selectors, services
from qingyi.volunteering.models import ServiceRecord, Shift, Signup
from qingyi.volunteering.services import hours
from qingyi.volunteering.views.common import error_messages, scan_response, shift_for
from qingyi.volunteering.views.personal_qr import personal_qr_context

# A volunteer's own hours, read on a phone: a screenful or two a page.
MY_HOURS_PAGE_SIZE = 20


@login_required
@require_GET
def home(request):
    """My volunteering: star level, verified hours, next shifts — or the way in."""
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return render(
            request,
            "volunteering/home.html",
            {
                "volunteer": None,
                "person": getattr(request.user, "person", None),
                "can_manage": selectors.can_manage(request.user),
            },
        )
    summary = selectors.hours_summary_of(volunteer)
    upcoming = list(selectors.upcoming_signups_of(volunteer)[:20])
    cutoff_hours = services.rules.get_setting("volunteer_cancel_cutoff_hours")
    now = timezone.now()
    for signup in upcoming:
        signup.can_cancel = signup.cancellable(manager=False, now=now)
    return render(
        request,
        "volunteering/home.html",
        {
            "volunteer": volunteer,
            "summary": summary,
            "stars": range(summary["star"]),
            "upcoming": upcoming,
            "projects": selectors.projects_served_by(volunteer),
            "no_shows": selectors.no_shows_of(volunteer),
            "cutoff_hours": cutoff_hours,
            "can_manage": selectors.can_manage(request.user),
            # Certificates (志愿服务证明, PDF) come here: a download per period, once written.
            "certificates_available": False,
        },
    )


@login_required
@require_POST
def join(request):
    """A member of staff becomes a volunteer from their roster record, in one step."""
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(
            request, _("Your login is not linked to a roster record; ask a coordinator to register you.")
        )
        return redirect("volunteering:home")
    try:
        services.volunteer_register_staff(person=person, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Welcome: you are now a volunteer."))
    return redirect("volunteering:home")


@login_required
@require_GET
def shift_list(request):
    """Open shifts the volunteer qualifies for, soonest first."""
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return redirect("volunteering:home")
    page = Paginator(selectors.shifts_open_for(volunteer), 30).get_page(request.GET.get("page"))
    return render(request, "volunteering/shift_list.html", {"page": page, "volunteer": volunteer})


@login_required
@require_GET
def shift_detail(request, shift_pk: int):
    shift = shift_for(request, shift_pk)
    can_manage = selectors.can_manage(request.user, shift.project.organization)
    volunteer = selectors.volunteer_of(request.user)
    mine = Signup.objects.filter(shift=shift, volunteer=volunteer).first() if volunteer else None
    now = timezone.now()
    counts = selectors.with_place_counts(Shift.objects.filter(pk=shift.pk)).values("taken", "waiting").get()
    context = {
        "shift": shift,
        "mine": mine,
        "volunteer": volunteer,
        "counts": counts,
        "can_manage": can_manage,
        "qualifications": list(shift.required_qualifications.all()),
        "mine_shown": mine is not None and mine.status != Signup.Status.CANCELLED,
        "can_cancel": mine is not None and mine.cancellable(manager=False, now=now),
    }
    if can_manage:
        context["signups"] = list(
            Signup.objects.filter(shift=shift)
            .exclude(status__in=[Signup.Status.CANCELLED])
            .select_related("volunteer")
            .order_by("status", "queued_at", "created_at", "pk")
        )
        records = {
            r.volunteer_id: r
            for r in ServiceRecord.objects.filter(shift=shift).only("volunteer_id", "status", "walk_in")
        }
        for signup in context["signups"]:
            signup.record = records.get(signup.volunteer_id)
            signup.can_cancel = signup.cancellable(manager=True, now=now)
        context["walk_ins"] = (
            ServiceRecord.objects.filter(shift=shift, walk_in=True).select_related("volunteer").order_by("pk")
        )
    return render(request, "volunteering/shift_detail.html", context)


@login_required
@require_POST
def signup_create(request, shift_pk: int):
    shift = shift_for(request, shift_pk)
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        raise PermissionDenied
    try:
        signup = services.signup_create(shift=shift, volunteer=volunteer, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        if signup.status == Signup.Status.WAITING:
            messages.info(request, _("The shift is full: you are on the waiting list."))
        elif signup.status == Signup.Status.REQUESTED:
            messages.info(request, _("Your request is waiting for the coordinator's approval."))
        else:
            messages.success(request, _("You are signed up."))
    if request.POST.get("next") == "list":
        return redirect("volunteering:shift_list")
    return redirect("volunteering:shift_detail", shift.pk)


@login_required
@require_POST
def signup_cancel(request, signup_pk: int):
    signup = (
        Signup.objects.select_related("shift", "shift__project", "shift__project__organization", "volunteer")
        .filter(pk=signup_pk)
        .first()
    )
    if signup is None:
        raise Http404
    is_own = signup.volunteer.user_id == request.user.pk
    if not is_own and not selectors.can_manage(request.user, signup.shift.project.organization):
        raise Http404
    try:
        services.signup_cancel(signup=signup, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The sign-up is cancelled."))
    if is_own:
        return redirect("volunteering:home")
    return redirect("volunteering:shift_detail", signup.shift_id)


@login_required
@require_GET
def my_hours(request):
    volunteer = selectors.volunteer_of(request.user)
    if volunteer is None:
        return redirect("volunteering:home")
    summary = selectors.hours_summary_of(volunteer)
    paginator = Paginator(selectors.own_hours_rows(volunteer), MY_HOURS_PAGE_SIZE)
    paginator.count = summary["records"]  # counted by the summary's query: no COUNT(*) of its own
    page = paginator.get_page(request.GET.get("page"))
    statuses = {value: str(label) for value, label in ServiceRecord.Status.choices}
    page.object_list = list(page.object_list)
    for row in page.object_list:
        row["status_label"] = statuses.get(row["status"], row["status"])
    return render(
        request,
        "volunteering/my_hours.html",
        {
            "page": page,
            "summary": summary,
            "volunteer": volunteer,
            "certificates": list(selectors.certificates_of(volunteer)[:20]),
            **personal_qr_context(request, volunteer),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scan(request, shift_pk: int):
    """The page a volunteer's phone opens from the shift's QR code; its script posts the scan
    (and keeps it on the phone when the network fails, to send it later with its own time)."""
    if request.method == "GET":
        shift = shift_for(request, shift_pk)
        return render(
            request, "volunteering/scan.html", {"shift": shift, "code": request.GET.get("c", "")[:64]}
        )
    # The scan itself: a volunteer's shift in one narrow query (no role lookup); anyone else —
    # a manager who is not a volunteer who may see it, or nobody — as shift_for decides.
    volunteer, shift = selectors.scan_parties(request.user, shift_pk)
    if shift is None:
        shift = shift_for(request, shift_pk)
    return scan_response(
        request, lambda **scan: hours.shift_scan(shift=shift, user=request.user, volunteer=volunteer, **scan)
    )
