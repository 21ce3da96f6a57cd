from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingyi.accounts import services
from qingyi.accounts.forms import TokenForm
from qingyi.accounts.models import ApiToken, RoleAssignment
from qingyi.organizations import scoping


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


@login_required
@require_POST
def role_revoke(request, role_pk: int):
    assignment = scoping.get_object_for_user(
        RoleAssignment.objects.select_related("organization", "user"),
        request.user,
        view_perm=scoping.ORG_VIEW,
        path_field="organization__path",
        need=scoping.ORG_MANAGE,
        pk=role_pk,
    )
    try:
        services.role_revoke(assignment=assignment, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Role removed."))
    return redirect("accounts:role_list", assignment.organization_id)
