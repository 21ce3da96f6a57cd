"""Pages of cadre growth: the cadre roster, each cadre's development record, training records
and contest results — for admins, and the cadre's own submissions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core import metrics, rules
from qingyi.core.forms import add_service_errors
from qingyi.core.params import parse_id, query_year
from qingyi.core.periods import Period
from qingyi.organizations import scoping
from qingyi.organizations.models import Organization
from qingyi.organizations.params import organization_from_request
from qingyi.organizations.selectors import organizations_for, top_organization
from qingyi.people.models import Person

from .. import selectors, services
from ..forms import (
    ContestForm,
    DecisionForm,
    TrainingForm,
)
from ..models import (
    ContestResult,
    RecordStatus,
    TrainingRecord,
)

PAGE_SIZE = 50
ROSTER_PAGE_SIZE = 100
TILES = (
    "growth.training_hours",
    "growth.cadres_trained",
    "growth.contest_awards",
    "growth.self_inspection_completion",
    "growth.overdue_fixes",
)


def _year(request) -> int:
    today = timezone.localdate()
    year = query_year(request)
    return year if year is not None and 2000 <= year <= today.year + 1 else today.year


def _selected_org(request) -> Organization | None:
    """The ``org`` filter of a list: an organisation outside the scope is a 404."""
    return organization_from_request(request, scoping.GROWTH_MANAGE, default=False)


def _org_choices(user):
    return (
        organizations_for(user, scoping.GROWTH_MANAGE)
        .filter(archived_at__isnull=True)
        .only("pk", "name", "depth")
    )


def _own_person(user) -> Person | None:
    try:
        person = user.person
    except Person.DoesNotExist:
        return None
    return (
        Person.objects.unscoped("the user's own roster record")
        .select_related("organization")
        .get(pk=person.pk)
    )


def _require_own_person(user) -> Person:
    person = _own_person(user)
    if person is None:
        raise Http404
    return person


# --- The cadre roster --------------------------------------------------------------------


@login_required
@require_GET
def roster(request):
    scoping.require_perm(request.user, scoping.GROWTH_MANAGE)
    year = _year(request)
    today = timezone.localdate()
    selected = _selected_org(request)
    rows = selectors.cadre_roster(
        request.user, year=year, on=today, organization_path=selected.path if selected else ""
    )
    page = Paginator(rows, ROSTER_PAGE_SIZE).get_page(request.GET.get("page"))
    home = selected or top_organization(request.user, scoping.GROWTH_MANAGE)
    tiles = []
    if home is not None and scoping.has_perm(request.user, scoping.METRICS_VIEW, home):
        scope = metrics.Scope(organization=home, period=Period.year(year))
        tiles = [(metrics.get(name), metrics.get(name).value(scope)) for name in TILES]
    return render(
        request,
        "growth/roster.html",
        {
            "page": page,
            "year": year,
            "years": range(today.year, today.year - 6, -1),
            "tiles": tiles,
            "home": home,
            "organizations": _org_choices(request.user),
            "selected_org": request.GET.get("org", ""),
            "min_hours": int(rules.get_setting("training_min_hours_year")),
            "checklists": selectors.published_checklists(
                year, scoping.scope_paths(request.user, scoping.GROWTH_MANAGE)
            ),
            "pending": selectors.pending_records_count(request.user),
        },
    )


# --- A cadre's development record -------------------------------------------------------------


def _record_context(person: Person, *, is_self: bool, can_manage: bool) -> dict:
    today = timezone.localdate()
    record = selectors.development_record(person)
    for position in record["positions"]:
        position.state = position.state_on(today)
    return {
        "person": person,
        "is_self": is_self,
        "can_manage": can_manage,
        "today": today,
        **record,
    }


@login_required
@require_GET
def cadre_detail(request, person_pk: int):
    person = scoping.get_object_for_user(
        Person.objects.select_related("organization"),
        request.user,
        view_perm=scoping.GROWTH_MANAGE,
        path_field="organization__path",
        pk=person_pk,
    )
    context = _record_context(person, is_self=False, can_manage=True)
    return render(request, "growth/cadre_record.html", context)


@login_required
@require_GET
def me(request):
    person = _own_person(request.user)
    if person is None:
        return render(request, "growth/me_unlinked.html")
    context = _record_context(person, is_self=True, can_manage=False)
    context["checklists"] = list(selectors.checklists_to_answer(person))
    return render(request, "growth/cadre_record.html", context)


# --- Training records and contest results ---------------------------------------------------

KINDS = {
    "training": {
        "model": TrainingRecord,
        "form": TrainingForm,
        "records_for": selectors.trainings_for,
        "filter": selectors.filter_trainings,
        "create": services.training_create,
        "update": services.training_update,
        "levels": TrainingRecord.Level.choices,
        "list_url": "growth:training_list",
    },
    "contest": {
        "model": ContestResult,
        "form": ContestForm,
        "records_for": selectors.contests_for,
        "filter": selectors.filter_contests,
        "create": services.contest_create,
        "update": services.contest_update,
        "levels": ContestResult.Level.choices,
        "list_url": "growth:contest_list",
    },
}


def _record_list(request, kind: str):
    scoping.require_perm(request.user, scoping.GROWTH_MANAGE)
    spec = KINDS[kind]
    selected = _selected_org(request)
    filters = selectors.RecordFilters(
        organization_path=selected.path if selected else "",
        year=query_year(request),
        level=request.GET.get("level", "") if request.GET.get("level", "") in dict(spec["levels"]) else "",
        status=request.GET.get("status", "") if request.GET.get("status", "") in RecordStatus.values else "",
        q=request.GET.get("q", "").strip()[:64],
    )
    records = spec["filter"](spec["records_for"](request.user), filters)
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        f"growth/{kind}_list.html",
        {
            "page": page,
            "filters": filters,
            "levels": spec["levels"],
            "statuses": RecordStatus.choices,
            "years": range(today.year, today.year - 6, -1),
            "organizations": _org_choices(request.user),
            "selected_org": request.GET.get("org", ""),
            "decision_form": DecisionForm(),
        },
    )


@login_required
@require_GET
def training_list(request):
    return _record_list(request, "training")


@login_required
@require_GET
def contest_list(request):
    return _record_list(request, "contest")


def _record_create(request, kind: str):
    scoping.require_perm(request.user, scoping.GROWTH_MANAGE)
    spec = KINDS[kind]
    person = parse_id(request.GET.get("person"))
    initial = {"person": person} if person is not None else {}
    if kind == "training":
        initial.update(start_on=timezone.localdate(), end_on=timezone.localdate())
    else:
        initial.update(held_on=timezone.localdate())
    form = spec["form"](
        request.POST or None,
        request.FILES or None,
        people=selectors.cadres_for(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        kwargs = {"certificate": form.cleaned_data.get("certificate")} if kind == "training" else {}
        try:
            spec["create"](person=person, actor=request.user, data=form.data_for_service(), **kwargs)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved to %(name)s's development record.") % {"name": person.name})
            if "another" in request.POST:
                return redirect(reverse(f"growth:{kind}_create") + f"?person={person.pk}")
            return redirect("growth:cadre_detail", person.pk)
    title = _("Record a training") if kind == "training" else _("Record a contest result")
    return render(
        request,
        "growth/record_form.html",
        {"form": form, "title": title, "kind": kind, "allow_another": True},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_create(request):
    return _record_create(request, "training")


@login_required
@require_http_methods(["GET", "POST"])
def contest_create(request):
    return _record_create(request, "contest")


def _managed_record(request, kind: str, pk: int):
    record = selectors.get_for_user(KINDS[kind]["records_for"](request.user), request.user, pk=pk)
    return record


def _initial_of(record, kind: str) -> dict:
    names = (
        ("course", "level", "organiser", "start_on", "end_on", "hours", "note")
        if kind == "training"
        else ("contest", "level", "organiser", "held_on", "award", "result", "note")
    )
    return {name: getattr(record, name) for name in names}


def _record_edit(request, kind: str, pk: int):
    spec = KINDS[kind]
    record = _managed_record(request, kind, pk)
    form = spec["form"](request.POST or None, request.FILES or None, initial=_initial_of(record, kind))
    if request.method == "POST" and form.is_valid():
        kwargs = {"certificate": form.cleaned_data.get("certificate")} if kind == "training" else {}
        try:
            spec["update"](record=record, actor=request.user, data=form.data_for_service(), **kwargs)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("growth:cadre_detail", record.person_id)
    title = _("Edit a training of %(name)s") if kind == "training" else _("Edit a contest result of %(name)s")
    return render(
        request,
        "growth/record_form.html",
        {"form": form, "title": title % {"name": record.person.name}, "kind": kind, "record": record},
    )


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request, training_pk: int):
    return _record_edit(request, "training", training_pk)


@login_required
@require_http_methods(["GET", "POST"])
def contest_edit(request, contest_pk: int):
    return _record_edit(request, "contest", contest_pk)


def _record_delete(request, kind: str, pk: int):
    record = _managed_record(request, kind, pk)
    if kind == "training":
        services.training_delete(record=record, actor=request.user)
    else:
        services.contest_delete(record=record, actor=request.user)
    messages.success(request, _("Deleted."))
    return redirect("growth:cadre_detail", record.person_id)


@login_required
@require_POST
def training_delete(request, training_pk: int):
    return _record_delete(request, "training", training_pk)


@login_required
@require_POST
def contest_delete(request, contest_pk: int):
    return _record_delete(request, "contest", contest_pk)


def _record_decide(request, kind: str, pk: int):
    record = _managed_record(request, kind, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or reject."))
    else:
        try:
            services.record_decide(
                record=record,
                actor=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Decided."))
    return redirect(reverse(KINDS[kind]["list_url"]) + "?status=pending")


@login_required
@require_POST
def training_decide(request, training_pk: int):
    return _record_decide(request, "training", training_pk)


@login_required
@require_POST
def contest_decide(request, contest_pk: int):
    return _record_decide(request, "contest", contest_pk)


@login_required
@require_GET
def training_certificate(request, training_pk: int):
    """The certificate file, to the admins over the cadre and to the cadre themself."""
    record = (
        TrainingRecord.objects.select_related("person", "person__organization").filter(pk=training_pk).first()
    )
    if record is None:
        raise Http404
    own = record.person.user_id is not None and record.person.user_id == request.user.pk
    if not own and not scoping.has_perm(request.user, scoping.GROWTH_MANAGE, record.person.organization):
        raise Http404
    if not record.certificate:
        raise Http404
    return FileResponse(
        record.certificate.open("rb"), as_attachment=True, filename=record.certificate_name or "certificate"
    )


# --- A cadre's own submissions -----------------------------------------------------------


def _my_record_new(request, kind: str):
    person = _require_own_person(request.user)
    spec = KINDS[kind]
    form = spec["form"](request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        kwargs = {"certificate": form.cleaned_data.get("certificate")} if kind == "training" else {}
        try:
            spec["create"](
                person=person, actor=request.user, data=form.data_for_service(), as_self=True, **kwargs
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Sent to your organisation admin for approval."))
            return redirect("growth:me")
    title = _("Submit a training") if kind == "training" else _("Submit a contest result")
    return render(
        request, "growth/record_form.html", {"form": form, "title": title, "kind": kind, "is_self": True}
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_training_new(request):
    return _my_record_new(request, "training")


@login_required
@require_http_methods(["GET", "POST"])
def my_contest_new(request):
    return _my_record_new(request, "contest")
