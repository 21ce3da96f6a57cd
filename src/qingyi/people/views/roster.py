"""The roster pages: the list, a person's card, create, edit, age-out and leaving, transfers
between organisations and the approval of member change requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core.forms import add_service_errors
from qingyi.organizations import scoping
from qingyi.organizations.models import Department, Organization
from qingyi.organizations.selectors import organizations_for, positions_of
from qingyi.people import masking, selectors, services
from qingyi.people.forms import DateForm, PersonCreateForm, PersonForm, ReasonForm, TransferForm
from qingyi.people.models import ChangeRequest, Person, Transfer
from qingyi.people.views.common import roster_filters

PAGE_SIZE = 50


def _person(user, pk: int, need: str | None = None) -> Person:
    return scoping.get_object_for_user(
        Person.objects.select_related("organization", "department", "user"),
        user,
        view_perm=scoping.PEOPLE_VIEW,
        path_field="organization__path",
        need=need,
        pk=pk,
    )


@login_required
@require_GET
def person_list(request):
    scoping.require_perm(request.user, scoping.PEOPLE_VIEW)
    filters = roster_filters(request)
    people = selectors.roster(selectors.people_for(request.user), filters, user=request.user)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "organizations": organizations_for(request.user)
        .filter(archived_at__isnull=True)
        .only("pk", "name", "depth"),
        "departments": Department.objects.filter(archived_at__isnull=True).only("pk", "name"),
        "statuses": Person.Status.choices,
        "political_statuses": Person.PoliticalStatus.choices,
        "professions": Person.Profession.choices,
        "selected_org": request.GET.get("org", ""),
        "can_manage": scoping.has_perm(request.user, scoping.PEOPLE_MANAGE),
        "can_import": scoping.has_perm(request.user, scoping.PEOPLE_IMPORT),
        "can_export": scoping.has_perm(request.user, scoping.PEOPLE_EXPORT),
        "query_string": request.GET.urlencode(),
        "identifier_search": bool(masking.id_number_paths(request.user)),
    }
    template = "people/person_list.html#results" if request.htmx else "people/person_list.html"
    return render(request, template, context)


@login_required
@require_GET
def person_detail(request, person_pk: int):
    person = _person(request.user, person_pk)
    today = timezone.localdate()
    positions = list(positions_of(person))
    for position in positions:
        position.state = position.state_on(today)
    # The last 30 changes and the one before them, in one query (each diffed against the next
    # older record in memory: ``prev_record`` would cost a query per record), with each
    # author's roster name for ``display_name``.
    history = list(
        person.history.select_related("history_user__person").order_by("-history_date", "-history_id")[:31]
    )
    can_reveal = masking.may_reveal_id_number(request.user, person.organization)
    # One rule for the record, its history and a pending change: what is masked above is
    # masked in the old → new values and in the change asked for.
    shown = masking.disclosure_for(
        request.user, person.organization, reveal_id_number=request.GET.get("reveal") == "1"
    )
    changes = []
    for record, previous in zip(history[:30], [*history[1:], None], strict=False):
        delta = []
        if previous is not None:
            diff = record.diff_against(previous)
            delta = [
                (
                    Person._meta.get_field(c.field).verbose_name,
                    shown.shown(c.field, c.old),
                    shown.shown(c.field, c.new),
                )
                for c in diff.changes
            ]
        changes.append({"record": record, "delta": delta})
    can_manage = scoping.has_perm(request.user, scoping.PEOPLE_MANAGE, person.organization)
    pending = person.change_requests.filter(status=ChangeRequest.Status.PENDING)
    return render(
        request,
        "people/person_detail.html",
        {
            "person": person,
            "positions": positions,
            "changes": changes,
            "transfers": person.transfers.select_related("from_organization", "to_organization")[:10],
            "pending_changes": [change.changes_shown(shown) for change in pending],
            "id_number": shown.id_number_of(person.id_number),
            "can_reveal": can_reveal,
            "can_manage": can_manage,
            "phone": shown.phone_of(person.phone),
            "due_to_age_out": Person.objects.unscoped("the person fetched through get_object_for_user")
            .filter(selectors.due_to_age_out_q(today), pk=person.pk)
            .exists(),
            "age": person.age(today),
            "is_youth": person.is_youth(today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request):
    scoping.require_perm(request.user, scoping.PEOPLE_MANAGE)
    orgs = organizations_for(request.user, scoping.PEOPLE_MANAGE).filter(archived_at__isnull=True)
    initial = {"organization": request.GET.get("org")} if request.GET.get("org") else None
    form = PersonCreateForm(request.POST or None, organizations=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(
                organization=form.cleaned_data["organization"],
                data=form.data_for_service(),
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the roster.") % {"name": person.name})
            return redirect("people:detail", person.pk)
    return render(request, "people/person_form.html", {"form": form, "title": _("Add a person")})


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request, person_pk: int):
    person = _person(request.user, person_pk, need=scoping.PEOPLE_MANAGE)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(
                person=person,
                data=form.data_for_service(),
                expected_version=form.cleaned_data.get("version") or 0,
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("people:detail", person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": person, "title": _("Edit %(name)s") % {"name": person.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_age_out(request, person_pk: int):
    return _dated_status_change(
        request,
        person_pk,
        change=services.person_age_out,
        title=_("Age-out of %(name)s"),
        done=_("%(name)s has aged out of the league."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_leave(request, person_pk: int):
    return _dated_status_change(
        request,
        person_pk,
        change=services.person_leave,
        title=_("%(name)s leaves"),
        done=_("%(name)s is marked as left."),
    )


def _dated_status_change(request, person_pk: int, *, change, title: str, done: str):
    """A status change that takes a date (age-out, leaving): the form, the service, the message."""
    person = _person(request.user, person_pk, need=scoping.PEOPLE_MANAGE)
    form = DateForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            change(person=person, on=form.cleaned_data["on"], actor=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done % {"name": person.name})
            return redirect("people:detail", person.pk)
    context = {"form": form, "person": person, "title": title % {"name": person.name}}
    return render(request, "people/person_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_new(request, person_pk: int):
    person = _person(request.user, person_pk, need=scoping.PEOPLE_MANAGE)
    # Any live organisation of the same hospital may receive (the service enforces it); its
    # admin decides.
    root_path = person.organization.hospital_path
    targets = Organization.objects.filter(path__startswith=root_path, archived_at__isnull=True).exclude(
        pk=person.organization_id
    )
    form = TransferForm(request.POST or None, organizations=targets)
    if request.method == "POST":
        form.fields["to_organization"].queryset = Organization.objects.filter(path__startswith=root_path)
        if form.is_valid():
            try:
                services.transfer_request(
                    person=person,
                    to_organization=form.cleaned_data["to_organization"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Transfer requested; the receiving organisation's admin will decide.")
                )
                return redirect("people:detail", person.pk)
    return render(
        request,
        "people/person_form.html",
        {"form": form, "person": person, "title": _("Transfer %(name)s") % {"name": person.name}},
    )


@login_required
@require_GET
def transfer_list(request):
    scoping.require_perm(request.user, scoping.PEOPLE_VIEW)
    transfers = selectors.transfers_for(request.user)
    pending_in = [
        t
        for t in transfers.filter(status=Transfer.Status.PENDING)
        if scoping.has_perm(request.user, scoping.TRANSFERS_DECIDE, t.to_organization)
    ]
    page = Paginator(transfers, PAGE_SIZE).get_page(request.GET.get("page"))
    changes = list(selectors.change_requests_for(request.user).filter(status=ChangeRequest.Status.PENDING))
    for change in changes:
        change.shown = change.changes_shown(masking.disclosure_for(request.user, change.person.organization))
    return render(
        request,
        "people/transfer_list.html",
        {"page": page, "pending_in": pending_in, "changes": changes, "reason_form": ReasonForm()},
    )


def _transfer(user, pk: int) -> Transfer:
    """A transfer leaving or arriving in the user's scope; 404 otherwise."""
    transfer = selectors.transfers_for(user).filter(pk=pk).first()
    if transfer is None:
        raise Http404
    return transfer


@login_required
@require_POST
def transfer_approve(request, transfer_pk: int):
    transfer = _transfer(request.user, transfer_pk)
    try:
        services.transfer_approve(transfer=transfer, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("Transfer approved: %(name)s now belongs to “%(org)s”.")
            % {"name": transfer.person.name, "org": transfer.to_organization},
        )
    return redirect("people:transfer_list")


@login_required
@require_POST
def transfer_refuse(request, transfer_pk: int):
    transfer = _transfer(request.user, transfer_pk)
    try:
        services.transfer_refuse(transfer=transfer, reason=request.POST.get("reason", ""), actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Transfer refused."))
    return redirect("people:transfer_list")


@login_required
@require_POST
def transfer_cancel(request, transfer_pk: int):
    transfer = _transfer(request.user, transfer_pk)
    try:
        services.transfer_cancel(transfer=transfer, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Transfer cancelled."))
    return redirect("people:transfer_list")


def _change(user, pk: int) -> ChangeRequest:
    return scoping.get_object_for_user(
        ChangeRequest.objects.select_related("person", "person__organization"),
        user,
        view_perm=scoping.PEOPLE_VIEW,
        path_field="person__organization__path",
        need=scoping.PEOPLE_MANAGE,
        org_of=lambda change: change.person.organization,
        pk=pk,
    )


@login_required
@require_POST
def change_request_approve(request, change_pk: int):
    change = _change(request.user, change_pk)
    try:
        services.change_request_approve(request=change, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Change approved."))
    return redirect("people:transfer_list")


@login_required
@require_POST
def change_request_refuse(request, change_pk: int):
    change = _change(request.user, change_pk)
    try:
        services.change_request_refuse(
            request=change, reason=request.POST.get("reason", ""), actor=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Change refused."))
    return redirect("people:transfer_list")
