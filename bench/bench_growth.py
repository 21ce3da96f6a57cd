"""Cadre growth benchmark: response times and SQL queries of the growth pages at hospital volume.

    .venv/bin/python bench/bench_growth.py [--requests 30] [--years 5]

Builds the hospital volume of bench/generate.py in a throwaway SQLite database (as
bench/bench_pages.py does), then adds ``--years`` years of cadre growth records: about four
training records and one contest result per cadre a year, a published self-inspection
checklist of six questions each year, answered by four cadres in five with one or two
problems each. Pages are timed round-robin with the same baseline as bench_pages (one
request, one indexed query); the ratio column is a page's median over the baseline's.

Figures only; nothing here asserts a time.
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


def add_growth(years: int, seed: int) -> dict[str, int]:
    from qingyi.accounts.models import User
    from qingyi.growth.models import (
        Checklist,
        ChecklistQuestion,
        ContestResult,
        InspectionAnswer,
        InspectionProblem,
        SelfInspection,
        TrainingRecord,
    )
    from qingyi.organizations.models import Organization, Position

    rng = random.Random(seed)
    today = dt.date.today()
    admin = User.objects.get(username="admin")
    cadre_ids = sorted(set(Position.objects.values_list("person_id", flat=True)))
    committees = list(Organization.objects.filter(depth=1))
    levels = [c for c, _l in TrainingRecord.Level.choices]
    trainings, contests, inspections, answers, problems = [], [], [], [], []
    for year in range(today.year - years + 1, today.year + 1):
        last_day = min(dt.date(year, 12, 31), today)
        for person_id in cadre_ids:
            for n in range(4):
                start = dt.date(year, 1, 1) + dt.timedelta(
                    days=rng.randrange((last_day - dt.date(year, 1, 1)).days + 1)
                )
                end = min(start + dt.timedelta(days=rng.choice((0, 0, 1, 2, 4))), last_day)
                trainings.append(
                    TrainingRecord(
                        person_id=person_id,
                        course=f"培训{year}-{n}",
                        level=rng.choice(levels),
                        start_on=start,
                        end_on=end,
                        hours=rng.choice((2, 4, 8, 16)),
                        entered_by=admin,
                    )
                )
            contests.append(
                ContestResult(
                    person_id=person_id,
                    contest=f"大比武{year}",
                    level="hospital",
                    held_on=dt.date(year, 5, 4),
                    award=rng.choice(("first", "second", "third", "none")),
                    entered_by=admin,
                )
            )
    TrainingRecord.objects.bulk_create(trainings, batch_size=2000)
    ContestResult.objects.bulk_create(contests, batch_size=2000)
    for committee in committees:
        for year in range(today.year - years + 1, today.year + 1):
            checklist = Checklist.objects.create(
                organization=committee,
                year=year,
                title=f"{year} 六查六问",
                status="published",
                created_by=admin,
            )
            questions = ChecklistQuestion.objects.bulk_create(
                ChecklistQuestion(checklist=checklist, number=i + 1, text=f"问题{i + 1}") for i in range(6)
            )
            for person_id in cadre_ids:
                if rng.random() < 0.8:
                    inspections.append(
                        (
                            SelfInspection(checklist=checklist, person_id=person_id, submitted_by=admin),
                            questions,
                            year,
                        )
                    )
    SelfInspection.objects.bulk_create([i for i, _q, _y in inspections], batch_size=2000)
    for inspection, questions, year in inspections:
        answers.extend(InspectionAnswer(inspection=inspection, question=q, text="已自查") for q in questions)
        for _ in range(rng.choice((1, 2))):
            due = dt.date(year, rng.randint(1, 12), 15)
            problems.append(
                InspectionProblem(
                    inspection=inspection,
                    description="问题",
                    fix="整改",
                    due_on=due,
                    done_on=due if rng.random() < 0.7 and due <= today else None,
                )
            )
    InspectionAnswer.objects.bulk_create(answers, batch_size=5000)
    InspectionProblem.objects.bulk_create(problems, batch_size=5000)
    return {
        "cadres": len(cadre_ids),
        "trainings": len(trainings),
        "contests": len(contests),
        "inspections": len(inspections),
        "answers": len(answers),
        "problems": len(problems),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Response times and SQL queries of the growth pages.")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=504)
    args = parser.parse_args(argv)

    data_dir = tempfile.mkdtemp(prefix="qingyi-bench-growth-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("QINGYI_TESTING", "true")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("AXES_ENABLED", "false")
    import warnings

    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    from bench import bench_pages
    from bench.generate import VOLUMES, generate, setup_django

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from qingyi.accounts.models import ApiToken, User
    from qingyi.growth.models import Checklist
    from qingyi.organizations.models import Organization, Position
    from qingyi.people.models import Person

    bench_pages.urlpatterns[:] = bench_pages._baseline_urls()
    settings.ROOT_URLCONF = "bench.bench_pages"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    orgs, people = VOLUMES["hospital"]
    report = generate(orgs=orgs, people=people, seed=args.seed, history=False, accounts=True, quiet=True)
    started = time.perf_counter()
    counts = add_growth(args.years, args.seed)
    print(
        f"hospital volume: {report.organizations:,} organisations, {report.people:,} people; growth records "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" in {time.perf_counter() - started:.1f} s"
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
    cadre = (
        Position.objects.filter(organization__path__startswith=committee.path).order_by("pk").first().person
    )
    someone = Person.objects.order_by("pk").first()
    checklist = Checklist.objects.filter(organization=committee).order_by("-year").first()
    year = dt.date.today().year
    Row = bench_pages.Row
    rows = [
        Row("baseline: one indexed query", f"/bench/baseline/?pk={someone.pk}"),
        Row("cadre roster (committee)", "/growth/"),
        Row("cadre roster, a general branch", f"/growth/?org={general.pk}"),
        Row("cadre roster as branch admin", "/growth/", user="branch"),
        Row("cadre development record", f"/growth/cadres/{cadre.pk}/"),
        Row("training records, page 1", "/growth/trainings/"),
        Row("training records, a year", f"/growth/trainings/?year={year - 1}"),
        Row("contest results", "/growth/contests/"),
        Row("checklist progress+overdue", f"/growth/checklists/{checklist.pk}/"),
        Row(
            "metric: training hours", f"/metrics/growth.training_hours/?org={committee.pk}&period={year - 1}"
        ),
        Row("API trainings, page 1", "/api/v1/growth/trainings"),
        Row("API inspections, page 1", f"/api/v1/growth/inspections?checklist={checklist.pk}"),
    ]
    clients = {}
    for username in {r.user for r in rows}:
        client = Client()
        client.force_login(
            User.objects.get(username=username),
            backend="qingyi.accounts.backends.EmployeeNumberOrPhoneBackend",
        )
        clients[username] = client
    _token, raw = ApiToken.issue(user=User.objects.get(username="admin"), name="bench")
    clients["admin"].defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"

    results = bench_pages.measure(clients, rows, args.requests)
    base = statistics.median(results[0].wall)
    print(
        f"\n{args.requests} timed requests per page, round-robin; milliseconds; load {os.getloadavg()[0]:.1f}"
    )
    header = f"{'page':<32}{'status':>7}{'queries':>8}{'KB':>7}{'p50':>8}{'p95':>8}{'× base':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        wall = statistics.median(r.wall)
        print(
            f"{r.row.label:<32}{r.status:>7}{r.queries:>8}{r.kilobytes:>7.1f}{wall:>8.1f}"
            f"{bench_pages.Result.p95(r.wall):>8.1f}{wall / base:>8.1f}"
        )
    import shutil

    connection.close()
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0 if all(r.status == 200 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
