"""Error bodies: always ``{"detail": "<translated message>"}``, whatever went wrong.

401 no or bad credentials · 403 in scope but without the permission · 404 outside the
scope, or no such object · 422 a parameter that does not validate (with ``errors``, the
per-field list, beside ``detail``), or a service's refusal (its messages, as the pages show them).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ServiceError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError


def _authentication_error(request: HttpRequest, exc: AuthenticationError, *, api: NinjaAPI) -> HttpResponse:
    # ninja raises AuthenticationError() with its English default when no method succeeded.
    message = (
        exc.message
        if exc.message != "Unauthorized"
        else _("Log in, or send “Authorization: Bearer <token>”.")
    )
    response = api.create_response(request, {"detail": message}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _http_error(request: HttpRequest, exc: HttpError, *, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


def _not_found(request: HttpRequest, exc: Http404, *, api: NinjaAPI) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


def _permission_denied(request: HttpRequest, exc: PermissionDenied, *, api: NinjaAPI) -> HttpResponse:
    message = str(exc) or _("You do not have permission to do this.")
    return api.create_response(request, {"detail": message}, status=403)


def _service_error(request: HttpRequest, exc: ServiceError, *, api: NinjaAPI) -> HttpResponse:
    # A service refused the request (Django's ValidationError): its messages, as on the pages.
    return api.create_response(request, {"detail": " ".join(exc.messages)}, status=422)


def _location(loc) -> str:
    return ".".join(str(part) for part in loc if part not in {"query", "path", "body", "ninja_pagination"})


def _validation_error(request: HttpRequest, exc: ValidationError, *, api: NinjaAPI) -> HttpResponse:
    fields = sorted({_location(error.get("loc", ())) for error in exc.errors} - {""})
    detail = (
        _("These parameters are not valid: %(fields)s.") % {"fields": ", ".join(fields)}
        if fields
        else _("The request is not valid.")
    )
    errors = [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors
    ]
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def install(api: NinjaAPI) -> None:
    """Register the handlers on ``api`` (the most specific exception class wins)."""
    handlers = {
        AuthenticationError: _authentication_error,
        HttpError: _http_error,
        Http404: _not_found,
        PermissionDenied: _permission_denied,
        ValidationError: _validation_error,
        ServiceError: _service_error,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(
            exc_class, lambda request, exc, handler=handler: handler(request, exc, api=api)
        )
