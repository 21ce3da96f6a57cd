"""``manage.py demo_data`` and the builder behind it (also used by bench/generate.py)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from qingyi.accounts.models import RoleAssignment, User
from qingyi.core import rules
from qingyi.demo import hospital as demo
from qingyi.organizations.models import Department, Election, Organization, PartyBranch, Position
from qingyi.organizations.selectors import positions_current, tree_rows
from qingyi.people.models import Person
from qingyi.people.selectors import due_to_age_out_q
from qingyi.people.validation import person_errors

pytestmark = pytest.mark.django_db

SMALL = 200


def run(*args, **options) -> str:
    out = StringIO()
    call_command("demo_data", *args, stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Organization, PartyBranch, Department, Person, Position, Election, User, RoleAssignment)
    }


@pytest.fixture
def small_demo() -> str:
    return run(people=SMALL)


def test_builds_the_hospital_tree_with_party_branches_and_departments(small_demo):
    committee = Organization.objects.get(depth=1)
    assert committee.name == demo.COMMITTEE_NAME
    assert Organization.objects.count() == 50
    assert Organization.objects.filter(kind="general_branch").count() == 8
    assert Organization.objects.filter(kind="branch").count() == 41
    assert Organization.objects.filter(is_student=True).count() >= 5
    assert PartyBranch.objects.count() == 12
    assert Department.objects.count() >= 40
    # 党建带团建: every general branch and branch is paired with a party branch.
    assert not Organization.objects.exclude(kind="committee").filter(party_branch__isnull=True).exists()
    assert Person.objects.count() == SMALL
    assert "Built 青山医院团委" in small_demo and " s:" in small_demo


def test_people_are_valid_records(small_demo):
    today = dt.date.today()
    for person in Person.objects.all():
        data = {
            f: getattr(person, f)
            for f in (
                "birth_date",
                "id_number",
                "political_status",
                "league_joined_on",
                "development_number",
                "phone",
            )
        }
        assert person_errors(data, today=today) == {}, (person.name, data)
        assert rules.birth_date_from_id_number(person.id_number) == person.birth_date
        # The 17th digit of an ID number is odd for men, even for women.
        assert (int(person.id_number[16]) % 2 == 1) == (person.gender == Person.Gender.MALE)
        assert 2 <= len(person.name) <= 3
        assert person.employee_number and person.department_id and person.profession
    members = Person.objects.filter(
        political_status="league_member", league_joined_on__gte=dt.date(2017, 1, 1)
    )
    assert members.exists()
    assert not members.filter(development_number__isnull=True).exists()


def test_mostly_young_league_members_nurses_and_doctors():
    run()
    people = Person.objects.filter(status="active")
    assert Person.objects.count() == demo.HOSPITAL_PEOPLE
    total = people.count()
    assert people.filter(political_status="league_member").count() > total / 2
    assert people.filter(political_status__in=["party_member", "probationary_party_member"]).exists()
    assert people.filter(political_status="masses").exists()
    assert people.filter(profession__in=["nurse", "doctor"]).count() > total / 2
    today = dt.date.today()
    young = people.filter(
        birth_date__gt=rules.years_before(today, 36), birth_date__lte=rules.years_before(today, 20)
    )
    assert young.count() > 0.85 * total
    # Branches keep within 3–50 members, apart from the two that have shrunk.
    rows = [r for r in tree_rows(User.objects.get(username="admin")) if r.organization.kind == "branch"]
    assert [r.size_flag for r in rows].count("too_large") == 0
    assert [r.size_flag for r in rows].count("too_small") == 2


def test_alerts_have_something_to_show(small_demo):
    today = dt.date.today()
    rows = tree_rows(User.objects.get(username="admin"), today=today)
    states = [r.election_state for r in rows]
    assert states.count("overdue") >= 2
    assert states.count("due_soon") >= 2
    assert [r.size_flag for r in rows].count("too_small") >= 2
    assert Person.objects.filter(due_to_age_out_q(today)).exists()


def test_every_organisation_has_a_secretary_with_a_term(small_demo):
    today = dt.date.today()
    for org in Organization.objects.all():
        secretaries = Position.objects.filter(organization=org, title="secretary")
        assert secretaries.exists(), org.name
    # Where the term has not run out, the secretary is in post today.
    rows = {r.organization.pk: r for r in tree_rows(User.objects.get(username="admin"), today=today)}
    for org in Organization.objects.all():
        if rows[org.pk].election_state != "overdue":
            current = positions_current(Position.objects.filter(organization=org, title="secretary"), today)
            assert current.exists(), org.name
    assert Election.objects.filter(due_on__isnull=False).exists()


def test_demo_accounts_log_in_and_see_their_scope(small_demo, client):
    for username in ("admin", "branch", "coordinator", "member"):
        assert username in small_demo
    assert demo.DEMO_PASSWORD in small_demo
    url = reverse("accounts:login")
    response = client.post(url, {"username": "admin", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("people:list")).status_code == 200
    client.logout()

    client.post(url, {"username": "branch", "password": demo.DEMO_PASSWORD})
    branch = Organization.objects.get(name=demo.DEMO_BRANCH)
    body = client.get(reverse("people:list"), {"status": ""}).content.decode()
    outsider = Person.objects.exclude(organization=branch).first()
    assert Person.objects.filter(organization=branch).first().name in body
    assert client.get(reverse("people:detail", args=[outsider.pk])).status_code == 404
    client.logout()

    member = User.objects.get(username="member")
    assert member.person.organization == branch
    assert client.post(url, {"username": member.phone, "password": demo.DEMO_PASSWORD}).status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    client.logout()

    assert client.post(url, {"username": "coordinator", "password": demo.DEMO_PASSWORD}).status_code == 302
    assert User.objects.get(username="admin").person is not None


def test_running_twice_does_not_duplicate(small_demo):
    before = counts()
    output = run(people=SMALL)
    assert counts() == before
    assert "already there" in output
    assert "admin" in output and demo.DEMO_PASSWORD in output


def test_a_changed_password_is_not_printed(small_demo):
    admin = User.objects.get(username="admin")
    admin.set_password("another-secret-42")
    admin.save()
    output = run()
    line = next(line for line in output.splitlines() if line.strip().startswith("admin"))
    assert demo.DEMO_PASSWORD not in line and "changed" in line


@pytest.mark.django_db(transaction=True)  # flush truncates tables: not inside a test transaction
def test_reset_rebuilds_the_same_hospital(small_demo):
    names = sorted(Person.objects.values_list("name", "id_number"))
    before = counts()
    output = run(people=SMALL, reset=True)
    assert "Built" in output
    assert counts() == before
    assert sorted(Person.objects.values_list("name", "id_number")) == names


def test_refuses_to_run_on_a_production_configuration(settings):
    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(CommandError, match="DEBUG"):
        run(people=SMALL)
    assert not Organization.objects.exists()


def test_refuses_a_roster_too_small_for_a_hospital():
    with pytest.raises(CommandError, match="at least"):
        run(people=50)


def test_the_generator_builds_several_hospitals_with_logins_only_in_the_first():
    report = demo.build(people=300, hospitals=3, history=False)
    assert report.hospitals == 3
    assert report.organizations == 3 * demo.orgs_per_hospital() == Organization.objects.count()
    assert Organization.objects.filter(depth=1).count() == 3
    assert report.people == Person.objects.count() == 300
    assert PartyBranch.objects.count() == 36
    roots = list(Organization.objects.filter(depth=1).order_by("path"))
    admin_paths = set(RoleAssignment.objects.values_list("organization__path", flat=True))
    assert all(path.startswith(roots[0].path) for path in admin_paths)
    for root in roots:
        assert Person.objects.filter(organization__path__startswith=root.path).count() == 100
    assert demo.hospitals_for(5000) == 100


def test_every_domain_has_a_living_year(small_demo):
    from decimal import Decimal

    from django.db.models import F, Sum

    from qingyi.activities.models import Activity, Attendance, Publication, Registration
    from qingyi.callups.models import CallUp, Response
    from qingyi.core.models import Notification
    from qingyi.escorts.models import EscortRequest
    from qingyi.growth.models import Checklist, SelfInspection, TrainingRecord
    from qingyi.volunteering.models import Certificate, ServiceRecord, Shift, Signup, Volunteer

    assert "Domains:" in small_demo
    assert (
        Volunteer.objects.filter(kind="staff").exists() and Volunteer.objects.exclude(kind="staff").exists()
    )
    verified = ServiceRecord.objects.filter(status="verified")
    assert verified.exists()
    # Verified hours never exceed the shift, and records follow the shift's times.
    assert not verified.filter(verified_hours__gt=F("scheduled_hours")).exists()
    assert not verified.filter(verified_at__isnull=True).exists()
    assert Shift.objects.filter(start__gt=dt.datetime.now(dt.UTC)).exists()
    assert Signup.objects.filter(status="waiting").exists()
    assert Shift.objects.filter(partner__gt="", people_reached__gt=0).exists()
    for status in EscortRequest.Status.values:
        assert EscortRequest.objects.filter(status=status).exists(), status
    assert EscortRequest.objects.filter(rating__isnull=False).exists()
    assert CallUp.objects.filter(status="closed").exists() and Response.objects.exists()
    assert Activity.objects.filter(status="held").count() > 100
    assert Activity.objects.filter(party_branch__isnull=False).exists()
    assert Attendance.objects.exists() and Registration.objects.exists()
    assert Publication.objects.count() == 100
    assert TrainingRecord.objects.exists()
    checklist = Checklist.objects.get(status="published")
    assert SelfInspection.objects.filter(checklist=checklist).exists()

    member = User.objects.get(username="member")
    volunteer = Volunteer.objects.get(user=member)
    assert volunteer.person == member.person
    hours = volunteer.records.filter(status="verified").aggregate(h=Sum("verified_hours"))["h"]
    assert hours >= Decimal(rules.volunteer_star_thresholds()[0])
    assert volunteer.signups.filter(status="confirmed", shift__start__gt=dt.datetime.now(dt.UTC)).exists()
    assert Certificate.objects.filter(volunteer=volunteer).count() == 1
    assert Notification.objects.filter(recipient=member, read_at__isnull=True).exists()
