"""Star levels: the coordinator's due list and announcement, the hospital's notice, objections,
decisions and the award (services in volunteering/services/stars.py)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from qingyi.core import rules
from qingyi.core.forms import add_service_errors
from qingyi.core.params import parse_id
from qingyi.organizations import scoping
from qingyi.volunteering import selectors
from qingyi.volunteering.forms import AnnounceForm, DecisionForm, ObjectionForm
from qingyi.volunteering.models import StarAnnouncement, StarAnnouncementEntry
from qingyi.volunteering.services import stars

MANAGE = scoping.VOLUNTEERING_MANAGE
PAGE_SIZE = 50


def _require_manager(request) -> None:
    if not scoping.has_perm(request.user, MANAGE):
        raise PermissionDenied


def _due_page(request, form: AnnounceForm | None = None):
    page = Paginator(selectors.stars_due_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_reached(page.object_list)
    if form is None:
        form = AnnounceForm(choices=[(v.pk, v.name) for v in page.object_list])
    selected = {parse_id(pk) for pk in form["volunteers"].value() or ()} - {None}
    return render(
        request,
        "volunteering/star_due.html",
        {
            "page": page,
            "form": form,
            "selected": selected,
            "selectable": any(v.announcement_id is None for v in page.object_list),
            "thresholds": list(enumerate(rules.volunteer_star_thresholds(), start=1)),
            "notice_days": rules.get_setting("volunteer_star_notice_days"),
        },
    )


@login_required
@require_GET
def star_due(request):
    """Volunteers whose verified hours reached a star level above the one awarded to them."""
    _require_manager(request)
    return _due_page(request)


@login_required
@require_POST
def star_announce(request):
    _require_manager(request)
    ids = [pk for pk in request.POST.getlist("volunteers") if parse_id(pk) is not None]
    form = AnnounceForm(request.POST, choices=[(pk, pk) for pk in ids])
    if form.is_valid():
        try:
            announcement = stars.announcement_publish(
                volunteer_ids=form.cleaned_data["volunteers"],
                note=form.cleaned_data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Announced until %(day)s. Award the levels after that day.")
                % {"day": announcement.notice_until.isoformat()},
            )
            return redirect("volunteering:star_announcement_detail", announcement.pk)
    return _due_page(request, form)


@login_required
@require_GET
def star_announcement_list(request):
    """The hospital's star-level announcements: every logged-in member of it sees them."""
    user = request.user
    page = Paginator(selectors.announcement_list_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteering/star_announcement_list.html",
        {"page": page, "today": timezone.localdate(), "can_manage": scoping.has_perm(user, MANAGE)},
    )


def _detail(request, announcement: StarAnnouncement, *, objection_form: ObjectionForm | None = None):
    user = request.user
    manager = selectors.can_manage_announcement(user, announcement)
    today = timezone.localdate()
    entries = list(selectors.entries_of(announcement, user=user))
    objections = selectors.objections_of(announcement) if manager else {}
    undecided = 0
    for entry in entries:
        entry.objection_list = objections.get(entry.pk, [])
        entry.undecided = bool(entry.objection_count and not entry.decision)
        undecided += entry.outcome == StarAnnouncementEntry.Outcome.PENDING and entry.undecided
    return render(
        request,
        "volunteering/star_announcement_detail.html",
        {
            "announcement": announcement,
            "entries": entries,
            "manager": manager,
            "in_notice": announcement.in_notice(today),
            "notice_over": announcement.notice_over(today),
            "undecided": undecided,
            "objection_form": objection_form,
            "objection_entry": objection_form["entry"].value() if objection_form else None,
            "decisions": StarAnnouncementEntry.Decision.choices,
        },
    )


@login_required
@require_GET
def star_announcement_detail(request, announcement_pk: int):
    return _detail(request, selectors.announcement_for(request.user, announcement_pk))


@login_required
@require_POST
def star_objection_create(request, announcement_pk: int):
    announcement = selectors.announcement_for(request.user, announcement_pk)
    form = ObjectionForm(request.POST)
    if form.is_valid():
        entry = (
            announcement.entries.select_related("volunteer", "announcement__organization")
            .filter(pk=form.cleaned_data["entry"])
            .first()
        )
        if entry is None:
            raise Http404
        try:
            stars.objection_raise(entry=entry, text=form.cleaned_data["text"], actor=request.user)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the period is over: the form is gone from the page
                for message in exc.messages:
                    messages.error(request, message)
                return redirect("volunteering:star_announcement_detail", announcement.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Your objection was sent to the coordinators of the announcement."))
            return redirect("volunteering:star_announcement_detail", announcement.pk)
    return _detail(request, announcement, objection_form=form)


@login_required
@require_POST
def star_entry_decide(request, entry_pk: int):
    entry = (
        StarAnnouncementEntry.objects.select_related("announcement__organization", "volunteer")
        .filter(pk=entry_pk, announcement__in=selectors.announcements_visible_to(request.user))
        .first()
    )
    if entry is None:
        raise Http404
    if not selectors.can_manage_announcement(request.user, entry.announcement):
        raise PermissionDenied
    form = DecisionForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        stars.objection_decide(
            entry=entry,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, f"{entry.volunteer.name}: {message}")
    else:
        messages.success(request, _("Decision recorded for %(name)s.") % {"name": entry.volunteer.name})
    return redirect("volunteering:star_announcement_detail", entry.announcement_id)


@login_required
@require_POST
def star_announcement_award(request, announcement_pk: int):
    announcement = selectors.announcement_for(request.user, announcement_pk)
    try:  # the service refuses (403) unless the user coordinates the announcement
        awards = stars.announcement_award(announcement=announcement, actor=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        n = len(awards)
        messages.success(
            request,
            ngettext(
                "%(n)s star level awarded; the volunteer was notified.",
                "%(n)s star levels awarded; the volunteers were notified.",
                n,
            )
            % {"n": n},
        )
    return redirect("volunteering:star_announcement_detail", announcement.pk)
