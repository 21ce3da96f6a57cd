"""Benchmark of league work at hospital volume plus five years of activities.

Builds (in a fresh SQLite file under a temporary DATA_DIR, or the DATABASE_URL given) the
demo hospital — 50 organisations, 1,500 people — then ~20,000 activities over five years
with ~400,000 attendance rows and a few thousand publicity posts, and measures the pages
the committee uses, in process with Django's test client:

    .venv/bin/python bench/bench_activities.py            # 20,000 activities
    .venv/bin/python bench/bench_activities.py --activities 5000 --runs 20

It prints p50/p95 and SQL queries per page, and a baseline ratio: each page's p50 divided
by the p50 of the roster's first page (people:list) measured in the same run on the same
data, so the figures compare across machines. Finally it registers 40 people at once for
10 places from 8 threads and checks that nobody is overbooked and no registration fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(data_dir: str | None) -> None:
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="qy-bench-act-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("DEBUG"):
        os.environ.setdefault("QINGYI_TESTING", "true")
    import django

    django.setup()


def generate(*, activities: int, per_activity: int, seed: int) -> dict:
    """The demo hospital plus ``activities`` activities over five years with their attendance."""
    import datetime as dt
    import random

    from django.db import transaction
    from django.utils import timezone

    from qingyi.accounts.models import User
    from qingyi.activities.models import Activity, ActivityOrganizer, Attendance, Publication
    from qingyi.demo import hospital as demo
    from qingyi.organizations.models import Organization
    from qingyi.people.models import Person

    started = time.perf_counter()
    demo.build(people=1_500, hospitals=1, seed=seed, history=False, accounts=True)
    rng = random.Random(seed)
    admin = User.objects.get(username="admin")
    orgs = list(Organization.objects.filter(archived_at__isnull=True).order_by("path"))
    branches = [o for o in orgs if o.kind == Organization.Kind.BRANCH]
    people_by_org: dict[int, list[int]] = {}
    for pk, org_id in Person.objects.filter(status=Person.Status.ACTIVE).values_list("pk", "organization_id"):
        people_by_org.setdefault(org_id, []).append(pk)
    path_of = {o.pk: o.path for o in orgs}

    def members(org: Organization) -> list[int]:
        return [
            pk
            for oid, pks in people_by_org.items()
            if path_of.get(oid, "").startswith(org.path)
            for pk in pks
        ]

    members_of = {o.pk: members(o) for o in orgs}
    kinds = [k for k, _ in Activity.Kind.choices]
    weights = [24, 8, 4, 12, 12, 4, 3, 3]
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first_day = dt.date(today.year - 4, 1, 1)
    span = (today - first_day).days
    made = {"activities": 0, "attendance": 0, "publications": 0}
    batch = 2_000
    for offset in range(0, activities, batch):
        with transaction.atomic():
            drafts, leads = [], []
            for _ in range(min(batch, activities - offset)):
                lead = rng.choice(branches) if rng.random() < 0.9 else rng.choice(orgs)
                day = first_day + dt.timedelta(days=rng.randrange(span + 30))
                start = dt.datetime(day.year, day.month, day.day, rng.choice((9, 14, 16, 19)), tzinfo=tz)
                held = day < today
                drafts.append(
                    Activity(
                        kind=rng.choices(kinds, weights)[0],
                        title=f"活动{offset + len(drafts) + 1}",
                        starts_at=start,
                        ends_at=start + dt.timedelta(hours=2),
                        place="会议室",
                        organization=lead,
                        party_branch_id=lead.party_branch_id if rng.random() < 0.2 else None,
                        status=Activity.Status.HELD if held else Activity.Status.PLANNED,
                        summary="纪要" if held else "",
                        created_by=admin,
                    )
                )
                leads.append(lead)
            created = Activity.objects.bulk_create(drafts)
            ActivityOrganizer.objects.bulk_create(
                [
                    ActivityOrganizer(activity=a, organization=lead)
                    for a, lead in zip(created, leads, strict=True)
                ]
            )
            rows = []
            for a, lead in zip(created, leads, strict=True):
                if a.status != Activity.Status.HELD:
                    continue
                pool = members_of[lead.pk]
                for pk in rng.sample(pool, min(per_activity, len(pool))):
                    roll = rng.random()
                    status = "present" if roll < 0.8 else ("excused" if roll < 0.9 else "absent")
                    rows.append(Attendance(activity=a, person_id=pk, status=status))
            Attendance.objects.bulk_create(rows, batch_size=5_000)
            made["activities"] += len(created)
            made["attendance"] += len(rows)
    posts = [
        Publication(
            organization=rng.choice(orgs),
            title=f"推文{i}",
            published_on=first_day + dt.timedelta(days=rng.randrange(span)),
            category=rng.choice(Publication.Category.values),
            created_by=admin,
        )
        for i in range(2_500)
    ]
    Publication.objects.bulk_create(posts, batch_size=2_000)
    made["publications"] = len(posts)
    made["seconds"] = time.perf_counter() - started
    return made


def measure(
    client, url: str, params: dict, runs: int, headers: dict | None = None
) -> tuple[float, float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, params, headers=headers or {})
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params, headers=headers or {})
    queries = len(ctx.captured_queries)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url, params, headers=headers or {})
        times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, queries


def concurrency(threads: int, people: int, places: int) -> dict:
    """``people`` registrations for ``places`` places from ``threads`` threads at once."""
    import datetime as dt

    from django.db import connections
    from django.utils import timezone

    from qingyi.accounts.models import User
    from qingyi.activities import services
    from qingyi.activities.models import Registration
    from qingyi.organizations.models import Organization
    from qingyi.people.models import Person

    admin = User.objects.get(username="admin")
    committee = Organization.objects.filter(depth=1).first()
    start = (timezone.now() + dt.timedelta(days=10)).replace(second=0, microsecond=0)
    event = services.activity_create(
        data={
            "kind": "care",
            "title": "联谊会",
            "starts_at": start,
            "ends_at": start + dt.timedelta(hours=3),
        },
        organizers=[committee],
        actor=admin,
    )
    services.registration_configure(activity=event, open=True, capacity=places, deadline=None, actor=admin)
    pool = list(Person.objects.filter(status=Person.Status.ACTIVE).order_by("pk")[:people])
    failures: list[str] = []
    lock = threading.Lock()
    queue = list(pool)

    def worker():
        try:
            while True:
                with lock:
                    if not queue:
                        return
                    person = queue.pop()
                try:
                    services.registration_create(activity=event, person=person, actor=admin)
                except Exception as exc:  # any failure counts
                    failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    started = time.perf_counter()
    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seconds = time.perf_counter() - started
    confirmed = Registration.objects.filter(activity=event, status="confirmed").count()
    waiting = Registration.objects.filter(activity=event, status="waiting").count()
    return {
        "seconds": seconds,
        "confirmed": confirmed,
        "waiting": waiting,
        "failures": failures,
        "places": places,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--activities", type=int, default=20_000)
    parser.add_argument(
        "--per-activity", type=int, default=24, help="attendance rows per held activity (at most)"
    )
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=504)
    parser.add_argument("--data-dir", help="where the SQLite file goes (default: a new temporary folder)")
    args = parser.parse_args(argv)
    setup_django(args.data_dir)

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from qingyi.accounts.models import User
    from qingyi.activities.models import Activity, Attendance
    from qingyi.organizations.models import Organization

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    if not Activity.objects.exists():
        made = generate(activities=args.activities, per_activity=args.per_activity, seed=args.seed)
        print(
            f"generated {made['activities']:,} activities, {made['attendance']:,} attendance rows, "
            f"{made['publications']:,} posts in {made['seconds']:.1f} s"
        )
    print(
        f"volume: {Organization.objects.count():,} organisations, {Activity.objects.count():,} activities, "
        f"{Attendance.objects.count():,} attendance rows"
    )
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(
        User.objects.get(username="admin"), backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"
    )
    general = Organization.objects.filter(kind="general_branch").order_by("path").first()
    busiest = Activity.objects.filter(status="held").order_by("-pk").values_list("pk", flat=True).first()
    this_year = timezone.localdate().year
    pages = [
        ("roster (baseline)", reverse("people:list"), {}, None),
        ("activity list", reverse("activities:list"), {}, None),
        ("activity list, page 50", reverse("activities:list"), {"page": "50"}, None),
        (
            "activity list, filtered",
            reverse("activities:list"),
            {"kind": "theory_study", "period": str(this_year - 1)},
            None,
        ),
        ("activity list, general branch", reverse("activities:list"), {"org": general.pk}, None),
        ("activity list, htmx search", reverse("activities:list"), {"q": "活动1"}, {"HX-Request": "true"}),
        ("calendar (month)", reverse("activities:calendar"), {}, None),
        ("compliance (year)", reverse("activities:compliance"), {}, None),
        ("activity detail", reverse("activities:detail", args=[busiest]), {}, None),
        ("publicity", reverse("activities:publication_list"), {"period": str(this_year - 1)}, None),
        ("home (with compliance)", reverse("core:home"), {}, None),
        ("API /activities", "/api/v1/activities", {}, None),
    ]
    results = []
    for label, url, params, headers in pages:
        p50, p95, queries = measure(client, url, params, args.runs, headers)
        results.append((label, p50, p95, queries))
    baseline = results[0][1]
    print(f"\n{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'× roster':>10}")
    for label, p50, p95, queries in results:
        print(f"{label:<32}{p50 * 1000:>9.1f}{p95 * 1000:>9.1f}{queries:>9}{p50 / baseline:>10.2f}")

    outcome = concurrency(threads=8, people=40, places=10)
    print(
        f"\nregistration: 40 people, 10 places, 8 threads: {outcome['confirmed']} confirmed, "
        f"{outcome['waiting']} waiting, {len(outcome['failures'])} failed, {outcome['seconds']:.2f} s "
        f"({40 / outcome['seconds']:.0f} registrations/s)"
    )
    for failure in outcome["failures"][:5]:
        print("  failure:", failure)
    ok = outcome["confirmed"] == outcome["places"] and not outcome["failures"]
    print("overbooking: none" if outcome["confirmed"] <= outcome["places"] else "OVERBOOKED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
