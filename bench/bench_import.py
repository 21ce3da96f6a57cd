"""Roster import benchmark: our importer against a plain django-import-export ModelResource.

    .venv/bin/python -m pip install -e ".[bench]"           # django-import-export, the peer
    .venv/bin/python bench/bench_import.py                  # 10,000 rows
    .venv/bin/python bench/bench_import.py --rows 2000 --no-memory

It builds a throwaway database: SQLite in a temporary folder (DATA_DIR), or, when
DATABASE_URL is set, a test database beside the one named there (``test_<name>``, created
and dropped by Django's test machinery; the named database is not touched). Settings are
the test settings (QINGYI_TESTING=true, DEBUG off).

The same N people (valid under the league rules, spread over 20 branches and 30
departments) are imported by each tool, into an empty roster ("create") and then again with
every phone number changed ("update"):

- qingyi: ``roster_import_upload`` (read, check every row, store the preview) then
  ``roster_import_apply`` (re-check, write with simple_history's bulk helpers);
- django-import-export: a ``ModelResource`` with ``employee_number`` as import id and
  foreign keys by name, as its admin runs it: a dry run (the preview) then the import. It
  checks no league rule and no scope; simple_history records each save through its signal.

Each tool reads its own .xlsx of the same rows (ours: Chinese headers and labels; theirs:
field names and stored values), both written by openpyxl. Timings are wall-clock without
tracemalloc; peak memory comes from a second, separate run under tracemalloc, so that
tracing does not skew the times. Queries are counted with a cheap execute wrapper.

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import io
import os
import platform
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

BRANCHES = 20
DEPARTMENTS = 30
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number(birth: dt.date, seq: int) -> str:
    """A checksum-valid fictional resident ID number (GB 11643)."""
    body = f"500118{birth:%Y%m%d}{seq % 1000:03d}"
    return body + _ID_CHECK[sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True)) % 11]


@dataclass
class Person:
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    political_status: str
    league_joined_on: dt.date | None
    development_number: str
    employee_number: str
    department: str
    profession: str
    education: str
    phone: str
    organization: str


def people(rows: int, *, phone_prefix: str = "139") -> list[Person]:
    today = dt.date.today()
    statuses = ["league_member"] * 7 + ["party_member", "probationary_party_member", "masses"]
    professions = ["nurse", "doctor", "technician", "pharmacist", "administration"]
    educations = ["bachelor", "master", "junior_college", "doctorate"]
    result = []
    for i in range(rows):
        birth = today.replace(year=today.year - 20 - i % 15, month=1 + i % 12, day=1 + i % 28)
        status = statuses[i % len(statuses)]
        joined = birth.replace(year=birth.year + 15 + i % 3) if status == "league_member" else None
        # Unique: the year, then the row number in eight digits.
        development = f"{joined.year}{i:08d}" if joined else ""
        result.append(
            Person(
                name=f"员工{i}",
                gender="female" if i % 3 else "male",
                birth_date=birth,
                id_number=id_number(birth, i),
                political_status=status,
                league_joined_on=joined,
                development_number=development,
                employee_number=f"E{i:06d}",
                department=f"科室{i % DEPARTMENTS + 1}",
                profession=professions[i % len(professions)],
                education=educations[i % len(educations)],
                phone=f"{phone_prefix}{i:08d}",
                organization=f"支部{i % BRANCHES + 1}",
            )
        )
    # ID numbers repeat when two people share a birth date and the same last three digits.
    seen: set[str] = set()
    for n, person in enumerate(result):
        while person.id_number in seen:
            n += 1000
            person.id_number = id_number(person.birth_date, n)
        seen.add(person.id_number)
    return result


def xlsx(headers: list[str], rows) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def qingyi_file(persons: list[Person]) -> bytes:
    from qingyi.people.importing import COLUMNS, choice_label

    headers = [c.header for c in COLUMNS if c.field != "professional_title"]
    return xlsx(
        headers,
        (
            [
                p.name,
                choice_label("gender", p.gender),
                p.birth_date,
                "汉族",
                p.id_number,
                choice_label("political_status", p.political_status),
                p.league_joined_on,
                p.development_number,
                p.employee_number,
                p.department,
                choice_label("profession", p.profession),
                choice_label("education", p.education),
                p.phone,
                p.organization,
            ]
            for p in persons
        ),
    )


IE_FIELDS = [
    "name", "gender", "birth_date", "ethnicity", "id_number", "political_status", "league_joined_on",
    "development_number", "employee_number", "department", "profession", "education", "phone", "organization",
]  # fmt: skip


def import_export_file(persons: list[Person]) -> bytes:
    return xlsx(
        IE_FIELDS,
        (
            [
                p.name,
                p.gender,
                p.birth_date,
                "汉族",
                p.id_number,
                p.political_status,
                p.league_joined_on,
                p.development_number or None,
                p.employee_number,
                p.department,
                p.profession,
                p.education,
                p.phone,
                p.organization,
            ]
            for p in persons
        ),
    )


def person_resource(actor):
    from import_export import fields, resources, widgets

    from qingyi.organizations.models import Department, Organization
    from qingyi.people.models import Person as PersonModel

    class NullIfEmpty(widgets.CharWidget):
        """Empty unique numbers must be NULL, not "" (the one change this model needs)."""

        def clean(self, value, row=None, **kwargs):
            return super().clean(value, row, **kwargs) or None

    class PersonResource(resources.ModelResource):
        development_number = fields.Field(
            attribute="development_number", column_name="development_number", widget=NullIfEmpty()
        )
        organization = fields.Field(
            attribute="organization",
            column_name="organization",
            widget=widgets.ForeignKeyWidget(Organization, "name"),
        )
        department = fields.Field(
            attribute="department",
            column_name="department",
            widget=widgets.ForeignKeyWidget(Department, "name"),
        )

        class Meta:
            model = PersonModel
            fields = tuple(IE_FIELDS)
            import_id_fields = ("employee_number",)
            use_transactions = True

        def before_save_instance(self, instance, row, **kwargs):
            instance._history_user = actor  # so its history names the admin, like ours

    return PersonResource()


@dataclass
class Figure:
    label: str
    rows: int
    seconds: float = 0.0
    queries: int = 0
    peak: int = 0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def timed(function: Callable[[], object]) -> tuple[float, int]:
    from django.db import connection

    counter = QueryCounter()
    gc.collect()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
    return elapsed, counter.count


def traced(function: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def setup_tree():
    from qingyi.accounts.models import Role, RoleAssignment, User
    from qingyi.organizations.models import Department, Organization
    from qingyi.organizations.services import organization_create_root

    root = organization_create_root(name="基准医院团委", founded_on=dt.date(2015, 1, 1))
    generals = [
        Organization.objects.add_child(
            root, create_kwargs={"name": f"团总支{g + 1}", "kind": Organization.Kind.GENERAL_BRANCH}
        )
        for g in range(2)
    ]
    for b in range(BRANCHES):
        parent = Organization.objects.get(pk=generals[b % 2].pk)
        Organization.objects.add_child(
            parent, create_kwargs={"name": f"支部{b + 1}", "kind": Organization.Kind.BRANCH}
        )
    Department.objects.bulk_create(Department(name=f"科室{d + 1}") for d in range(DEPARTMENTS))
    actor = User.objects.create_user(username="bench-admin", password="bench-pass-word")
    RoleAssignment.objects.create(
        user=actor, role=Role.COMMITTEE_ADMIN, organization=Organization.objects.get(pk=root.pk)
    )
    return actor


def reset_roster():
    from qingyi.people.models import Person as PersonModel
    from qingyi.people.models import RosterImport

    RosterImport.objects.all().delete()
    PersonModel.objects.all().delete()
    PersonModel.history.model.objects.all().delete()  # after: deleting records history too


def run(rows: int, memory: bool) -> None:
    import django
    import import_export
    import openpyxl
    import tablib
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from qingyi.people import importing
    from qingyi.people.models import Person as PersonModel

    actor = setup_tree()
    created = people(rows)
    changed = people(rows, phone_prefix="137")
    ours = {"create": qingyi_file(created), "update": qingyi_file(changed)}
    theirs = {"create": import_export_file(created), "update": import_export_file(changed)}

    def qingyi_import(content: bytes) -> Callable[[], object]:
        def go():
            upload = SimpleUploadedFile("bench.xlsx", content)
            roster_import = importing.roster_import_upload(file=upload, actor=actor)
            bad = roster_import.total_rows - roster_import.valid_rows
            if bad:
                raise SystemExit(f"qingyi: {bad} rows refused: {roster_import.errors[:3]}")
            importing.roster_import_apply(roster_import=roster_import, actor=actor, only_valid=False)

        return go

    def import_export_import(content: bytes) -> Callable[[], object]:
        def go():
            resource = person_resource(actor)
            for dry_run in (True, False):  # the admin's preview, then the import
                dataset = tablib.Dataset().load(content, format="xlsx")
                result = resource.import_data(
                    dataset, dry_run=dry_run, raise_errors=False, use_transactions=True
                )
                if result.has_errors() or result.has_validation_errors():
                    first = (
                        next((e.error for row in result.rows for e in row.errors), None)
                        or result.base_errors[:1]
                    )
                    raise SystemExit(f"import-export: errors {dict(result.totals)}: {first!r}")

        return go

    tools = [("qingyi", ours, qingyi_import), ("import-export", theirs, import_export_import)]
    figures: dict[tuple[str, str], Figure] = {}
    history = {}
    for tool, files, make in tools:
        reset_roster()
        for phase in ("create", "update"):
            figure = Figure(f"{tool} {phase}", rows)
            figure.seconds, figure.queries = timed(make(files[phase]))
            figures[(tool, phase)] = figure
        history[tool] = PersonModel.history.count()
        assert PersonModel.objects.filter(phone__startswith="137").count() == rows
    if memory:
        for tool, files, make in tools:
            reset_roster()
            for phase in ("create", "update"):
                figures[(tool, phase)].peak = traced(make(files[phase]))
    reset_roster()

    vendor = connection.vendor
    print(
        f"Roster import benchmark — {rows:,} rows, {vendor}; Python {platform.python_version()}, "
        f"Django {django.get_version()}, openpyxl {openpyxl.__version__}, "
        f"django-import-export {import_export.__version__}"
    )
    print(
        f"files: qingyi {len(ours['create']) / 1e6:.2f} MB, "
        f"import-export {len(theirs['create']) / 1e6:.2f} MB"
    )
    print(f"{'':24} {'seconds':>9} {'rows/s':>9} {'queries':>9} {'peak MB':>9}")
    for figure in figures.values():
        peak = f"{figure.peak / 1e6:9.1f}" if memory else f"{'—':>9}"
        print(f"{figure.label:24} {figure.seconds:9.2f} {figure.rate:9.0f} {figure.queries:9,} {peak}")
    for phase in ("create", "update"):
        ours_figure, theirs_figure = figures[("qingyi", phase)], figures[("import-export", phase)]
        line = f"ratio {phase}: qingyi is {ours_figure.rate / theirs_figure.rate:.1f}× the rows/s"
        if memory and theirs_figure.peak:
            line += f", {ours_figure.peak / theirs_figure.peak:.2f}× the peak memory"
        print(line)
    print(
        f"history rows after create + update: qingyi {history['qingyi']:,}, "
        f"import-export {history['import-export']:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the tracemalloc runs")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="qingyi-bench-import-")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATA_DIR"] = data_dir
    os.environ.setdefault("QINGYI_TESTING", "true")
    os.environ.setdefault("DEBUG", "false")
    os.environ["QINGYI_IMPORT_MAX_ROWS"] = str(max(args.rows, 20_000))
    os.environ["QINGYI_IMPORT_MAX_BYTES"] = str(max(args.rows * 500, 10 * 1024 * 1024))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qingyi.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if os.environ.get("DATABASE_URL"):
        old_name = connection.settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            run(args.rows, not args.no_memory)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    else:
        call_command("migrate", verbosity=0)
        run(args.rows, not args.no_memory)


if __name__ == "__main__":
    main()
