"""Service points: the coordinator's list and form, the standing screen, the volunteer's scan."""

from __future__ import annotations

from typing import cast

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qingyi.core import checkin
from qingyi.core.forms import add_service_errors, bootstrap
from qingyi.organizations import scoping
from qingyi.volunteering import selectors, service_points
from qingyi.volunteering.models import Post, Project, ServicePoint
from qingyi.volunteering.views import error_messages, scan_response
from qingyi.volunteering.views_manage import _project

MANAGE = scoping.VOLUNTEERING_MANAGE
# The screen reloads its live part at least this often (and whenever the code changes), so a
# check-in shows there within seconds.
SCREEN_REFRESH_SECONDS = 15


class ServicePointForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Point name"), max_length=100)
    place = forms.CharField(
        label=gettext_lazy("Place"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Where the desk is, e.g. the outpatient hall's guide desk."),
    )
    post: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Post.objects.none(),
        label=gettext_lazy("Post"),
        required=False,
        empty_label=gettext_lazy("Every post of the project"),
        help_text=gettext_lazy("Scans at the point check in to the shifts of this post only."),
    )

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["post"]).queryset = project.posts.all()
        bootstrap(self)


def _point(request, point_pk: int) -> ServicePoint:
    """A point a manager may manage: outside their scope 404."""
    return scoping.get_object_for_user(
        ServicePoint.objects.select_related("project", "project__organization", "post"),
        request.user,
        view_perm=MANAGE,
        path_field="project__organization__path",
        pk=point_pk,
    )


# --- The coordinator's list and form ----------------------------------------------------------


@login_required
@require_GET
def point_list(request, project_pk: int):
    """A project's service points (the project page loads the list by htmx)."""
    project = _project(request, project_pk)
    context = {"project": project, "points": list(service_points.points_of(project))}
    template = "volunteering/point_list.html#points" if request.htmx else "volunteering/point_list.html"
    return render(request, template, context)


def _form_page(request, form, *, project: Project, title: str):
    return render(
        request,
        "volunteering/form.html",
        {
            "form": form,
            "title": title,
            "subtitle": _("Service point of %(project)s") % {"project": project.name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_create(request, project_pk: int):
    project = _project(request, project_pk)
    form = ServicePointForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            point = service_points.point_create(project=project, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Service point “%(name)s” added.") % {"name": point.name})
            return redirect("volunteering:point_list", project.pk)
    return _form_page(request, form, project=project, title=_("New service point"))


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request, point_pk: int):
    point = _point(request, point_pk)
    form = ServicePointForm(
        request.POST or None,
        project=point.project,
        initial={"name": point.name, "place": point.place, "post": point.post_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            service_points.point_update(point=point, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("volunteering:point_list", point.project_id)
    return _form_page(request, form, project=point.project, title=point.name)


@login_required
@require_POST
def point_archive(request, point_pk: int):
    point = _point(request, point_pk)
    service_points.point_archive(point=point, actor=request.user)
    messages.success(request, _("Service point “%(name)s” closed.") % {"name": point.name})
    return redirect("volunteering:point_list", point.project_id)


@login_required
@require_POST
def point_restore(request, point_pk: int):
    point = _point(request, point_pk)
    try:
        service_points.point_restore(point=point, actor=request.user)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Service point “%(name)s” reopened.") % {"name": point.name})
    return redirect("volunteering:point_list", point.project_id)


# --- The standing screen -----------------------------------------------------------------


@login_required
@require_GET
def point_screen(request, point_pk: int):
    """The screen of a tablet fixed at the desk: the rotating code, today's shifts at the point
    and who is checked in now; its live part reloads itself (htmx) when the code changes."""
    point = _point(request, point_pk)
    seconds_left = checkin.seconds_left()
    screen = service_points.point_screen(point)
    for record in screen.present:
        record.name_shown = service_points.masked_name(record.volunteer.name)  # type: ignore[attr-defined]
    context = {
        "point": point,
        "screen": screen,
        "seconds_left": seconds_left,
        "refresh": min(seconds_left, SCREEN_REFRESH_SECONDS),
    }
    if point.archived_at is None:
        code = checkin.rotating_code(point.subject)
        url = request.build_absolute_uri(reverse("volunteering:point_scan", args=[point.pk])) + f"?c={code}"
        # Sized by the page (a viewBox, no width): the code fills the box on any screen.
        context["qr"] = segno.make(url, error="m").svg_inline(omitsize=True, dark="#111", light="#fff")
    template = "volunteering/point_screen.html#live" if request.htmx else "volunteering/point_screen.html"
    return render(request, template, context)


# --- The volunteer's scan ----------------------------------------------------------------


def _point_to_see(request, point_pk: int) -> ServicePoint:
    """A point the user may open the scan page of: as a volunteer who may see its project, or
    as its manager; otherwise 404."""
    volunteer = selectors.volunteer_of(request.user)
    point = service_points.point_to_scan(volunteer, point_pk) if volunteer is not None else None
    return point if point is not None else _point(request, point_pk)


@login_required
@require_http_methods(["GET", "POST"])
def point_scan(request, point_pk: int):
    """The page a volunteer's phone opens from the point's QR code; the shift scan's script
    (static volunteering/scan.js) posts the scan, or keeps it on the phone while offline."""
    if request.method == "GET":
        point = _point_to_see(request, point_pk)
        return render(
            request, "volunteering/point_scan.html", {"point": point, "code": request.GET.get("c", "")[:64]}
        )
    point = _point_to_see(request, point_pk)
    return scan_response(
        request, lambda **scan: service_points.point_scan(point=point, user=request.user, **scan)
    )
