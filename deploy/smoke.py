"""The smoke journey of deploy/topology.sh, over HTTP through nginx and each app server.

Runs with the app servers' environment (DATABASE_URL, REDIS_URL, SECRET_KEY...), so it can
prepare a shift and read back what the requests did with the ORM. Prints each step and its
time; exits non-zero at the first failure.

    python deploy/smoke.py --proxy http://127.0.0.1:8080 --app http://127.0.0.1:8001 --app ...
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connections  # noqa: E402
from django.utils import timezone  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from qingyi.accounts.models import User  # noqa: E402
from qingyi.core import checkin, dbrouter  # noqa: E402
from qingyi.core.models import Notification  # noqa: E402
from qingyi.demo.hospital import DEMO_PASSWORD  # noqa: E402
from qingyi.ops import queues  # noqa: E402
from qingyi.volunteering import selectors, services  # noqa: E402
from qingyi.volunteering.models import Project, ServiceRecord, Signup  # noqa: E402
from qingyi.volunteering.tasks import send_shift_reminders  # noqa: E402

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
UPSTREAMS: set[str] = set()
STARTED = time.monotonic()


def step(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.2f}s] {text}", flush=True)


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"SMOKE FAILED: {message}")


class Browser:
    """One person's cookies, sent to whichever server is named (the session lives in Redis)."""

    def __init__(self, base: str):
        self.base = base
        self.client = httpx.Client(timeout=30, follow_redirects=False)

    def request(self, method: str, path: str, *, base: str | None = None, **kwargs) -> httpx.Response:
        response = self.client.request(method, (base or self.base) + path, **kwargs)
        if "x-upstream" in response.headers:
            UPSTREAMS.add(response.headers["x-upstream"])
        return response

    def csrf(self, path: str) -> str:
        response = self.request("GET", path)
        check(response.status_code == 200, f"GET {path}: {response.status_code}")
        match = CSRF_RE.search(response.text)
        check(match is not None, f"no CSRF token on {path}")
        return match.group(1)

    def post(self, path: str, data: dict, *, form: str | None = None, **kwargs) -> httpx.Response:
        token = self.csrf(form or path)
        return self.request("POST", path, data={"csrfmiddlewaretoken": token, **data}, **kwargs)

    def login(self, username: str) -> None:
        response = self.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        check(response.status_code == 302, f"login {username}: {response.status_code}")
        check("sessionid" in self.client.cookies, f"login {username}: no session cookie")


def metrics_of(base: str, names) -> str:
    response = httpx.get(base + "/metrics", timeout=10)
    check(response.status_code == 200, f"{base}/metrics: {response.status_code}")
    for name in names:
        check(name in response.text, f"{base}/metrics lacks {name}")
    return response.text


def endpoints(proxy: str, apps: list[str]) -> None:
    for base in [proxy, *apps]:
        response = httpx.get(base + "/health/", timeout=10)
        check(response.status_code == 200 and response.json()["status"] == "ok", f"{base}/health/")
        response = httpx.get(base + "/ready/", timeout=10)
        body = response.json()
        check(response.status_code == 200, f"{base}/ready/: {response.status_code} {body}")
        check(body["queue_backend"] == "redis", f"{base}/ready/ queue backend {body['queue_backend']}")
    step("health and readiness: 200 through nginx and on each app server (database, cache, queue ok)")
    for base in apps:
        metrics_of(base, ("django_http_requests_before_middlewares_total", "qingyi_task_queue_depth"))
        forwarded = httpx.get(base + "/metrics", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=10)
        check(forwarded.status_code == 403, f"{base}/metrics relayed: {forwarded.status_code}")
    check(httpx.get(proxy + "/metrics", timeout=10).status_code == 404, "nginx publishes /metrics")
    step("metrics: on each app server from loopback; 403 when relayed, 404 through nginx")


def journey(proxy: str, apps: list[str]) -> tuple[Browser, ServiceRecord]:
    coordinator = User.objects.get(username="coordinator")
    member_login = User.objects.get(username="member")
    project = Project.objects.filter(archived_at__isnull=True).order_by("pk").first()
    check(project is not None, "the demo has no volunteer project")
    start = timezone.now() + dt.timedelta(minutes=20)
    shift = services.shift_create(
        project=project,
        start=start,
        end=start + dt.timedelta(hours=3),
        capacity=5,
        place="topology smoke",
        actor=coordinator,
    )
    step(f"a shift prepared in {project.name} starting in 20 minutes (pk {shift.pk})")

    member = Browser(proxy)
    member.login("member")
    for base in apps:
        response = member.request("GET", "/volunteering/", base=base)
        check(response.status_code == 200, f"member's session on {base}: {response.status_code}")
    step("member logged in through nginx; the session (Redis) holds on both app servers")

    if selectors.volunteer_of(member_login) is None:
        member.post("/volunteering/join/", {}, form="/volunteering/")
    shift_page = f"/volunteering/shifts/{shift.pk}/"
    response = member.post(f"{shift_page}signup/", {}, form=shift_page)
    check(response.status_code == 302, f"sign-up: {response.status_code}")
    signup = Signup.objects.get(shift=shift)
    check(signup.status == Signup.Status.CONFIRMED, f"sign-up status {signup.status}")
    step("sign-up: confirmed")

    code = checkin.rotating_code(shift.subject)
    response = member.post(
        f"/volunteering/shifts/{shift.pk}/scan/",
        {"code": code, "client_id": uuid.uuid4().hex},
        form=f"/volunteering/shifts/{shift.pk}/scan/?c={code}",
    )
    check(
        response.status_code == 200 and response.json()["ok"],
        f"scan: {response.status_code} {response.text[:200]}",
    )
    record = ServiceRecord.objects.get(shift=shift)
    check(record.checked_in_at is not None, "scan: no check-in stored")
    step(f"scan: {response.json()['result']}")

    manager = Browser(proxy)
    manager.login("coordinator")
    response = manager.post(
        f"/volunteering/shifts/{shift.pk}/verify/",
        {f"hours-{record.pk}": "2.5", f"served-{record.pk}": "3", f"verify-{record.pk}": "on"},
    )
    check(response.status_code == 302, f"verification: {response.status_code}")
    record.refresh_from_db()
    check(record.status == ServiceRecord.Status.VERIFIED, f"verification: record {record.status}")
    step("verification: 2.5 hours verified by the coordinator")

    response = manager.request("GET", "/volunteering/manage/hours/export/")
    check(response.status_code == 200, f"hours export: {response.status_code}")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    name = selectors.volunteer_of(member_login).name
    check(any(name in row for row in rows[1:]), f"hours export: {name} not in its {len(rows)} rows")
    step(f"hours export: an xlsx of {len(rows)} rows, the member's verified hours among them")

    # Background work finished by the worker: the reminders, then their delivery.
    before = Notification.objects.filter(recipient=member_login).count()
    result = send_shift_reminders.enqueue()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        result.refresh()
        if result.is_finished:
            break
        time.sleep(0.3)
    check(result.status == "SUCCESSFUL", f"send_shift_reminders: {result.status}")
    check(
        Notification.objects.filter(recipient=member_login).count() > before,
        "the worker's reminders did not reach the member",
    )
    while time.monotonic() < deadline and sum(queues.queue_depths().values()):
        time.sleep(0.3)
    check(sum(queues.queue_depths().values()) == 0, f"queue not drained: {queues.queue_depths()}")
    step(f"background: send_shift_reminders done by the worker ({result.return_value} sent), queue empty")

    for _ in range(6):
        manager.request("GET", "/volunteering/manage/hours/")
    wanted = {base.removeprefix("http://") for base in apps}
    check(wanted <= UPSTREAMS, f"nginx used {sorted(UPSTREAMS)}, expected both of {sorted(wanted)}")
    step(f"nginx spread the requests over both app servers: {sorted(UPSTREAMS)}")
    return manager, record


def standby_sql(sql: str, params=()):
    with connections[dbrouter.REPLICA].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def wait_until(seconds: float, what: str, condition) -> float:
    """Poll ``condition`` until true; return the seconds it took."""
    started = time.monotonic()
    while not condition():
        check(time.monotonic() - started < seconds, f"timed out after {seconds}s waiting for {what}")
        time.sleep(0.005)
    return time.monotonic() - started


def caught_up() -> bool:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (primary,) = cursor.fetchone()
    return standby_sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [primary])[0]


def export_hours(browser: Browser, volunteer) -> float:
    """The volunteer's hours this year in the hours export as the browser downloads it now."""
    response = browser.request("GET", "/volunteering/manage/hours/export/")
    check(response.status_code == 200, f"hours export: {response.status_code}")
    rows = load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True)
    # (name, kind, organisation, phone (masked), status, hours, services, people served)
    hours = [row[5] for row in rows if row[0] == volunteer.name]
    check(len(hours) == 1, f"hours export: {len(hours)} rows of {volunteer.name}")
    return round(float(hours[0]), 2)


def replica(proxy: str, apps: list[str], manager: Browser, record: ServiceRecord) -> None:
    """The read replica: streaming, reports served from it, writes on the primary, the lag
    fallback (replay paused: stale within the limit, the primary past it), read-after-write."""
    check(standby_sql("SELECT pg_is_in_recovery()")[0], "the replica is not a hot standby")
    for base in [proxy, *apps]:
        body = httpx.get(base + "/ready/", timeout=10).json()["replica"]
        check(body["status"] == "ok" and body["serving_reports"], f"{base}/ready/ replica: {body}")
    step(f"replica in /ready/ on every server: reachable, lag {body['lag_seconds']} s, serving reports")

    # Replication delay: a row written on the primary, polled on the standby every 5 ms.
    delays = []
    for _ in range(5):
        title = f"replication probe {uuid.uuid4().hex}"
        Notification.objects.create(recipient=User.objects.get(username="member"), title=title)
        delays.append(
            wait_until(
                10,
                "the probe on the standby",
                lambda title=title: standby_sql(
                    "SELECT count(*) FROM core_notification WHERE title = %s", [title]
                )[0],
            )
        )
    delays_ms = ", ".join(f"{d * 1000:.0f}" for d in delays)
    step(f"a row written on the primary was on the standby after {delays_ms} ms (5 probes)")

    # Read-after-write: the verification (a write) pinned the manager's browser to the primary.
    check(dbrouter.PIN_COOKIE in manager.client.cookies, "no pin cookie after the verification")
    manager.client.cookies.delete(dbrouter.PIN_COOKIE)  # as when REPLICA_PIN_SECONDS have passed

    volunteer = record.volunteer
    record.refresh_from_db()
    check(record.verified_hours == Decimal("2.5"), f"the member's hours: {record.verified_hours}")
    wait_until(10, "the standby to catch up", caught_up)
    before = export_hours(manager, volunteer)
    after = round(before + 4.75, 2)  # the record's 2.5 h corrected to 7.25 h
    # The lag counts from the last transaction the standby replayed: make that one now.
    Notification.objects.create(recipient=User.objects.get(username="member"), title="replica lag probe")
    wait_until(10, "the standby to catch up", caught_up)
    with connections[dbrouter.REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        paused = time.monotonic()
        ServiceRecord.objects.filter(pk=record.pk).update(verified_hours=Decimal("7.25"))
        seen = export_hours(manager, volunteer)
        stale_after = time.monotonic() - paused
        check(seen == before, f"export while the replica lags {stale_after:.1f} s: {seen} h, not {before} h")
        for path in (
            "/volunteering/figures/",
            "/volunteering/figures/export/",
            "/volunteering/manage/hours/",
        ):
            response = manager.request("GET", path)
            check(response.status_code == 200, f"{path} with the replica paused: {response.status_code}")
        step(
            f"replay paused, 2.5 h corrected to 7.25 h on the primary: the export {stale_after:.2f} s later "
            f"still shows {before} h (from the replica: within {settings.REPLICA_MAX_LAG_SECONDS} s of lag)"
        )
        time.sleep(settings.REPLICA_MAX_LAG_SECONDS + 2 * settings.REPLICA_LAG_CHECK_SECONDS + 0.5)
        seen = export_hours(manager, volunteer)
        check(seen == after, f"export while the replica is past the limit: {seen} h, not {after} h")
        lagging = [httpx.get(base + "/ready/", timeout=10).json()["replica"] for base in apps]
        check(not any(r["serving_reports"] for r in lagging), f"/ready/ while lagging: {lagging}")
        step(
            f"past the limit (lag {min(r['lag_seconds'] for r in lagging):.1f} s): the export shows "
            f"{after} h, from the primary; /ready/ still 200, serving_reports false"
        )
    finally:
        with connections[dbrouter.REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")
    caught = wait_until(
        10,
        "the standby to replay the correction",
        lambda: (
            standby_sql("SELECT verified_hours FROM volunteering_servicerecord WHERE id = %s", [record.pk])[0]
            == Decimal("7.25")
        ),
    )
    time.sleep(2 * settings.REPLICA_LAG_CHECK_SECONDS + 0.1)
    check(export_hours(manager, volunteer) == after, "export after the replica caught up")
    body = httpx.get(apps[0] + "/ready/", timeout=10).json()["replica"]
    check(body["serving_reports"], f"/ready/ after the replica caught up: {body}")
    step(f"replay resumed: the standby had the correction {caught * 1000:.0f} ms later; reports use it again")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--proxy", required=True)
    parser.add_argument("--app", action="append", required=True)
    args = parser.parse_args()
    endpoints(args.proxy, args.app)
    manager, record = journey(args.proxy, args.app)
    if dbrouter.replica_configured():
        replica(args.proxy, args.app, manager, record)
    for base in args.app:
        text = metrics_of(
            base,
            (
                "django_http_requests_total_by_method_total",
                "django_http_requests_latency_seconds_by_view_method_bucket",
                'qingyi_task_queue_depth{backend="redis",queue="default"} 0.0',
            ),
        )
        step(f"metrics of {base}: {len(text.splitlines())} lines, requests, latencies, queue depth 0")
    step("smoke journey passed")


if __name__ == "__main__":
    main()
