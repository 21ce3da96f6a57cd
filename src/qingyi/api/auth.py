"""Who is calling: a personal API token (``Authorization: Bearer <token>``) or the browser session.

Tokens are issued and revoked on the profile page (``accounts.views.tokens``); only their digest is
stored. A revoked token, an unknown token or an inactive user is a 401. A request that sends
an ``Authorization`` header is judged by that header alone: a bad token is a 401 even when
the browser also holds a session.

Each token may make ``API_TOKEN_RATE_PER_MINUTE`` requests a minute (setting, default 600;
``core.ratelimit``): past that the API answers 429 with a message until the minute is over.

The session is Django's own, with CSRF checked for unsafe methods (as for the pages).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from qingyi.accounts.models import ApiToken
from qingyi.core.ratelimit import take

# ``last_used_at`` is written at most once in this interval, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_touch(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    """Record that ``token`` was used, unless that was already recorded within the last minute."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    # Conditional, so concurrent requests write once between them.
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now


class TokenAuth(HttpBearer):
    """``Authorization: Bearer qy_…`` — a personal token from the profile page."""

    def __call__(self, request: HttpRequest):
        header = request.headers.get(self.header)
        if not header:
            return None  # no header: let the session try
        scheme, _sep, raw = header.partition(" ")
        if scheme.lower() != self.openapi_scheme or not raw.strip():
            raise AuthenticationError(
                message=_("Use “Authorization: Bearer <token>” with a token from your profile.")
            )
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str):
        found = ApiToken.find_active(token)
        if found is None:
            raise AuthenticationError(message=_("This token is not valid: it may have been revoked."))
        limit = settings.API_TOKEN_RATE_PER_MINUTE
        if not take(f"qingyi:api:token:{found.pk}", limit, 60):
            message = _("Too many requests with this token: at most %(limit)d a minute. Try again shortly.")
            raise HttpError(429, message % {"limit": limit})
        token_touch(found)
        request.user = found.user
        return found.user


class BrowserSessionAuth(SessionAuth):
    """The logged-in browser session; unsafe methods need the CSRF token, as on the pages."""

    def _get_key(self, request: HttpRequest):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        # Checked only once a session is found: a caller without one gets a 401, not a 403.
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, _("CSRF check failed: send the X-CSRFToken header with the session."))
        return user


token_auth = TokenAuth()
session_auth = BrowserSessionAuth()
# Order matters: a request with an Authorization header is judged by its token.
AUTH = [token_auth, session_auth]
