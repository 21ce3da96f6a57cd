"""Volume generator: fill a database with fictional hospitals at the volumes of DESIGN.md.

It writes into whatever ``DATABASE_URL`` (or ``DATA_DIR`` for the embedded SQLite) points to,
and reuses the demo hospital's builder (``qingyi.demo``): each hospital is a committee
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
import datetime as dt
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
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
    from qingyi.demo import hospital as demo
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


@dataclass(frozen=True)
class VolunteeringVolume:
    """Volunteer service at one of DESIGN.md's volumes: shifts spread evenly over ``past_days``
    before now and ``FUTURE_DAYS`` after, ``signups`` sign-ups over them (at most a shift's
    places), a verified service record for every sign-up on a past shift, and one volunteer
    (the bench login) with ``own_entries`` of those records."""

    volunteers: int
    shifts: int
    signups: int
    past_days: int
    own_entries: int


FUTURE_DAYS = 90
SHIFT_PLACES = 12
# peer: DESIGN.md's ephios comparison (2,000 volunteers, 3,000 shifts, 30,000 sign-ups over two
# years, ≈200 entries of one volunteer's own hours). hospital: 2,500 volunteers and 200,000
# service records over 5 years — 21,000 shifts of about 10 sign-ups, 95% of them past.
VOLUNTEERING_VOLUMES = {
    "peer": VolunteeringVolume(
        volunteers=2_000, shifts=3_000, signups=30_000, past_days=640, own_entries=200
    ),
    "hospital": VolunteeringVolume(
        volunteers=2_500, shifts=21_000, signups=210_000, past_days=5 * 365, own_entries=500
    ),
}


@dataclass
class VolunteeringWorld:
    coordinator: object  # a committee-wide coordinator (User)
    member: object  # the bench volunteer's login (User)
    volunteer: object  # the bench volunteer
    big: object  # an upcoming shift with 45 confirmed participants
    verify: object  # yesterday's shift with 45 records awaiting verification
    volunteers: int
    shifts: int
    signups: int
    records: int
    seconds: float


def insert_rows(model, columns: tuple[str, ...], rows, *, batch: int = 5_000, **constant) -> None:
    """INSERT ``rows`` (tuples in the order of ``columns``, field names) into ``model``'s table
    with executemany in batches (COPY on PostgreSQL) — several times faster than bulk_create,
    whose per-field preparation dominates at 400,000 rows. Other fields take
    ``constant[name]`` (a value, or a function of the row) or else the field's default; every
    value goes through the field's own get_db_prep_save (cached: the generator repeats few
    distinct values)."""
    import functools
    import itertools

    from django.db import connection, transaction

    qn = connection.ops.quote_name
    varying = [model._meta.get_field(name) for name in columns]
    fixed = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in columns]
    # Values that need the field's conversion (dates, times, decimals): through a cache; plain
    # ids, numbers, text and booleans as they are.
    plain = {
        "ForeignKey",
        "IntegerField",
        "PositiveIntegerField",
        "BigIntegerField",
        "CharField",
        "TextField",
    }

    def preparer(f):
        if f.get_internal_type() in plain:
            return None
        return functools.lru_cache(maxsize=100_000)(
            functools.partial(f.get_db_prep_save, connection=connection)
        )

    prep = [preparer(f) for f in varying]
    calls = [
        (i, constant[f.name], preparer(f)) for i, f in enumerate(fixed) if callable(constant.get(f.name))
    ]
    fixed_values = [
        f.get_db_prep_save(constant.get(f.name, f.get_default()), connection)
        if not callable(constant.get(f.name))
        else None
        for f in fixed
    ]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} "
        f"({', '.join(qn(f.column) for f in (*varying, *fixed))}) "
        f"VALUES ({', '.join(['%s'] * (len(varying) + len(fixed)))})"
    )
    rows = iter(rows)

    def prepared(chunk):
        for row in chunk:
            out = [v if p is None else p(v) for p, v in zip(prep, row, strict=True)]
            tail = fixed_values
            if calls:
                tail = list(fixed_values)
                for i, fn, p in calls:
                    tail[i] = fn(row) if p is None else p(fn(row))
            out.extend(tail)
            yield out

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: PostgreSQL's bulk load, psycopg adapts the values
            names = ", ".join(qn(f.column) for f in (*varying, *fixed))
            with cursor.cursor.copy(f"COPY {qn(model._meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in prepared(rows):
                    copy.write_row(row)
            return
        while chunk := list(itertools.islice(rows, batch)):
            cursor.executemany(sql, list(prepared(chunk)))


def generate_volunteering(*, volume: VolunteeringVolume, root, seed: int = 7) -> VolunteeringWorld:
    """Write the volunteers, projects, shifts, sign-ups and service records of ``volume`` under
    the organisation tree rooted at ``root`` (volunteers in its branches, projects at the
    root so every volunteer sees every shift), in bulk; return the handles the pages need."""
    from django.utils import timezone

    from qingyi.accounts.models import Role, RoleAssignment, User
    from qingyi.organizations.models import Organization
    from qingyi.volunteering.models import Post, Project, ServiceRecord, Shift, Signup, Volunteer

    started = time.perf_counter()
    rng = random.Random(seed)
    branches = list(
        Organization.objects.filter(path__startswith=root.path, kind="branch").order_by("path")
    ) or [root]
    coordinator = User.objects.create_user("bench-coordinator", password="x")
    RoleAssignment.objects.create(user=coordinator, role=Role.COORDINATOR, organization=root)
    member = User.objects.create_user("bench-volunteer", password="x")
    RoleAssignment.objects.create(user=member, role=Role.MEMBER, organization=branches[0])
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(
                kind=rng.choice(["staff", "social", "student"]),
                organization=branches[0] if i == 0 else rng.choice(branches),
                name=f"志愿者{i:05d}",
                phone=f"139{i:08d}",
                user=member if i == 0 else None,
            )
            for i in range(volume.volunteers)
        ],
        batch_size=1000,
    )
    ids = [v.pk for v in volunteers]
    projects = [Project.objects.create(organization=root, name=f"项目{i}", kind="other") for i in range(10)]
    posts = [Post.objects.create(project=p, name="导诊") for p in projects]
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    begin = now - dt.timedelta(days=volume.past_days)
    step = (now + dt.timedelta(days=FUTURE_DAYS) - begin) / volume.shifts
    three_hours = dt.timedelta(hours=3)
    shifts = Shift.objects.bulk_create(
        [
            Shift(
                project_id=projects[i % 10].pk,
                post_id=posts[i % 10].pk,
                start=begin + step * i,
                end=begin + step * i + three_hours,
                capacity=SHIFT_PLACES,
                place="门诊大厅",
            )
            for i in range(volume.shifts)
        ],
        batch_size=2000,
    )
    # One upcoming shift with 45 participants (the peer's "event with 45 participants") and
    # yesterday's shift with 45 records to verify.
    big = Shift.objects.create(
        project=projects[0],
        post=posts[0],
        start=now + dt.timedelta(days=2),
        end=now + dt.timedelta(days=2) + three_hours,
        capacity=60,
        place="门诊大厅",
    )
    verify = Shift.objects.create(
        project=projects[0],
        post=posts[0],
        start=now - dt.timedelta(days=1),
        end=now - dt.timedelta(days=1) + three_hours,
        capacity=60,
    )
    # Sign-ups per shift: volume.signups spread evenly, at most the shift's places; the bench
    # volunteer (ids[0]) on own_entries past shifts, nobody else picks them.
    past = [i for i, s in enumerate(shifts) if s.end < now]
    own = set(rng.sample(past, min(volume.own_entries, len(past))))
    per_shift, extra = divmod(volume.signups, volume.shifts)
    others = ids[1:]
    pairs: list[tuple[Shift, int]] = []  # (shift, volunteer id)
    for i, shift in enumerate(shifts):
        chosen = rng.sample(others, min(SHIFT_PLACES, per_shift + (1 if i < extra else 0)))
        if i in own:
            chosen[0] = ids[0]
        pairs.extend((shift, v) for v in chosen)
    pairs.extend((big, v) for v in others[:45])
    pairs.extend((verify, v) for v in others[:45])
    stamp = timezone.now()
    insert_rows(
        Signup,
        ("shift", "volunteer"),
        ((shift.pk, v) for shift, v in pairs),
        status="confirmed",
        created_at=stamp,
        updated_at=stamp,
    )
    # A verified record for every sign-up on a past shift; yesterday's await verification.
    hours = Decimal(3)
    records = 0
    served_on = {shift.pk: timezone.localtime(shift.start).date() for shift in (*shifts, verify)}

    def record_rows():
        nonlocal records
        for shift, v in pairs:
            if shift.end >= now:
                continue
            records += 1
            day = served_on[shift.pk]
            if shift is verify:
                yield (shift.pk, v, shift.project_id, day, shift.start, shift.end, "recorded", None, 0)
            else:
                served = rng.randrange(30)
                yield (shift.pk, v, shift.project_id, day, shift.start, shift.end, "verified", hours, served)

    insert_rows(
        ServiceRecord,
        (
            "shift",
            "volunteer",
            "project",
            "served_on",
            "checked_in_at",
            "checked_out_at",
            "status",
            "verified_hours",
            "people_served",
        ),
        record_rows(),
        scheduled_hours=hours,
        recorded_hours=hours,
        created_at=stamp,
        updated_at=stamp,
    )
    return VolunteeringWorld(
        coordinator=coordinator,
        member=member,
        volunteer=volunteers[0],
        big=big,
        verify=verify,
        volunteers=len(volunteers),
        shifts=len(shifts) + 2,
        signups=len(pairs),
        records=records,
        seconds=time.perf_counter() - started,
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
