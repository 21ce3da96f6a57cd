from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core import metrics
from qingyi.core.forms import add_service_errors
from qingyi.core.periods import Period
from qingyi.organizations import scoping, selectors, services
from qingyi.organizations.forms import (
    DepartmentForm,
    MoveForm,
    OrganizationForm,
    PartyBranchForm,
)
from qingyi.organizations.models import Department, Organization, PartyBranch, Position


@login_required
@require_GET
def tree(request):
    scoping.require_perm(request.user, scoping.ORG_VIEW)
    show_archived = request.GET.get("archived") == "1"
    rows = selectors.tree_rows(request.user, include_archived=show_archived)
    return render(request, "organizations/tree.html", {"rows": rows, "show_archived": show_archived})


@login_required
@require_GET
def detail(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk)
    today = timezone.localdate()
    rows = selectors.subtree_rows(org, today=today)
    row = rows[0]
    children = [r for r in rows if r.organization.depth == org.depth + 1]
    positions = Position.objects.filter(organization=org).select_related("person").order_by("end_on", "title")
    current = [p for p in positions if p.state_on(today) == "current"]
    # history_user__person: the template shows each author's display_name (their roster name).
    history = org.history.select_related("history_user__person").order_by("-history_date")[:20]
    return render(
        request,
        "organizations/detail.html",
        {
            "org": org,
            "row": row,
            "children": children,
            "current_positions": current,
            "elections": org.elections.all()[:10],
            "ancestors": org.ancestors(),
            "history": history,
            "can_manage": scoping.has_perm(request.user, scoping.ORG_MANAGE, org),
            "can_cadres": scoping.has_perm(request.user, scoping.CADRES_MANAGE, org),
            "allowed_children": [Organization.Kind(k).label for k in org.ALLOWED_CHILDREN[org.kind]],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_child(request, org_pk: int):
    parent = selectors.organization_for_user(request.user, org_pk, need=scoping.ORG_MANAGE)
    form = OrganizationForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            child = services.organization_create(parent=parent, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(name)s” created.") % {"name": child.name})
            return redirect("organizations:detail", child.pk)
    return render(
        request,
        "organizations/form.html",
        {
            "form": form,
            "org": parent,
            "title": _("New organisation under “%(name)s”") % {"name": parent.name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk, need=scoping.ORG_MANAGE)
    initial = {
        "name": org.name,
        "party_branch": org.party_branch,
        "is_student": org.is_student,
        "founded_on": org.founded_on,
    }
    form = OrganizationForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(organization=org, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "org": org, "title": _("Edit “%(name)s”") % {"name": org.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def move(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk, need=scoping.ORG_MANAGE)
    targets = (
        selectors.organizations_for(request.user, scoping.ORG_MANAGE)
        .filter(
            archived_at__isnull=True,
            kind__in=[k for k, allowed in Organization.ALLOWED_CHILDREN.items() if org.kind in allowed],
        )
        .exclude(path__startswith=org.path)
    )
    form = MoveForm(request.POST or None, organizations=targets)
    if request.method == "POST":
        # Validate against every organisation in scope, so a forbidden target gets the rule's message.
        form.fields["new_parent"].queryset = selectors.organizations_for(request.user, scoping.ORG_MANAGE)
        if form.is_valid():
            try:
                services.organization_move(
                    organization=org, new_parent=form.cleaned_data["new_parent"], actor=request.user
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("“%(name)s” moved.") % {"name": org.name})
                return redirect("organizations:detail", org.pk)
    return render(
        request,
        "organizations/form.html",
        {"form": form, "org": org, "title": _("Move “%(name)s”") % {"name": org.name}},
    )


@login_required
@require_POST
def archive(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk, need=scoping.ORG_MANAGE)
    try:
        services.organization_archive(organization=org, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” archived. Its records are kept.") % {"name": org.name})
    return redirect("organizations:detail", org.pk)


@login_required
@require_POST
def restore(request, org_pk: int):
    org = selectors.organization_for_user(request.user, org_pk, need=scoping.ORG_MANAGE)
    try:
        services.organization_restore(organization=org, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("“%(name)s” restored.") % {"name": org.name})
    return redirect("organizations:detail", org.pk)


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
