"""Page benchmark: response times and SQL queries of the main pages at a volume of DESIGN.md.

    .venv/bin/python bench/bench_pages.py                    # hospital: 50 organisations, 1,500 people
    .venv/bin/python bench/bench_pages.py --volume city      # 5,000 organisations, 150,000 people (~2 min)

It builds a throwaway SQLite database in a temporary folder (DATA_DIR; the test settings,
QINGYI_TESTING=true, DEBUG off), or uses DATABASE_URL if set — then that database must be
empty. The volume comes from bench/generate.py. Each page is requested with Django's test
Client, logged in (force_login) as the demo committee admin of the first hospital unless the
row says otherwise: a few warm-up requests, then ``--requests`` timed ones; the queries are
counted on a separate request (CaptureQueriesContext) so that recording SQL does not skew
the timings.

Baseline, on the same stack and in the same run: ``/bench/baseline/``, a view added for the
benchmark that goes through the same middleware (session, authentication, locale, CSRF,
history, axes) as every page and runs one indexed query (a person by primary key) and
returns the name as text, with no template. The ratio column is a page's median over the
baseline's median: how much heavier than "one request, one indexed query" each page is,
whatever the machine. The raw ORM time of that one query (without HTTP) is printed too.

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]


@dataclass
class Row:
    label: str
    url: str
    user: str = "admin"


@dataclass
class Result:
    row: Row
    status: int
    queries: int
    kilobytes: float
    wall: list[float]  # milliseconds per request
    cpu: list[float]  # milliseconds of this process's CPU time per request

    @staticmethod
    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


def _baseline_urls():
    """The project's URLs plus the baseline view (used as ROOT_URLCONF for the run)."""
    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.urls import include, path

    from qingyi.people.models import Person

    @login_required
    def baseline(request):
        name = Person.objects.filter(pk=int(request.GET["pk"])).values_list("name", flat=True).first()
        return HttpResponse(name or "", content_type="text/plain; charset=utf-8")

    return [path("bench/baseline/", baseline), path("", include("qingyi.urls"))]


urlpatterns: list = []  # filled in main(), once Django is set up


def measure(clients: dict, rows: list[Row], requests: int, warmup: int = 3) -> list[Result]:
    """Warm up, count queries, then time the pages round-robin (load drifts hit all pages alike)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    results = []
    for row in rows:
        client = clients[row.user]
        for _ in range(warmup):
            client.get(row.url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(row.url)
        queries = len(ctx.captured_queries)  # now: the next request empties the log
        results.append(Result(row, response.status_code, queries, len(response.content) / 1024, [], []))
    for _ in range(requests):
        for result in results:
            client = clients[result.row.user]
            wall, cpu = time.perf_counter(), time.process_time()
            client.get(result.row.url)
            result.cpu.append((time.process_time() - cpu) * 1000)
            result.wall.append((time.perf_counter() - wall) * 1000)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Response times and SQL queries of the main pages.")
    parser.add_argument("--volume", choices=("hospital", "city"), default="hospital")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (default 50)")
    parser.add_argument("--seed", type=int, default=504)
    parser.add_argument("--keep", action="store_true", help="keep the temporary database folder")
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="qingyi-bench-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("QINGYI_TESTING", "true")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("AXES_ENABLED", "false")

    import warnings

    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    from bench.generate import VOLUMES, generate, setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from qingyi.accounts.models import User
    from qingyi.organizations.models import Organization, Position
    from qingyi.people.models import Person

    urlpatterns[:] = _baseline_urls()
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    import django

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    orgs, people = VOLUMES[args.volume]
    print(
        f"Qingyi page benchmark · Django {django.get_version()} · {connection.vendor} "
        f"{connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''} · "
        f"DEBUG={settings.DEBUG}"
    )
    print(f"Generating the {args.volume} volume (~{orgs:,} organisations, {people:,} people) ...", flush=True)
    report = generate(orgs=orgs, people=people, seed=args.seed, history=True, accounts=True, quiet=True)
    print(
        f"  {report.organizations:,} organisations, {report.people:,} people, "
        f"{report.positions:,} positions, {report.elections:,} elections in {report.seconds:.1f} s "
        f"({report.rows / report.seconds:,.0f} rows/s); "
        f"set-up {time.perf_counter() - started:.1f} s"
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    committee = Organization.objects.filter(depth=1).order_by("path").first()
    general = (
        Organization.objects.filter(path__startswith=committee.path, kind="general_branch")
        .order_by("path")
        .first()
    )
    secretary = (
        Position.objects.filter(organization=committee, title="secretary")
        .order_by("-start_on")
        .first()
        .person
    )
    someone = (
        Person.objects.filter(organization__path__startswith=committee.path, positions__isnull=True)
        .order_by("pk")
        .first()
    )
    rows = [
        Row("baseline: one indexed query", f"/bench/baseline/?pk={someone.pk}"),
        Row("roster, first page", "/people/"),
        Row("roster, page 10", "/people/?page=10"),
        Row("roster, filtered", f"/people/?org={general.pk}&political_status=league_member&youth=1"),
        Row("roster, due to age out", "/people/?due_to_age_out=1"),
        Row("roster, name search", "/people/?q=王"),
        Row("roster as branch admin", "/people/", user="branch"),
        Row("person detail (cadre)", f"/people/{secretary.pk}/"),
        Row("person detail (member)", f"/people/{someone.pk}/"),
        Row("organisation tree", "/organizations/"),
        Row("organisation detail", f"/organizations/{general.pk}/"),
        Row("home dashboard", "/"),
    ]
    clients = {}
    for username in {r.user for r in rows}:
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend",
        )
        clients[username] = client

    # The raw ORM time of the baseline's one query, without HTTP.
    orm = []
    for _ in range(max(args.requests, 50)):
        t = time.perf_counter()
        Person.objects.filter(pk=someone.pk).first()
        orm.append((time.perf_counter() - t) * 1000)

    load_before = os.getloadavg()[0]
    results = measure(clients, rows, args.requests)
    base_wall, base_cpu = statistics.median(results[0].wall), statistics.median(results[0].cpu)
    print()
    print(
        f"{args.volume} volume, {args.requests} timed requests per page, round-robin; milliseconds; "
        f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after ({os.cpu_count()} CPUs)"
    )
    header = (
        f"{'page':<28}{'status':>7}{'queries':>8}{'KB':>7}{'p50':>8}{'p95':>8}{'× base':>8}"
        f"{'cpu p50':>9}{'cpu p95':>9}{'× base':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        wall, cpu = statistics.median(r.wall), statistics.median(r.cpu)
        print(
            f"{r.row.label:<28}{r.status:>7}{r.queries:>8}{r.kilobytes:>7.1f}{wall:>8.1f}{Result.p95(r.wall):>8.1f}"
            f"{wall / base_wall:>8.1f}{cpu:>9.1f}{Result.p95(r.cpu):>9.1f}{cpu / base_cpu:>8.1f}"
        )
    print(f"\nORM only, Person.objects.filter(pk=…).first(): p50 {statistics.median(orm):.2f} ms")
    if args.keep:
        print(f"Database kept in {data_dir}")
    else:
        import shutil

        connection.close()
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if all(r.status == 200 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
