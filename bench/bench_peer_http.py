"""Side by side with ephios 0.27 over HTTP: the same pages, the same gunicorn set-up, interleaved.

    .venv/bin/python bench/bench_peer_http.py --ephios-scratch /work/scratch/ephios
    .venv/bin/python bench/bench_peer_http.py --databases postgres --cycles 5 --ops own_hours,export

The peer is the harness in ``shared/peers/ephios`` (README.md there): ``setup.sh`` and
``seed.py`` must have run for each database in ``--ephios-scratch``. This script

1. builds OUR throwaway database with DESIGN.md's peer volume (bench/generate.py, the same
   volume as bench/bench_volunteering.py --volume peer: 2,000 volunteers, 3,000 shifts,
   30,000 sign-ups over two years, the bench volunteer with ≈200 entries of their own):
   SQLite in a temporary folder, or ``qingyi_bench_peer_<pid>`` on
   postgres://postgres@127.0.0.1:5432, dropped at the end;
2. for each cycle, alternately:
   - OURS: starts gunicorn (2 sync workers, 127.0.0.1, DEBUG off, a throwaway SECRET_KEY, the
     production settings plus bench/bench_checkin_settings.py's plain static storage), logs
     the bench volunteer and a committee coordinator in through the login form (one session
     per client thread), and runs each operation exactly as ephios' measure.py does: a
     warm-up of 2 requests per client, then up to ``--requests`` requests from
     ``--concurrency`` client threads, stopped after ``--max-seconds``; stops gunicorn by PID;
   - THE PEER: runs the harness's measure.py with the matching operations
     (``--skip-queries``) and reads its JSON lines;
3. prints the median (p50) of each operation per cycle, ours and the peer's, the ratio
   ours/peer per cycle and the median of the ratios, with the load average of the machine.

Operations (ours ↔ the peer's):

- own_hours: ``/volunteering/my-hours/`` as the bench volunteer ↔ ``/workinghours/own/``
  (bench-vol-1, ≈206 entries, one unpaginated page);
- export: ``/volunteering/manage/hours/export/?period=<today-730d>..<today>`` (.xlsx, every
  volunteer) ↔ ``/workinghours/export/?start=…&end=…`` (CSV, every user);
- open_shifts ↔ event_list, shift_page (45 participants) ↔ event_detail, overview (one page of
  the aggregate) ↔ hours_overview (every user in one page): optional, ``--ops``.

Bounded (requests and seconds per operation, cycles) and loopback only. The client threads
share the machine's cores with both servers and other users: compare the ratios of
interleaved cycles, not absolute times. On a shared, loaded machine the peer's own figures
swung twofold from one 15-second phase to the next (cycles mode); ``--mode alternate`` keeps
all servers up and alternates every client's requests between the sides, so each ratio is
taken under the same load.

Figures (2026-12-07, 2 cores shared with five other engineers, load average 9–20;
``--mode alternate --cycles 3 --baseline-tree <export of the commit before>``), median of the
cycles' ratios ours/ephios (lower is better), p50 per cycle in ms ours/peer:

| database | operation | before | after | after, p50 per cycle |
| --- | --- | --- | --- | --- |
| PostgreSQL | own hours | 0.73 | 0.34 | 51/148, 96/305, 113/309 |
| PostgreSQL | hours export | 2.00 | 0.31 | 188/635, 240/768, 261/789 |
| SQLite | own hours | 0.77 | 0.32 | 81/234, 95/299, 90/292 |
| SQLite | hours export | 0.38 | 0.07 | 211/3017, 220/3794, 214/3021 |

Then the page count of "My hours" taken from its summary query (one query less), ours and
the peer only, load 11–16: PostgreSQL own hours 0.32 (121/386, 122/339, 92/286), export 0.28
(272/990, 246/849, 215/772); SQLite own hours 0.31 (95/314, 85/275, 56/173), export 0.05
(194/3623, 190/3483, 136/2158). No errors on either side.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
# shared/peers/ephios beside the repository (or beside the folder of worktrees)
PEER_HARNESS = next(
    (p / "shared" / "peers" / "ephios" for p in ROOT.parents if (p / "shared" / "peers" / "ephios").is_dir()),
    ROOT.parent / "shared" / "peers" / "ephios",
)
PASSWORD = "bench-peer-http-pw"
WORKERS = 2
# ours → (the peer's operation, who asks, a marker the body must hold)
OPS = {
    "own_hours": ("own_hours", "volunteer", b'id="my-star"'),
    "export": ("hours_export_csv", "coordinator", b"PK\x03\x04"),
    "open_shifts": ("event_list", "volunteer", b"</html>"),
    "shift_page": ("event_detail", "coordinator", b"</html>"),
    "overview": ("hours_overview", "coordinator", b"</html>"),
}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- our database: built once per database by a child process with Django -------------------


def prepare(out: Path) -> None:
    """(child) migrate, generate the peer volume, give the two logins a password; write the URLs."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.urls import reverse

    from bench.bench_volunteering import build_peer_tree, vacuum_analyze
    from bench.generate import VOLUNTEERING_VOLUMES, generate_volunteering
    from qingyi.volunteering.models import ServiceRecord

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    world = generate_volunteering(volume=VOLUNTEERING_VOLUMES["peer"], root=build_peer_tree())
    vacuum_analyze()
    for user in (world.member, world.coordinator):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    today = dt.date.today()
    period = f"{today - dt.timedelta(days=730):%Y-%m-%d}..{today:%Y-%m-%d}"
    data = {
        "vendor": connection.vendor,
        "seconds": round(time.perf_counter() - t0, 1),
        "own_entries": ServiceRecord.objects.filter(volunteer=world.volunteer).count(),
        "records": world.records,
        "volunteers": world.volunteers,
        "logins": {"volunteer": world.member.username, "coordinator": world.coordinator.username},
        "urls": {
            "own_hours": reverse("volunteering:my_hours"),
            "export": reverse("volunteering:hours_export") + f"?period={period}",
            "open_shifts": reverse("volunteering:shift_list"),
            "shift_page": reverse("volunteering:shift_detail", args=[world.big.pk]),
            "overview": reverse("volunteering:hours_overview") + f"?period={period}",
        },
    }
    connection.close()
    out.write_text(json.dumps(data))


# --- our gunicorn and the HTTP loops (no Django in this process) ----------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict, log: Path, tree: Path = ROOT):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "qingyi.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={WORKERS}",  # sync workers, as the peer's measure.py
            f"--pythonpath={tree / 'src'},{tree}",
            f"--chdir={tree}",
            "--timeout=120",
            "--log-level=warning",
        ]
        env = dict(env, PYTHONPATH=f"{tree / 'src'}{os.pathsep}{tree}")
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import requests

        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.proc.returncode}")
            try:
                if requests.get(self.base + "/accounts/login/", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not become ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)  # the master stops its workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def login(base: str, username: str):
    import requests

    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
        headers={"Referer": base + "/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"login failed for {username}: HTTP {answer.status_code}")
    return session


def run_op(sessions, url: str, marker: bytes, max_requests: int, max_seconds: float) -> dict:
    """The loop of the peer's measure.py (run_op): shared request counter, per-thread session."""
    lock = threading.Lock()
    started = [0]
    samples: list[tuple[float, bool]] = []
    end = time.monotonic() + max_seconds

    def worker(i: int) -> None:
        while True:
            with lock:
                if started[0] >= max_requests or time.monotonic() >= end:
                    return
                started[0] += 1
            t0 = time.perf_counter()
            try:
                r = sessions[i].get(url, timeout=120)
                ok = r.status_code == 200 and marker in r.content
            except Exception:  # a failed request is a data point
                ok = False
            with lock:
                samples.append((time.perf_counter() - t0, ok))

    with ThreadPoolExecutor(len(sessions)) as pool:
        list(pool.map(worker, range(len(sessions))))
    times = sorted(s[0] * 1000 for s in samples)
    return {
        "n": len(samples),
        "errors": sum(1 for s in samples if not s[1]),
        "median_ms": round(statistics.median(times), 1) if times else None,
    }


def measure_ours(env: dict, world: dict, ops: list[str], args, log: Path, tree: Path = ROOT) -> dict:
    server = Server(env, log, tree)
    try:
        server.wait_ready()
        sessions = {
            who: [login(server.base, world["logins"][who]) for _ in range(args.concurrency)]
            for who in ("volunteer", "coordinator")
        }
        results = {}
        for op in ops:
            _peer_op, who, marker = OPS[op]
            url = server.base + world["urls"][op]
            run_op(sessions[who], url, marker, 2 * args.concurrency, 60)  # warm every worker
            results[op] = run_op(sessions[who], url, marker, args.requests, args.max_seconds)
        return results
    finally:
        server.stop()


def measure_peer(db: str, ops: list[str], args) -> dict:
    python = Path(args.ephios_scratch) / "venv" / "bin" / "python"
    command = [
        str(python),
        str(Path(args.ephios_harness) / "measure.py"),
        f"--db={db}",
        f"--scratch={args.ephios_scratch}",
        "--skip-queries",
        f"--ops={','.join(OPS[op][0] for op in ops)}",
        f"--requests={args.requests}",
        f"--max-seconds={args.max_seconds}",
        f"--total-seconds={args.max_seconds * len(ops)}",
        f"--concurrency={args.concurrency}",
        f"--workers={WORKERS}",
        f"--port={free_port()}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    by_op = {line["op"]: line for line in lines}
    if done.returncode or not lines:
        raise SystemExit(f"the peer's measure.py failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return {
        op: {k: by_op[OPS[op][0]][k] for k in ("n", "errors", "median_ms")}
        for op in ops
        if OPS[op][0] in by_op
    }


PEER_MARKER = b"Bench Volunteer"
PEER_USER_PASSWORD = "bench-user-pw-2024"  # the harness's seeded logins (its README)
PEER_ADMIN = ("admin@localhost", "bench-admin-pw-2024")


class PeerServer(Server):
    """The peer's gunicorn exactly as its measure.py starts it (2 sync workers, its env file)."""

    def __init__(self, db: str, args, log: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        scratch = Path(args.ephios_scratch)
        gunicorn = str(scratch / "venv" / "bin" / "gunicorn")
        command = [gunicorn, "ephios.wsgi:application", "--bind", f"127.0.0.1:{self.port}"]
        command += ["--workers", str(WORKERS), "--timeout", "120"]
        usage = subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout
        if "--no-control-socket" in usage:
            command.append("--no-control-socket")
        env = dict(os.environ, ENV_PATH=str(scratch / db / "ephios.env"))
        env["DJANGO_SETTINGS_MODULE"] = "ephios.settings"
        env.pop("PYTHONPATH", None)
        self.log = log.open("ab")
        self.proc = subprocess.Popen(
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 60) -> None:
        import requests

        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.proc.poll() is not None:
                raise SystemExit(f"the peer's gunicorn exited with {self.proc.returncode}")
            try:
                answer = requests.get(
                    self.base + "/accounts/login/", headers={"X-Forwarded-Proto": "https"}, timeout=5
                )
                if answer.status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise SystemExit("the peer's gunicorn did not become ready")


def peer_targets() -> dict:
    today = dt.date.today()
    span = f"start={(today - dt.timedelta(days=730)).isoformat()}&end={today.isoformat()}"
    return {"own_hours": "/workinghours/own/", "export": f"/workinghours/export/?{span}"}


def alternate_loop(sides: list[str], targets: dict, limit: int, seconds: float, concurrency: int) -> dict:
    """Client thread i sends request k to every side in turn, starting at side (i + k) mod n."""
    lock = threading.Lock()
    samples: dict[str, list[tuple[float, bool]]] = {side: [] for side in sides}
    end = time.monotonic() + seconds

    def worker(i: int) -> None:
        for k in range(limit):
            if time.monotonic() >= end:
                return
            shift = (k + i) % len(sides)
            for side in sides[shift:] + sides[:shift]:
                sessions, url, marker = targets[side]
                t0 = time.perf_counter()
                try:
                    r = sessions[i].get(url, timeout=120)
                    ok = r.status_code == 200 and marker in r.content
                except Exception:  # a failed request is a data point
                    ok = False
                with lock:
                    samples[side].append((time.perf_counter() - t0, ok))

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(worker, range(concurrency)))
    return samples


def alternate_cycle(db: str, env: dict, world: dict, ops: list[str], args, workdir: Path) -> dict:
    """Every side's server up at once; each client thread sends one request to each side in
    turn (the order rotating), so the sides share every moment's load. Per side: a warm-up of 2
    requests per client, then up to ``--requests`` requests, within ``--max-seconds`` × sides."""
    sys.path.insert(0, str(Path(args.ephios_harness)))
    import measure as peer_measure  # the harness's own login (its TLS-proxy session)

    sides = ["ours"] + (["before"] if args.baseline_tree else []) + ["peer"]
    servers = {}
    try:
        for side in sides:
            if side == "peer":
                servers[side] = PeerServer(db, args, workdir / "gunicorn-peer.log")
            else:
                tree = ROOT if side == "ours" else Path(args.baseline_tree).resolve()
                servers[side] = Server(env, workdir / f"gunicorn-{side}.log", tree)
        for server in servers.values():
            server.wait_ready()
        sessions, urls, markers = {}, {}, {}
        for side, server in servers.items():
            if side == "peer":
                emails = [f"bench-vol-{i % 4 + 1}@bench.example" for i in range(args.concurrency)]
                vols = [peer_measure.login(server.base, email, PEER_USER_PASSWORD) for email in emails]
                admins = [peer_measure.login(server.base, *PEER_ADMIN) for _ in range(args.concurrency)]
                sessions[side] = {"volunteer": vols, "coordinator": admins}
                urls[side] = {op: server.base + peer_targets()[op] for op in ops}
                markers[side] = dict.fromkeys(ops, PEER_MARKER)
            else:
                sessions[side] = {
                    who: [login(server.base, world["logins"][who]) for _ in range(args.concurrency)]
                    for who in ("volunteer", "coordinator")
                }
                urls[side] = {op: server.base + world["urls"][op] for op in ops}
                markers[side] = {op: OPS[op][2] for op in ops}
        results = {side: {} for side in sides}
        for op in ops:
            who = OPS[op][1]
            targets = {side: (sessions[side][who], urls[side][op], markers[side][op]) for side in sides}
            alternate_loop(sides, targets, 2, 60, args.concurrency)  # warm every worker up
            limit, seconds = max(1, args.requests // args.concurrency), args.max_seconds * len(sides)
            samples = alternate_loop(sides, targets, limit, seconds, args.concurrency)
            for side in sides:
                times = sorted(x[0] * 1000 for x in samples[side])
                results[side][op] = {
                    "n": len(times),
                    "errors": sum(1 for x in samples[side] if not x[1]),
                    "median_ms": round(statistics.median(times), 1) if times else None,
                }
        return results
    finally:
        for server in servers.values():
            server.stop()


def pg_harness(command: str, args) -> None:
    subprocess.run(
        ["bash", str(Path(args.ephios_harness) / "pg.sh"), command, args.ephios_scratch],
        check=False,
        capture_output=True,
        timeout=120,
    )


def our_env(db: str, workdir: Path) -> tuple[dict, str | None]:
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
        QINGYI_NOTIFICATION_CHANNELS="",
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)  # local-memory cache, as the peer's default
    (workdir / "static").mkdir(exist_ok=True)
    env["STATIC_ROOT"] = str(workdir / "static")
    env["DATA_DIR"] = str(workdir / "data")
    database = None
    if db == "postgres":
        import psycopg

        database = f"qingyi_bench_peer_{os.getpid()}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        env["DATABASE_URL"] = f"{PG_SERVER}/{database}"
    return env, database


def run_database(db: str, ops: list[str], args) -> list[dict]:
    workdir = Path(tempfile.mkdtemp(prefix=f"qingyi-peer-http-{db}-"))
    env, database = our_env(db, workdir)
    started_pg = False
    try:
        out = workdir / "world.json"
        subprocess.run([sys.executable, __file__, "--prepare", str(out)], env=env, cwd=ROOT, check=True)
        world = json.loads(out.read_text())
        print(
            f"\n== {db}: ours built in {world['seconds']} s ({world['volunteers']:,} volunteers, "
            f"{world['records']:,} records, the bench volunteer has {world['own_entries']})",
            flush=True,
        )
        if db == "postgres" and not args.skip_peer:
            # One private cluster for every cycle (measure.py would start and stop it each time).
            pg_harness("start", args)
            started_pg = True
        cycles = []
        for cycle in range(1, args.cycles + 1):
            sides = ["ours", *(["before"] if args.baseline_tree else [])]
            sides += [] if args.skip_peer else ["peer"]
            row = {"cycle": cycle, "load_before": load()}
            # Alternate the order from one cycle to the next, so a drift of the machine's load
            # does not always fall on the same side.
            if args.mode == "alternate" and not args.skip_peer:
                row.update(alternate_cycle(db, env, world, ops, args, workdir))
                sides = []
            for side in sides if cycle % 2 else sides[::-1]:
                if side == "peer":
                    row["peer"] = measure_peer(db, ops, args)
                else:
                    tree = ROOT if side == "ours" else Path(args.baseline_tree).resolve()
                    row[side] = measure_ours(env, world, ops, args, workdir / f"gunicorn-{side}.log", tree)
            row["load_after"] = load()
            cycles.append(row)
            print_cycle(db, row, ops)
        return cycles
    finally:
        if started_pg:
            pg_harness("stop", args)
        if database:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)


def print_cycle(db: str, row: dict, ops: list[str]) -> None:
    parts = []
    for op in ops:
        ours = row["ours"][op]
        text = f"{op} ours {ours['median_ms']} ms (n {ours['n']}, err {ours['errors']})"
        before = row.get("before", {}).get(op)
        if before:
            text += f" before {before['median_ms']} ms (n {before['n']}, err {before['errors']})"
        peer = row.get("peer", {}).get(op)
        if peer:
            text += f" peer {peer['median_ms']} ms (n {peer['n']}, err {peer['errors']})"
            text += f" ratio {ours['median_ms'] / peer['median_ms']:.2f}"
            if before:
                text += f" (before {before['median_ms'] / peer['median_ms']:.2f})"
        parts.append(text)
    print(
        f"  [{db} cycle {row['cycle']}, load {row['load_before']} → {row['load_after']}] " + "; ".join(parts),
        flush=True,
    )


def summary(db: str, cycles: list[dict], ops: list[str]) -> None:
    print(f"\n{db}: p50 ms per cycle (ours / peer), ratio ours/peer; median of the cycles' ratios")
    print(
        f"{'op':<20}"
        + "".join(f"{'cycle ' + str(c['cycle']):>24}" for c in cycles)
        + f"{'median ratio':>14}{'peer/ours':>11}"
    )
    for op, side in [(op, side) for op in ops for side in ("ours", "before") if side in cycles[0]]:
        cells, ratios = [], []
        for c in cycles:
            ours = c[side][op]["median_ms"]
            peer = c.get("peer", {}).get(op, {}).get("median_ms")
            if peer:
                ratios.append(ours / peer)
                cells.append(f"{ours:.0f}/{peer:.0f} = {ours / peer:.2f}")
            else:
                cells.append(f"{ours:.0f}/-")
        med = statistics.median(ratios) if ratios else None
        print(
            f"{op + ('' if side == 'ours' else ' (before)'):<20}"
            + "".join(f"{cell:>24}" for cell in cells)
            + (f"{med:>14.2f}{1 / med:>10.1f}×" if med else "")
        )
    errors = sum(
        c[side][op]["errors"] for c in cycles for op in ops for side in ("ours", "before") if side in c
    )
    peer_errors = sum(c.get("peer", {}).get(op, {}).get("errors", 0) for c in cycles for op in ops)
    print(
        f"errors: ours {errors}, peer {peer_errors}; load average per cycle: "
        + ", ".join(c["load_before"] for c in cycles)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--ops", default="own_hours,export", help="comma-separated: " + ",".join(OPS))
    parser.add_argument("--requests", type=int, default=200, help="most requests per operation")
    parser.add_argument("--max-seconds", type=float, default=15.0, help="time cap per operation")
    parser.add_argument("--concurrency", type=int, default=2, help="client threads")
    parser.add_argument(
        "--ephios-scratch", default="/tmp/ephios-bench", help="the peer harness's scratch dir"
    )
    parser.add_argument("--ephios-harness", default=str(PEER_HARNESS), help="shared/peers/ephios")
    parser.add_argument("--skip-peer", action="store_true", help="ours only")
    parser.add_argument(
        "--baseline-tree",
        help="also measure this source tree (e.g. an export of an earlier commit) on the same database, "
        "in the same cycles: before/after ratios",
    )
    parser.add_argument(
        "--mode",
        choices=("cycles", "alternate"),
        default="cycles",
        help="cycles: each side's loops in turn (the peer through its own measure.py); alternate: "
        "all servers up at once, every client alternating its requests between the sides",
    )
    parser.add_argument("--json", help="also write every cycle's figures to this file")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare:
        sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
        prepare(Path(args.prepare))
        return 0
    ops = [op for op in args.ops.split(",") if op]
    if unknown := set(ops) - set(OPS):
        parser.error(f"unknown operations: {sorted(unknown)}")
    if not 1 <= args.cycles <= 20 or not 1 <= args.requests <= 1000 or not 1 <= args.max_seconds <= 60:
        parser.error("cycles 1–20, requests 1–1000, max-seconds 1–60")
    print(
        f"Ours vs ephios over HTTP · {WORKERS} sync gunicorn workers each · {args.concurrency} client "
        f"threads · up to {args.requests} requests / {args.max_seconds:.0f} s per operation · "
        f"{args.cycles} interleaved cycles · {os.cpu_count()} CPUs · load average {load()}",
        flush=True,
    )
    results = {}
    for db in [d for d in args.databases.split(",") if d]:
        results[db] = run_database(db, ops, args)
    for db, cycles in results.items():
        summary(db, cycles, ops)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
