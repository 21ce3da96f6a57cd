"""Publicity posts: the list with its figures, logging by hand, importing an export list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.activities import selectors, services
from qingyi.activities.forms import PublicationForm, PublicationImportForm
from qingyi.activities.models import Publication
from qingyi.activities.views.common import (
    managed_organizations,
    org_from_request,
    period_from_request,
)
from qingyi.core import metrics, workbooks
from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping
from qingyi.organizations.scoping import subtree_ids

FIGURES = ("activities.publications_by_category", "activities.publications_by_organization")


@login_required
@require_GET
def publication_list(request):
    org = org_from_request(request)
    if org is None:  # the user sees no organisation's activities: the only check
        raise PermissionDenied
    period = period_from_request(request)
    assert period is not None  # not optional: this year by default
    qs = selectors.publications_for(request.user).select_related("organization")
    if org is not None:
        qs = qs.filter(organization__in=subtree_ids(org.path))
    qs = qs.filter(published_on__gte=period.start, published_on__lte=period.end)
    channel = request.GET.get("channel", "")
    if channel in Publication.Channel.values:
        qs = qs.filter(channel=channel)
    category = request.GET.get("category", "")
    if category in Publication.Category.values:
        qs = qs.filter(category=category)
    figures = []
    scope = None
    if org is not None and scoping.has_perm(request.user, scoping.METRICS_VIEW, org):
        scope = metrics.Scope(organization=org, period=period)
        total = metrics.get("activities.publications")
        figures = [(metrics.get(name), metrics.get(name).value(scope)) for name in FIGURES]
        figures.insert(0, (total, total.value(scope)))
    page = Paginator(qs.order_by("-published_on", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/publication_list.html",
        {
            "page": page,
            "org": org,
            "period": period,
            "scope": scope,
            "figures": figures,
            "channel": channel,
            "category": category,
            "channels": Publication.Channel.choices,
            "categories": Publication.Category.choices,
            "can_manage": scoping.has_perm(request.user, scoping.ACTIVITIES_MANAGE),
            "managed_ids": set(managed_organizations(request.user).values_list("pk", flat=True)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def publication_create(request):
    scoping.require_perm(request.user, scoping.ACTIVITIES_MANAGE)
    form = PublicationForm(request.POST or None, organizations=managed_organizations(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.publication_create(organization=data["organization"], data=data, actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Post logged."))
            return redirect("activities:publication_list")
    return render(request, "activities/publication_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def publication_import(request):
    scoping.require_perm(request.user, scoping.ACTIVITIES_MANAGE)
    form = PublicationImportForm(
        request.POST or None, request.FILES or None, organizations=managed_organizations(request.user)
    )
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.publications_import(
                content=workbooks.read_upload(upload),
                filename=upload.name,
                organization=form.cleaned_data["organization"],
                channel=form.cleaned_data["channel"],
                category=form.cleaned_data["category"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not result.errors:
                messages.success(
                    request,
                    _("%(created)s posts imported; %(skipped)s already logged and skipped.")
                    % {"created": result.created, "skipped": result.skipped},
                )
                return redirect("activities:publication_list")
    return render(
        request,
        "activities/publication_import.html",
        {"form": form, "result": result},
        status=400 if result is not None and result.errors else 200,
    )


@login_required
@require_POST
def publication_delete(request, publication_pk: int):
    publication = selectors.publication_for_user(request.user, publication_pk, need=scoping.ACTIVITIES_MANAGE)
    services.publication_delete(publication=publication, actor=request.user)
    messages.success(request, _("“%(title)s” deleted.") % {"title": publication.title})
    return redirect("activities:publication_list")
