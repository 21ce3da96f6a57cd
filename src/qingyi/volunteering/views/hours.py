"""The coordinator's hours pages: check-in by hand, hours added by hand, a shift's
verification, a record's correction, the hours overview and its export."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from qingyi.core.dbrouter import reporting
from qingyi.core.forms import add_service_errors
from qingyi.core.params import parse_int, period_from_request
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.people import masking
from qingyi.volunteering import exports, forms, selectors
from qingyi.volunteering.models import ServiceRecord, Signup
from qingyi.volunteering.services import hours
from qingyi.volunteering.views.common import (
    MANAGE,
    PAGE_SIZE,
    error_messages,
    require_manager,
    shift_for,
    volunteers_for_shift,
)


@login_required
@require_http_methods(["GET", "POST"])
def shift_checkin(request, shift_pk: int):
    """Check a volunteer in (or out) by hand, with a reason."""
    shift = shift_for(request, shift_pk, manage=True)
    form = forms.HandCheckInForm(request.POST or None, volunteers=volunteers_for_shift(request, shift))
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
    form = forms.HoursAddForm(request.POST or None, volunteers=volunteers_for_shift(request, shift))
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
    require_manager(request)
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
    require_manager(request)
    period = _period(request)
    return exports.hours_response(selectors.hours_export_rows(request.user, period), period)
