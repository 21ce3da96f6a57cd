"""The coordinator's pages: projects, shifts, QR screen, hand check-in, verification, hours.

Volunteer pages: views_manage_volunteers.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core import checkin
from qingyi.core.dbrouter import reporting
from qingyi.core.forms import add_service_errors
from qingyi.core.params import parse_int, period_from_request
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.organizations.selectors import organizations_for
from qingyi.people import masking
from qingyi.volunteering import exports, forms, hours, selectors, services
from qingyi.volunteering.models import Project, ServiceRecord, Shift, Signup, Volunteer
from qingyi.volunteering.views import PAGE_SIZE, error_messages, shift_for

MANAGE = scoping.VOLUNTEERING_MANAGE


def _require_manager(request) -> None:
    scoping.require_perm(request.user, MANAGE)


def _project(request, project_pk: int) -> Project:
    return scoping.get_object_for_user(
        Project.objects.select_related("organization"),
        request.user,
        view_perm=MANAGE,
        path_field="organization__path",
        pk=project_pk,
    )


def _volunteer(request, volunteer_pk: int) -> Volunteer:
    return scoping.get_object_for_user(
        Volunteer.objects.select_related("organization", "person"),
        request.user,
        view_perm=MANAGE,
        path_field="organization__path",
        pk=volunteer_pk,
    )


def _manageable_orgs(request):
    return organizations_for(request.user, MANAGE).filter(archived_at__isnull=True)


def _volunteers_for_shift(request, shift: Shift):
    """Active volunteers a coordinator may pick for a shift: their own scope."""
    return (
        selectors.volunteers_for(request.user).filter(status=Volunteer.Status.ACTIVE).order_by("name", "pk")
    )


# --- Projects --------------------------------------------------------------------------


@login_required
@require_GET
def project_list(request):
    _require_manager(request)
    projects = selectors.projects_for(request.user).filter(archived_at__isnull=True)
    projects = selectors.with_upcoming_shifts(projects, now=timezone.now()).order_by(
        "organization__path", "name"
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteering/project_list.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    _require_manager(request)
    form = forms.ProjectForm(request.POST or None, organizations=_manageable_orgs(request))
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
    project = _project(request, project_pk)
    form = forms.ProjectForm(
        request.POST or None,
        organizations=_manageable_orgs(request),
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
    project = _project(request, project_pk)
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
    project = _project(request, project_pk)
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
    project = _project(request, project_pk)
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
    project = _project(request, project_pk)
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
    form = forms.AssignForm(request.POST or None, volunteers=_volunteers_for_shift(request, shift))
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


@login_required
@require_http_methods(["GET", "POST"])
def shift_checkin(request, shift_pk: int):
    """Check a volunteer in (or out) by hand, with a reason."""
    shift = shift_for(request, shift_pk, manage=True)
    form = forms.HandCheckInForm(request.POST or None, volunteers=_volunteers_for_shift(request, shift))
    if request.method == "POST" and form.is_valid():
        try:
            result = hours.record_check_in_by_hand(
                shift=shift,
                volunteer=form.cleaned_data["volunteer"],
                at=form.cleaned_data["at"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, result.message)
            return redirect("volunteering:shift_detail", shift.pk)
    return render(
        request,
        "volunteering/form.html",
        {"form": form, "title": _("Check in by hand"), "subtitle": str(shift)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours_add(request, shift_pk: int):
    shift = shift_for(request, shift_pk, manage=True)
    form = forms.HoursAddForm(request.POST or None, volunteers=_volunteers_for_shift(request, shift))
    if request.method == "POST" and form.is_valid():
        try:
            hours.hours_add(shift=shift, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Hours added."))
            return redirect("volunteering:shift_verify", shift.pk)
    return render(
        request,
        "volunteering/form.html",
        {
            "form": form,
            "title": _("Add hours by hand"),
            "subtitle": _("%(shift)s · at most %(h)s hours") % {"shift": shift, "h": shift.scheduled_hours},
        },
    )


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal((text or "").strip()) if (text or "").strip() else None
    except InvalidOperation:
        return None


@login_required
@require_http_methods(["GET", "POST"])
def shift_verify(request, shift_pk: int):
    """Verify a whole shift on one screen; all rows are saved at once, or none."""
    shift = shift_for(request, shift_pk, manage=True)
    records = list(
        ServiceRecord.objects.filter(shift=shift)
        .select_related("volunteer", "created_by")
        .order_by("volunteer__name", "pk")
    )
    errors: list[str] = []
    if request.method == "POST":
        rows = []
        for record in records:
            if record.is_locked:
                continue
            raw_hours = request.POST.get(f"hours-{record.pk}", "")
            raw_served = request.POST.get(f"served-{record.pk}", "0") or "0"
            verify = request.POST.get(f"verify-{record.pk}") == "on"
            value = _decimal(raw_hours)
            if verify and raw_hours.strip() and value is None:
                errors.append(_("%(name)s: the hours are not a number.") % {"name": record.volunteer.name})
            served = parse_int(raw_served, minimum=0, maximum=10**6)
            served = -1 if served is None else served
            rows.append(hours.VerifyRow(record.pk, value, served, verify))
            record.form_hours, record.form_served, record.form_verify = raw_hours, raw_served, verify
        if not errors:
            try:
                changed = hours.hours_verify_shift(shift=shift, rows=rows, actor=request.user)
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("%(n)s record(s) verified.") % {"n": len(changed)})
                return redirect("volunteering:shift_verify", shift.pk)
    else:
        for record in records:
            value = record.verified_hours if record.is_locked else record.recorded_hours
            record.form_hours = "" if value is None else value
            record.form_served = record.people_served
            record.form_verify = not record.is_locked and record.recorded_hours is not None
    missing = (
        Signup.objects.filter(shift=shift, status=Signup.Status.CONFIRMED)
        .exclude(volunteer__records__shift=shift)
        .select_related("volunteer")
    )
    return render(
        request,
        "volunteering/shift_verify.html",
        {
            "shift": shift,
            "records": records,
            "errors": errors,
            "missing": missing,
            "no_shows": Signup.objects.filter(shift=shift, status=Signup.Status.NO_SHOW).select_related(
                "volunteer"
            ),
            "ended": shift.end <= timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_correct(request, record_pk: int):
    record = scoping.get_object_for_user(
        ServiceRecord.objects.select_related("shift", "shift__project", "volunteer", "project__organization"),
        request.user,
        view_perm=MANAGE,
        path_field="project__organization__path",
        org_of=lambda r: r.project.organization,
        need=MANAGE,
        pk=record_pk,
    )
    current = record.verified_hours if record.is_locked else record.recorded_hours
    form = forms.CorrectionForm(
        request.POST or None, initial={"hours": current, "people_served": record.people_served}
    )
    if request.method == "POST" and form.is_valid():
        try:
            hours.record_correct(record=record, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Corrected; the history keeps the earlier values."))
            return redirect("volunteering:shift_verify", record.shift_id)
    history = record.history.select_related("history_user").order_by("-history_date")[:20]
    return render(
        request,
        "volunteering/record_correct.html",
        {"form": form, "record": record, "history": history},
    )


# --- Hours overview and export --------------------------------------------------------------


def _period(request) -> Period:
    period = period_from_request(request)
    assert period is not None  # not optional: a bad or blank period is this year
    return period


@login_required
@require_GET
@reporting
def hours_overview(request):
    """Every volunteer's verified hours in the period: one aggregate query per page."""
    _require_manager(request)
    period = _period(request)
    q = request.GET.get("q", "").strip()[:64]
    paginator = Paginator(selectors.hours_overview(request.user, period, q=q), PAGE_SIZE)
    # Count the volunteers without their sums: the aggregate runs once, for the page's rows.
    paginator.count = selectors.hours_overview_volunteers(request.user, q=q).count()
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/hours_overview.html",
        {"page": page, "period": period, "q": q, "phone_search": bool(masking.phone_paths(request.user))},
    )


@login_required
@require_GET
@reporting
def hours_export(request):
    _require_manager(request)
    period = _period(request)
    return exports.hours_response(selectors.hours_export_rows(request.user, period), period)
