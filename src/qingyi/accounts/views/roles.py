"""Revoking a role. Granting one chooses a person, so the organisation's roles page is people's
(people/views/logins.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qingyi.accounts import services
from qingyi.accounts.models import RoleAssignment
from qingyi.organizations import scoping


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
