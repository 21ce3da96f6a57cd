"""The public escort pages (no login): the request form and the patient's link (follow, rate,
cancel)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.clientip import client_ip
from qingyi.core.forms import add_service_errors
from qingyi.escorts import services
from qingyi.escorts.forms import EscortRequestForm, RatingForm, ReasonForm
from qingyi.escorts.models import EscortRequest
from qingyi.escorts.views.common import error_text


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
            messages.error(request, error_text(exc))
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
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Your request is cancelled."))
    else:
        messages.error(request, _("Please give a reason for cancelling."))
    return redirect("escorts:track", token)
