"""Qualification types (shared by the committee) and a volunteer's status page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping
from qingyi.volunteering import forms, services
from qingyi.volunteering.models import Qualification, Volunteer
from qingyi.volunteering.views.common import volunteer_for

MANAGE = scoping.VOLUNTEERING_MANAGE


def _require_types_manager(request) -> None:
    if not services.can_manage_qualification_types(request.user):
        raise PermissionDenied


@login_required
@require_GET
def qualification_list(request):
    scoping.require_perm(request.user, MANAGE)
    return render(
        request,
        "volunteering/qualification_list.html",
        {
            "qualifications": Qualification.objects.order_by("name"),
            "can_edit": services.can_manage_qualification_types(request.user),
        },
    )


def _save(request, form, qualification: Qualification | None):
    data = form.cleaned_data
    try:
        if qualification is None:
            services.qualification_type_create(actor=request.user, **data)
        else:
            services.qualification_type_update(qualification=qualification, actor=request.user, **data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    messages.success(request, _("Saved."))
    return redirect("volunteering:qualification_list")


@login_required
@require_http_methods(["GET", "POST"])
def qualification_create(request):
    _require_types_manager(request)
    form = forms.QualificationTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, None)
        if response is not None:
            return response
    return render(request, "volunteering/form.html", {"form": form, "title": _("New qualification")})


@login_required
@require_http_methods(["GET", "POST"])
def qualification_edit(request, qualification_pk: int):
    qualification = Qualification.objects.filter(pk=qualification_pk).first()
    if qualification is None:
        raise Http404
    _require_types_manager(request)
    form = forms.QualificationTypeForm(
        request.POST or None,
        initial={
            "name": qualification.name,
            "description": qualification.description,
            "validity_months": qualification.validity_months,
        },
    )
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, qualification)
        if response is not None:
            return response
    return render(request, "volunteering/form.html", {"form": form, "title": qualification.name})


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_status(request, volunteer_pk: int):
    """Active, suspended or left, with the reason (kept in the volunteer's history)."""
    volunteer = volunteer_for(request, volunteer_pk)
    choices = [(s.value, s.label) for s in services.STATUS_CHOICES]
    form = forms.VolunteerStatusForm(
        request.POST or None, choices=choices, initial={"status": volunteer.status}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_change_status(volunteer=volunteer, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Status changed."))
            return redirect("volunteering:volunteer_detail", volunteer.pk)
    history = volunteer.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "volunteering/volunteer_status.html",
        {
            "form": form,
            "volunteer": volunteer,
            "history": history,
            "statuses": dict(Volunteer.Status.choices),
        },
    )
