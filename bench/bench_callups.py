"""Call-up benchmark: sending to many volunteers, the coordinator's polled board, the API list.

    .venv/bin/python bench/bench_callups.py                  # 2,000 volunteers (DESIGN.md peer volume)
    .venv/bin/python bench/bench_callups.py --volunteers 500

A throwaway SQLite database in a temporary folder (test settings), or DATABASE_URL (empty).
The call-up is sent to every volunteer (timed once: responses and notifications written in
bulk); three in four answer. Pages are requested with Django's test Client: warm-up, then
timed requests; queries counted on a separate request. Baseline in the same run: a bare view
through the same middleware doing one indexed query; the ratio is a page's median over the
baseline's median. Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from bench.timing import pct, timed, urls_with_baseline  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    args = parser.parse_args(argv)

    tmp = tempfile.mkdtemp(prefix="qingyi-bench-callups-")
    os.environ.setdefault("DATA_DIR", tmp)
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
    from qingyi.callups import services
    from qingyi.callups.models import CallUp, Response
    from qingyi.core import metrics
    from qingyi.core.periods import Period
    from qingyi.organizations.models import Organization
    from qingyi.organizations.services import organization_create_root
    from qingyi.volunteering.models import Volunteer

    def baseline(request):
        return HttpResponse(Response.objects.filter(pk=request.GET["pk"]).values_list("answer", flat=True)[0])

    urls_with_baseline(baseline, "callups")

    rng = random.Random(7)
    committee = organization_create_root(name="演示医院团委", founded_on=dt.date(2020, 1, 1))
    branches = [
        Organization.objects.add_child(committee, create_kwargs={"name": f"支部{i}", "kind": "branch"})
        for i in range(20)
    ]
    coordinator = User.objects.create_user(username="coord", password="x" * 12)
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, organization=committee)
    n = args.volunteers
    users = User.objects.bulk_create([User(username=f"v{i}") for i in range(n)])
    today = dt.date.today()
    Volunteer.objects.bulk_create(
        [
            Volunteer(
                kind="staff",
                organization=branches[i % 20],
                name=f"志愿者{i}",
                user=users[i],
                birth_date=today - dt.timedelta(days=rng.randint(20 * 365, 55 * 365)),
            )
            for i in range(n)
        ]
    )
    start = timezone.now() + dt.timedelta(hours=3)
    callup = services.callup_create(
        organization=committee,
        title="核酸采样支援",
        kind=CallUp.Kind.SAMPLING,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=6),
        actor=coordinator,
    )
    for name in ("采样", "引导", "登记"):
        services.callup_post_add(callup=callup, name=name, needed=50, actor=coordinator)
    t0 = time.perf_counter()
    sent = services.callup_send(
        callup=callup, targeting=services.Targeting(organization=committee), actor=coordinator
    )
    send_ms = (time.perf_counter() - t0) * 1000
    print(f"sent to {sent:,} volunteers in {send_ms:.0f} ms ({connection.vendor})")

    rows = list(Response.objects.filter(callup=callup).order_by("pk"))
    for r in rows:
        if rng.random() < 0.75:
            r.answer = "accepted" if rng.random() < 0.6 else "declined"
            r.responded_at = r.sent_at + dt.timedelta(minutes=rng.randint(1, 120))
    Response.objects.bulk_update(rows, ["answer", "responded_at"], batch_size=1000)

    client = Client()
    client.force_login(coordinator)
    volunteer_client = Client()
    volunteer_client.force_login(users[0])
    pages = [
        ("baseline: one indexed query", client, f"/bench/baseline/?pk={rows[0].pk}"),
        ("board (full page)", client, f"/callups/{callup.pk}/"),
        ("board (htmx poll)", client, f"/callups/{callup.pk}/responses/"),
        ("preview count", client, f"/callups/{callup.pk}/preview/?organization={committee.pk}&max_age=35"),
        ("call-up list", client, "/callups/"),
        ("answer page (volunteer)", volunteer_client, f"/callups/{callup.pk}/answer/"),
        ("API: responses (page 1)", client, f"/api/v1/callups/{callup.pk}/responses"),
    ]
    results = []
    for label, c, url in pages:
        wall = timed(lambda c=c, url=url: c.get(url), args.repeat)
        with CaptureQueriesContext(connection) as q:
            status = c.get(url).status_code
        results.append((label, status, len(q), wall))
    base = statistics.median(results[0][3])
    print(f"\n{'page':32} {'status':>6} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>6}")
    for label, status, queries, wall in results:
        med = statistics.median(wall)
        print(f"{label:32} {status:>6} {queries:>7} {med:8.1f} {pct(wall, 95):8.1f} {med / base:6.1f}")

    scope = metrics.Scope(committee, Period.current_year())
    print("\nfigures for the committee, this year:")
    for name in (
        "callups.opened",
        "callups.responders",
        "callups.acceptance_rate",
        "callups.youth_share",
        "callups.median_response_minutes",
    ):
        wall = timed(lambda name=name: metrics.get(name).value(scope), 5, warmup=1)
        print(f"  {name:36} = {metrics.get(name).value(scope):>8}   p50 {statistics.median(wall):7.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
