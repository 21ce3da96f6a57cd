"""Prometheus metrics at ``/metrics``: django-prometheus' request counts and latencies, and the
task queue's depth as a gauge collected from the tasks backend at scrape time.

Restricted: a scrape is answered when it carries ``Authorization: Bearer <METRICS_TOKEN>``
(when that setting is set), or when it comes straight from the loopback interface with no
``X-Forwarded-For`` (a scraper on the same machine, not a visitor relayed by the proxy) and
``METRICS_ALLOW_LOOPBACK`` is on (the default). Anything else gets 403.

Several gunicorn workers: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder per app server
(prometheus_client's multiprocess mode) so a scrape sums every worker.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os

import prometheus_client
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import multiprocess
from prometheus_client.core import GaugeMetricFamily

from qingyi.ops import queues

logger = logging.getLogger(__name__)


class QueueDepthCollector:
    """``qingyi_task_queue_depth{backend, queue}``: tasks waiting to run, read at scrape time;
    ``qingyi_task_queue_up``: 1 when the queue could be read."""

    def collect(self):
        depth = GaugeMetricFamily(
            "qingyi_task_queue_depth", "Tasks waiting to run, per queue", labels=["backend", "queue"]
        )
        up = GaugeMetricFamily("qingyi_task_queue_up", "1 when the task queue could be read")
        kind = queues.backend_kind()
        try:
            depths = queues.queue_depths()
        except Exception as exc:
            logger.warning("Task queue depth unavailable: %s", exc)
            up.add_metric([], 0)
        else:
            up.add_metric([], 1)
            for name, count in sorted(depths.items()):
                depth.add_metric([kind, name], count)
        yield depth
        yield up


def allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "") or ""
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if not getattr(settings, "METRICS_ALLOW_LOOPBACK", True) or "X-Forwarded-For" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        page = prometheus_client.generate_latest(registry)
    else:
        page = prometheus_client.generate_latest(prometheus_client.REGISTRY)
    own = prometheus_client.CollectorRegistry(auto_describe=False)
    own.register(QueueDepthCollector())
    page += prometheus_client.generate_latest(own)
    return HttpResponse(page, content_type=prometheus_client.CONTENT_TYPE_LATEST)
