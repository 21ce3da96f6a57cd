"""Answers the operator's endpoints before anything else looks at the request.

``/health/``, ``/ready/`` and ``/metrics`` are polled by machines on loopback addresses,
over plain HTTP, with whatever Host header they use: answered here, they skip the host check
(ALLOWED_HOSTS), the HTTPS redirect, sessions, CSRF and the rate limits. Their routes are also
in the URL configuration, so they resolve and reverse like any other.
"""

from __future__ import annotations

from qingyi.ops import health, prometheus

ENDPOINTS = {"/health/": health.health, "/ready/": health.ready, "/metrics": prometheus.metrics}


class OpsEndpointsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = ENDPOINTS.get(request.path_info)
        if view is not None and request.method in {"GET", "HEAD"}:
            return view(request)
        return self.get_response(request)
