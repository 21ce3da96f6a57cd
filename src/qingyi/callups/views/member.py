"""The volunteer's call-up pages: the call-ups addressed to them, and answering one from the phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qingyi.callups import selectors, services
from qingyi.callups.models import Response
from qingyi.callups.views.common import error_text


@login_required
@require_GET
def mine(request):
    return render(request, "callups/mine.html", {"responses": selectors.responses_of_user(request.user)[:50]})


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, callup_pk: int):
    """The volunteer's phone page: the call-up, and accept / decline."""
    response = selectors.response_of(request.user, callup_pk)
    if request.method == "POST":
        try:
            response = services.callup_respond(
                callup=response.callup,
                volunteer=response.volunteer,
                answer=request.POST.get("answer", ""),
                actor=request.user,
            )
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("Thank you: you accepted. The coordinator will tell you your post.")
                if response.answer == Response.Answer.ACCEPTED
                else _("Your answer is recorded: you declined."),
            )
        return redirect("callups:answer", callup_pk)
    placed = (
        selectors.responses_of(response.callup)
        .filter(pk=response.pk)
        .values_list("placed_post", flat=True)
        .first()
    )
    return render(
        request, "callups/answer.html", {"response": response, "callup": response.callup, "placed": placed}
    )
