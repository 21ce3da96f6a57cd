"""The cadre pages that choose people: recording an election and adding a position. The
rules are organizations.services'; these pages offer the active people of the organisation's
subtree, so they stand on the people floor. Their routes keep their names in the
``organizations`` namespace (``organizations:election_new``, ``organizations:position_new``),
assembled by the project's URLconf.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping, selectors, services
from qingyi.organizations.forms import ElectionForm, PositionForm
from qingyi.organizations.models import Organization
from qingyi.organizations.scoping import subtree_ids
from qingyi.people.models import Person
from qingyi.people.selectors import people_for


def _people_of(user, org: Organization):
    return (
        people_for(user)
        .filter(organization__in=subtree_ids(org.path), status=Person.Status.ACTIVE)
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def election_new(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk, need=scoping.CADRES_MANAGE)
    form = ElectionForm(request.POST or None, people=_people_of(request.user, org))
    if request.method == "POST" and form.is_valid():
        try:
            services.election_record(
                organization=org,
                held_on=form.cleaned_data["held_on"],
                new_positions=form.new_positions(),
                result=form.cleaned_data["result"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Election recorded; the old terms are closed and the new ones open."))
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "org": org, "title": _("Record an election of “%(name)s”") % {"name": org.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def position_new(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk, need=scoping.CADRES_MANAGE)
    form = PositionForm(
        request.POST or None, people=_people_of(request.user, org), initial={"start_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.position_create(organization=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Position added."))
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "org": org, "title": _("Add a position in “%(name)s”") % {"name": org.name}},
    )
