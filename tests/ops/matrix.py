"""The operator's endpoints for the permission matrix (tests/test_permission_matrix.py).

``/health/`` and ``/ready/`` are anonymous by design (a load balancer polls them). ``/metrics``
answers anonymous requests too, but only from loopback with no X-Forwarded-For, or with the
METRICS_TOKEN (tests/ops/test_endpoints.py proves the refusals): the matrix's test client
connects from 127.0.0.1, so it is declared here.
"""

from __future__ import annotations

PUBLIC_ROUTES = ("health/", "ready/", "metrics")


def objects_of_b(personas) -> dict:
    return {}
