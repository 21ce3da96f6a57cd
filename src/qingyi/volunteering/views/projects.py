"""The coordinator's pages of projects, posts, shifts (with their QR screen) and sign-ups.

Check-in by hand, verification and hours: ``hours``; volunteers: ``volunteers``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core import checkin
from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping
from qingyi.volunteering import forms, selectors, services
from qingyi.volunteering.models import Signup
from qingyi.volunteering.views.common import (
    MANAGE,
    PAGE_SIZE,
    error_messages,
    manageable_orgs,
    project_for,
    require_manager,
    shift_for,
    volunteers_for_shift,
)

# --- Projects --------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request):
    require_manager(request)
    projects = selectors.projects_for(request.user).filter(archived_at__isnull=True)
    projects = selectors.with_upcoming_shifts(projects, now=timezone.now()).order_by(
        "organization__path", "name"
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteering/project_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    require_manager(request)
    form = forms.ProjectForm(request.POST or None, organizations=manageable_orgs(request))
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(
                organization=form.cleaned_data["organization"],
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Project created."))
            return redirect("volunteering:project_detail", project.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": _("New service project")})


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, project_pk: int):
    project = project_for(request, project_pk)
    form = forms.ProjectForm(
        request.POST or None,
        organizations=manageable_orgs(request),
        initial={
            "organization": project.organization_id,
            "name": project.name,
            "kind": project.kind,
            "description": project.description,
        },
    )
    form.fields["organization"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(
                project=project,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteering:project_detail", project.pk)
    return render(request, "volunteering/form.html", {"form": form, "title": project.name})


@login_required
@require_GET
def project_detail(request, project_pk: int):
    project = project_for(request, project_pk)
    show = request.GET.get("show", "upcoming")
    shifts = selectors.with_place_counts(project.shifts.select_related("post")).order_by("start", "pk")
    now = timezone.now()
    shifts = (
        shifts.filter(end__lt=now).order_by("-start", "-pk")
        if show == "past"
        else shifts.filter(end__gte=now)
    )
    page = Paginator(shifts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/project_detail.html",
        {
            "project": project,
            "posts": project.posts.all(),
            "page": page,
            "show": show,
            "post_form": forms.PostForm(),
        },
    )


@login_required
@require_POST
def post_create(request, project_pk: int):
    project = project_for(request, project_pk)
    form = forms.PostForm(request.POST)
    if form.is_valid():
        try:
            services.post_create(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, _("Post added."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("volunteering:project_detail", project.pk)


# --- Shifts ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def shift_create(request, project_pk: int):
    project = project_for(request, project_pk)
    form = forms.ShiftForm(request.POST or None, project=project, initial={"capacity": 4})
    if request.method == "POST" and form.is_valid():
        try:
            shift = services.shift_create(
                project=project,
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                qualifications=form.cleaned_data["qualifications"],
                actor=request.user,
                **form.shift_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Shift created."))
            return redirect("volunteering:shift_detail", shift.pk)
    return render(
        request, "volunteering/form.html", {"form": form, "title": _("New shift"), "subtitle": project.name}
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request, project_pk: int):
    project = project_for(request, project_pk)
    form = forms.SeriesForm(request.POST or None, project=project, initial=forms.default_series_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            series = services.shift_series_create(
                project=project,
                weekdays=data["weekdays"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                start_time=data["start_time"],
                end_time=data["end_time"],
                qualifications=data["qualifications"],
                actor=request.user,
                **form.shift_data(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s shifts created.") % {"n": series.shifts.count()})
            return redirect("volunteering:project_detail", project.pk)
    return render(
        request,
        "volunteering/form.html",
        {"form": form, "title": _("Repeating shifts"), "subtitle": project.name},
    )


@login_required
@require_http_methods(["GET", "POST"])
def shift_edit(request, shift_pk: int):
    shift = shift_for(request, shift_pk, manage=True)
    initial = {
        "start": timezone.localtime(shift.start),
        "end": timezone.localtime(shift.end),
        "post": shift.post_id,
        "place": shift.place,
        "capacity": shift.capacity,
        "join_mode": shift.join_mode,
        "insurance_required": shift.insurance_required,
        "qualifications": list(shift.required_qualifications.all()),
        "note": shift.note,
        "partner": shift.partner,
        "people_reached": shift.people_reached,
    }
    form = forms.ShiftEditForm(request.POST or None, project=shift.project, initial=initial)
    if not shift.series_id:
        del form.fields["following"]
    if request.method == "POST" and form.is_valid():
        data = form.shift_data()
        following = form.cleaned_data.get("following", False)
        if following:
            data["start_time"] = timezone.localtime(form.cleaned_data["start"]).time()
            data["end_time"] = timezone.localtime(form.cleaned_data["end"]).time()
        else:
            data["start"], data["end"] = form.cleaned_data["start"], form.cleaned_data["end"]
        try:
            changed = services.shift_update(
                shift=shift,
                data=data,
                actor=request.user,
                following=following,
                qualifications=form.cleaned_data["qualifications"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s shift(s) saved.") % {"n": len(changed)})
            return redirect("volunteering:shift_detail", shift.pk)
    return render(
        request, "volunteering/form.html", {"form": form, "title": _("Edit shift"), "subtitle": str(shift)}
    )


@login_required
@require_POST
def shift_cancel(request, shift_pk: int):
    shift = shift_for(request, shift_pk, manage=True)
    services.shift_cancel(shift=shift, actor=request.user)
    messages.success(request, _("The shift is cancelled and its volunteers are told."))
    return redirect("volunteering:shift_detail", shift.pk)


@login_required
@require_GET
def shift_qr(request, shift_pk: int):
    """The rotating QR code for the coordinator's phone or a screen at the post; the
    fragment reloads itself when the code changes."""
    shift = shift_for(request, shift_pk, manage=True)
    code = checkin.rotating_code(shift.subject)
    url = request.build_absolute_uri(reverse("volunteering:scan", args=[shift.pk])) + f"?c={code}"
    context = {
        "shift": shift,
        "qr": checkin.qr_svg(url, scale=8),
        "seconds_left": checkin.seconds_left(),
        "url": url,
    }
    template = "volunteering/shift_qr.html#qr" if request.htmx else "volunteering/shift_qr.html"
    return render(request, template, context)


@login_required
@require_POST
def signup_decide(request, signup_pk: int, decision: str):
    signup = scoping.get_object_for_user(
        Signup.objects.select_related("shift", "shift__project", "shift__project__organization"),
        request.user,
        view_perm=MANAGE,
        path_field="shift__project__organization__path",
        pk=signup_pk,
    )
    action = {"approve": services.signup_approve, "refuse": services.signup_refuse}[decision]
    try:
        action(signup=signup, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Saved."))
    return redirect("volunteering:shift_detail", signup.shift_id)


@login_required
@require_POST
def signup_approve(request, signup_pk: int):
    return signup_decide(request, signup_pk, "approve")


@login_required
@require_POST
def signup_refuse(request, signup_pk: int):
    return signup_decide(request, signup_pk, "refuse")


@login_required
@require_http_methods(["GET", "POST"])
def signup_assign(request, shift_pk: int):
    shift = shift_for(request, shift_pk, manage=True)
    form = forms.AssignForm(request.POST or None, volunteers=volunteers_for_shift(request, shift))
    if request.method == "POST" and form.is_valid():
        try:
            services.signup_assign(shift=shift, volunteer=form.cleaned_data["volunteer"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Assigned."))
            return redirect("volunteering:shift_detail", shift.pk)
    return render(
        request,
        "volunteering/form.html",
        {"form": form, "title": _("Assign a volunteer"), "subtitle": str(shift)},
    )


@login_required
@require_POST
def shift_no_shows(request, shift_pk: int):
    shift = shift_for(request, shift_pk, manage=True)
    try:
        n = services.signups_mark_no_shows(shift=shift, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("%(n)s no-show(s) counted.") % {"n": n})
    return redirect("volunteering:shift_verify", shift.pk)
