"""Volunteer-service pages at DESIGN.md's peer-comparison and hospital volumes, beside the peer's figures.

    .venv/bin/python bench/bench_volunteering.py                                  # peer, SQLite
    .venv/bin/python bench/bench_volunteering.py --volume hospital --database postgres

Volumes (bench/generate.py, VOLUNTEERING_VOLUMES):

- peer: 20 organisations, 2,000 volunteers, 3,000 shifts and 30,000 sign-ups over two years
  (≈26,000 verified service records), the bench volunteer with ≈200 entries of their own;
- hospital: the 50-organisation, 1,500-person hospital of bench/generate.py, 2,500 volunteers,
  21,000 shifts and 210,000 sign-ups over five years (≈200,000 verified service records), the
  bench volunteer with ≈500 entries.

The database is new and thrown away at the end: SQLite in a temporary folder, or a PostgreSQL
database ``qingyi_bench_volunteering_<pid>`` created on postgres://postgres@127.0.0.1:5432 and
dropped afterwards. PostgreSQL's tables are VACUUM ANALYZEd after the bulk load (what autovacuum
does within minutes); SQLite's are not analysed (nothing in the platform runs ANALYZE on SQLite).

Pages are requested in-process with Django's test client (no web server): p50/p95 over
``--runs`` requests after a warm-up, the SQL queries of one request and the bytes of the reply,
beside ephios 0.27's figures from DESIGN.md (measured behind gunicorn, so ours exclude HTTP
overhead; the peer's overview is unpaginated, ours is one page of the aggregate). The baseline
is a bare view through the same middleware doing one indexed query, measured in the same run;
× base is a page's p50 over the baseline's. Then the sign-up contention run:
200 threads sign up for one shift of 20 places at the same moment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.generate import VOLUNTEERING_VOLUMES  # noqa: E402
from bench.timing import pct, urls_with_baseline  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"

# DESIGN.md: ephios 0.27, 2 gunicorn workers; (what, SQL queries, SQLite median s, PostgreSQL median s).
PEER = {
    "open_shifts": ("a volunteer's list of upcoming events and shifts", 14, 0.73, 0.79),
    "shift_page": ("one event with 3 shifts and 45 participants", 178, 0.46, 0.84),
    "my_hours": ("a volunteer's own hours (≈200 entries)", 10, 0.060, 0.088),
    "overview": ("all volunteers' hours overview (unpaginated, 1.7 MB)", 8, 1.4, 0.94),
    "export": ("hours export of all volunteers", 4, 0.59, 0.19),
    "verify": ("(no verification screen)", None, None, None),
}
PEER_SIGNUP = "73 ms / 140 ms; 23% fail on SQLite with 2 clients"


def build_peer_tree():
    """DESIGN.md's peer volume: a committee, a general branch and 18 branches."""
    from qingyi.organizations.models import Organization
    from qingyi.organizations.services import organization_create_root

    root = organization_create_root(name="基准医院团委", founded_on=dt.date(2015, 1, 1))
    general = Organization.objects.add_child(root, create_kwargs={"name": "总支", "kind": "general_branch"})
    for i in range(18):
        Organization.objects.add_child(general, create_kwargs={"name": f"支部{i}", "kind": "branch"})
    return Organization.objects.get(pk=root.pk)


def build_hospital_tree():
    """DESIGN.md's hospital: bench/generate.py's 50 organisations and 1,500 people."""
    from bench.generate import VOLUMES, generate
    from qingyi.organizations.models import Organization

    orgs, people = VOLUMES["hospital"]
    generate(orgs=orgs, people=people, seed=504, history=False, accounts=False, quiet=True)
    return Organization.objects.filter(depth=1).order_by("path").first()


def measure(client, url, runs: int, params=None):
    """(p50 s, p95 s, queries, bytes) of ``runs`` requests after two warm-up requests."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params or {})  # warm the caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    queries = len(ctx.captured_queries)  # now: the next request's request_started empties the log
    assert response.status_code == 200, (url, response.status_code)
    client.get(url, params or {})
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url, params or {})
        times.append(time.perf_counter() - t0)
    return statistics.median(times), pct(times, 95), queries, len(response.content)


def contention(n: int = 200, places: int = 20, pool: int = 20):
    from django.db import connection, connections
    from django.utils import timezone

    from qingyi.accounts.models import User
    from qingyi.organizations.models import Organization
    from qingyi.volunteering import services
    from qingyi.volunteering.models import Project, Shift, Signup, Volunteer

    root = Organization.objects.order_by("path").first()
    project = Project.objects.create(organization=root, name="争抢", kind="other")
    start = timezone.now() + dt.timedelta(days=10)
    shift = Shift.objects.create(
        project=project, start=start, end=start + dt.timedelta(hours=2), capacity=places
    )
    users = User.objects.bulk_create([User(username=f"c{time.time_ns()}-{i}") for i in range(n)])
    vols = Volunteer.objects.bulk_create(
        [Volunteer(kind="social", organization=root, user=u, name=f"争{i}") for i, u in enumerate(users)]
    )
    connections.close_all()
    barrier = threading.Barrier(n)
    limit = threading.BoundedSemaphore(pool if connection.vendor == "postgresql" else n)
    errors, durations = [], []

    def run(v):
        try:
            barrier.wait()
            with limit:
                t0 = time.perf_counter()
                services.signup_create(shift=shift, volunteer=v, actor=v.user)
                durations.append(time.perf_counter() - t0)
        except Exception as exc:
            errors.append(repr(exc))
        finally:
            connections.close_all()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(v,)) for v in vols]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    confirmed = Signup.objects.filter(shift=shift, status="confirmed").count()
    waiting = Signup.objects.filter(shift=shift, status="waiting").count()
    durations.sort()
    return {
        "confirmed": confirmed,
        "waiting": waiting,
        "errors": len(errors),
        "first_error": errors[0] if errors else "",
        "wall": wall,
        "p50": statistics.median(durations) if durations else 0,
        "p95": pct(durations, 95) if durations else 0,
    }


def vacuum_analyze() -> float:
    """PostgreSQL: VACUUM ANALYZE after the bulk load, as autovacuum does within minutes (the
    statistics, and the visibility map index-only scans need); seconds taken. SQLite: nothing."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - t0


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def run(args) -> None:
    os.environ.setdefault("QINGYI_TESTING", "true")
    os.environ["QINGYI_NOTIFICATION_CHANNELS"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpResponse
    from django.test import Client
    from django.urls import reverse

    from qingyi.volunteering.models import Volunteer

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False

    # URLs: the project's plus the baseline view (one indexed query, no template).
    def baseline(request):
        return HttpResponse(Volunteer.objects.filter(pk=request.GET["pk"]).values_list("name", flat=True)[0])

    urls_with_baseline(baseline, "volunteering")

    from bench.generate import generate_volunteering

    volume = VOLUNTEERING_VOLUMES[args.volume]
    connection.ensure_connection()
    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else f"{connection.pg_version // 10000}.{connection.pg_version % 100}"
    )
    print(
        f"Volunteering pages · {args.volume} volume · {connection.vendor} {version} · "
        f"Django {django.get_version()} · load average before {load()}"
    )
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - t0
    t0 = time.perf_counter()
    root = build_hospital_tree() if args.volume == "hospital" else build_peer_tree()
    tree = time.perf_counter() - t0
    world = generate_volunteering(volume=volume, root=root)
    analyzed = vacuum_analyze()
    from qingyi.organizations.models import Organization
    from qingyi.people.models import Person

    print(
        f"Generated {Organization.objects.count():,} organisations, {Person.objects.count():,} people "
        f"({tree:.1f} s); {world.volunteers:,} volunteers, {world.shifts:,} shifts, {world.signups:,} "
        f"sign-ups, {world.records:,} service records in {world.seconds:.1f} s "
        f"(migrate {migrated:.1f} s{f', VACUUM ANALYZE {analyzed:.1f} s' if analyzed else ''})"
    )

    backend = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    volunteer_client, coordinator_client, anonymous = Client(), Client(), Client()
    volunteer_client.force_login(world.member, backend=backend)
    coordinator_client.force_login(world.coordinator, backend=backend)
    everything = {"period": "2000-01-01..2099-12-31"}  # the peer's overview: all time
    overview, export = reverse("volunteering:hours_overview"), reverse("volunteering:hours_export")
    pages = [
        ("baseline", coordinator_client, f"/bench/baseline/?pk={world.volunteer.pk}", None),
        ("login form", anonymous, reverse("accounts:login"), None),
        ("open_shifts", volunteer_client, reverse("volunteering:shift_list"), None),
        ("shift_page", coordinator_client, reverse("volunteering:shift_detail", args=[world.big.pk]), None),
        ("my_hours", volunteer_client, reverse("volunteering:my_hours"), None),
        ("overview", coordinator_client, overview, everything),
        ("overview, year", coordinator_client, overview, None),  # the page as it opens: this year
        ("export", coordinator_client, export, everything),
        ("export, year", coordinator_client, export, None),
        ("verify", coordinator_client, reverse("volunteering:shift_verify", args=[world.verify.pk]), None),
    ]
    which = 2 if connection.vendor == "sqlite" else 3
    results = {}
    for key, client, url, params in pages:
        results[key] = measure(client, url, args.runs, params)
    load_pages = load()
    base = results["baseline"][0]
    print(f"\nload average after the pages: {load_pages}; at the end {load()} (2 cores, shared)")
    print(
        f"\n{'page':<26}{'queries':>8}{'p50 ms':>9}{'p95 ms':>9}{'KB':>7}{'× base':>8}"
        f"   {'peer q':>6}{'peer ms':>9}{'peer/ours':>10}"
    )
    for key, (p50, p95, queries, size) in results.items():
        peer = PEER.get(key.split(",")[0]) if "year" not in key else None
        peer_q = peer_t = ratio = ""
        if peer and peer[1] is not None:
            peer_q, peer_t = str(peer[1]), f"{peer[which] * 1000:.0f}"
            ratio = f"{peer[which] / p50:.1f}×"
        print(
            f"{key:<26}{queries:>8}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{size / 1024:>7.0f}"
            f"{p50 / base:>8.1f}   {peer_q:>6}{peer_t:>9}{ratio:>10}"
        )
    print(
        "\nbaseline: a bare view, one indexed query; overview/export: all time (as the peer's), "
        "', year': as the page opens (this year)"
    )
    print("peer pages: " + "; ".join(f"{k}: {v[0]}" for k, v in PEER.items()))

    if args.profile_export:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        coordinator_client.get(export, everything)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)

    if not args.no_contention:
        print("\nSign-up contention: 200 simultaneous sign-ups for 20 places")
        result = contention()
        print(
            f"  confirmed {result['confirmed']}, waiting {result['waiting']}, errors {result['errors']} "
            f"{result['first_error']}"
        )
        print(
            f"  wall {result['wall']:.2f} s, per sign-up p50 {result['p50'] * 1000:.0f} ms, "
            f"p95 {result['p95'] * 1000:.0f} ms   (peer: {PEER_SIGNUP})"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--volume", choices=sorted(VOLUNTEERING_VOLUMES), default="peer")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page")
    parser.add_argument("--no-contention", action="store_true", help="skip the sign-up contention run")
    parser.add_argument("--profile-export", action="store_true", help="cProfile one export request")
    args = parser.parse_args(argv)

    folder = tempfile.mkdtemp(prefix="qingyi-bench-volunteering-")
    database = None
    if args.database == "postgres":
        import psycopg

        database = f"qingyi_bench_volunteering_{os.getpid()}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DATA_DIR"] = folder
    try:
        run(args)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if database:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
