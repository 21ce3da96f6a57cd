"""The roster of a fictional hospital: people with plausible names, numbers, ages, education
and posts, and the cadres of every organisation with their terms (the demo builder's part that
writes people; ``build.py`` writes the organisations and drives the whole)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from simple_history.utils import bulk_create_with_history

from qingyi.core import rules
from qingyi.demo.names import (
    ETHNICITIES,
    GIVEN_ANY,
    GIVEN_MEN,
    GIVEN_WOMEN,
    ID_AREAS,
    PHONE_PREFIXES,
    SURNAME_WEIGHTS,
    SURNAMES,
    id_number,
)
from qingyi.demo.shape import (
    BATCH_SIZE,
    EDU,
    EDUCATION,
    EDUCATION_MIN_AGE,
    POST,
    PROF,
    PROFILES,
    PS,
    STAFF_STATUS,
    STUDENT_STATUS,
    TINY_BRANCH_SIZE,
    TITLE,
)
from qingyi.organizations.models import Department, Election, Organization, Position
from qingyi.people.models import Person

if TYPE_CHECKING:
    from qingyi.demo.build import BuildReport, _Org


@dataclass
class Draft:
    """A person being generated, with what the builder needs to know beyond the model's fields."""

    person: Person
    branch: int  # index into the hospital's branch list
    age: int
    no_post: bool = False  # past 28 and kept off every committee, so the age-out list has people


class RosterMixin:
    """The builder's people and cadres, and the small random helpers they share. The attributes
    are set by the builder (``build._Builder.__init__``)."""

    rng: random.Random
    today: dt.date
    history: bool
    report: BuildReport
    id_sequences: dict[tuple[str, dt.date], int]
    development_sequences: dict[tuple[int, str], int]
    phones: set[str]
    departments: dict[str, Department]
    term_years: dict[tuple[str, bool], int]

    # -- small random helpers

    def weighted(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def name(self, woman: bool) -> str:
        rng = self.rng
        surname = rng.choices(SURNAMES, weights=SURNAME_WEIGHTS)[0]
        chars = GIVEN_WOMEN if woman else GIVEN_MEN
        if rng.random() < 0.28:
            return surname + rng.choice(chars)
        first = rng.choice(chars + GIVEN_ANY)
        second = rng.choice(chars)
        return surname + first + (second if second != first or rng.random() < 0.3 else rng.choice(chars))

    def phone(self) -> str:
        while True:
            number = self.rng.choice(PHONE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def birth_for_age(self, age: int) -> dt.date:
        """A birth date at which one is exactly ``age`` today."""
        latest = rules.years_before(self.today, age)
        return latest - dt.timedelta(days=self.rng.randrange(365))

    def add(self, model, objs: list) -> list:
        if not objs:
            return objs
        if self.history:
            objs = bulk_create_with_history(objs, model, batch_size=BATCH_SIZE)
            self.report.history_rows += len(objs)
            return objs
        return model.objects.bulk_create(objs, batch_size=BATCH_SIZE)

    # -- the roster

    def _people(
        self, orgs, branch_specs, people: int, *, prefix: str, id_area: str, region: str
    ) -> list[Draft]:
        rng = self.rng
        tiny = [i for i, (spec, _o) in enumerate(branch_specs) if spec.tiny]
        regular = [i for i, (spec, _o) in enumerate(branch_specs) if not spec.tiny]
        inactive = round(people * 0.04)
        active = people - inactive - TINY_BRANCH_SIZE * len(tiny)
        total_weight = sum(branch_specs[i][0].weight for i in regular)
        targets = {i: int(active * branch_specs[i][0].weight / total_weight) for i in regular}
        # Hand out the rounding remainder to the largest branches first... then the rest.
        remainder = active - sum(targets.values())
        for i in sorted(regular, key=lambda i: -branch_specs[i][0].weight)[:remainder]:
            targets[i] += 1
        for i in tiny:
            targets[i] = TINY_BRANCH_SIZE
        slots = [(i, True) for i in targets for _ in range(targets[i])]
        slots += [(rng.choice(regular), False) for _ in range(inactive)]

        drafts: list[Draft] = []
        staff_no = student_no = 0
        for branch, is_active in slots:
            spec, org_index = branch_specs[branch]
            profile = PROFILES[spec.profile]
            student = profile.get("student", False)
            if student:
                student_no += 1
                number = f"{prefix}S{student_no:05d}"
            else:
                staff_no += 1
                number = f"{prefix}{staff_no:06d}"
            draft = self._person(
                spec=spec,
                profile=profile,
                organization=orgs[org_index].obj,
                employee_number=number,
                id_area=id_area if rng.random() < 0.7 else rng.choice(ID_AREAS),
                region=region,
                active=is_active,
                tiny=spec.tiny,
            )
            draft.branch = branch
            drafts.append(draft)
        created = self.add(Person, [d.person for d in drafts])
        for draft, obj in zip(drafts, created, strict=True):
            draft.person = obj
        self.report.people += len(drafts)
        return drafts

    def _person(
        self, *, spec, profile, organization, employee_number, id_area, region, active, tiny
    ) -> Draft:
        rng, today = self.rng, self.today
        student = profile.get("student", False)
        status = self.weighted(STUDENT_STATUS if student else STAFF_STATUS)
        if tiny:
            status = PS.LEAGUE_MEMBER
        no_post = False
        if student:
            low, high = (23, 27) if spec.profile == "postgraduate" else (20, 24)
            age = rng.randint(low, high)
        elif status == PS.LEAGUE_MEMBER:
            if not tiny and rng.random() < 0.02:
                age, no_post = rng.randint(28, 29), True
            else:
                age = min(27, max(21, round(rng.triangular(21, 28, 25))))
        elif status == PS.PROBATIONARY_PARTY_MEMBER:
            age = rng.randint(23, 31)
        elif status == PS.PARTY_MEMBER:
            age = round(rng.triangular(24, 42, 30))
        else:
            age = round(rng.triangular(22, 45, 31))
        person_status = Person.Status.ACTIVE
        changed_on = None
        if not active:
            person_status = self.weighted(
                {Person.Status.AGED_OUT: 50, Person.Status.TRANSFERRED_OUT: 30, Person.Status.LEFT: 20}
            )
            if person_status == Person.Status.AGED_OUT:
                status, age = PS.LEAGUE_MEMBER, rng.randint(29, 31)
        birth = self.birth_for_age(age)
        if not active:
            if person_status == Person.Status.AGED_OUT:
                changed_on = rules.add_years(birth, 28) + dt.timedelta(days=rng.randint(30, 300))
            else:
                changed_on = today - dt.timedelta(days=rng.randint(10, 700))
            changed_on = min(changed_on, today)

        woman = rng.random() < profile["women"]
        profession = self.weighted(profile["professions"])
        if student:
            education = EDU.BACHELOR if spec.profile == "postgraduate" else EDU.SECONDARY
            if spec.profile == "nursing_intern" and rng.random() < 0.4:
                education = EDU.SECONDARY
            professional_title = TITLE.NONE
        else:
            education = self.weighted(EDUCATION[profession])
            while EDUCATION_MIN_AGE.get(education, 0) > age:
                education = self.weighted(EDUCATION[profession])
            professional_title = self._professional_title(age, profession)

        joined = None
        if status != PS.MASSES or rng.random() < 0.55:
            join_age = self.weighted({14: 30, 15: 30, 16: 15, 17: 8, 18: 8, 19: 4, 20: 3, 21: 2})
            join_age = min(join_age, age - 1, rules.LEAGUE_MAX_AGE)
            joined = rules.add_years(birth, join_age) + dt.timedelta(days=rng.randrange(365))
            joined = min(joined, today - dt.timedelta(days=30))
        development_number = None
        if joined and joined >= rules.DEVELOPMENT_NUMBER_REQUIRED_FROM:
            key = (joined.year, region)
            self.development_sequences[key] += 1
            development_number = f"{joined.year}{region}{self.development_sequences[key]:04d}"

        sequence_key = (id_area, birth)
        self.id_sequences[sequence_key] += 1
        sequence = 2 * self.id_sequences[sequence_key] + (0 if woman else 1)
        if sequence > 999:  # crowded birthday: borrow another area code
            id_area = rng.choice(ID_AREAS)
            return self._person(
                spec=spec,
                profile=profile,
                organization=organization,
                employee_number=employee_number,
                id_area=id_area,
                region=region,
                active=active,
                tiny=tiny,
            )

        person = Person(
            name=self.name(woman),
            gender=Person.Gender.FEMALE if woman else Person.Gender.MALE,
            birth_date=birth,
            ethnicity=self.weighted(ETHNICITIES),
            id_number=id_number(id_area, birth, sequence),
            political_status=status,
            league_joined_on=joined,
            development_number=development_number,
            employee_number=employee_number,
            department=self.departments[rng.choice(spec.departments)],
            profession=profession,
            education=education,
            professional_title=professional_title,
            phone=self.phone(),
            organization=organization,
            status=person_status,
            status_changed_on=changed_on,
        )
        return Draft(person=person, branch=-1, age=age, no_post=no_post)

    def _professional_title(self, age: int, profession: str) -> str:
        if profession in (PROF.LOGISTICS, PROF.OTHER) and self.rng.random() < 0.6:
            return TITLE.NONE
        if age < 24:
            return TITLE.JUNIOR if self.rng.random() < 0.6 else TITLE.NONE
        if age < 30:
            return TITLE.JUNIOR if self.rng.random() < 0.85 else TITLE.INTERMEDIATE
        if age < 36:
            return TITLE.INTERMEDIATE if self.rng.random() < 0.7 else TITLE.JUNIOR
        return TITLE.ASSOCIATE_SENIOR if self.rng.random() < 0.35 else TITLE.INTERMEDIATE

    # -- cadres and elections

    def _cadres(self, orgs: list[_Org], drafts: list[Draft]) -> None:
        rng = self.rng
        by_branch: dict[int, list[Draft]] = defaultdict(list)
        for draft in drafts:
            if draft.person.status == Person.Status.ACTIVE:
                by_branch[draft.branch].append(draft)
        elections: list[Election] = []
        # (organisation, election or None for an appointed committee, [(person, title)], start, end)
        terms: list[
            tuple[Organization, Election | None, list[tuple[Person, str]], dt.date, dt.date | None]
        ] = []
        self.secretaries: dict[str, Person] = {}
        for org in orgs:
            obj = org.obj
            members = [d for b in org.branches for d in by_branch[b]]
            pool = (
                [
                    d
                    for d in members
                    if not d.no_post and d.age <= 35 and d.person.political_status != PS.MASSES
                ]
                or [d for d in members if not d.no_post]
                or members
            )
            titles = self._titles(obj, len(members))
            term = self.term_years[(obj.kind, obj.is_student)]
            if org.elections is None:
                # A new branch: its first committee was appointed when it was founded; no election yet.
                crew = self._pick(pool, titles, prefer_senior=False)
                terms.append((obj, None, list(zip(crew, titles, strict=True)), obj.founded_on, None))
                continue
            previous, latest = org.elections
            if obj.kind == Organization.Kind.COMMITTEE:
                people_now = self._committee_people(pool, titles)
            else:
                people_now = self._pick(pool, titles, prefer_senior=obj.kind != Organization.Kind.BRANCH)
            people_before = [
                person if rng.random() < 0.35 else self._pick(pool, [title], prefer_senior=False)[0]
                for person, title in zip(people_now, titles, strict=True)
            ]
            if obj.kind == Organization.Kind.COMMITTEE:
                self.secretaries["committee"] = people_now[0]
            else:
                self.secretaries[obj.name] = people_now[0]
            for held, due, end, crew in (
                (previous, None, latest - dt.timedelta(days=1), people_before),
                (
                    latest,
                    rules.add_years(previous, term),
                    rules.add_years(latest, term) - dt.timedelta(days=1),
                    people_now,
                ),
            ):
                election = Election(
                    organization=obj,
                    held_on=held,
                    due_on=due,
                    term_years=term,
                    result=f"选举产生新一届委员会，{crew[0].name}任书记。",
                )
                elections.append(election)
                terms.append((obj, election, list(zip(crew, titles, strict=True)), held, end))
        elections = self.add(Election, elections)
        self.report.elections += len(elections)
        positions = [
            Position(
                person=person, organization=obj, title=title, start_on=start, end_on=end, election=election
            )
            for obj, election, crew, start, end in terms
            for person, title in crew
        ]
        positions = self.add(Position, positions)
        self.report.positions += len(positions)

    def _titles(self, org: Organization, members: int) -> list[str]:
        if org.kind == "committee":
            return [
                POST.SECRETARY,
                POST.DEPUTY_SECRETARY,
                POST.DEPUTY_SECRETARY,
                POST.ORGANIZATION,
                POST.PUBLICITY,
                POST.CULTURE_SPORTS,
                POST.YOUTH_WORK,
            ]
        if org.kind == "general_branch":
            return [POST.SECRETARY, POST.DEPUTY_SECRETARY, POST.ORGANIZATION, POST.PUBLICITY, POST.YOUTH_WORK]
        # 团支部工作条例: seven or more members elect a committee of 3–5; fewer, a secretary (and a deputy).
        if members >= 7:
            titles = [POST.SECRETARY, POST.DEPUTY_SECRETARY, POST.ORGANIZATION]
            if members >= 20:
                titles.append(POST.PUBLICITY)
            if members >= 35:
                titles.append(POST.CULTURE_SPORTS)
            return titles
        return [POST.SECRETARY, POST.DEPUTY_SECRETARY] if members >= 4 else [POST.SECRETARY]

    def _pick(self, pool: list[Draft], titles: list[str], *, prefer_senior: bool) -> list[Person]:
        """Different people for the posts when the pool allows it; seniors first for higher levels."""
        rng = self.rng

        def score(d: Draft) -> float:
            base = rng.random()
            if 25 <= d.age <= 33:
                base += 0.6 if prefer_senior else 0.3
            if d.person.political_status in (PS.PARTY_MEMBER, PS.PROBATIONARY_PARTY_MEMBER):
                base += 0.2
            return base

        ranked = sorted(pool, key=score, reverse=True)
        chosen = [d.person for d in ranked[: len(titles)]]
        while len(chosen) < len(titles):  # tiny pools: someone holds two posts
            chosen.append(rng.choice(pool).person)
        return chosen

    def _committee_people(self, pool: list[Draft], titles: list[str]) -> list[Person]:
        """The committee's secretary is a party member in the administration, the rest from everywhere."""
        office = [
            d
            for d in pool
            if d.person.profession == PROF.ADMINISTRATION
            and d.person.political_status == PS.PARTY_MEMBER
            and 28 <= d.age <= 35
        ]
        secretary = (
            self.rng.choice(office).person if office else self._pick(pool, titles[:1], prefer_senior=True)[0]
        )
        others = [p for p in self._pick(pool, titles, prefer_senior=True) if p.pk != secretary.pk][
            : len(titles) - 1
        ]
        return [secretary, *others]
