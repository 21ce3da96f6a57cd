"""The cadre pages of the tree: ending a position and the cadre structure (its figures from the
metrics registry and the list of cadres). Recording an election or adding a position chooses
people, so those pages are people's (people/views/cadres.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingyi.core import metrics
from qingyi.core.periods import Period
from qingyi.organizations import scoping, selectors, services
from qingyi.organizations.models import Position


@login_required
@require_POST
def position_end(request, position_pk: int):
    position = scoping.get_object_for_user(
        Position.objects.select_related("organization"),
        request.user,
        view_perm=scoping.ORG_VIEW,
        path_field="organization__path",
        need=scoping.CADRES_MANAGE,
        pk=position_pk,
    )
    try:
        end_on = dt.date.fromisoformat(request.POST.get("end_on") or timezone.localdate().isoformat())
        services.position_end(position=position, end_on=end_on, actor=request.user)
    except ValueError:
        messages.error(request, _("Enter a valid date."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Position ended."))
    return redirect("organizations:detail", position.organization_id)


@login_required
@require_GET
def cadre_structure(request):
    scoping.require_perm(request.user, scoping.CADRES_MANAGE)
    org = selectors.primary_organization(request.user)
    scope = metrics.Scope(organization=org, period=Period.current_year())
    age = metrics.get("organizations.cadre_age")
    education = metrics.get("organizations.cadre_education")
    cadres = selectors.cadres_in(org, scope.period.as_of).order_by("organization__path", "title")
    return render(
        request,
        "organizations/cadre_structure.html",
        {
            "org": org,
            "scope": scope,
            "breakdowns": [(age, age.value(scope)), (education, education.value(scope))],
            "cadres": cadres,
        },
    )
