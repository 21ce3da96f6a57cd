"""A user's API tokens: creating one (its secret shown once) and revoking one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingyi.accounts.forms import TokenForm
from qingyi.accounts.models import ApiToken


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
