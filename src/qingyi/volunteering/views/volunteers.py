"""The coordinator's volunteer pages: list, register, detail, edit, clear no-shows, grant a qualification."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.forms import add_service_errors
from qingyi.people import masking
from qingyi.volunteering import forms, selectors, services
from qingyi.volunteering.models import Volunteer
from qingyi.volunteering.views.common import (
    PAGE_SIZE,
    error_messages,
    manageable_orgs,
    require_manager,
    volunteer_for,
)


@login_required
@require_GET
def volunteer_list(request):
    require_manager(request)
    volunteers = selectors.volunteers_for(request.user)
    q = request.GET.get("q", "").strip()[:64]
    if q:
        volunteers = volunteers.filter(selectors.volunteer_search_q(request.user, q))
    status = request.GET.get("status", "")
    if status in Volunteer.Status.values:
        volunteers = volunteers.filter(status=status)
    page = Paginator(volunteers.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/volunteer_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": Volunteer.Status.choices,
            "phone_search": bool(masking.phone_paths(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_create(request):
    require_manager(request)
    form = forms.VolunteerForm(request.POST or None, organizations=manageable_orgs(request))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_create(
                organization=form.cleaned_data["organization"],
                data=form.data_for_service(),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Volunteer registered."))
            return redirect("volunteering:volunteer_detail", volunteer.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("Register a volunteer")})


@login_required
@require_GET
def volunteer_detail(request, volunteer_pk: int):
    volunteer = volunteer_for(request, volunteer_pk)
    return render(
        request,
        "volunteering/volunteer_detail.html",
        {
            "volunteer": volunteer,
            "summary": selectors.hours_summary_of(volunteer),
            "qualifications": volunteer.qualifications.select_related("qualification"),
            "no_shows": selectors.no_shows_of(volunteer),
            "no_show_limit": services.rules.get_setting("volunteer_no_show_limit"),
            "records": selectors.records_of(volunteer)[:20],
            "certificates": list(selectors.certificates_of(volunteer)[:20]),
            "qualification_form": forms.QualificationGrantForm(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def volunteer_edit(request, volunteer_pk: int):
    volunteer = volunteer_for(request, volunteer_pk)
    form = forms.VolunteerForm(request.POST or None, instance=volunteer, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(volunteer=volunteer, data=form.data_for_service(), actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteering:volunteer_detail", volunteer.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": volunteer.name})


@login_required
@require_POST
def volunteer_clear(request, volunteer_pk: int):
    volunteer = volunteer_for(request, volunteer_pk)
    services.volunteer_clear_no_shows(volunteer=volunteer, actor=request.user)
    messages.success(request, _("Cleared: %(name)s may sign up again.") % {"name": volunteer.name})
    return redirect("volunteering:volunteer_detail", volunteer.pk)


@login_required
@require_POST
def qualification_grant(request, volunteer_pk: int):
    volunteer = volunteer_for(request, volunteer_pk)
    form = forms.QualificationGrantForm(request.POST)
    if form.is_valid():
        try:
            services.qualification_grant(volunteer=volunteer, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Qualification recorded."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("volunteering:volunteer_detail", volunteer.pk)
