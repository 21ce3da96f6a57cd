"""My notifications: the list behind the bell, mark one read (and open its link), mark all read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from qingyi.core import notifications
from qingyi.core.models import Notification

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    qs = notifications.notifications_for(request.user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/notification_list.html", {"page": page, "unread_only": unread_only})


def _safe_link(request, link: str) -> str | None:
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return link
    return None


@login_required
@require_POST
def notification_read(request, notification_pk: int):
    """Mark one of my notifications read; with ``open``, go on to its link."""
    try:
        notification = notifications.notifications_for(request.user).get(pk=notification_pk)
    except Notification.DoesNotExist:
        raise Http404 from None  # someone else's notification does not exist for me
    notifications.notification_mark_read(notification=notification, actor=request.user)
    if request.POST.get("open") and (link := _safe_link(request, notification.link)):
        return redirect(link)
    if request.htmx:
        return render(request, "core/notification_list.html#item", {"n": notification})
    return redirect("core:notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = notifications.notifications_mark_all_read(actor=request.user)
    if count:
        messages.success(request, _("All notifications marked read."))
    return redirect("core:notification_list")
