"""A fictional hospital league committee for demos, tests and benchmarks.

``build()`` writes one or more fictional hospitals — committee, general branches, branches
(some of them student branches), party branches paired with them, departments, a roster of
people with plausible names and numbers, cadres with their terms and past elections — in
bulk, so that 150,000 people take seconds rather than hours. Everything comes from a
``random.Random(seed)``: the same seed gives the same hospital.

Every name here is invented (surname and given-name characters drawn at random; hospitals
named after imaginary places). ID numbers carry a valid check digit; development numbers
follow the league's rules (12 digits, year of joining first, required from 2017); a few
records are deliberately out of line so the alerts have something to show: members past
28 without a post (超龄离团), branches under three members, elections overdue or due soon.

The first hospital also gets one demo login per role (``accounts.DEMO_ACCOUNTS``).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from qingyi.core import rules
from qingyi.demo.accounts import DemoAccount, _create_accounts, demo_accounts
from qingyi.demo.domains import build_domains
from qingyi.demo.names import (
    HOSPITAL_KINDS,
    ID_AREAS,
    PLACES,
)
from qingyi.demo.roster import RosterMixin
from qingyi.demo.shape import (
    COMMITTEE_NAME,
    DEFAULT_SEED,
    DEMO_BRANCH,
    DEPARTMENTS,
    DIRECT_BRANCHES,
    GENERAL_BRANCHES,
    HOSPITAL_PEOPLE,
    MIN_PEOPLE_PER_HOSPITAL,
    PARTY_BRANCHES,
    BranchSpec,
    GeneralBranchSpec,
)
from qingyi.organizations.models import Department, Organization, PartyBranch


@dataclass
class BuildReport:
    hospitals: int = 0
    organizations: int = 0
    party_branches: int = 0
    departments: int = 0
    people: int = 0
    elections: int = 0
    positions: int = 0
    history_rows: int = 0
    seconds: float = 0.0
    accounts: list[DemoAccount] = field(default_factory=list)
    domains: dict[str, int] = field(default_factory=dict)  # volunteering, activities ... (first hospital)

    @property
    def rows(self) -> int:
        return (
            self.organizations
            + self.party_branches
            + self.departments
            + self.people
            + self.elections
            + self.positions
            + self.history_rows
        )


# --- The builder -------------------------------------------------------------------------------------


@dataclass
class _Org:
    obj: Organization
    spec: BranchSpec | GeneralBranchSpec | None
    branches: list[int] = field(default_factory=list)  # for a general branch or the committee: branch indexes
    elections: tuple[dt.date, dt.date] | None = (
        None  # (previous, latest) held on; None: appointed, no election
    )


class _Builder(RosterMixin):
    def __init__(self, *, seed: int, today: dt.date, history: bool, progress: Callable[[str], None] | None):
        self.rng = random.Random(seed)
        self.today = today
        self.history = history
        self.progress = progress or (lambda message: None)
        self.report = BuildReport()
        self.id_sequences: dict[tuple[str, dt.date], int] = defaultdict(int)
        self.development_sequences: dict[tuple[int, str], int] = defaultdict(int)
        self.phones: set[str] = set()
        self.departments: dict[str, Department] = {}
        self.term_years = {
            (kind, student): rules.term_years(kind, is_student=student)
            for kind in Organization.Kind.values
            for student in (False, True)
        }

    # -- shared reference data

    def ensure_departments(self) -> None:
        existing = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}
        missing = [
            Department(name=name, code=f"D{index + 1:02d}")
            for index, name in enumerate(DEPARTMENTS)
            if name not in existing
        ]
        Department.objects.bulk_create(missing)
        self.report.departments += len(missing)
        self.departments = {d.name: d for d in Department.objects.filter(name__in=DEPARTMENTS)}

    # -- one hospital

    def hospital(self, index: int, *, people: int, root_step: int) -> list[_Org]:
        rng = self.rng
        if index == 0:
            committee_name, prefix, short = COMMITTEE_NAME, "QS", ""
        else:
            place = PLACES[(index - 1) % len(PLACES)]
            kind = HOSPITAL_KINDS[((index - 1) // len(PLACES)) % len(HOSPITAL_KINDS)]
            round_no = (index - 1) // (len(PLACES) * len(HOSPITAL_KINDS))
            short = f"{place}{kind}" + (f"{round_no + 1}院区" if round_no else "")
            committee_name, prefix = f"{short}团委", f"H{index:03d}"
        id_area = ID_AREAS[index % len(ID_AREAS)]
        region = f"{5101 + index % 8000:04d}"

        party = PartyBranch.objects.bulk_create(
            [
                PartyBranch(name=f"{short}{name}", secretary=self.name(rng.random() < 0.5))
                for name in PARTY_BRANCHES
            ]
        )
        self.report.party_branches += len(party)
        party_by_name = dict(zip(PARTY_BRANCHES, party, strict=True))

        orgs, branch_specs = self._tree(committee_name, root_step, party_by_name)
        drafts = self._people(orgs, branch_specs, people, prefix=prefix, id_area=id_area, region=region)
        self._cadres(orgs, drafts)
        self.report.hospitals += 1
        return orgs

    def _tree(self, committee_name: str, root_step: int, party: dict[str, PartyBranch]):
        rng, today = self.rng, self.today
        root_path = Organization._get_path(None, 1, root_step)
        top_level = len(GENERAL_BRANCHES) + len(DIRECT_BRANCHES)
        committee = Organization(
            name=committee_name,
            kind=Organization.Kind.COMMITTEE,
            path=root_path,
            depth=1,
            numchild=top_level,
            founded_on=dt.date(rng.randint(1998, 2008), rng.randint(3, 6), rng.randint(1, 28)),
        )
        orgs: list[_Org] = [_Org(committee, None)]
        branch_specs: list[tuple[BranchSpec, int]] = []  # (spec, index into orgs)

        def branch(spec: BranchSpec, parent: Organization, step: int) -> None:
            founded = (
                today - dt.timedelta(days=rng.randint(200, 300))
                if spec.young
                else dt.date(rng.randint(2012, 2019), rng.randint(1, 12), rng.randint(1, 28))
            )
            obj = Organization(
                name=spec.name,
                kind=Organization.Kind.BRANCH,
                path=Organization._get_path(parent.path, parent.depth + 1, step),
                depth=parent.depth + 1,
                numchild=0,
                party_branch=party[spec.party_branch],
                is_student=spec.student,
                founded_on=founded,
            )
            orgs.append(_Org(obj, spec))
            branch_specs.append((spec, len(orgs) - 1))

        for step, general in enumerate(GENERAL_BRANCHES, start=1):
            obj = Organization(
                name=general.name,
                kind=Organization.Kind.GENERAL_BRANCH,
                path=Organization._get_path(root_path, 2, step),
                depth=2,
                numchild=len(general.branches),
                party_branch=party[general.party_branch],
                founded_on=dt.date(rng.randint(2009, 2015), rng.randint(1, 12), rng.randint(1, 28)),
            )
            orgs.append(_Org(obj, general))
            for child_step, spec in enumerate(general.branches, start=1):
                branch(spec, obj, child_step)
        for step, spec in enumerate(DIRECT_BRANCHES, start=len(GENERAL_BRANCHES) + 1):
            branch(spec, committee, step)
        self._election_dates(orgs)
        created = self.add(Organization, [o.obj for o in orgs])
        for org, obj in zip(orgs, created, strict=True):
            org.obj = obj
        # Which branches lie under which organisation (for choosing cadres from below).
        branch_index = {index: position for position, (_spec, index) in enumerate(branch_specs)}
        for org in orgs:
            org.branches = [
                branch_index[i]
                for i, other in enumerate(orgs)
                if i in branch_index and other.obj.path.startswith(org.obj.path)
            ]
        self.report.organizations += len(orgs)
        return orgs, branch_specs

    # -- elections: a few overdue, a few due within the warning period, the rest in order

    def _election_dates(self, orgs: list[_Org]) -> None:
        """The last two elections of each organisation (founded before the first of them)."""
        rng = self.rng
        plan = self._elections_plan(orgs)
        for index, org in enumerate(orgs):
            obj = org.obj
            if getattr(org.spec, "young", False):
                continue  # a new branch: its first committee was appointed when it was founded
            term = self.term_years[(obj.kind, obj.is_student)]
            latest = rules.years_before(self._latest_due(plan.get(index, "ok"), term), term)
            previous = rules.years_before(latest, term) - dt.timedelta(days=rng.randint(0, 40))
            if obj.founded_on is None or obj.founded_on > previous - dt.timedelta(days=30):
                obj.founded_on = previous - dt.timedelta(days=rng.randint(30, 400))
            org.elections = (previous, latest)

    def _elections_plan(self, orgs: list[_Org]) -> dict[int, str]:
        rng = self.rng
        candidates = [
            i
            for i, o in enumerate(orgs)
            if o.spec is not None and not getattr(o.spec, "young", False) and o.obj.name != DEMO_BRANCH
        ]
        staff_branches = [
            i for i in candidates if orgs[i].obj.kind == "branch" and not orgs[i].obj.is_student
        ]
        generals = [i for i in candidates if orgs[i].obj.kind == "general_branch"]
        students = [i for i in candidates if orgs[i].obj.is_student]
        overdue = {*rng.sample(staff_branches, 2), rng.choice(generals)}
        due_soon = set(rng.sample([i for i in staff_branches if i not in overdue], 2)) | {
            rng.choice(students)
        }
        return dict.fromkeys(overdue, "overdue") | dict.fromkeys(due_soon, "due_soon")

    def _latest_due(self, state: str, term: int) -> dt.date:
        rng, today = self.rng, self.today
        if state == "overdue":
            return today - dt.timedelta(days=rng.randint(20, 200))
        if state == "due_soon":
            return today + dt.timedelta(days=rng.randint(10, 80))
        return today + dt.timedelta(days=rng.randint(120, max(121, term * 365 - 60)))


def _next_root_step() -> int:
    last = Organization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    return Organization._str2int(last) + 1 if last else 1


def build(
    *,
    people: int = HOSPITAL_PEOPLE,
    hospitals: int = 1,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
    history: bool = True,
    accounts: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """Write ``hospitals`` fictional hospitals sharing ``people`` people; demo logins in the first.

    Each hospital is written in its own transaction, so memory stays flat at any volume.
    """
    if hospitals < 1:
        raise ValueError("at least one hospital")
    if people < MIN_PEOPLE_PER_HOSPITAL * hospitals:
        raise ValueError(f"at least {MIN_PEOPLE_PER_HOSPITAL} people per hospital")
    started = time.perf_counter()
    builder = _Builder(seed=seed, today=today or timezone.localdate(), history=history, progress=progress)
    builder.ensure_departments()
    root_step = _next_root_step()
    first_orgs: list[_Org] = []
    for index in range(hospitals):
        share = people // hospitals + (1 if index < people % hospitals else 0)
        with transaction.atomic():
            orgs = builder.hospital(index, people=share, root_step=root_step + index)
            if index == 0:
                first_orgs = orgs
                if accounts:
                    _create_accounts(builder, orgs)
                    builder.report.domains = build_domains(builder, orgs)
        builder.progress(
            f"hospital {index + 1}/{hospitals}: {builder.report.people:,} people, "
            f"{builder.report.organizations:,} organisations, {time.perf_counter() - started:.1f} s"
        )
    builder.report.seconds = time.perf_counter() - started
    if accounts and first_orgs:
        builder.report.accounts = demo_accounts()
    return builder.report
