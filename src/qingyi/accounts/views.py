from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingyi.accounts.forms import TokenForm
from qingyi.accounts.models import ApiToken
from qingyi.core import scoping
from qingyi.organizations.selectors import positions_of
from qingyi.people.forms import ChangeRequestForm
from qingyi.people.services import change_request_create


@login_required
@require_GET
def profile(request):
    person = getattr(request.user, "person", None)
    context = {
        "person": person,
        "positions": positions_of(person) if person else [],
        "tokens": request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at"),
        "token_form": TokenForm(),
        "new_token": request.session.pop("new_token", None),
        "roles": sorted(
            {(g.role, str(dict(scoping.Role.choices)[g.role])) for g in scoping.grants(request.user)}
        ),
        "change_form": ChangeRequestForm(person=person) if person else None,
        "pending_change": person.change_requests.filter(status="pending").first() if person else None,
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def change_request_new(request):
    person = getattr(request.user, "person", None)
    if person is None:
        messages.error(request, _("Your account is not linked to a roster record."))
        return redirect("accounts:profile")
    form = ChangeRequestForm(request.POST, person=person)
    if form.is_valid():
        try:
            change_request_create(person=person, changes=form.changes(), actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Your change is waiting for your organisation admin's approval."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("accounts:profile")


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if form.is_valid():
        _token, raw = ApiToken.issue(user=request.user, name=form.cleaned_data["name"])
        request.session["new_token"] = raw
        messages.success(request, _("Token created. Copy it now: it will not be shown again."))
    else:
        messages.error(request, _("Give the token a name."))
    return redirect("accounts:profile")


@login_required
@require_POST
def token_revoke(request, token_pk: int):
    token = get_object_or_404(ApiToken, pk=token_pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    messages.success(request, _("Token revoked."))
    return redirect("accounts:profile")
