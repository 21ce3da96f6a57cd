"""The coordinator's call-up pages: the list, a new call-up, the board (posts, targeting, sending,
filling a place by hand, closing)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.callups import metrics, selectors, services
from qingyi.callups.forms import CallUpForm, PostForm, TargetingForm
from qingyi.callups.models import Response
from qingyi.callups.views.common import error_text
from qingyi.core.forms import add_service_errors
from qingyi.core.params import parse_id
from qingyi.organizations import scoping
from qingyi.volunteering.models import Volunteer

PAGE_SIZE = 30
POLL_SECONDS = 5
# The board lists at most this many accepted responders (by answer time) and latest answers.
ACCEPTED_SHOWN = 100
RECENT_SHOWN = 30


# --- Coordinators ------------------------------------------------------------------------------


@login_required
@require_GET
def callup_list(request):
    scoping.require_perm(request.user, scoping.VOLUNTEERING_MANAGE)
    page = Paginator(selectors.callups_managed_by(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "callups/list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def callup_create(request):
    scoping.require_perm(request.user, scoping.VOLUNTEERING_MANAGE)
    form = CallUpForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            callup = services.callup_create(
                organization=data["organization"],
                title=data["title"],
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                place=data["place"],
                message=data["message"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The call-up is opened. Add its posts, then send it."))
            return redirect("callups:detail", callup.pk)
    return render(request, "callups/form.html", {"form": form}, status=422 if form.errors else 200)


def _board(request, callup, **extra):
    """The board's figures and lists: counts in one aggregate, lists cut to what a screen shows
    (the full list is on the API), so the polled fragment stays fast at thousands of recipients."""
    responses = selectors.responses_of(callup)
    day = timezone.localtime(callup.starts_at).date()
    counts = selectors.response_counts(responses)
    context = {
        "callup": callup,
        "shifts": list(selectors.shifts_of(callup)),
        "accepted": list(responses.filter(answer=Response.Answer.ACCEPTED)[:ACCEPTED_SHOWN]),
        "recent": list(
            responses.filter(responded_at__isnull=False).order_by("-responded_at", "-pk")[:RECENT_SHOWN]
        ),
        "counts": counts,
        "accepted_shown": ACCEPTED_SHOWN,
        "youth_share": metrics.youth_share_of(responses, day),
        "median_minutes": metrics.median_response_minutes_of(responses),
        "poll_seconds": POLL_SECONDS,
        "post_form": PostForm(),
        "targeting_form": TargetingForm(user=request.user, initial={"organization": callup.organization}),
        "preview": None,
        "preview_errors": [],
    }
    context.update(extra)
    return context


@login_required
@require_GET
def callup_detail(request, callup_pk: int):
    callup = selectors.callup_for_manager(request.user, callup_pk)
    return render(request, "callups/detail.html", _board(request, callup))


@login_required
@require_GET
def callup_responses(request, callup_pk: int):
    """The responses and the posts, polled by the board every few seconds (htmx)."""
    callup = selectors.callup_for_manager(request.user, callup_pk)
    return render(request, "callups/detail.html#board", _board(request, callup))


@login_required
@require_POST
def callup_post_add(request, callup_pk: int):
    callup = selectors.callup_for_manager(request.user, callup_pk)
    form = PostForm(request.POST)
    if form.is_valid():
        q = form.cleaned_data["qualification"]
        try:
            services.callup_post_add(
                callup=callup,
                name=form.cleaned_data["name"],
                needed=form.cleaned_data["needed"],
                qualifications=[q] if q else [],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The post is added."))
            return redirect("callups:detail", callup.pk)
    return render(request, "callups/detail.html", _board(request, callup, post_form=form), status=422)


def _targeting(request, form) -> services.Targeting | None:
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return services.Targeting(
        organization=data["organization"],
        qualification=data["qualification"],
        min_age=data["min_age"],
        max_age=data["max_age"],
    )


@login_required
@require_GET
def callup_preview(request, callup_pk: int):
    """How many volunteers the targeting selects (not yet sent to), before sending."""
    callup = selectors.callup_for_manager(request.user, callup_pk)
    form = TargetingForm(request.GET, user=request.user)
    targeting = _targeting(request, form)
    errors = targeting.errors() if targeting else {}
    preview = None
    if targeting is not None and not errors:
        preview = selectors.targeted_count(callup, targeting)
    return render(
        request,
        "callups/detail.html#preview",
        {"callup": callup, "preview": preview, "preview_errors": [m for ms in errors.values() for m in ms]},
    )


@login_required
@require_POST
def callup_send(request, callup_pk: int):
    callup = selectors.callup_for_manager(request.user, callup_pk)
    form = TargetingForm(request.POST, user=request.user)
    targeting = _targeting(request, form)
    if targeting is not None:
        try:
            sent = services.callup_send(callup=callup, targeting=targeting, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The call-up is sent to %(n)s volunteers.") % {"n": sent},
            )
            return redirect("callups:detail", callup.pk)
    return render(request, "callups/detail.html", _board(request, callup, targeting_form=form), status=422)


@login_required
@require_POST
def callup_fill(request, callup_pk: int):
    callup = selectors.callup_for_manager(request.user, callup_pk)
    shift = selectors.shifts_of(callup).filter(pk=_int(request.POST.get("shift"))).first()
    volunteer = (
        Volunteer.objects.unscoped("a responder of the call-up (callup_fill refuses anyone else)")
        .select_related("organization", "user")
        .filter(pk=_int(request.POST.get("volunteer")))
        .first()
    )
    if shift is None or volunteer is None:
        messages.error(request, _("Choose a post and a volunteer who accepted."))
    else:
        try:
            services.callup_fill(callup=callup, shift=shift, volunteer=volunteer, actor=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("%(name)s has a place: %(post)s.") % {"name": volunteer.name, "post": shift.post or "—"},
            )
    return redirect("callups:detail", callup.pk)


def _int(value) -> int | None:
    return parse_id(value)


@login_required
@require_POST
def callup_close(request, callup_pk: int):
    callup = selectors.callup_for_manager(request.user, callup_pk)
    try:
        services.callup_close(callup=callup, actor=request.user)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("The call-up is closed."))
    return redirect("callups:detail", callup.pk)
