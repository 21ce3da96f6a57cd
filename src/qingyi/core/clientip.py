"""The address a request came from, behind as many reverse proxies as the operator declares.

Rate limits on the public forms and the login throttle (django-axes) count per address. Behind a
reverse proxy every request arrives from the proxy's address, so counting ``REMOTE_ADDR`` would
throttle all patients together. With ``TRUSTED_PROXIES = N`` (the number of proxies in front of
the app, each appending the address it saw to ``X-Forwarded-For``), the client is the N-th address
from the right of that header: entries further left were sent by the client itself and can be
forged, so they are never read. With 0 (the default: no proxy), ``REMOTE_ADDR`` is the client.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address as the outermost trusted proxy saw it (``REMOTE_ADDR`` without one)."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        return remote  # not through the declared proxies: the connection's own address
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
