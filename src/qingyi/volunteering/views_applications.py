"""Public volunteer applications and the coordinator's decision on them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.clientip import client_ip
from qingyi.core.forms import add_service_errors
from qingyi.core.ratelimit import RateLimited
from qingyi.organizations import scoping
from qingyi.volunteering import applications, forms
from qingyi.volunteering.models import VolunteerApplication

MANAGE = scoping.VOLUNTEERING_MANAGE


@require_http_methods(["GET", "POST"])
def apply(request):
    """Public: an outsider applies to volunteer."""
    form = forms.ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            applications.application_submit(data=form.cleaned_data, ip=client_ip(request))
        except RateLimited as exc:
            form.add_error(None, exc.messages)
            return render(request, "volunteering/apply.html", {"form": form}, status=429)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return render(request, "volunteering/apply.html", {"form": None, "done": True})
    return render(request, "volunteering/apply.html", {"form": form, "done": False})


def _applications_for(user):
    return scoping.scope(
        VolunteerApplication.objects.select_related("organization"),
        user,
        MANAGE,
        path_field="organization__path",
    )


def _application(request, application_pk: int) -> VolunteerApplication:
    return scoping.get_object_for_user(
        VolunteerApplication.objects.select_related("organization", "volunteer"),
        request.user,
        view_perm=MANAGE,
        path_field="organization__path",
        pk=application_pk,
    )


@login_required
@require_GET
def application_list(request):
    if not scoping.has_perm(request.user, MANAGE):
        raise PermissionDenied
    status = request.GET.get("status", VolunteerApplication.Status.PENDING)
    if status not in VolunteerApplication.Status.values:
        status = VolunteerApplication.Status.PENDING
    rows = _applications_for(request.user).filter(status=status)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/application_list.html",
        {"page": page, "status": status, "statuses": VolunteerApplication.Status.choices},
    )


def _detail(request, application: VolunteerApplication, status: int = 200, **context):
    context = {"refusal_form": None, "password": None} | context
    context["application"] = application
    context["duplicate_volunteer"] = (
        application.status == VolunteerApplication.Status.PENDING
        and applications.duplicate_volunteer(application)
    )
    return render(request, "volunteering/application_detail.html", context, status=status)


@login_required
@require_GET
def application_detail(request, application_pk: int):
    application = _application(request, application_pk)
    return _detail(request, application, refusal_form=forms.RefusalForm())


@login_required
@require_POST
def application_approve(request, application_pk: int):
    application = _application(request, application_pk)
    try:
        _volunteer, user, password = applications.application_approve(
            application=application, actor=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("volunteering:application_detail", application.pk)
    application.refresh_from_db()
    # The one-time password is shown on this response only, never stored in clear.
    response = _detail(request, application, password=password, login=user.username)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def application_refuse(request, application_pk: int):
    application = _application(request, application_pk)
    form = forms.RefusalForm(request.POST)
    if form.is_valid():
        try:
            applications.application_refuse(
                application=application, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The application was refused."))
            return redirect("volunteering:application_list")
    return _detail(request, application, status=400, refusal_form=form)
