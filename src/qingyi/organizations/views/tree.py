"""The organisation tree: the tree, an organisation's page, creating a child, editing, moving,
archiving and restoring."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping, selectors, services
from qingyi.organizations.forms import MoveForm, OrganizationForm
from qingyi.organizations.models import Organization, Position


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
