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


@login_required
@require_http_methods(["GET", "POST"])
def party_branch_list(request):
    scoping.require_perm(request.user, scoping.ORG_VIEW)
    can_manage = scoping.has_perm(request.user, scoping.SETTINGS_MANAGE)
    form = PartyBranchForm(request.POST or None)
    if request.method == "POST":
        scoping.require_perm(request.user, scoping.SETTINGS_MANAGE)
        if form.is_valid():
            form.save()
            messages.success(request, _("Party branch added."))
            return redirect("organizations:party_branch_list")
    return render(
        request,
        "organizations/reference_list.html",
        {
            "title": _("Party branches"),
            "objects": PartyBranch.objects.all(),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def department_list(request):
    scoping.require_perm(request.user, scoping.ORG_VIEW)
    can_manage = scoping.has_perm(request.user, scoping.SETTINGS_MANAGE)
    form = DepartmentForm(request.POST or None)
    if request.method == "POST":
        scoping.require_perm(request.user, scoping.SETTINGS_MANAGE)
        if form.is_valid():
            form.save()
            messages.success(request, _("Department added."))
            return redirect("organizations:department_list")
    return render(
        request,
        "organizations/reference_list.html",
        {
            "title": _("Departments"),
            "objects": Department.objects.all(),
            "form": form,
            "can_manage": can_manage,
        },
    )
