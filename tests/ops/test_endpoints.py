"""Liveness, readiness and Prometheus metrics (qingyi.ops): anonymous, cheap, answered before
the host check and the HTTPS redirect; readiness names what failed; metrics restricted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings
from django.urls import reverse

from qingyi.ops import health

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, the connection is refused


def test_routes_reverse():
    assert (reverse("ops:health"), reverse("ops:ready"), reverse("ops:metrics")) == (
        "/health/",
        "/ready/",
        "/metrics",
    )


@pytest.mark.django_db
def test_health_is_anonymous_cheap_and_skips_host_check_and_https_redirect(
    client, settings, django_assert_num_queries
):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["qingyi.example.org"]
    with django_assert_num_queries(0):
        response = client.get("/health/", headers={"host": "127.0.0.1:8001"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]
    # The same settings send any other page to HTTPS or refuse the host.
    assert client.get("/accounts/login/", headers={"host": "127.0.0.1:8001"}).status_code == 400


@pytest.mark.django_db
def test_health_is_not_rate_limited(client):
    assert {client.get("/health/").status_code for _ in range(60)} == {200}
    assert {client.get("/ready/").status_code for _ in range(30)} == {200}


@pytest.mark.django_db
def test_ready_reports_each_check(client):
    response = client.get("/ready/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"] == {"database": "ok", "cache": "ok", "queue": "ok"}


@pytest.mark.django_db
def test_ready_is_503_naming_the_cache_when_redis_is_unreachable(client):
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=caches):
        response = client.get("/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failed"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert "ConnectionError" in body["checks"]["cache"]


@pytest.mark.django_db
def test_ready_is_503_naming_the_queue_when_the_redis_queue_is_unreachable(client):
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}},
        RQ_QUEUES={"default": {"URL": UNREACHABLE_REDIS}},
    ):
        response = client.get("/ready/")
        assert response.json()["queue_backend"] == "redis"
    assert response.status_code == 503
    assert response.json()["failed"] == ["queue"]


@pytest.mark.django_db
def test_ready_is_503_naming_the_database_when_it_fails(client, monkeypatch):
    def broken():
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/ready/")
    assert response.status_code == 503
    assert response.json()["failed"] == ["database"]
    assert response.json()["checks"]["database"] == "OperationalError: connection refused"


@pytest.mark.django_db
def test_metrics_counts_requests_and_the_database_queue_depth(client):
    from qingyi.volunteering.tasks import send_shift_reminders

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        client.get("/accounts/login/")
        send_shift_reminders.enqueue()
        send_shift_reminders.enqueue()
        response = client.get("/metrics")
        assert client.get("/ready/").json()["queue_backend"] == "database"
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'qingyi_task_queue_depth{backend="database",queue="default"} 2.0' in text
    assert "qingyi_task_queue_up 1.0" in text
    assert "django_http_requests_total_by_method_total" in text
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text


@pytest.mark.django_db
def test_metrics_are_refused_when_relayed_or_remote(client, settings):
    assert client.get("/metrics").status_code == 200  # straight from loopback
    assert client.get("/metrics", headers={"x-forwarded-for": "203.0.113.9"}).status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_ALLOW_LOOPBACK = False
    assert client.get("/metrics").status_code == 403


@pytest.mark.django_db
def test_metrics_answer_the_token_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    settings.METRICS_ALLOW_LOOPBACK = False
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert (
        client.get("/metrics", headers={"authorization": "Bearer s3cret-token"}, **remote).status_code == 200
    )
    assert client.get("/metrics", headers={"authorization": "Bearer wrong"}, **remote).status_code == 403
    assert client.get("/metrics", **remote).status_code == 403


def _settings_with(env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup();"
        "print(json.dumps([settings.SESSION_ENGINE, settings.TASKS['default']['BACKEND'],"
        " settings.CACHES['default']['BACKEND'], getattr(settings, 'RQ_QUEUES', {})]))"
    )
    base = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TASKS_BACKEND", "DATABASE_URL"}}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **base,
            "DJANGO_SETTINGS_MODULE": "qingyi.settings",
            "PYTHONPATH": str(ROOT / "src"),
            "DEBUG": "true",
            "QINGYI_TESTING": "false",
            **env,
        },
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_redis_url_moves_sessions_and_the_task_queue_to_redis():
    session, tasks, cache, queues = _settings_with({"REDIS_URL": "redis://127.0.0.1:6379/3"})
    assert session == "django.contrib.sessions.backends.cache"
    assert tasks == "django_tasks_rq.RQBackend"
    assert cache == "django.core.cache.backends.redis.RedisCache"
    assert queues["default"]["URL"] == "redis://127.0.0.1:6379/3"
    # Without it: the embedded defaults, the database queue and its worker.
    session, tasks, cache, queues = _settings_with({})
    assert session == "django.contrib.sessions.backends.db"
    assert tasks == "django_tasks_db.DatabaseBackend"
    assert cache == "django.core.cache.backends.locmem.LocMemCache"
    assert queues == {}
