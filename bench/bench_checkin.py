"""Check-in under load: 32 phones scanning a shift's QR code through gunicorn, beside the floor.

    .venv/bin/python bench/bench_checkin.py                  # SQLite, then PostgreSQL
    .venv/bin/python bench/bench_checkin.py --db sqlite --volunteers 320
    .venv/bin/python bench/bench_checkin.py --against /tmp/old   # this code against another

For each database it builds a throwaway one — a SQLite file in a temporary folder, or a fresh
PostgreSQL database ``qingyi_bench_<pid>`` on postgres://postgres@127.0.0.1:5432, dropped at
the end — with N volunteers (each with a login) signed up to a shift running now, half of them
already checked in. It starts gunicorn on 127.0.0.1 (2 workers, gthread, 4 threads each) with
the project's production settings (DEBUG off, a throwaway SECRET_KEY; see
bench/bench_checkin_settings.py for the three benchmark-only changes), and 32 client threads
(stdlib http.client, one keep-alive connection each) that:

1. log every volunteer in once through the login form (session cookie; not measured);
2. in 4 rounds, alternately: the FLOOR — ``POST /bench/floor/``, a bare view doing one INSERT
   into a one-index table behind the same middleware (bench/bench_checkin_urls.py) — and the
   CHECK-IN — ``POST /volunteering/shifts/<id>/scan/`` exactly as the phone's scan.js sends it
   (code = the current ``core.checkin.rotating_code``, a fresh client id, the scan time,
   X-CSRFToken): a check-in for those not yet in, a check-out for the others;
3. replay 10 % of the scans (same client ids): each must answer "replayed", nothing new written;
4. sign-up contention: 200 volunteers sign up at the same moment for a shift with 20 places.

Afterwards the database is checked: every scan recorded exactly once (one Scan per client id,
one ServiceRecord per volunteer, checked in or out as asked), every floor write present. The
SQL queries of one check-in, one check-out and one floor request are counted in-process
(Django test client, CaptureQueriesContext; ``--show-queries`` prints them).

Beside the gunicorn figures: the CPU time of one floor request, check-in and check-out made one
at a time in-process (no server, no contention: what the code costs), and on PostgreSQL the
sessions waiting on a lock during each phase, sampled from pg_stat_activity / pg_locks (what
the contention costs). ``--profile`` instead runs the scans in-process under cProfile.

``--against DIR`` compares two versions of the code in one run: DIR is another checkout of the
project (``git archive <commit> | tar -x -C DIR``; the same models and migrations). A second
gunicorn serves DIR's code (DIR/src; the benchmark's own files from here) over the same
database, and each round sends half of its floor writes then half of its check-ins to this
code's server, the other halves to DIR's (in turn first and second), so that both codes meet the
same load in phases of the same size; the table shows both rows against the floor ("check-in B"
is DIR's code). Use twice the volunteers (e.g. 1280) for phases as large as without it. Swap the
two (run from DIR ``--against`` this one) and take the geometric mean of the two ratios: it
cancels what favours either seat.

Errors are any unexpected status or answer, "database is locked" anywhere, and tracebacks in
gunicorn's log. The client threads share the machine's cores with gunicorn (and, here, with
other users: the load average is printed), which costs both rows alike. Figures only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PASSWORD = "bench-checkin-password"
CLIENTS = 32
WORKERS = 2
THREADS = 4
ROUNDS = 4
WARMUP = 16  # volunteers whose scans only warm the workers up (not measured)
SERIAL = 40  # volunteers whose scans are timed in-process, one at a time (the CPU cost)
CONTENTION = (200, 20)  # sign-ups, places


# --- HTTP clients ------------------------------------------------------------------------


class Session:
    """One volunteer's phone: its cookies (session, CSRF)."""

    def __init__(self, username: str):
        self.username = username
        # A CSRF cookie of the client's own choosing is valid (double submit); Django rotates it
        # at login and the new one is taken from Set-Cookie.
        self.cookies = {"csrftoken": secrets.token_hex(16)}

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def absorb(self, response: http.client.HTTPResponse) -> None:
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel.value:
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)


class Connection:
    """A keep-alive connection to the local gunicorn; reconnects when the server closed it."""

    def __init__(self, port: int):
        self.port = port
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def post(self, path: str, session: Session, fields: dict) -> tuple[int, dict, bytes, float]:
        body = urlencode(fields)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": session.cookie_header(),
            "X-CSRFToken": session.cookies.get("csrftoken", ""),
        }
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            started = time.perf_counter()
            try:
                self.conn.request("POST", path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
                self.reconnects += 1
                continue
            elapsed = time.perf_counter() - started
            session.absorb(response)
            if response.will_close:
                self.close()
            return response.status, dict(response.headers), data, elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Outcome:
    kind: str
    seconds: float
    error: str = ""
    payload: dict = field(default_factory=dict)


@dataclass
class Phase:
    kind: str
    outcomes: list[Outcome]
    wall: float
    reconnects: int

    @property
    def errors(self) -> list[str]:
        return [o.error for o in self.outcomes if o.error]

    @property
    def throughput(self) -> float:
        return len(self.outcomes) / self.wall if self.wall else 0.0

    def percentile(self, q: float) -> float:
        times = sorted(o.seconds for o in self.outcomes)
        if not times:
            return 0.0
        return times[min(len(times) - 1, round(q * (len(times) - 1)))] * 1000


def run_phase(port: int, kind: str, work: list[list], deadline: float, request) -> Phase:
    """Run ``request(connection, item)`` over each client's list of items, all clients at once."""
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(work) + 1)
    conns = [Connection(port) for _ in work]

    def client(i: int) -> None:
        mine = []
        barrier.wait()
        for item in work[i]:
            if time.monotonic() > deadline:
                mine.append(Outcome(kind, 0.0, "not sent: time limit reached"))
                continue
            try:
                mine.append(request(conns[i], item))
            except Exception as exc:  # a failed request is an error of the run, not of the script
                mine.append(Outcome(kind, 0.0, f"{type(exc).__name__}: {exc}"))
        conns[i].close()
        with lock:
            outcomes.extend(mine)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(work))]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return Phase(kind, outcomes, wall, sum(c.reconnects for c in conns))


def spread(items: list, clients: int = CLIENTS) -> list[list]:
    return [items[i::clients] for i in range(clients)]


# --- the run on one database (a child process: Django is configured once per process) ----------


def build(volunteers: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from qingyi.accounts.models import User
    from qingyi.organizations.services import organization_create_root
    from qingyi.volunteering.models import Post, Project, ServiceRecord, Shift, Signup, Volunteer
    from qingyi.volunteering.services.hours import served_on

    call_command("migrate", verbosity=0)
    root = organization_create_root(name="基准医院团委", founded_on=dt.date(2015, 1, 1))
    project = Project.objects.create(organization=root, name="门诊导诊", kind="other")
    post = Post.objects.create(project=project, name="导诊台")
    now = timezone.now()
    # + the warm-up volunteers, those timed one at a time in-process, two for counting queries
    total = volunteers + WARMUP + SERIAL + 2
    shift = Shift.objects.create(
        project=project,
        post=post,
        start=now - dt.timedelta(minutes=30),
        end=now + dt.timedelta(hours=3),
        capacity=total,
        place="门诊大厅",
    )
    tomorrow = now + dt.timedelta(days=1)
    contended = Shift.objects.create(
        project=project,
        post=post,
        start=tomorrow,
        end=tomorrow + dt.timedelta(hours=2),
        capacity=CONTENTION[1],
        place="门诊大厅",
    )
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(
        [User(username=f"bench-v{i:05d}", password=password) for i in range(total)], batch_size=1000
    )
    vols = Volunteer.objects.bulk_create(
        [
            Volunteer(kind="social", organization=root, user=u, name=f"志愿者{i:05d}")
            for i, u in enumerate(users)
        ],
        batch_size=1000,
    )
    Signup.objects.bulk_create(
        [Signup(shift=shift, volunteer=v, status="confirmed") for v in vols], batch_size=1000
    )
    # Odd volunteers checked in 20 minutes ago: their scan in the run is a check-out.
    ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(
                shift=shift,
                volunteer=v,
                project=project,
                served_on=served_on(shift),
                status="checked_in",
                checked_in_at=now - dt.timedelta(minutes=20),
                scheduled_hours=shift.scheduled_hours,
            )
            for i, v in enumerate(vols)
            if i % 2
        ],
        batch_size=1000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_floor "
            "(client_id varchar(64) PRIMARY KEY, user_id bigint NOT NULL, written_at bigint NOT NULL)"
        )
    return {
        "shift": shift,
        "contended": contended,
        "users": [u.username for u in users],
        "user_objects": users,
        "volunteer_ids": [v.pk for v in vols],
    }


def count_queries(world: dict, show: bool) -> dict:
    """SQL queries of one check-in, one check-out and one floor request (in-process)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from qingyi.core.checkin import rotating_code

    shift = world["shift"]
    users = world["user_objects"]
    url = reverse("volunteering:scan", args=[shift.pk])
    result = {}
    # The last two volunteers: one not checked in yet (odd indexes were) and one checked in.
    fresh, checked_in = sorted(users[-2:], key=lambda u: (len(users) - 2 + users.index(u)) % 2)
    cases = [("check-in", fresh, url), ("check-out", checked_in, url), ("floor", fresh, "/bench/floor/")]
    for label, user, path in cases:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
        fields = {
            "code": rotating_code(shift.subject),
            "client_id": f"count-{label}-{uuid.uuid4()}",
            "scanned_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        with CaptureQueriesContext(connection) as ctx:
            response = client.post(path, fields)
        ok = response.status_code == 200 and response.json().get("ok")
        result[label] = {"queries": len(ctx.captured_queries), "ok": bool(ok), "answer": response.json()}
        if show:
            print(f"\n  -- {label}: {len(ctx.captured_queries)} queries, answer {response.json()}")
            for q in ctx.captured_queries:
                print(f"     {q['time']}s  {q['sql'][:220]}")
    return result


def start_gunicorn(port: int, log: Path, src: Path = ROOT / "src") -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "qingyi.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        "--worker-class=gthread",
        f"--threads={THREADS}",
        f"--pythonpath={src},{ROOT}",
        f"--chdir={ROOT}",
        "--timeout=120",
        "--backlog=512",
        "--log-level=warning",
    ]
    handle = log.open("wb")
    process = subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT, env=os.environ.copy())
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/accounts/login/")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return process
            raise SystemExit(f"gunicorn answers the login page with {status}:\n{log.read_text()[-3000:]}")
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not start within 60 s")


class LockSampler:
    """PostgreSQL only: how many of the database's sessions wait on a lock (row or
    transaction locks: ``wait_event_type = 'Lock'``), sampled every 20 ms while a phase runs."""

    def __init__(self, url: str | None):
        self.url = url
        self.samples: dict[str, list[tuple[int, int]]] = {}
        self.kinds: dict[str, int] = {}  # "<phase>: <lock type> <table>" → sessions seen waiting

    def run(self, kind: str, phase):
        if not self.url:
            return phase()
        import psycopg

        stop = threading.Event()
        samples = self.samples.setdefault(kind, [])

        def sample() -> None:
            with psycopg.connect(self.url, autocommit=True) as conn:
                while not stop.is_set():
                    row = conn.execute(
                        "SELECT count(*) FILTER (WHERE wait_event_type = 'Lock'), "
                        "count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    ).fetchone()
                    samples.append((row[0], row[1]))
                    for locktype, relation in conn.execute(
                        "SELECT l.locktype, coalesce(c.relname, '') FROM pg_locks l "
                        "LEFT JOIN pg_class c ON c.oid = l.relation WHERE NOT l.granted"
                    ).fetchall():
                        key = f"{kind}: {locktype} {relation}".strip()
                        self.kinds[key] = self.kinds.get(key, 0) + 1
                    time.sleep(0.02)

        thread = threading.Thread(target=sample)
        thread.start()
        try:
            return phase()
        finally:
            stop.set()
            thread.join()

    def summary(self) -> dict:
        return {
            kind: {
                "waiting": statistics.mean(w for w, _a in rows),
                "active": statistics.mean(a for _w, a in rows),
                "max_waiting": max(w for w, _a in rows),
            }
            for kind, rows in self.samples.items()
            if rows
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def serial(shift, users: list[tuple[int, object]], profiler=None, floor_profiler=None) -> dict[str, float]:
    """In this process, one request at a time (no server, no contention): median CPU
    milliseconds of this process (``time.process_time``: the Django side, and SQLite's, but
    not PostgreSQL's server; hardly touched by other processes' load) of a floor request, a
    check-in and a check-out, alternating. ``users`` are (index, user):
    odd indexes were checked in at set-up (their scan is a check-out). With ``profiler``, the
    scans are profiled instead of timed (and the floor requests with ``floor_profiler``)."""
    from django.test import Client
    from django.urls import reverse

    from qingyi.core.checkin import rotating_code

    url = reverse("volunteering:scan", args=[shift.pk])
    clients = []
    for i, user in users:
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(user, backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend")
        clients.append((i, client))

    def scan(client) -> None:
        fields = {
            "code": rotating_code(shift.subject),
            "client_id": f"serial-{uuid.uuid4()}",
            "scanned_at": dt.datetime.now(dt.UTC).isoformat(),
        }
        response = client.post(url, fields)
        assert response.status_code == 200 and response.json()["ok"], response.content

    def floor(client) -> None:
        response = client.post("/bench/floor/", {"client_id": f"serial-{uuid.uuid4()}"})
        assert response.status_code == 200, response.content

    for _i, client in clients[:4]:  # warm-up: imports, caches (the check-in's settings)
        floor(client)
    timings: dict[str, list[float]] = {"floor": [], "check-in": [], "check-out": []}
    for i, client in clients:
        if floor_profiler:
            floor_profiler.enable()
        t0 = time.process_time()
        floor(client)
        timings["floor"].append(time.process_time() - t0)
        if floor_profiler:
            floor_profiler.disable()
        if profiler:
            profiler.enable()
        t0 = time.process_time()
        scan(client)
        timings["check-out" if i % 2 else "check-in"].append(time.process_time() - t0)
        if profiler:
            profiler.disable()
    return {k: statistics.median(v) * 1000 for k, v in timings.items()}


def profile(args) -> dict:
    """``--profile``: serial timings, then cProfile of as many scans (no server)."""
    import cProfile
    import io
    import pstats

    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    n = args.volunteers
    world = build(n)
    users = list(enumerate(world["user_objects"][:n]))
    half = n // 2
    medians = serial(world["shift"], users[:half])
    print(
        "  in-process, one at a time: median CPU ms " + ", ".join(f"{k} {v:.2f}" for k, v in medians.items())
    )
    profiler, floor_profiler = cProfile.Profile(), cProfile.Profile()
    serial(world["shift"], users[half:], profiler, floor_profiler)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    floor_calls = pstats.Stats(floor_profiler, stream=io.StringIO()).total_calls  # type: ignore[attr-defined]
    # Python function calls are deterministic where CPU milliseconds follow the machine's load.
    print(
        f"  Python function calls per request (deterministic): floor {floor_calls / (n - half):.0f}, "
        f"scan {stats.total_calls / (n - half):.0f}"  # type: ignore[attr-defined]
    )
    stats.sort_stats("cumulative").print_stats(
        r"qingyi|django/(db/models/(query|base|sql/compiler)|contrib|middleware|test/client)", 40
    )
    stats.sort_stats("tottime").print_stats(r"execute|commit|as_sql|compile|_save_table|__init__", 12)
    stats.sort_stats("tottime").print_stats(30)  # where the time goes, whoever spends it
    stats.sort_stats("tottime").print_stats(30)  # where the time goes, whoever spends it
    stats.sort_stats("cumulative")
    if args.show_queries:
        stats.print_callees(r"shift_for|shift_scan|scan_accept|_record_scan|_check_in_new|_scan_on_record")
    print(out.getvalue())
    return {"profile": medians}


def child(args) -> dict:
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.db.models import Q

    from qingyi.core.checkin import rotating_code
    from qingyi.core.models import Scan
    from qingyi.volunteering.models import ServiceRecord, Signup

    vendor = connection.vendor
    version = (
        connection.Database.sqlite_version
        if vendor == "sqlite"
        else ".".join(str(x) for x in divmod(connection.cursor().connection.info.server_version, 10000))
    )
    report: dict = {"db": vendor, "version": version, "load": [loadavg()]}
    t0 = time.perf_counter()
    n = args.volunteers
    world = build(n)
    shift = world["shift"]
    print(
        f"  built {n + WARMUP + SERIAL + 2} volunteers with logins in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    report["queries"] = count_queries(world, args.show_queries)
    first = n + WARMUP
    report["serial"] = serial(shift, list(enumerate(world["user_objects"]))[first : first + SERIAL])
    connections.close_all()

    port = free_port()
    log = Path(args.workdir) / f"gunicorn-{vendor}.log"
    server = start_gunicorn(port, log)
    servers = [server]
    if args.against:
        port_b = free_port()
        log_b = Path(args.workdir) / f"gunicorn-{vendor}-against.log"
        servers.append(start_gunicorn(port_b, log_b, Path(args.against) / "src"))
    scan_path = f"/volunteering/shifts/{shift.pk}/scan/"
    deadline = time.monotonic() + args.max_seconds
    try:
        # 1. Logins (not measured): every volunteer once, through the login form.
        sessions = {name: Session(name) for name in world["users"][: n + WARMUP]}

        def login(conn: Connection, session: Session) -> Outcome:
            status, headers, _body, seconds = conn.post(
                "/accounts/login/",
                session,
                {
                    "username": session.username,
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": session.cookies["csrftoken"],
                },
            )
            ok = (
                status == 302
                and "sessionid" in session.cookies
                and "login" not in headers.get("Location", "")
            )
            return Outcome("login", seconds, "" if ok else f"login answered {status}")

        t0 = time.perf_counter()
        phase = run_phase(port, "login", spread(list(sessions.values())), deadline, login)
        report["login"] = {"n": len(phase.outcomes), "errors": phase.errors[:3], "wall": phase.wall}
        print(f"  {len(sessions)} logins in {time.perf_counter() - t0:.1f} s, errors {len(phase.errors)}")
        if phase.errors:
            raise SystemExit(f"logins failed: {phase.errors[:3]}")

        def scan(conn: Connection, item) -> Outcome:
            session, client_id, expected = item
            fields = {
                "code": rotating_code(shift.subject),
                "client_id": client_id,
                "scanned_at": dt.datetime.now(dt.UTC).isoformat(),
            }
            status, _headers, body, seconds = conn.post(scan_path, session, fields)
            return judge("scan", status, body, seconds, expected)

        def floor(conn: Connection, item) -> Outcome:
            session, client_id, _expected = item
            status, _headers, body, seconds = conn.post("/bench/floor/", session, {"client_id": client_id})
            return judge("floor", status, body, seconds, None)

        def judge(kind, status, body, seconds, expected) -> Outcome:
            text = body.decode("utf-8", "replace")
            try:
                payload = json.loads(text)
            except ValueError:
                payload = {}
            error = ""
            if "database is locked" in text:
                error = "database is locked"
            elif status != 200 or not payload.get("ok"):
                error = f"{status} {payload.get('message', text[:120])}"
            elif expected == "replayed" and not payload.get("replayed"):
                error = f"not recognised as a replay: {payload}"
            elif expected not in (None, "replayed") and (
                payload.get("result") != expected or payload.get("replayed")
            ):
                error = f"expected {expected}, got {payload}"
            return Outcome(kind, seconds, error, payload)

        names = world["users"]
        # Warm-up (not measured): the workers import and connect; floor and scan paths run once.
        warm = [(sessions[names[n + i]], f"warm-{uuid.uuid4()}", None) for i in range(WARMUP)]
        run_phase(port, "floor", spread(warm, 8), deadline, floor)
        warm = [
            (sessions[names[n + i]], f"warm-{uuid.uuid4()}", "checked_out" if (n + i) % 2 else "checked_in")
            for i in range(WARMUP)
        ]
        if not args.against:
            run_phase(port, "scan", spread(warm, 8), deadline, scan)
        else:  # half of the warm-up volunteers for each code's workers
            run_phase(port, "scan", spread(warm[: WARMUP // 2], 4), deadline, scan)
            run_phase(port_b, "scan", spread(warm[WARMUP // 2 :], 4), deadline, scan)

        # 2. Floor and check-in, alternating in rounds so that load drift hits both alike.
        items = [
            (sessions[names[i]], f"scan-{uuid.uuid4()}", "checked_out" if i % 2 else "checked_in")
            for i in range(n)
        ]
        floors = [(sessions[names[i]], f"floor-{uuid.uuid4()}", None) for i in range(n)]
        phases: dict[str, list[Phase]] = {"floor": [], "scan": []}
        if args.against:
            phases["scan_b"] = []
        size = -(-n // ROUNDS)
        locks = LockSampler(os.environ.get("DATABASE_URL") if vendor == "postgresql" else None)
        for r in range(ROUNDS):
            part = slice(r * size, (r + 1) * size)
            if not args.against:
                phases["floor"].append(
                    locks.run(
                        "floor", lambda p=part: run_phase(port, "floor", spread(floors[p]), deadline, floor)
                    )
                )
                phases["scan"].append(
                    locks.run(
                        "scan", lambda p=part: run_phase(port, "scan", spread(items[p]), deadline, scan)
                    )
                )
                continue
            # Half of the round's scans to each code, in turn first and second, each after as many
            # floor writes on the same server: phases of the same size (their ramp and tail weigh
            # alike), both servers' workers equally busy (with every floor write on the first
            # server, the first seat won by 5-10 % in swapped pairs).
            order = [("scan", port, 0), ("scan_b", port_b, 1)]
            for key, where, half in order if r % 2 == 0 else order[::-1]:
                some_floors, some_scans = floors[part][half::2], items[part][half::2]
                phases["floor"].append(
                    locks.run(
                        "floor",
                        lambda w=where, x=some_floors: run_phase(w, "floor", spread(x), deadline, floor),
                    )
                )
                phases[key].append(
                    locks.run(
                        key, lambda w=where, x=some_scans: run_phase(w, "scan", spread(x), deadline, scan)
                    )
                )
        report["locks"] = locks.summary()
        report["lock_kinds"] = sorted(locks.kinds.items(), key=lambda kv: -kv[1])[:4]
        report["load"].append(loadavg())

        # 3. Replays of 10 % of the scans: the first outcome, nothing written again.
        replays = [(s, cid, "replayed") for s, cid, _ in items[:: max(1, 10)]]
        phases["replay"] = [run_phase(port, "replay", spread(replays), deadline, scan)]

        # 4. Sign-up contention: 200 volunteers at the same moment, 20 places.
        signups = CONTENTION[0]
        contended = world["contended"]
        path = f"/volunteering/shifts/{contended.pk}/signup/"
        detail = f"/volunteering/shifts/{contended.pk}/"

        def sign_up(conn: Connection, session: Session) -> Outcome:
            status, headers, body, seconds = conn.post(path, session, {})
            error = ""
            if b"database is locked" in body:
                error = "database is locked"
            elif status != 302 or not headers.get("Location", "").endswith(detail):
                error = f"sign-up answered {status} {headers.get('Location', '')}"
            return Outcome("signup", seconds, error)

        if n >= signups:
            who = [sessions[names[i]] for i in range(signups)]
            phases["signup"] = [run_phase(port, "signup", spread(who, signups), deadline, sign_up)]
        report["load"].append(loadavg())
    finally:
        for process in servers:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    # Figures.
    for kind, runs in phases.items():
        outcomes = [o for p in runs for o in p.outcomes]
        merged = Phase(kind, outcomes, sum(p.wall for p in runs), sum(p.reconnects for p in runs))
        report[kind] = {
            "n": len(outcomes),
            "errors": len(merged.errors),
            "first_errors": sorted(set(merged.errors))[:3],
            "rps": merged.throughput,
            "p50": merged.percentile(0.50),
            "p99": merged.percentile(0.99),
            "reconnects": merged.reconnects,
        }

    def floor_rows() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM bench_floor WHERE client_id LIKE %s", ["floor-%"])
            return cursor.fetchone()[0]

    # Verification in the database: every scan exactly once, none lost, nothing duplicated.
    sent = {cid for _s, cid, _e in items}
    stored = set(Scan.objects.filter(client_id__in=sent).values_list("client_id", flat=True))
    scans_of_shift = Scan.objects.filter(subject=shift.subject).exclude(
        Q(client_id__startswith="count-") | Q(client_id__startswith="serial-")
    )
    records = ServiceRecord.objects.filter(shift=shift, volunteer_id__in=world["volunteer_ids"][:n])
    checks = {
        "scans stored for the scans sent": (len(stored), len(sent)),
        "scans of the shift (measured + warm-up)": (scans_of_shift.count(), len(sent) + WARMUP),
        "service records (one per volunteer)": (records.count(), n),
        "checked in (no check-out)": (
            records.filter(status="checked_in", checked_out_at__isnull=True).count(),
            (n + 1) // 2,
        ),
        "checked out (hours recorded)": (
            records.filter(status="recorded", checked_out_at__isnull=False).count(),
            n // 2,
        ),
        "floor rows for the floor requests": (floor_rows(), n),
    }
    if "signup" in phases:
        contended = world["contended"]
        checks["sign-ups confirmed"] = (
            Signup.objects.filter(shift=contended, status="confirmed").count(),
            CONTENTION[1],
        )
        checks["sign-ups waiting"] = (
            Signup.objects.filter(shift=contended, status="waiting").count(),
            CONTENTION[0] - CONTENTION[1],
        )
    report["checks"] = {k: list(v) for k, v in checks.items()}
    text = log.read_text(errors="replace")
    if args.against:
        text += log_b.read_text(errors="replace")
    report["log"] = {
        "database is locked": text.count("database is locked"),
        "Traceback": text.count("Traceback"),
    }
    report["settings"] = {
        "DEBUG": settings.DEBUG,
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    }
    connections.close_all()
    return report


# --- the parent: one child per database, then the table --------------------------------------


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3).close()
        return True
    except Exception:
        return False


def run_child(db: str, args, workdir: Path) -> dict | None:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.bench_checkin_settings",
        QINGYI_TESTING="false",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        LOG_LEVEL="WARNING",
    )
    env.pop("DATABASE_URL", None)
    (workdir / "static").mkdir(exist_ok=True)  # an empty STATIC_ROOT: no whitenoise warning
    env["STATIC_ROOT"] = str(workdir / "static")
    database = None
    if db == "sqlite":
        env["DATA_DIR"] = str(workdir / "sqlite")
    else:
        import psycopg

        database = f"qingyi_bench_{os.getpid()}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"{PG_SERVER}/{database}"
    out = workdir / f"{db}.json"
    command = [
        sys.executable,
        __file__,
        "--child",
        f"--out={out}",
        f"--workdir={workdir}",
        f"--volunteers={args.volunteers}",
        f"--max-seconds={args.max_seconds}",
    ]
    if args.show_queries:
        command.append("--show-queries")
    if args.against:
        command.append(f"--against={Path(args.against).resolve()}")
    if args.profile:
        command.append("--profile")
    try:
        done = subprocess.run(command, env=env, cwd=ROOT)
        if done.returncode or not out.exists():
            print(f"  the {db} run failed (exit {done.returncode})")
            return None
        return json.loads(out.read_text())
    finally:
        if database:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def print_table(reports: list[dict]) -> None:
    print(
        f"\n{'database':<16}{'request':<10}{'n':>6}{'errors':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'queries':>9}{'× floor':>9}"
    )
    for r in reports:
        name = f"{r['db']} {r['version']}"
        floor = r["floor"]
        rows = [
            ("floor", "floor", r["queries"]["floor"]["queries"]),
            (
                "check-in",
                "scan",
                f"{r['queries']['check-in']['queries']}/{r['queries']['check-out']['queries']}",
            ),
            ("check-in B", "scan_b", ""),
            ("replay", "replay", ""),
            ("sign-up", "signup", ""),
        ]
        for label, key, queries in rows:
            if key not in r:
                continue
            row = r[key]
            ratio = (
                f"{row['rps'] / floor['rps']:.2f}"
                if key in ("scan", "scan_b", "replay") and floor["rps"]
                else ""
            )
            print(
                f"{name:<16}{label:<10}{row['n']:>6}{row['errors']:>8}{row['rps']:>9.1f}{row['p50']:>9.1f}"
                f"{row['p99']:>9.1f}{queries!s:>9}{ratio:>9}"
            )
            name = ""
    for r in reports:
        scan, floor = r["scan"], r["floor"]
        ratio = scan["rps"] / floor["rps"] if floor["rps"] else 0
        verdict = "meets" if ratio >= 0.5 else "BELOW"
        print(
            f"\n{r['db']}: check-in {scan['rps']:.1f} req/s = {ratio:.2f} × floor "
            f"({floor['rps']:.1f} req/s) — "
            f"{verdict} the target of 0.5; p50 {scan['p50'] / floor['p50']:.2f} × the floor's"
        )
        cpu = r["serial"]
        print(
            "  CPU per request, one at a time in-process (no server, no contention): "
            f"floor {cpu['floor']:.2f} ms, "
            f"check-in {cpu['check-in']:.2f} ms, check-out {cpu['check-out']:.2f} ms → floor/scan "
            f"{2 * cpu['floor'] / (cpu['check-in'] + cpu['check-out']):.2f}"
        )
        print(f"  load average (1/5/15 min) at start, after check-in, at end: {' · '.join(r['load'])}")
        if "scan_b" in r:
            b = r["scan_b"]
            print(
                f"  against: check-in B (the other code) {b['rps']:.1f} req/s = "
                f"{b['rps'] / floor['rps']:.2f} × floor; this code / B = {scan['rps'] / b['rps']:.2f}"
                f" (p50 {scan['p50'] / b['p50']:.2f} × B's)"
            )
        for key in ("floor", "scan", "scan_b", "replay", "signup"):
            if key in r and (r[key]["first_errors"] or r[key]["reconnects"]):
                print(f"  {key}: errors {r[key]['first_errors']}, reconnects {r[key]['reconnects']}")
        for kind, lock in r.get("locks", {}).items():
            print(
                f"  PostgreSQL sessions during {kind}: {lock['active']:.1f} active on average, "
                f"{lock['waiting']:.1f} waiting on a lock (at most {lock['max_waiting']})"
            )
        if r.get("lock_kinds"):
            print(
                "  lock waits seen (not granted, summed over samples): "
                + "; ".join(f"{k} ×{v}" for k, v in r["lock_kinds"])
            )
        print(f"  gunicorn log: {r['log']}")
        bad = 0
        for label, (got, want) in r["checks"].items():
            mark = "ok" if got == want else "MISMATCH"
            bad += got != want
            print(f"  {mark:<8} {label}: {got} (expected {want})")
        print(f"  verification: {'all recorded exactly once' if not bad else f'{bad} mismatches'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--volunteers", type=int, default=640, help="volunteers scanning (one scan each; default 640)"
    )
    parser.add_argument(
        "--max-seconds", type=int, default=300, help="stop sending after this long (default 300)"
    )
    parser.add_argument("--show-queries", action="store_true", help="print the SQL of one check-in")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead: in one process, serial requests (no server): CPU cost of a check-in and its profile",
    )
    parser.add_argument(
        "--against",
        metavar="DIR",
        help="another checkout of the project: half of the check-ins run its code, in the same run",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, SQLite)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.volunteers < 2 * CLIENTS:
        parser.error(f"--volunteers must be at least {2 * CLIENTS}")

    if args.child:
        report = profile(args) if args.profile else child(args)
        Path(args.out).write_text(json.dumps(report))
        return 0

    import django

    print(
        f"Qingyi check-in benchmark · Django {django.get_version()} · Python {sys.version.split()[0]} · "
        f"{os.cpu_count()} CPUs · load average {loadavg()}\n"
        f"gunicorn: {WORKERS} workers × gthread {THREADS} threads on 127.0.0.1; {CLIENTS} client threads "
        f"(keep-alive); {args.volunteers} scans in {ROUNDS} rounds alternating with as many floor writes"
    )
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    workdir = Path(tempfile.mkdtemp(prefix="qingyi-bench-checkin-"))
    reports = []
    try:
        for db in dbs:
            if db == "postgres" and not postgres_available():
                print(f"\n[postgres] skipped: no PostgreSQL at {PG_SERVER}")
                continue
            print(f"\n[{db}]", flush=True)
            report = run_child(db, args, workdir)
            if report:
                reports.append(report)
    finally:
        if args.keep:
            print(f"\nKept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    if reports and not args.profile:
        print_table(reports)
    return 0 if len(reports) == len(dbs) else 1


if __name__ == "__main__":
    sys.exit(main())
