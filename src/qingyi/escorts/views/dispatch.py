"""The escort pages behind the login: the coordinator's dispatch board and assignment, the
assigned volunteer's phone (their escorts, start, complete) and the request page both see."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.escorts import selectors, services
from qingyi.escorts.forms import NoteForm, ReasonForm
from qingyi.escorts.models import EscortRequest
from qingyi.escorts.views.common import error_text
from qingyi.organizations import scoping
from qingyi.people import masking

PAGE_SIZE = 30


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
                error = error_text(exc)
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
        messages.error(request, error_text(exc))
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
