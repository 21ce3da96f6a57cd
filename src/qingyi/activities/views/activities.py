"""The organiser's pages: list, plan, edit, record as held, attendance, QR code, files, registration."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.activities import selectors, services
from qingyi.activities.forms import ActivityForm, CancelForm, RecordHeldForm, RegistrationSettingsForm
from qingyi.activities.models import Activity, ActivityFile, Attendance, Registration
from qingyi.activities.views.common import (
    managed_organizations,
    org_from_request,
    period_from_request,
)
from qingyi.core import checkin, metrics
from qingyi.core.dbrouter import reporting
from qingyi.core.forms import add_service_errors
from qingyi.core.params import parse_id
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.people import masking
from qingyi.people.models import Person

try:  # the shared spreadsheet writer (formula-safe); a local fallback until it lands
    from qingyi.core.exports import write_xlsx, xlsx_response
except ImportError:  # pragma: no cover
    from qingyi.activities.exports import write_xlsx, xlsx_response

PAGE_SIZE = 50
TILES = ("activities.held", "activities.joint", "activities.attendance_rate", "activities.branches_behind")


@login_required
@require_GET
def activity_list(request):
    scoping.require_perm(request.user, scoping.ACTIVITIES_VIEW)
    org = org_from_request(request, default=False)
    period = period_from_request(request, optional=True)
    qs = selectors.activities_for(request.user)
    if org is not None:
        qs = qs.filter(pk__in=selectors.activities_concerning(org).values("pk"))
    if period is not None:
        start, end = period.bounds()
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    kind = request.GET.get("kind", "")
    if kind in Activity.Kind.values:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in Activity.Status.values:
        qs = qs.filter(status=status)
    q = request.GET.get("q", "").strip()[:64]
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(theme__icontains=q) | Q(speaker__icontains=q))
    if request.GET.get("joint") == "1":
        qs = qs.filter(party_branch__isnull=False)
    page = Paginator(selectors.with_list_figures(qs).order_by("-starts_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "kinds": Activity.Kind.choices,
        "statuses": Activity.Status.choices,
        "filters": {
            "kind": kind,
            "status": status,
            "q": q,
            "period": period.label if period else "",
            "org": str(org.pk) if org else "",
            "joint": request.GET.get("joint") == "1",
        },
        "organizations": []
        if request.htmx
        else list(
            scoping.scope(
                Organization.objects.filter(archived_at__isnull=True),
                request.user,
                scoping.ACTIVITIES_VIEW,
                path_field="path",
            ).only("pk", "name", "depth")
        ),
        # The figure tiles come right after the list, from activity_tiles (htmx on load).
        "show_tiles": not request.htmx and scoping.has_perm(request.user, scoping.METRICS_VIEW),
        "can_create": scoping.has_perm(request.user, scoping.ACTIVITIES_MANAGE),
    }
    template = "activities/activity_list.html#results" if request.htmx else "activities/activity_list.html"
    return render(request, template, context)


@login_required
@require_GET
def activity_tiles(request):
    """The list page's figure tiles, loaded by htmx once the list is shown (same ``org`` and
    ``period``); without htmx (the no-script link) the same tiles on a page of their own."""
    scoping.require_perm(request.user, scoping.ACTIVITIES_VIEW)
    org = org_from_request(request)
    period = period_from_request(request, optional=True, report=False)  # the list says what is wrong
    tiles, scope = [], None
    if org is not None and scoping.has_perm(request.user, scoping.METRICS_VIEW, org):
        scope = metrics.Scope(organization=org, period=period or Period.current_year())
        tiles = [(metrics.get(name), metrics.get(name).value(scope)) for name in TILES]
    template = "activities/activity_tiles.html#tiles" if request.htmx else "activities/activity_tiles.html"
    return render(request, template, {"tiles": tiles, "tiles_scope": scope})


def _activity_form(request, *, activity: Activity | None):
    orgs = managed_organizations(request.user)
    if activity is None:
        initial = (
            {"organization": parse_id(request.GET.get("org"))} if parse_id(request.GET.get("org")) else {}
        )
        kind = request.GET.get("kind", "")
        if kind in Activity.Kind.values:
            initial["kind"] = kind
    else:
        initial = ActivityForm.initial_for(activity, selectors.organizers_of(activity))
    return ActivityForm(request.POST or None, organizations=orgs, initial=initial)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request):
    scoping.require_perm(request.user, scoping.ACTIVITIES_MANAGE)
    form = _activity_form(request, activity=None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(**form.service_kwargs(), actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("“%(title)s” is planned.") % {"title": activity.title})
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/activity_form.html", {"form": form, "title": _("Plan an activity")})


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request, activity_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    form = _activity_form(request, activity=activity)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_update(activity=activity, **form.service_kwargs(), actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("activities:detail", activity.pk)
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "title": _("Edit “%(title)s”") % {"title": activity.title}, "activity": activity},
    )


@login_required
@require_GET
def activity_detail(request, activity_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk)
    summary = selectors.attendance_summary(activity)
    recorded = list(
        Attendance.objects.filter(activity=activity, person__in=_visible_people(request.user))
        .select_related("person", "person__organization")
        .order_by("person__organization__path", "person__name")
    )
    by_status = {value: [a for a in recorded if a.status == value] for value in Attendance.Status.values}
    can_manage = selectors.can_manage(request.user, activity)
    registrations = (
        list(selectors.registration_list(activity, request.user)) if activity.allows_registration else []
    )
    counts = selectors.registration_counts(activity) if activity.allows_registration else {}
    return render(
        request,
        "activities/activity_detail.html",
        {
            "activity": activity,
            "organizers": selectors.organizers_of(activity),
            "summary": summary,
            "present": by_status[Attendance.Status.PRESENT],
            "excused": by_status[Attendance.Status.EXCUSED],
            "absent": by_status[Attendance.Status.ABSENT],
            "files": list(activity.files.all()),
            "can_manage": can_manage,
            "can_take_attendance": _can_take_attendance(request.user, activity),
            "registrations": registrations,
            "registration_counts": counts,
            # Counted for the whole activity; the list above shows only the user's subtree.
            "registrations_elsewhere": counts.get(Registration.Status.CONFIRMED, 0)
            + counts.get(Registration.Status.WAITING, 0)
            - len(registrations),
            "upload_max_mb": services.upload_max_bytes() // 1048576,
            "can_record": can_manage
            and activity.status == Activity.Status.PLANNED
            and activity.starts_at <= timezone.now(),
            "can_cancel": can_manage and activity.status == Activity.Status.PLANNED,
        },
    )


def _visible_people(user):
    return Person.objects.filter(selectors.people_visible_q(user))


def _can_take_attendance(user, activity: Activity) -> bool:
    return any(
        scoping.has_perm(user, scoping.ACTIVITIES_MANAGE, o) for o in selectors.organizers_of(activity)
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_record(request, activity_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    form = RecordHeldForm(request.POST or None, activity=activity, initial={"summary": activity.summary})
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_record_held(
                activity=activity,
                summary=form.cleaned_data["summary"],
                quorum_met=form.quorum(),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Recorded as held."))
            return redirect("activities:detail", activity.pk)
    return render(
        request,
        "activities/activity_record.html",
        {"form": form, "activity": activity, "summary": selectors.attendance_summary(activity)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_cancel(request, activity_pk: int):
    """Cancel a planned activity with a reason (it stays in the lists, marked cancelled)."""
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_cancel(
                activity=activity, reason=form.cleaned_data["reason"], actor=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity is cancelled; registrants and organisers were told."))
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/activity_cancel.html", {"form": form, "activity": activity})


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request, activity_pk: int):
    """The attendance list: every expected attendee the user manages, saved in one go (htmx)."""
    activity = selectors.activity_for_user(request.user, activity_pk)
    if not _can_take_attendance(request.user, activity):
        raise PermissionDenied
    error = ""
    saved = None
    if request.method == "POST":
        statuses = {}
        for key, value in request.POST.items():
            pk = parse_id(key[7:]) if key.startswith("status_") else None
            if pk is not None and value:
                statuses[pk] = value
        try:
            saved = services.attendance_save(activity=activity, statuses=statuses, actor=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if not request.htmx and not error:
            messages.success(request, _("Attendance saved."))
            return redirect("activities:detail", activity.pk)
    rows = selectors.attendance_rows(activity, request.user, perm=scoping.ACTIVITIES_MANAGE)
    context = {
        "activity": activity,
        "rows": rows,
        "statuses": Attendance.Status.choices,
        "summary": selectors.attendance_summary(activity),
        "error": error,
        "saved": saved,
    }
    template = "activities/attendance.html#sheet" if request.htmx else "activities/attendance.html"
    return render(request, template, context, status=400 if error and not request.htmx else 200)


@login_required
@require_GET
def activity_qr(request, activity_pk: int):
    """The rotating QR code members scan at the activity (core.checkin); refreshed by htmx."""
    activity = selectors.activity_for_user(request.user, activity_pk)
    if not _can_take_attendance(request.user, activity):
        raise PermissionDenied
    now = timezone.now()
    code = checkin.rotating_code(activity.checkin_subject, at=now)
    url = request.build_absolute_uri(reverse("activities:check_in", args=[activity.pk])) + f"?code={code}"
    opens, closes = services.checkin_window(activity)
    context = {
        "activity": activity,
        "qr": checkin.qr_svg(url, scale=8),
        "url": url,
        "seconds_left": checkin.seconds_left(at=now),
        "present": selectors.present_count(activity),
        "open": opens <= now <= closes,
        "opens": opens,
        "closes": closes,
    }
    template = "activities/activity_qr.html#code" if request.htmx else "activities/activity_qr.html"
    return render(request, template, context)


@login_required
@require_POST
def file_upload(request, activity_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Choose one or more files to upload."))
    else:
        try:
            kept = services.files_add(activity=activity, uploads=uploads, actor=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            messages.error(request, _("Nothing was uploaded."))
        else:
            messages.success(request, _("%(n)s file(s) uploaded.") % {"n": len(kept)})
    return redirect(reverse("activities:detail", args=[activity.pk]) + "#files")


@login_required
@require_GET
def file_download(request, activity_pk: int, file_pk: int):
    """A photo or document, only to those who may see the activity; never a public media URL."""
    activity = selectors.activity_for_user(request.user, activity_pk)
    try:
        stored = ActivityFile.objects.get(pk=file_pk, activity=activity)
    except ActivityFile.DoesNotExist:
        raise Http404 from None
    try:
        handle = stored.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        content_type=stored.content_type,
        as_attachment=stored.kind != ActivityFile.Kind.IMAGE,
        filename=stored.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def file_delete(request, activity_pk: int, file_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    try:
        stored = ActivityFile.objects.select_related("activity__organization").get(
            pk=file_pk, activity=activity
        )
    except ActivityFile.DoesNotExist:
        raise Http404 from None
    services.file_delete(activity_file=stored, actor=request.user)
    messages.success(request, _("“%(name)s” deleted.") % {"name": stored.original_name})
    return redirect(reverse("activities:detail", args=[activity.pk]) + "#files")


@login_required
@require_http_methods(["GET", "POST"])
def registration_settings(request, activity_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    if not activity.allows_registration:
        messages.error(request, _("Only care events and culture and sports events take registrations."))
        return redirect("activities:detail", activity.pk)
    form = RegistrationSettingsForm(
        request.POST or None,
        initial={
            "registration_open": activity.registration_open,
            "capacity": activity.capacity,
            "registration_deadline": activity.registration_deadline,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_configure(
                activity=activity,
                open=form.cleaned_data["registration_open"],
                capacity=form.cleaned_data["capacity"],
                deadline=form.cleaned_data["registration_deadline"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Registration settings saved."))
            return redirect("activities:detail", activity.pk)
    return render(request, "activities/registration_settings.html", {"form": form, "activity": activity})


@login_required
@require_GET
@reporting
def registration_export(request, activity_pk: int):
    activity = selectors.activity_for_user(request.user, activity_pk, need=scoping.ACTIVITIES_MANAGE)
    rows = [
        (
            number,
            r.person.name,
            r.person.organization.name,
            r.person.department.name if r.person.department else "",
            masking.disclosure_for(request.user, r.person.organization).phone_of(r.person.phone),
            r.get_status_display(),
            timezone.localtime(r.queued_at).strftime("%Y-%m-%d %H:%M"),
            r.note,
        )
        for number, r in enumerate(
            selectors.registration_list(activity, request.user, perm=scoping.ACTIVITIES_MANAGE), start=1
        )
    ]
    content = write_xlsx(
        [
            _("No."),
            _("Name"),
            _("Organisation"),
            _("Department"),
            _("Phone"),
            _("Status"),
            _("Registered at"),
            _("Note"),
        ],
        rows,
        title=_("Registrations"),
        widths=(6, 14, 20, 16, 14, 12, 18, 20),
    )
    return xlsx_response(content, f"{activity.title}-{_('registrations')}.xlsx")


@login_required
@require_POST
def registration_cancel(request, registration_pk: int):
    """An organiser, or the person themself, cancels a registration; the waiting list moves up."""
    person = selectors.person_of(request.user)
    try:
        registration = Registration.objects.select_related("activity", "person").get(pk=registration_pk)
    except Registration.DoesNotExist:
        raise Http404 from None
    own = person is not None and registration.person_id == person.pk
    if not own:
        # Outside the user's activities: 404; inside without the right to manage it: 403;
        # a registrant outside the organiser's subtree (a shared activity): 404, as unlisted.
        activity = selectors.activity_for_user(
            request.user, registration.activity_id, need=scoping.ACTIVITIES_MANAGE
        )
        listed = selectors.registration_list(activity, request.user, perm=scoping.ACTIVITIES_MANAGE)
        if not listed.filter(pk=registration.pk).exists():
            raise Http404
    promoted = services.registration_cancel(registration=registration, actor=request.user)
    messages.success(request, _("Registration cancelled."))
    if promoted:
        messages.info(
            request,
            _("Moved up from the waiting list: %(names)s.")
            % {"names": ", ".join(r.person.name for r in promoted)},
        )
    if own and request.POST.get("next") == "mine":
        return redirect("activities:mine")
    return redirect("activities:detail", registration.activity_id)
