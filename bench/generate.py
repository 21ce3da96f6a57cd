"""Volume generator: fill a database with fictional hospitals at the volumes of DESIGN.md.

It writes into whatever ``DATABASE_URL`` (or ``DATA_DIR`` for the embedded SQLite) points to,
and reuses the demo hospital's builder (``qingyi.core.demo``): each hospital is a committee
with its general branches, branches, party branches, people, cadres and elections; the first
one also gets the demo logins (password ``qingyi-demo``) unless ``--no-accounts``.

    DATA_DIR=/tmp/qy-bench .venv/bin/python bench/generate.py --migrate --volume hospital
    DATA_DIR=/tmp/qy-city  .venv/bin/python bench/generate.py --migrate --volume city
    DATABASE_URL=postgres://... .venv/bin/python bench/generate.py --orgs 500 --people 15000

The database must hold no organisation yet (generated numbers would clash with earlier runs).
Without SECRET_KEY or DEBUG in the environment, the test settings are used (QINGYI_TESTING=true).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (organisations, people) of DESIGN.md's volumes table.
VOLUMES = {"hospital": (50, 1_500), "city": (5_000, 150_000)}


def setup_django() -> None:
    """Configure Django from the environment, as manage.py does."""
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")
    if not os.environ.get("SECRET_KEY") and not os.environ.get("DEBUG"):
        os.environ.setdefault("QINGYI_TESTING", "true")
    import django

    django.setup()


def generate(*, orgs: int, people: int, seed: int, history: bool, accounts: bool, quiet: bool = False):
    """Write the volume; return the builder's report."""
    from qingyi.core import demo
    from qingyi.organizations.models import Organization

    if Organization.objects.exists():
        raise SystemExit(
            "The database already holds organisations; point DATA_DIR or DATABASE_URL at an empty one."
        )
    hospitals = demo.hospitals_for(orgs)
    step = max(1, hospitals // 10)

    def progress(message: str) -> None:
        if not quiet and (
            hospitals < 10
            or message.startswith(tuple(f"hospital {i}/" for i in range(0, hospitals + 1, step)))
        ):
            print("  " + message, flush=True)

    return demo.build(
        people=people, hospitals=hospitals, seed=seed, history=history, accounts=accounts, progress=progress
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volume", choices=sorted(VOLUMES), default="hospital")
    parser.add_argument("--orgs", type=int, help="organisations (default: the volume's)")
    parser.add_argument("--people", type=int, help="people (default: the volume's)")
    parser.add_argument("--seed", type=int, default=504)
    parser.add_argument(
        "--no-history", action="store_true", help="skip the history rows (django-simple-history)"
    )
    parser.add_argument("--no-accounts", action="store_true", help="no demo logins")
    parser.add_argument("--migrate", action="store_true", help="run migrate first")
    args = parser.parse_args(argv)
    orgs, people = VOLUMES[args.volume]
    orgs, people = args.orgs or orgs, args.people or people

    setup_django()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    if args.migrate:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - started:.1f} s")
    print(
        f"Generating ~{orgs:,} organisations and {people:,} people into {connection.vendor} "
        f"{settings.DATABASES['default']['NAME']} ...",
        flush=True,
    )
    report = generate(
        orgs=orgs, people=people, seed=args.seed, history=not args.no_history, accounts=not args.no_accounts
    )
    print(f"{'hospitals':<16}{report.hospitals:>12,}")
    for label, value in (
        ("organisations", report.organizations),
        ("party branches", report.party_branches),
        ("departments", report.departments),
        ("people", report.people),
        ("elections", report.elections),
        ("positions", report.positions),
        ("history rows", report.history_rows),
        ("rows in all", report.rows),
    ):
        print(f"{label:<16}{value:>12,}")
    print(f"{'seconds':<16}{report.seconds:>12.1f}")
    print(f"{'rows/s':<16}{report.rows / report.seconds:>12,.0f}")
    print(f"{'people/s':<16}{report.people / report.seconds:>12,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
