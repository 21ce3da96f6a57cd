"""Escort benchmark: dispatch pages, API list, figures, public requests and erasure at volume.

    .venv/bin/python bench/bench_escorts.py                   # 100,000 requests (DESIGN.md: hospital)
    .venv/bin/python bench/bench_escorts.py --requests 20000 --database postgres

A throwaway database: SQLite in a temporary folder (test settings), or with --database postgres
a database ``qingyi_bench_escorts_<pid>`` created on postgres://postgres@127.0.0.1:5432 and
dropped at the end (VACUUM ANALYZEd after the load, as autovacuum would).
Pages are requested with Django's test Client as a committee coordinator: warm-up, then timed
requests; queries counted on a separate request. Baseline in the same run: a bare view
through the same middleware doing one indexed query, as in bench_pages.py; the ratio is a
page's median over the baseline's median. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.generate import insert_rows  # noqa: E402
from bench.timing import pct, timed, urls_with_baseline  # noqa: E402

PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000, help="escort requests to generate")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="qingyi-bench-escorts-")
    os.environ["DATA_DIR"] = tmp
    database = None
    if args.database == "postgres":
        import psycopg

        database = f"qingyi_bench_escorts_{os.getpid()}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        return run(args)
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if database:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def run(args) -> int:
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
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    call_command("migrate", verbosity=0)

    from qingyi.accounts.models import Role, RoleAssignment, User
    from qingyi.core import metrics
    from qingyi.core.periods import Period
    from qingyi.escorts import services
    from qingyi.escorts.models import EscortRequest, token_digest
    from qingyi.organizations.models import Department, Organization
    from qingyi.organizations.services import organization_create_root
    from qingyi.volunteering.models import Volunteer

    # URLs: the project's plus the baseline view (one indexed query, no template).
    def baseline(request):
        return HttpResponse(
            EscortRequest.objects.filter(pk=request.GET["pk"]).values_list("status", flat=True)[0]
        )

    urls_with_baseline(baseline, "escorts")

    rng = random.Random(7)
    committee = organization_create_root(name="演示医院团委", founded_on=dt.date(2020, 1, 1))
    branches = [
        Organization.objects.add_child(committee, create_kwargs={"name": f"支部{i}", "kind": "branch"})
        for i in range(20)
    ]
    departments = Department.objects.bulk_create([Department(name=f"科室{i}") for i in range(40)])
    coordinator = User.objects.create_user(username="coord", password="x" * 12)
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, organization=committee)
    users = User.objects.bulk_create([User(username=f"v{i}") for i in range(300)])
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(kind="social", organization=branches[i % 20], name=f"志愿者{i}", user=users[i])
            for i in range(300)
        ]
    )
    now = timezone.now()
    t0 = time.perf_counter()

    def rows():
        for i in range(args.requests):
            created = now - dt.timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
            status = rng.choices(["done", "cancelled", "new", "assigned"], weights=[85, 10, 3, 2])[0]
            assigned_at = created + dt.timedelta(minutes=rng.randint(1, 90)) if status != "new" else None
            yield (
                status,
                f"139{i:08d}",
                created + dt.timedelta(hours=2),  # wanted_at
                departments[i % 40].pk,
                token_digest(f"bench-{i}"),
                volunteers[i % 300].pk if status != "new" else None,
                assigned_at,
                assigned_at + dt.timedelta(hours=1) if status == "done" else None,  # done_at
                created + dt.timedelta(minutes=5) if status == "cancelled" else None,
                rng.randint(3, 5) if status == "done" and i % 3 == 0 else None,
                created,
                created,
            )

    # Straight into the table (bench/generate.insert_rows): created_at is auto_now_add, which
    # bulk_create would overwrite with now.
    insert_rows(
        EscortRequest,
        (
            "status",
            "phone",
            "wanted_at",
            "department",
            "token_digest",
            "volunteer",
            "assigned_at",
            "done_at",
            "cancelled_at",
            "rating",
            "created_at",
            "updated_at",
        ),
        rows(),
        organization=committee.pk,
        patient_name="张三",
        needs="轮椅",
    )
    generated = time.perf_counter() - t0
    analyzed = 0.0
    if connection.vendor == "postgresql":
        t1 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        analyzed = time.perf_counter() - t1
    print(
        f"generated {args.requests:,} escort requests in {generated:.1f} s",
        f"({connection.vendor}{f'; VACUUM ANALYZE {analyzed:.1f} s' if analyzed else ''});",
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
    )

    client = Client()
    client.force_login(coordinator)
    volunteer_client = Client()
    volunteer_client.force_login(users[0])
    first = EscortRequest.objects.order_by("pk").first()
    pages = [
        ("baseline: one indexed query", client, f"/bench/baseline/?pk={first.pk}"),
        ("dispatch: open requests", client, "/escorts/dispatch/"),
        ("dispatch: done (page 1 of many)", client, "/escorts/dispatch/?status=done"),
        ("my escorts (volunteer)", volunteer_client, "/escorts/mine/"),
        ("request detail", client, f"/escorts/{first.pk}/"),
        ("assign: candidates", client, f"/escorts/{first.pk}/assign/"),
        ("API: open requests", client, "/api/v1/escorts"),
        ("metric page: escorts.done", client, f"/metrics/escorts.done/?org={committee.pk}"),
    ]
    results = []
    for label, c, url in pages:
        wall = timed(lambda c=c, url=url: c.get(url), args.repeat)
        with CaptureQueriesContext(connection) as q:
            status = c.get(url).status_code
        results.append((label, status, len(q), wall))
    base = statistics.median(results[0][3])
    print(f"\n{'page':36} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}")
    for label, status, queries, wall in results:
        med = statistics.median(wall)
        print(f"{label:36} {status:>6} {queries:>7} {med:8.1f} {pct(wall, 95):8.1f} {med / base:6.1f}")

    scope = metrics.Scope(committee, Period.current_year())
    print("\nfigures for the committee, this year:")
    for name in (
        "escorts.requested",
        "escorts.done",
        "escorts.cancelled",
        "escorts.average_rating",
        "escorts.median_minutes_to_assignment",
    ):
        wall = timed(lambda name=name: metrics.get(name).value(scope), 5, warmup=1)
        print(f"  {name:40} = {metrics.get(name).value(scope):>10}   p50 {statistics.median(wall):7.1f} ms")

    # Public requests: each a new address and phone (the rate limit is per address and phone).
    public = Client()
    wanted = timezone.localtime(now + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    counter = iter(range(10**6))

    def post():
        i = next(counter)
        r = public.post(
            "/escorts/request/",
            {"patient_name": "李四", "phone": f"137{i:08d}", "wanted_at": wanted},
            REMOTE_ADDR=f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        )
        assert r.status_code == 302, r.status_code

    wall = timed(post, 100)
    print(
        f"\npublic request (POST, 302): p50 {statistics.median(wall):.1f} ms, p95 {pct(wall, 95):.1f} ms, "
        f"{1000 / statistics.mean(wall):.0f}/s on one client"
    )

    t0 = time.perf_counter()
    erased = services.escorts_erase_patient_data()
    t1 = time.perf_counter()
    again = services.escorts_erase_patient_data()
    t2 = time.perf_counter()
    print(
        f"erasure: {erased:,} rows in {(t1 - t0) * 1000:.0f} ms;",
        f"second run {again} rows in {(t2 - t1) * 1000:.0f} ms",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
