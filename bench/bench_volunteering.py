"""Volunteer-service pages at DESIGN.md's peer-comparison volume, beside the peer's figures.

2,000 volunteers, 3,000 shifts and 30,000 sign-ups over two years (20 organisations), in a
fresh database — the embedded SQLite by default, PostgreSQL with DATABASE_URL (the database
must be empty):

    DATA_DIR=/tmp/qy-vbench .venv/bin/python bench/bench_volunteering.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qy_vbench .venv/bin/python bench/bench_volunteering.py

Pages are requested in-process with Django's test client (no web server): p50/p95 over
``--runs`` requests and the SQL query count of one request, beside ephios 0.27's figures
from DESIGN.md (measured there behind gunicorn, so ours exclude HTTP overhead). The floor is
a bare page of the same stack (the login form) measured in the same run. Then the sign-up
contention run: 200 threads sign up for one shift of 20 places at the same moment.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import setup_django  # noqa: E402

# DESIGN.md: ephios 0.27, 2 gunicorn workers, SQLite / PostgreSQL medians and query counts.
PEER = {
    "open_shifts": ("a volunteer's list of upcoming events and shifts", 14, "0.73 s / 0.79 s"),
    "shift_page": ("one event with 3 shifts and 45 participants", 178, "0.46 s / 0.84 s"),
    "my_hours": ("a volunteer's own hours (≈200 entries)", 10, "60 ms / 88 ms"),
    "overview": ("all volunteers' hours overview (unpaginated)", 8, "1.4 s / 0.94 s"),
    "export": ("hours export of all volunteers", 4, "0.59 s / 0.19 s"),
    "verify": ("(no verification screen)", None, "—"),
    "signup": ("sign-up", 43, "73 ms / 140 ms; 23% fail on SQLite with 2 clients"),
}

VOLUNTEERS = 2_000
SHIFTS = 3_000
SIGNUPS = 30_000
ORGS = 20


def build(seed: int = 7):
    import random

    from django.core.management import call_command
    from django.utils import timezone

    from qingyi.accounts.models import Role, RoleAssignment, User
    from qingyi.organizations.models import Organization
    from qingyi.organizations.services import organization_create_root
    from qingyi.volunteering.models import Post, Project, ServiceRecord, Shift, Signup, Volunteer

    call_command("migrate", verbosity=0)
    if Organization.objects.exists():
        raise SystemExit(
            "The database already holds organisations; point DATA_DIR or DATABASE_URL at an empty one."
        )
    rng = random.Random(seed)
    root = organization_create_root(name="基准医院团委", founded_on=dt.date(2015, 1, 1))
    orgs = [root]
    general = Organization.objects.add_child(root, create_kwargs={"name": "总支", "kind": "general_branch"})
    orgs.append(general)
    for i in range(ORGS - 2):
        orgs.append(
            Organization.objects.add_child(general, create_kwargs={"name": f"支部{i}", "kind": "branch"})
        )
    orgs = list(Organization.objects.all())
    branches = [o for o in orgs if o.kind == "branch"]
    coordinator = User.objects.create_user("bench-coordinator", password="x")
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, organization=root)
    member = User.objects.create_user("bench-volunteer", password="x")
    RoleAssignment.objects.create(user=member, role=Role.MEMBER, organization=branches[0])
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                kind=rng.choice(["staff", "social", "student"]),
                organization=rng.choice(branches),
                name=f"志愿者{i:04d}",
                phone=f"139{i:08d}",
                user=member if i == 0 else None,
            )
            for i in range(VOLUNTEERS)
        ]
    )
    volunteers[0].organization = branches[0]
    volunteers[0].save()
    projects = [Project.objects.create(organization=root, name=f"项目{i}", kind="other") for i in range(10)]
    posts = [Post.objects.create(project=p, name="导诊") for p in projects]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    begin = now - dt.timedelta(days=640)
    step = (now + dt.timedelta(days=90) - begin) / SHIFTS
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                project=projects[i % 10],
                post=posts[i % 10],
                start=begin + step * i,
                end=begin + step * i + dt.timedelta(hours=3),
                capacity=12,
                place="门诊大厅",
            )
            for i in range(SHIFTS)
        ]
    )
    # One upcoming shift with 45 participants (the peer's "event with 45 participants").
    big = Shift.objects.create(
        project=projects[0],
        post=posts[0],
        start=now + dt.timedelta(days=2),
        end=now + dt.timedelta(days=2, hours=3),
        capacity=60,
        place="门诊大厅",
    )
    # One past shift with 45 records (the verification screen).
    verify = Shift.objects.create(
        project=projects[0],
        post=posts[0],
        start=now - dt.timedelta(days=1),
        end=now - dt.timedelta(days=1) + dt.timedelta(hours=3),
        capacity=60,
    )
    signups, seen = [], set()
    me = volunteers[0]
    my_shifts = set(rng.sample(range(SHIFTS - 300), 200))  # ≈200 past entries for the bench volunteer
    for i in my_shifts:
        seen.add((i, me.pk))
        signups.append(Signup(shift=shifts[i], volunteer=me, status="confirmed"))
    while len(signups) < SIGNUPS - 90:
        i = rng.randrange(SHIFTS)
        v = volunteers[rng.randrange(1, VOLUNTEERS)]
        if (i, v.pk) in seen:
            continue
        seen.add((i, v.pk))
        signups.append(Signup(shift=shifts[i], volunteer=v, status="confirmed"))
    for v in volunteers[1:46]:
        signups.append(Signup(shift=big, volunteer=v, status="confirmed"))
        signups.append(Signup(shift=verify, volunteer=v, status="confirmed"))
    Signup.objects.bulk_create(signups, batch_size=2000)
    records = []
    for s in signups:
        shift = s.shift
        if shift.end < now and shift is not verify:
            records.append(
                ServiceRecord(
                    shift=shift,
                    volunteer=s.volunteer,
                    project=shift.project,
                    served_on=timezone.localtime(shift.start).date(),
                    status="verified",
                    checked_in_at=shift.start,
                    checked_out_at=shift.end,
                    scheduled_hours=Decimal(3),
                    recorded_hours=Decimal(3),
                    verified_hours=Decimal(3),
                    people_served=rng.randrange(0, 30),
                )
            )
        elif shift is verify:
            records.append(
                ServiceRecord(
                    shift=shift,
                    volunteer=s.volunteer,
                    project=shift.project,
                    served_on=timezone.localtime(shift.start).date(),
                    status="recorded",
                    checked_in_at=shift.start,
                    checked_out_at=shift.end,
                    scheduled_hours=Decimal(3),
                    recorded_hours=Decimal(3),
                )
            )
    ServiceRecord.objects.bulk_create(records, batch_size=2000)
    return {
        "coordinator": coordinator,
        "member": member,
        "big": big,
        "verify": verify,
        "records": len(records),
        "root": root,
    }


def measure(client, url, runs: int, params=None):
    from django.db import connection

    client.get(url, params or {})  # warm the caches
    count = [0]

    def counter(execute, sql, params_, many, context):
        count[0] += 1
        return execute(sql, params_, many, context)

    with connection.execute_wrapper(counter):
        response = client.get(url, params or {})
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url, params or {})
        times.append(time.perf_counter() - t0)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    return statistics.median(times), p95, count[0], len(response.content)


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
        "p95": durations[int(0.95 * len(durations))] if durations else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    settings.AXES_ENABLED = False
    print(f"Database: {connection.vendor} ({settings.DATABASES['default']['NAME']})")
    t0 = time.perf_counter()
    world = build()
    print(
        f"Generated {VOLUNTEERS} volunteers, {SHIFTS} shifts, {SIGNUPS} sign-ups, {world['records']} records "
        f"in {time.perf_counter() - t0:.1f} s"
    )
    volunteer_client, coordinator_client, anonymous = Client(), Client(), Client()
    volunteer_client.force_login(
        world["member"], backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    )
    coordinator_client.force_login(
        world["coordinator"], backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    )
    floor = measure(anonymous, reverse("accounts:login"), args.runs)
    pages = [
        ("open_shifts", volunteer_client, reverse("volunteering:shift_list"), None),
        (
            "shift_page",
            coordinator_client,
            reverse("volunteering:shift_detail", args=[world["big"].pk]),
            None,
        ),
        ("my_hours", volunteer_client, reverse("volunteering:my_hours"), None),
        (
            "overview",
            coordinator_client,
            reverse("volunteering:hours_overview"),
            {"period": "2020-01-01..2030-12-31"},
        ),
        (
            "export",
            coordinator_client,
            reverse("volunteering:hours_export"),
            {"period": "2020-01-01..2030-12-31"},
        ),
        ("verify", coordinator_client, reverse("volunteering:shift_verify", args=[world["verify"].pk]), None),
    ]
    print(
        f"\nfloor (bare login page): p50 {floor[0] * 1000:.1f} ms, "
        f"p95 {floor[1] * 1000:.1f} ms, {floor[2]} queries"
    )
    print(
        f"\n{'page':<13}{'p50 ms':>9}{'p95 ms':>9}{'×floor':>8}{'queries':>9}{'KB':>8}"
        "   peer (ephios): queries, median"
    )
    for key, client, url, params in pages:
        p50, p95, queries, size = measure(client, url, args.runs, params)
        label, peer_q, peer_t = PEER[key]
        print(
            f"{key:<13}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{p50 / floor[0]:>8.1f}"
            f"{queries:>9}{size / 1024:>8.0f}"
            f"   {peer_q if peer_q is not None else '—'}, {peer_t}  ({label})"
        )
    print("\nSign-up contention: 200 simultaneous sign-ups for 20 places")
    result = contention()
    print(
        f"  confirmed {result['confirmed']}, waiting {result['waiting']}, errors {result['errors']} "
        f"{result['first_error']}"
    )
    print(
        f"  wall {result['wall']:.2f} s, per sign-up p50 {result['p50'] * 1000:.0f} ms, "
        f"p95 {result['p95'] * 1000:.0f} ms"
        f"   (peer: {PEER['signup'][2]})"
    )


if __name__ == "__main__":
    os.environ.setdefault("QINGYI_TESTING", "true")
    main()
