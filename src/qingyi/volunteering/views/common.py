"""What the volunteering pages share: the page size, the objects a request may reach (a shift, a
project, a volunteer; outside the user's scope 404, without the right 403), the coordinator's
check and organisations, and the answer to a phone's scan."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from qingyi.core import checkin
from qingyi.organizations import scoping
from qingyi.organizations.selectors import organizations_for
from qingyi.volunteering import selectors
from qingyi.volunteering.models import Project, Shift, Volunteer

MANAGE = scoping.VOLUNTEERING_MANAGE
PAGE_SIZE = 50


def error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def shift_for(request, shift_pk: int, *, manage: bool = False) -> Shift:
    """A shift the user may see: as a manager of its organisation, or as a volunteer who may
    join it. Outside both: 404. ``manage`` and not a manager of it: 403 (if visible) or 404."""
    user = request.user
    shift = selectors.shifts_for(user).filter(pk=shift_pk).first()
    if shift is not None:
        return shift
    volunteer = selectors.volunteer_of(user)
    if volunteer is not None:
        shift = selectors.shifts_visible_to(volunteer).filter(pk=shift_pk).first()
        if shift is not None:
            if manage:
                raise PermissionDenied
            return shift
    raise Http404


def scan_response(request, scan) -> JsonResponse:
    """The answer to a phone's scan (static volunteering/scan.js) of a shift's or a point's code:
    ``scan(code=, client_id=, scanned_at=)`` with what the phone posted (an offline scan's own
    time, aware, or None)."""
    scanned_at = parse_datetime(request.POST.get("scanned_at", "") or "")
    if scanned_at is not None and timezone.is_naive(scanned_at):
        scanned_at = None
    try:
        outcome = scan(
            code=request.POST.get("code", ""),
            client_id=request.POST.get("client_id", ""),
            scanned_at=scanned_at,
        )
    except checkin.ScanRefused as exc:
        return JsonResponse({"ok": False, "message": str(exc)}, status=400)
    return JsonResponse(
        {"ok": True, "result": outcome.result, "message": outcome.message, "replayed": outcome.replayed}
    )


def require_manager(request) -> None:
    scoping.require_perm(request.user, MANAGE)


def project_for(request, project_pk: int) -> Project:
    return scoping.get_object_for_user(
        Project.objects.select_related("organization"),
        request.user,
        view_perm=MANAGE,
        path_field="organization__path",
        pk=project_pk,
    )


def volunteer_for(request, volunteer_pk: int) -> Volunteer:
    return scoping.get_object_for_user(
        Volunteer.objects.select_related("organization", "person"),
        request.user,
        view_perm=MANAGE,
        path_field="organization__path",
        pk=volunteer_pk,
    )


def manageable_orgs(request):
    return organizations_for(request.user, MANAGE).filter(archived_at__isnull=True)


def volunteers_for_shift(request, shift: Shift):
    """Active volunteers a coordinator may pick for a shift: their own scope."""
    return (
        selectors.volunteers_for(request.user).filter(status=Volunteer.Status.ACTIVE).order_by("name", "pk")
    )
