"""The morning rush through the production topology (locust as a library, headless), with an
optional fault in the middle: an app server killed, or PostgreSQL restarted.

Runs inside deploy/topology.sh, which brings up PostgreSQL, Redis, two gunicorn app servers,
nginx and the worker, gives this script their environment and tears everything down after:

    PY=.venv/bin/python PG_SCRATCH=1 bash deploy/topology.sh --keep-running \\
        .venv/bin/python bench/rush.py --users 20 --duration 60 [--fault app|pg]

The crowd (fixed counts, bounded by --duration): volunteers arriving for their shifts (each
iteration a new volunteer: the shift page, a sign-up, the scan page, a check-in by scan) and
browsing (the volunteering home, the open-shift list); two coordinators watching the dashboard
and the live check-in board; one client measuring the floor, ``/health/``, answered by the app
server before any middleware, through the same nginx and gunicorn at the same time.

Sessions are made beforehand in the session store (as ``Client.force_login`` does): the rush
measures the pages, not the password hasher. Every request goes to 127.0.0.1 (nginx).

Printed: requests, errors, p50/p95/p99 of the rush and of each page, the floor's p50/p99 and
the ratios; the writes acknowledged to the client (sign-up 302, scan 200 ``ok``) against the
rows found in the database after the run; with a fault, when it happened and the recovery time
(from the fault to the last failed request). Exit status: non-zero if an acknowledged write is
missing, or, without a fault, on any error or a p99 over --p99-bound.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from importlib import import_module
from pathlib import Path

import gevent

# locust patches the standard library (gevent) on import: first, before Django and psycopg.
import locust
from locust import HttpUser, between, events, task
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.fault_worker import kill_tree  # noqa: E402
from bench.timing import pct  # noqa: E402
from qingyi.accounts.models import Role, RoleAssignment, User  # noqa: E402
from qingyi.core import checkin  # noqa: E402
from qingyi.organizations.models import Organization  # noqa: E402
from qingyi.volunteering import services  # noqa: E402
from qingyi.volunteering.models import Project, ServiceRecord, Shift, Signup, Volunteer  # noqa: E402

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FLOOR = "floor /health/"
SESSION_BACKEND = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"

# What the run saw: every request (end time, name, milliseconds, ok), the acknowledged writes.
SAMPLES: list[tuple[float, str, float, bool]] = []
ACKED_SIGNUPS: set[tuple[int, int]] = set()  # (volunteer pk, shift pk)
ACKED_SCANS: set[tuple[int, int]] = set()
UNACKED_SIGNUPS: set[tuple[int, int]] = set()  # sent, answered with an error or nothing
UNACKED_SCANS: set[tuple[int, int]] = set()
SENT_SIGNUPS: set[tuple[int, int]] = set()  # every sign-up sent, answered or not
ERRORS: dict[str, int] = defaultdict(int)
ARRIVALS: list[tuple[str, int, int, str]] = []  # (session key, volunteer pk, shift pk, subject)
COORDINATOR_SESSIONS: list[str] = []
RUSH_SHIFTS: list[Shift] = []


@events.request.add_listener
def _on_request(request_type, name, response_time, response_length, exception=None, **kwargs):
    SAMPLES.append((time.monotonic(), name, response_time, exception is None))
    if exception is not None:
        ERRORS[f"{request_type} {name}: {str(exception)[:80]}"] += 1


def session_for(user: User) -> str:
    """A logged-in session of ``user`` in the session store (Redis), as login() would make."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = SESSION_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare(*, volunteers: int, shifts: int, background_shifts: int) -> None:
    """The demo hospital plus the rush: ``shifts`` shifts starting in 15 minutes with room for
    everyone, ``background_shifts`` over the next 30 days for the open-shift list, and
    ``volunteers`` fresh volunteers with a session each, every one bound for one rush shift."""
    started = time.perf_counter()
    run = uuid.uuid4().hex[:6]
    root = Organization.objects.order_by("path").first()
    branches = list(Organization.objects.filter(path__startswith=root.path, kind="branch")) or [root]
    coordinator = User.objects.get(username="coordinator")
    project = Project.objects.create(organization=root, name=f"早高峰导诊 {run}", kind="other")
    start = timezone.now() + dt.timedelta(minutes=15)
    for i in range(shifts):
        RUSH_SHIFTS.append(
            services.shift_create(
                project=project,
                start=start,
                end=start + dt.timedelta(hours=3),
                capacity=volunteers,
                place=f"门诊大厅 {i + 1}",
                actor=coordinator,
            )
        )
    later = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    Shift.objects.bulk_create(
        [
            Shift(
                project=project,
                start=later + dt.timedelta(hours=3 * i),
                end=later + dt.timedelta(hours=3 * i + 3),
                capacity=12,
                place="门诊大厅",
            )
            for i in range(background_shifts)
        ]
    )
    users = User.objects.bulk_create(
        [User(username=f"rush-{run}-{i:05d}", password=f"!{uuid.uuid4().hex}") for i in range(volunteers)]
    )
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=Role.MEMBER, organization=branches[i % len(branches)])
            for i, u in enumerate(users)
        ]
    )
    people = Volunteer.objects.bulk_create(
        [
            Volunteer(
                kind="staff",
                organization=branches[i % len(branches)],
                name=f"早高峰{i:05d}",
                phone=f"137{i:08d}",
                user=u,
            )
            for i, u in enumerate(users)
        ]
    )
    for i, (user, volunteer) in enumerate(zip(users, people, strict=True)):
        shift = RUSH_SHIFTS[i % shifts]
        ARRIVALS.append((session_for(user), volunteer.pk, shift.pk, shift.subject))
    COORDINATOR_SESSIONS.extend(session_for(coordinator) for _ in range(2))
    print(
        f"prepared in {time.perf_counter() - started:.1f} s: {volunteers} volunteers with sessions, "
        f"{shifts} rush shifts starting at {timezone.localtime(start):%H:%M}, "
        f"{background_shifts} later shifts",
        flush=True,
    )


class Crowd(HttpUser):
    abstract = True

    def use_session(self, key: str) -> None:
        self.client.cookies.clear()
        self.client.cookies.set(settings.SESSION_COOKIE_NAME, key)

    def token(self, path: str, name: str) -> str | None:
        with self.client.get(path, name=name, catch_response=True) as response:
            match = CSRF_RE.search(response.text or "")
            if response.status_code == 200 and match is None:
                response.failure("no CSRF token")
            return match.group(1) if match else None


class ArrivingVolunteer(Crowd):
    """A volunteer's phone: browse, or (twice as often) arrive, sign up and check in by scan."""

    wait_time = between(0.5, 1.5)
    weight = 10

    @task(1)
    def browse(self) -> None:
        if not self.client.cookies.get(settings.SESSION_COOKIE_NAME) and ARRIVALS:
            self.use_session(ARRIVALS[-1][0])
        self.client.get("/volunteering/", name="volunteering home")
        self.client.get("/volunteering/shifts/", name="open shifts")

    @task(2)
    def arrive(self) -> None:
        if not ARRIVALS:
            return self.browse()
        session, volunteer, shift, subject = ARRIVALS.pop()
        self.use_session(session)
        page = f"/volunteering/shifts/{shift}/"
        token = self.token(page, "shift page")
        if token is None:
            return None
        key = (volunteer, shift)
        SENT_SIGNUPS.add(key)
        with self.client.post(
            f"{page}signup/",
            data={"csrfmiddlewaretoken": token},
            name="sign-up",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                ACKED_SIGNUPS.add(key)
            else:
                UNACKED_SIGNUPS.add(key)
                response.failure(f"sign-up answered {response.status_code}")
                return None
        code = checkin.rotating_code(subject)
        token = self.token(f"{page}scan/?c={code}", "scan page")
        if token is None:
            return None
        with self.client.post(
            f"{page}scan/",
            data={"csrfmiddlewaretoken": token, "code": code, "client_id": uuid.uuid4().hex},
            name="scan",
            catch_response=True,
        ) as response:
            try:
                ok = response.status_code == 200 and response.json()["ok"]
            except ValueError:
                ok = False
            if ok:
                ACKED_SCANS.add(key)
            else:
                UNACKED_SCANS.add(key)
                response.failure(f"scan answered {response.status_code}")
        return None


class Coordinator(Crowd):
    """The dashboard and the live check-in board of a rush shift, watched during the rush."""

    wait_time = between(1, 3)
    fixed_count = 2

    def on_start(self) -> None:
        self.use_session(COORDINATOR_SESSIONS.pop())

    @task
    def watch(self) -> None:
        self.client.get("/", name="dashboard")
        self.client.get(f"/volunteering/shifts/{RUSH_SHIFTS[0].pk}/check-in/", name="check-in board")


class Floor(HttpUser):
    """The floor: the cheapest answer through the same nginx and gunicorn, all along the run."""

    wait_time = between(0.2, 0.4)
    fixed_count = 1

    @task
    def health(self) -> None:
        self.client.get("/health/", name=FLOOR)


def fault(kind: str) -> str:
    if kind == "app":
        victims = kill_tree(int(os.environ["APP1_PID"]))
        return f"app server 1 ({os.environ['APP1_URL']}) killed: SIGKILL to {victims}"
    if kind == "pg":
        if not os.environ.get("PG_CTL_DATA"):
            raise SystemExit("--fault pg needs the private cluster: PG_SCRATCH=1 bash deploy/topology.sh ...")
        began = time.monotonic()
        pg_ctl = [f"{os.environ['PG_BIN']}/pg_ctl", "-D", os.environ["PG_CTL_DATA"]]
        restart = ["-m", "fast", "-w", "-t", "60", "restart"]
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *pg_ctl, *restart], check=True, stdout=subprocess.DEVNULL
        )
        return f"PostgreSQL restarted (pg_ctl restart -m fast, {time.monotonic() - began:.1f} s)"
    raise ValueError(kind)


def figures(name: str, times: list[float]) -> str:
    if not times:
        return f"{name:<22} no requests"
    return (
        f"{name:<22} {len(times):6d} req  p50 {pct(times, 50):7.1f}  p95 {pct(times, 95):7.1f}  "
        f"p99 {pct(times, 99):7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--users", type=int, default=20, help="clients at once (2 coordinators and 1 floor among them)"
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--volunteers", type=int, default=1500)
    parser.add_argument("--shifts", type=int, default=20)
    parser.add_argument("--background-shifts", type=int, default=300)
    parser.add_argument(
        "--warmup", type=float, default=15, help="seconds of load first, not measured (cold app servers)"
    )
    parser.add_argument("--fault", choices=["none", "app", "pg"], default="none")
    parser.add_argument("--fault-at", type=float, default=0.4, help="fraction of the duration")
    parser.add_argument("--p99-bound", type=float, default=5000, help="ms, the rush's p99 must stay under it")
    parser.add_argument(
        "--floor-ratio", type=float, default=3, help="the rush's p99 must stay under this many floor p99s"
    )
    args = parser.parse_args()

    host = os.environ["NGINX_URL"]
    prepare(volunteers=args.volunteers, shifts=args.shifts, background_shifts=args.background_shifts)
    connection.close()
    load_before = os.getloadavg()

    env = Environment(user_classes=[ArrivingVolunteer, Coordinator, Floor], events=events, host=host)
    runner = env.create_local_runner()
    runner.start(args.users, spawn_rate=args.users)
    began = time.monotonic()
    fault_info: dict[str, object] = {}

    def inject() -> None:
        fault_info["at"] = time.monotonic()
        fault_info["what"] = fault(args.fault)
        fault_info["done"] = time.monotonic()
        print(f"[{fault_info['at'] - began:5.1f} s] {fault_info['what']}", flush=True)

    if args.warmup:
        gevent.sleep(args.warmup)
        print(f"warm-up: {len(SAMPLES)} requests in {args.warmup:.0f} s, not measured", flush=True)
        del SAMPLES[:]
        ERRORS.clear()
        load_before = os.getloadavg()
    began = time.monotonic()
    if args.fault != "none":
        gevent.spawn_later(args.duration * args.fault_at, inject)
    gevent.spawn_later(args.duration, runner.quit)
    runner.greenlet.join()
    ended = time.monotonic()
    load_after = os.getloadavg()

    # --- Figures -------------------------------------------------------------------------
    rush = [ms for _, name, ms, _ in SAMPLES if name != FLOOR]
    floor = [ms for _, name, ms, _ in SAMPLES if name == FLOOR]
    failed = [(t, name) for t, name, _, ok in SAMPLES if not ok]
    print(
        f"\nrush: {args.users} clients for {ended - began:.0f} s through {host} "
        f"(locust {locust.__version__}); load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({os.cpu_count()} cores, shared)"
    )
    print(f"requests {len(SAMPLES)} ({len(SAMPLES) / (ended - began):.1f}/s), errors {len(failed)}")
    for name in sorted({name for _, name, _, _ in SAMPLES}):
        print("  " + figures(name, [ms for _, n, ms, _ in SAMPLES if n == name]))
    print("  " + figures("ALL RUSH (no floor)", rush))
    if rush and floor:
        print(
            f"floor /health/ p50 {pct(floor, 50):.1f} ms p99 {pct(floor, 99):.1f} ms; rush/floor: "
            f"p50 {pct(rush, 50) / pct(floor, 50):.1f}x, p99 {pct(rush, 99) / pct(floor, 99):.1f}x"
        )
    for what, count in sorted(ERRORS.items(), key=lambda item: -item[1])[:10]:
        print(f"  error x{count}: {what}")

    # --- Acknowledged writes against the rows ----------------------------------------------
    connection.close()
    shift_ids = [s.pk for s in RUSH_SHIFTS]
    signups = set(Signup.objects.filter(shift_id__in=shift_ids).values_list("volunteer_id", "shift_id"))
    checked_in = set(
        ServiceRecord.objects.filter(shift_id__in=shift_ids, checked_in_at__isnull=False).values_list(
            "volunteer_id", "shift_id"
        )
    )
    lost_signups = ACKED_SIGNUPS - signups
    lost_scans = ACKED_SCANS - checked_in
    print(
        f"sign-ups: {len(ACKED_SIGNUPS)} acknowledged, "
        f"{len(ACKED_SIGNUPS & signups)} of them in the database, "
        f"{len(lost_signups)} lost; {len(UNACKED_SIGNUPS)} unacknowledged "
        f"({len(UNACKED_SIGNUPS & signups)} of them written anyway); {len(signups)} rows in all"
    )
    print(
        f"check-ins: {len(ACKED_SCANS)} acknowledged, "
        f"{len(ACKED_SCANS & checked_in)} of them in the database, "
        f"{len(lost_scans)} lost; {len(UNACKED_SCANS)} unacknowledged "
        f"({len(UNACKED_SCANS & checked_in)} of them written anyway); {len(checked_in)} rows in all"
    )
    in_flight = signups - ACKED_SIGNUPS - UNACKED_SIGNUPS
    if in_flight:
        print(f"{len(in_flight & SENT_SIGNUPS)} sign-up rows of requests in flight when the run stopped")
    if signups - SENT_SIGNUPS:
        print(f"WARNING: {len(signups - SENT_SIGNUPS)} sign-up rows nobody sent")

    status = 0
    if lost_signups or lost_scans:
        print("FAILED: acknowledged writes lost")
        status = 1
    if args.fault != "none" and "at" in fault_info:
        at = float(fault_info["at"])  # type: ignore[arg-type]
        done = float(fault_info["done"])  # type: ignore[arg-type]
        after = [t for t, _ in failed if t >= at - 1]
        before = len(failed) - len(after)
        last = max(after) - at if after else 0.0
        print(
            f"fault at {at - began:.1f} s: {len(after)} failed requests after it ({before} before); "
            f"recovery: the last failure {last:.1f} s after the fault"
            + (
                f", the fault itself took {float(fault_info['done']) - at:.1f} s"
                if args.fault == "pg"
                else ""
            )  # type: ignore[arg-type]
            + f"; {sum(1 for t, _ in failed if t > done + 0.5)} failures after it was over"
        )
        for t, name in failed[:12]:
            print(f"  failed at {t - began:5.1f} s: {name}")
    elif args.fault == "none":
        if failed:
            print("FAILED: errors under load")
            status = 1
        if rush and pct(rush, 99) > args.p99_bound:
            print(f"FAILED: p99 {pct(rush, 99):.0f} ms over the bound {args.p99_bound:.0f} ms")
            status = 1
        elif rush and floor and pct(rush, 99) > args.floor_ratio * pct(floor, 99):
            print(f"FAILED: p99 over {args.floor_ratio:g} x the floor's p99")
            status = 1
        elif rush:
            print(
                f"p99 {pct(rush, 99):.0f} ms under the bound {args.p99_bound:.0f} ms "
                f"and under {args.floor_ratio:g} x the floor's p99"
            )
    return status


if __name__ == "__main__":
    sys.exit(main())
