"""The city volume of DESIGN.md on a PostgreSQL primary and its streaming hot standby.

5,000 organisations, 150,000 people, 250,000 volunteers, 20,000,000 service records and
10,000,000 escort requests: the organisations and people through ``bench/generate.py`` (the
demo hospital's builder, 100 hospitals), the rest set-based in SQL (INSERT ... SELECT over
generate_series, explicit ids so rows refer to each other by arithmetic, the big tables'
secondary indexes dropped during the load and rebuilt after). Then the main pages and API
lists as a hospital's committee admin, a branch admin, a volunteer and a city-wide admin
(committee admin of all 100 hospitals), each on the primary and on the replica (the same request inside
``reporting_read()`` for the replica), p50/p95 over ``--repeat`` runs, and EXPLAIN (ANALYZE,
BUFFERS) of the slowest queries.

    # a primary and a standby of your own (docs/scale.md, section 2, shows how), then:
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/qingyi_city \\
        nice -n 15 .venv/bin/python bench/bench_city.py generate --fraction 1
    DATABASE_URL=postgres://postgres@127.0.0.1:55433/qingyi_city \\
    REPLICA_DATABASE_URL=postgres://postgres@127.0.0.1:55434/qingyi_city \\
        .venv/bin/python bench/bench_city.py measure

``generate`` expects the organisations and people of ``bench/generate.py --volume city`` and
nothing else; ``--fraction`` scales the service records and escort requests (0.25: a quarter).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

HOSPITALS = 100
VOLUNTEERS = 250_000
PROJECTS_PER_HOSPITAL = 20
PAST_SHIFTS = 20_000  # per hospital, over five years: ten records each → 20,000,000
FUTURE_SHIFTS = 1_000  # per hospital, over the next 90 days, six confirmed sign-ups each
RECORDS_PER_SHIFT = 10
ESCORTS_PER_HOSPITAL = 100_000  # → 10,000,000
STRIDE = 229  # a prime: volunteer k2 of a shift = (k*7 + k2*STRIDE) mod the hospital's count
BASE = 10_000_000  # explicit ids start here (the builder's rows stay below)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("DEBUG"):
        os.environ.setdefault("QINGYI_TESTING", "true")
    import django

    django.setup()


def run(cursor, label: str, sql: str, params=None) -> None:
    started = time.perf_counter()
    cursor.execute(sql, params)
    rows = cursor.rowcount
    print(f"  {label:<52}{rows if rows >= 0 else '':>12}{time.perf_counter() - started:>9.1f} s", flush=True)


def drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop every index of ``table`` but the primary key; return the statements that rebuild
    them (constraints as constraints)."""
    cursor.execute(
        """
        SELECT i.relname, c.conname, pg_get_indexdef(i.oid), pg_get_constraintdef(c.oid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
        WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
        """,
        [table],
    )
    rebuild = []
    for index, constraint, indexdef, constraintdef in cursor.fetchall():
        if constraint:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{constraint}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{constraint}" {constraintdef}')
        else:
            cursor.execute(f'DROP INDEX "{index}"')
            rebuild.append(indexdef)
    return rebuild


def generate(fraction: float) -> None:
    from django.db import connection

    from qingyi.accounts.models import Role, RoleAssignment, User
    from qingyi.organizations.models import Organization

    past = int(PAST_SHIFTS * fraction)
    escorts = int(ESCORTS_PER_HOSPITAL * fraction)
    roots = list(Organization.objects.filter(depth=1).order_by("path").values_list("pk", flat=True))
    if len(roots) != HOSPITALS:
        raise SystemExit(
            f"expected {HOSPITALS} hospitals (bench/generate.py --volume city), found {len(roots)}"
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM volunteering_volunteer")
        (existing,) = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM volunteering_servicerecord WHERE id >= %s", [BASE])
        if cursor.fetchone()[0]:
            raise SystemExit("this database already holds generated service records")
        new_volunteers = VOLUNTEERS - existing
        per_hospital = new_volunteers // HOSPITALS  # every hospital has at least this many
        cursor.execute("SET session_replication_role = replica")  # no FK triggers during the load
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        print(
            f"volunteers +{new_volunteers:,} · shifts {HOSPITALS * (past + FUTURE_SHIFTS):,} · "
            f"service records {HOSPITALS * past * RECORDS_PER_SHIFT:,} · "
            f"escort requests {HOSPITALS * escorts:,} (fraction {fraction})",
            flush=True,
        )
        run(
            cursor,
            "branches per hospital",
            """
            CREATE TEMP TABLE city_branch AS
            SELECT o.id, h.hn, (row_number() OVER (PARTITION BY h.hn ORDER BY o.path) - 1)::int AS n,
                   (count(*) OVER (PARTITION BY h.hn))::int AS nb
            FROM organizations_organization o
            JOIN (SELECT path, (row_number() OVER (ORDER BY path) - 1)::int AS hn
                  FROM organizations_organization WHERE depth = 1) h ON o.path LIKE h.path || '%%'
            WHERE o.kind = 'branch'
            """,
        )
        # Volunteer g of hospital hn = g % 100 has id BASE + g, in branch (g / 100) % nb.
        run(
            cursor,
            "volunteers",
            """
            INSERT INTO volunteering_volunteer (id, created_at, updated_at, kind, status, name, gender,
                phone, area, skills, service_categories, school, guardian_name, guardian_phone,
                insurance_policy, registered_on, application_note, organization_id)
            SELECT %(base)s + g, now(), now(),
                (ARRAY['staff', 'social', 'student', 'social_worker'])[g %% 4 + 1],
                'active', '志愿者' || g, '', '139' || lpad(g::text, 8, '0'), '', '', '', '', '', '', '',
                current_date - (g %% 1800), '', b.id
            FROM generate_series(0, %(n)s - 1) g
            JOIN city_branch b ON b.hn = g %% 100 AND b.n = (g / 100) %% b.nb
            """,
            {"base": BASE, "n": new_volunteers},
        )
        run(
            cursor,
            "projects",
            """
            INSERT INTO volunteering_project (id, created_at, updated_at, name, kind, description,
                organization_id)
            SELECT %(base)s + p, now(), now(), '服务项目' || (p %% 20), 'other', '',
                (%(roots)s::bigint[])[p / 20 + 1]
            FROM generate_series(0, %(n)s - 1) p
            """,
            {"base": BASE, "roots": roots, "n": HOSPITALS * PROJECTS_PER_HOSPITAL},
        )
        # Shift s: hospital s % 100, number k = s / 100 in it; k < past: spread over the five
        # years before today, else over the next 90 days. Project k % 20 of the hospital.
        shift_start = f"""
            CASE WHEN s / 100 < {past}
                 THEN date_trunc('hour', now()) - interval '1825 days'
                      + (s / 100) * (interval '1825 days' / {max(past, 1)})
                 ELSE date_trunc('hour', now()) + interval '1 day'
                      + (s / 100 - {past}) * (interval '90 days' / {FUTURE_SHIFTS})
            END"""
        run(
            cursor,
            "shifts",
            f"""
            INSERT INTO volunteering_shift (id, created_at, updated_at, start, "end", place, capacity,
                join_mode, insurance_required, note, project_id, partner)
            SELECT %(base)s + s, now(), now(), st, st + interval '3 hours', '门诊大厅', 12, 'instant',
                false, '',
                %(base)s + (s %% 100) * 20 + (s / 100) %% 20, ''
            FROM generate_series(0, %(n)s - 1) s, LATERAL (SELECT {shift_start} AS st) t
            """,
            {"base": BASE, "n": HOSPITALS * (past + FUTURE_SHIFTS)},
        )
        volunteer = f"%(base)s + (s %% 100) + 100 * (((s / 100) * 7 + k2 * {STRIDE}) %% {per_hospital})"
        run(
            cursor,
            "sign-ups on the upcoming shifts",
            f"""
            INSERT INTO volunteering_signup (created_at, updated_at, status, walk_in, shift_id, volunteer_id)
            SELECT now(), now(), 'confirmed', false, %(base)s + s, {volunteer}
            FROM generate_series(%(first)s, %(n)s - 1) s, generate_series(0, 5) k2
            """,
            {"base": BASE, "first": HOSPITALS * past, "n": HOSPITALS * (past + FUTURE_SHIFTS)},
        )
        rebuild = drop_secondary_indexes(cursor, "volunteering_servicerecord")
        run(
            cursor,
            "service records",
            f"""
            INSERT INTO volunteering_servicerecord (created_at, updated_at, served_on, source, status,
                walk_in, checked_in_at, checked_out_at, scheduled_hours, recorded_hours, verified_hours,
                people_served, reason, verified_at, project_id, shift_id, volunteer_id)
            SELECT st, st, (st AT TIME ZONE 'Asia/Shanghai')::date, 'scan',
                CASE WHEN st > now() - interval '3 days' THEN 'recorded' ELSE 'verified' END, false,
                st, st + interval '3 hours', 3, 3,
                CASE WHEN st > now() - interval '3 days' THEN NULL ELSE 1.5 + (s + k2) %% 4 * 0.5 END,
                (s * 7 + k2) %% 30, '',
                CASE WHEN st > now() - interval '3 days' THEN NULL ELSE st + interval '1 day' END,
                %(base)s + (s %% 100) * 20 + (s / 100) %% 20, %(base)s + s, {volunteer}
            FROM generate_series(0, %(n)s - 1) s, LATERAL (SELECT {shift_start} AS st) t,
                generate_series(0, {RECORDS_PER_SHIFT - 1}) k2
            """,
            {"base": BASE, "n": HOSPITALS * past},
        )
        for statement in rebuild:
            run(cursor, statement.split(" ON ")[0].split(" USING ")[0][:52], statement)
        rebuild = drop_secondary_indexes(cursor, "escorts_escortrequest")
        # Escort e: hospital e % 100, number k = e / 100, wanted over five years up to a week
        # ahead; past ones done (one in ten cancelled), upcoming ones new or assigned; patient
        # details erased after 180 days.
        run(
            cursor,
            "escort requests",
            f"""
            INSERT INTO escorts_escortrequest (created_at, updated_at, status, patient_name, phone, needs,
                wanted_at, token_digest, assigned_at, started_at, done_at, outcome_note, cancelled_at,
                cancel_reason, rating, rating_comment, erased_at, organization_id, volunteer_id)
            SELECT w - interval '1 day', w, st,
                CASE WHEN w < now() - interval '180 days' THEN '' ELSE '患者' || (e %% 997) END,
                CASE WHEN w < now() - interval '180 days' THEN ''
                     ELSE '138' || lpad((e %% 99999999)::text, 8, '0') END,
                '', w, md5('a' || e) || md5('b' || e),
                CASE WHEN st IN ('assigned', 'done') THEN w - interval '1 hour' END,
                CASE WHEN st = 'done' THEN w END,
                CASE WHEN st = 'done' THEN w + interval '1 hour' END, '',
                CASE WHEN st = 'cancelled' THEN w - interval '2 hours' END, '',
                CASE WHEN st = 'done' AND e %% 3 = 0 THEN 3 + e %% 3 END, '',
                CASE WHEN w < now() - interval '180 days' THEN w + interval '180 days' END,
                (%(roots)s::bigint[])[e %% 100 + 1],
                CASE WHEN st IN ('assigned', 'done')
                     THEN %(base)s + (e %% 100) + 100 * ((e / 100) %% {per_hospital}) END
            FROM generate_series(0, %(n)s - 1) e,
                LATERAL (SELECT date_trunc('minute', now()) - interval '1825 days'
                         + (e / 100) * (interval '1832 days' / {max(escorts, 1)}) AS w) t,
                LATERAL (SELECT CASE WHEN w > now() THEN (CASE WHEN e %% 2 = 0 THEN 'new' ELSE 'assigned' END)
                                     WHEN e %% 10 = 3 THEN 'cancelled' ELSE 'done' END AS st) u
            """,
            {"base": BASE, "roots": roots, "n": HOSPITALS * escorts},
        )
        for statement in rebuild:
            run(cursor, statement.split(" ON ")[0].split(" USING ")[0][:52], statement)
        cursor.execute("SET session_replication_role = origin")
        for table in (
            "volunteering_volunteer",
            "volunteering_project",
            "volunteering_shift",
            "volunteering_signup",
            "volunteering_servicerecord",
            "escorts_escortrequest",
        ):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        run(cursor, "ANALYZE", "ANALYZE")
    # A city-wide admin: committee admin of every hospital (the rollup reader).
    city, _ = User.objects.get_or_create(username="city")
    city.set_password("qingyi-demo")
    city.save()
    for pk in roots:
        RoleAssignment.objects.get_or_create(user=city, role=Role.COMMITTEE_ADMIN, organization_id=pk)
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)
    counts()


def counts() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for label, table in (
            ("organisations", "organizations_organization"),
            ("people", "people_person"),
            ("volunteers", "volunteering_volunteer"),
            ("shifts", "volunteering_shift"),
            ("sign-ups", "volunteering_signup"),
            ("service records", "volunteering_servicerecord"),
            ("escort requests", "escorts_escortrequest"),
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            print(f"  {label:<18}{cursor.fetchone()[0]:>14,}")
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"  {'database size':<18}{cursor.fetchone()[0]:>14}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="the volunteers, shifts, records and escorts, in SQL")
    gen.add_argument("--fraction", type=float, default=1.0)
    measure_parser = sub.add_parser("measure", help="p50/p95 of the pages, primary vs replica")
    measure_parser.add_argument("--repeat", type=int, default=7)
    measure_parser.add_argument("--explain", type=int, default=4, help="plans of the N slowest queries")
    sub.add_parser("counts", help="the rows of the volume")
    args = parser.parse_args(argv)
    setup_django()
    if args.command == "generate":
        generate(args.fraction)
    elif args.command == "counts":
        counts()
    else:
        measure(repeat=args.repeat, explain=args.explain)
    return 0


# (label, URL, user): admin = committee admin of the first hospital (1/100 of the volume),
# branch = admin of one of its branches, member = a volunteer of it (the demo login),
# city = committee admin of all 100 hospitals.
PAGES = [
    ("home dashboard", "/", "admin"),
    ("roster", "/people/", "admin"),
    ("organisation tree", "/organizations/", "admin"),
    ("volunteers", "/volunteering/manage/volunteers/", "admin"),
    ("projects", "/volunteering/manage/", "admin"),
    ("escort dispatch", "/escorts/dispatch/", "admin"),
    ("hours overview", "/volunteering/manage/hours/?period={year}", "admin"),
    ("figures", "/volunteering/figures/?period={year}", "admin"),
    ("figures export", "/volunteering/figures/export/?period={year}", "admin"),
    ("hours export", "/volunteering/manage/hours/export/?period={year}", "admin"),
    ("API people", "/api/v1/people", "admin"),
    ("API organisations", "/api/v1/organizations", "admin"),
    ("API records", "/api/v1/volunteering/records", "admin"),
    ("API escorts", "/api/v1/escorts", "admin"),
    ("API figure", "/api/v1/metrics/volunteering.verified_hours?period={year}", "admin"),
    ("API figure records", "/api/v1/metrics/volunteering.verified_hours/records?period={year}", "admin"),
    ("roster", "/people/", "branch"),
    ("figures", "/volunteering/figures/?period={year}", "branch"),
    ("API people", "/api/v1/people", "branch"),
    ("open shifts", "/volunteering/shifts/", "member"),
    ("my hours", "/volunteering/my-hours/", "member"),
    ("API open shifts", "/api/v1/volunteering/shifts/open", "member"),
    ("API my records", "/api/v1/volunteering/records?mine=true", "member"),
    ("home dashboard", "/", "city"),
    ("roster", "/people/", "city"),
    ("hours overview", "/volunteering/manage/hours/?period={year}", "city"),
    ("figures", "/volunteering/figures/?period={year}", "city"),
    ("API records", "/api/v1/volunteering/records", "city"),
    ("API figure", "/api/v1/metrics/volunteering.verified_hours?period={year}", "city"),
]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) > 1 else values[0]


def measure(*, repeat: int, explain: int) -> None:
    """Each page on the primary and on the replica, round-robin; then the slowest queries' plans."""
    import datetime as dt

    from django.conf import settings
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from qingyi.accounts.models import User
    from qingyi.core import dbrouter

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.AXES_ENABLED = False
    replica = dbrouter.replica_configured()
    year = dt.date.today().year
    clients = {}
    for username in ("admin", "branch", "member", "city"):
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend",
        )
        clients[username] = client
    pages = [(label, url.format(year=year), user) for label, url, user in PAGES]
    targets = ["primary", "replica"] if replica else ["primary"]
    if replica:
        dbrouter.forget_lag()
        print(f"replica lag now: {dbrouter.replica_lag()} s")

    def get(client, url, target):
        # On the replica: the whole request as a reporting read (the decorated views already
        # are); on the primary: the replica ruled out (a lag limit below zero).
        settings.REPLICA_MAX_LAG_SECONDS = 10.0 if target == "replica" else -1.0
        if target == "replica":
            with dbrouter.reporting_read():
                return client.get(url)
        return client.get(url)

    # One request of each page on the primary with the SQL recorded: the queries and their times.
    queries: list[tuple[float, str, str]] = []
    status: dict[tuple[str, str], tuple[int, int, float]] = {}
    on_replica: dict[tuple[str, str], int] = {}
    for label, url, user in pages:
        with CaptureQueriesContext(connections["default"]) as ctx:
            started = time.perf_counter()
            response = get(clients[user], url, "primary")
            first = (time.perf_counter() - started) * 1000
        status[(label, user)] = (response.status_code, len(ctx.captured_queries), first)
        for query in ctx.captured_queries:
            queries.append((float(query["time"]), f"{label} ({user})", query["sql"]))
        if replica:  # how many of the page's queries the replica answers (the rest: the primary)
            with CaptureQueriesContext(connections[dbrouter.REPLICA]) as ctx:
                get(clients[user], url, "replica")
            on_replica[(label, user)] = len(ctx.captured_queries)
    times: dict[tuple[str, str, str], list[float]] = {}
    load_before = os.getloadavg()
    for _ in range(repeat):
        for label, url, user in pages:
            for target in targets:
                started = time.perf_counter()
                get(clients[user], url, target)
                times.setdefault((label, user, target), []).append((time.perf_counter() - started) * 1000)
    load_after = os.getloadavg()
    print(
        f"\n{repeat} timed requests per page and database, round-robin, in-process (Django test client); "
        f"milliseconds; load average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({os.cpu_count()} CPUs)"
    )
    header = f"{'page':<22}{'as':<8}{'status':>7}{'queries':>8}" + (f"{'on replica':>11}" if replica else "")
    for target in targets:
        header += f"{target + ' p50':>14}{'p95':>9}"
    print(header)
    print("-" * len(header))
    for label, _url, user in pages:
        code, count, _first = status[(label, user)]
        line = f"{label:<22}{user:<8}{code:>7}{count:>8}"
        if replica:
            line += f"{on_replica[(label, user)]:>11}"
        for target in targets:
            values = times[(label, user, target)]
            line += f"{statistics.median(values):>14.1f}{_p95(values):>9.1f}"
        print(line)

    print(f"\nThe {explain} slowest queries (one request of each page, on the primary), with their plans:")
    seen = set()
    slowest = []
    for seconds, page, sql in sorted(queries, reverse=True):
        if sql in seen:
            continue
        seen.add(sql)
        slowest.append((seconds, page, sql))
        if len(slowest) == explain:
            break
    with connections["default"].cursor() as cursor:
        for seconds, page, sql in slowest:
            print(f"\n--- {seconds * 1000:.1f} ms · {page}\n{sql[:1500]}{' …' if len(sql) > 1500 else ''}")
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
            print("\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    sys.exit(main())
