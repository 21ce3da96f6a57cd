"""The reference lists every organisation shares: party branches and departments (seen with
``org.view``, added with ``settings.manage``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from qingyi.organizations import scoping
from qingyi.organizations.forms import DepartmentForm, PartyBranchForm
from qingyi.organizations.models import Department, PartyBranch


def _reference_list(request, *, form_class, model, title: str, added: str, url_name: str):
    """One reference list: everyone with ``org.view`` sees it, ``settings.manage`` adds to it."""
    scoping.require_perm(request.user, scoping.ORG_VIEW)
    can_manage = scoping.has_perm(request.user, scoping.SETTINGS_MANAGE)
    form = form_class(request.POST or None)
    if request.method == "POST":
        scoping.require_perm(request.user, scoping.SETTINGS_MANAGE)
        if form.is_valid():
            form.save()
            messages.success(request, added)
            return redirect(url_name)
    return render(
        request,
        "organizations/reference_list.html",
        {"title": title, "objects": model.objects.all(), "form": form, "can_manage": can_manage},
    )


@login_required
@require_http_methods(["GET", "POST"])
def party_branch_list(request):
    return _reference_list(
        request,
        form_class=PartyBranchForm,
        model=PartyBranch,
        title=_("Party branches"),
        added=_("Party branch added."),
        url_name="organizations:party_branch_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_list(request):
    return _reference_list(
        request,
        form_class=DepartmentForm,
        model=Department,
        title=_("Departments"),
        added=_("Department added."),
        url_name="organizations:department_list",
    )
