"""Escort pages: the public request and the patient's link; dispatch; the volunteer's phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.clientip import client_ip
from qingyi.core.forms import add_service_errors
from qingyi.escorts import selectors, services
from qingyi.escorts.forms import EscortRequestForm, NoteForm, RatingForm, ReasonForm
from qingyi.escorts.models import EscortRequest
from qingyi.organizations import scoping
from qingyi.people import masking

PAGE_SIZE = 30


def _error_text(exc: ValidationError) -> str:
    return (
        " ".join(m for ms in exc.message_dict.values() for m in ms)
        if hasattr(exc, "error_dict")
        else " ".join(exc.messages)
    )


# --- Public: the request and the patient's link ------------------------------------------------


@require_http_methods(["GET", "POST"])
def request_new(request):
    form = EscortRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _escort, token = services.escort_request_create(data=form.request_data(), ip=client_ip(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(reverse("escorts:track", args=[token]) + "?new=1")
    return render(request, "escorts/request_form.html", {"form": form})


def _by_token(token: str) -> EscortRequest:
    escort = services.escort_by_token(token)
    if escort is None:
        raise Http404
    return escort


@require_GET
def track(request, token: str):
    escort = _by_token(token)
    return render(
        request,
        "escorts/track.html",
        {
            "escort": escort,
            "token": token,
            "is_new": request.GET.get("new") == "1",
            "link": request.build_absolute_uri(reverse("escorts:track", args=[token])),
            "rating_form": RatingForm(),
            "cancel_form": ReasonForm(),
        },
    )


@require_POST
def track_rate(request, token: str):
    escort = _by_token(token)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.escort_rate(
                escort=escort, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Thank you for your rating."))
    else:
        messages.error(request, _("Choose from 1 to 5 stars."))
    return redirect("escorts:track", token)


@require_POST
def track_cancel(request, token: str):
    escort = _by_token(token)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            services.escort_cancel(escort=escort, reason=form.cleaned_data["reason"], by_patient=True)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("Your request is cancelled."))
    else:
        messages.error(request, _("Please give a reason for cancelling."))
    return redirect("escorts:track", token)


# --- Coordinators ------------------------------------------------------------------------------------


@login_required
@require_GET
def dispatch(request):
    scoping.require_perm(request.user, scoping.VOLUNTEERING_MANAGE)
    status = request.GET.get("status", "open")
    page = Paginator(selectors.dispatch_board(request.user, status=status), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "escorts/dispatch.html",
        {"page": page, "status": status, "statuses": EscortRequest.Status.choices},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign(request, escort_pk: int):
    escort = selectors.escort_for_user(request.user, escort_pk)
    if not services.can_dispatch(request.user, escort):
        raise PermissionDenied  # the assigned volunteer sees the request but does not dispatch it
    q = request.GET.get("q", "").strip()[:50]
    error = None
    if request.method == "POST":
        volunteer = selectors.volunteer_to_assign(request.user, request.POST.get("volunteer") or "")
        if volunteer is None:
            error = _("Choose a volunteer.")
        else:
            try:
                services.escort_assign(escort=escort, volunteer=volunteer, actor=request.user)
            except ValidationError as exc:
                error = _error_text(exc)
            else:
                messages.success(
                    request, _("%(name)s is assigned and has been notified.") % {"name": volunteer.name}
                )
                return redirect("escorts:dispatch")
    candidates = selectors.escort_candidates(request.user, q=q)[:50]
    return render(
        request,
        "escorts/assign.html",
        {
            "escort": escort,
            "candidates": candidates,
            "q": q,
            "error": error,
            "phone_search": bool(masking.phone_paths(request.user)),
        },
        status=422 if error else 200,
    )


# --- The request page (coordinator or assigned volunteer) -------------------------------------------


@login_required
@require_GET
def mine(request):
    escorts = selectors.assigned_to(request.user)
    open_escorts = escorts.filter(status__in=EscortRequest.OPEN).order_by("wanted_at", "pk")
    recent = escorts.filter(status__in=EscortRequest.CLOSED).order_by("-wanted_at", "-pk")[:20]
    return render(request, "escorts/mine.html", {"open_escorts": open_escorts, "recent": recent})


@login_required
@require_GET
def detail(request, escort_pk: int):
    escort = selectors.escort_for_user(request.user, escort_pk)
    return render(
        request,
        "escorts/detail.html",
        {
            "escort": escort,
            "can_dispatch": services.can_dispatch(request.user, escort),
            "note_form": NoteForm(),
            "reason_form": ReasonForm(),
        },
    )


def _run(request, escort_pk: int, action) -> object:
    escort = selectors.escort_for_user(request.user, escort_pk)
    try:
        action(escort)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("escorts:detail", escort.pk)


@login_required
@require_POST
def start(request, escort_pk: int):
    def action(escort):
        services.escort_start(escort=escort, actor=request.user)
        messages.success(request, _("The escort is under way."))

    return _run(request, escort_pk, action)


@login_required
@require_POST
def complete(request, escort_pk: int):
    def action(escort):
        services.escort_complete(escort=escort, note=request.POST.get("note", ""), actor=request.user)
        messages.success(request, _("The escort is done. Thank you!"))

    return _run(request, escort_pk, action)


@login_required
@require_POST
def cancel(request, escort_pk: int):
    def action(escort):
        services.escort_cancel(escort=escort, reason=request.POST.get("reason", ""), actor=request.user)
        messages.success(request, _("The request is cancelled."))

    return _run(request, escort_pk, action)
