"""The member home (core/home.py): each app's card, only the member's own things, flat queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.activities.models import Attendance
from qingyi.core import home
from qingyi.core.notifications import notify
from qingyi.escorts import services as escort_services
from qingyi.organizations.models import Position
from qingyi.volunteering.models import Post, Project, ServiceRecord, Signup, Volunteer
from tests.activities.conftest import at, plan
from tests.escorts.conftest import file_request
from tests.factories import UserFactory
from tests.growth.conftest import checklist  # noqa: F401  (fixture)
from tests.volunteering.conftest import make_shift


def _home(client) -> str:
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    return response.content.decode()


def _volunteer(personas) -> Volunteer:
    return Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=personas.tree.branch_a,
        person=personas.member_person,
        user=personas.member,
        name=personas.member_person.name,
        birth_date=personas.member_person.birth_date,
    )


def _grow(personas, volunteer: Volunteer, n: int) -> None:
    """n more of everything the member's cards read: activities, attendance, notifications,
    shifts with sign-ups and verified hours, escorts."""
    tree = personas.tree
    project = Project.objects.create(organization=tree.committee, name=f"项目{n}", kind=Project.Kind.OTHER)
    post = Post.objects.create(project=project, name="导诊")
    for i in range(n):
        past = plan(personas.admin_a, [tree.branch_a], start=at(days=-10 - i), title=f"旧{n}-{i}")
        Attendance.objects.create(activity=past, person=personas.member_person, status="present")
        plan(personas.admin_a, [tree.branch_a], start=at(days=2 + i), title=f"新{n}-{i}")
        notify(users=[personas.member], title=f"通知{n}-{i}")
        shift = make_shift(project, post=post, start=timezone.now() + dt.timedelta(days=1 + i, hours=n))
        Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)
        old = make_shift(project, post=post, start=timezone.now() - dt.timedelta(days=5 + i, hours=n))
        ServiceRecord.objects.create(
            shift=old,
            volunteer=volunteer,
            project=project,
            served_on=old.start.date(),
            status=ServiceRecord.Status.VERIFIED,
            recorded_hours=Decimal("3.5"),
            verified_hours=Decimal("3.5"),
        )
        escort, _token = file_request(phone=f"1390000{n:02d}{i:02d}", hours=3 + i, ip=f"10.9.{n}.{i}")
        escort_services.escort_assign(escort=escort, volunteer=volunteer, actor=personas.coordinator)


def test_member_sees_their_cards_instead_of_the_profile_redirect(personas, login):
    body = _home(login(personas.member))
    for card in (
        "core.notifications_card",
        "activities.my_activities_card",
        "volunteering.my_volunteering_card",
    ):
        assert f'data-card="{card}"' in body
    assert 'data-card="people.profile_card"' in body
    assert reverse("accounts:profile") in body
    assert personas.member_person.name in body
    # Not a cadre, no escort assigned: those cards stay hidden.
    assert 'data-card="growth.my_inspection_card"' not in body
    assert 'data-card="escorts.my_escorts_card"' not in body


def test_person_without_volunteer_record_is_invited_to_become_one(personas, login):
    body = _home(login(personas.member))
    assert 'data-invite="volunteer"' in body
    assert reverse("volunteering:join") in body


def test_volunteer_sees_next_shift_and_verified_hours_not_the_invitation(personas, login):
    volunteer = _volunteer(personas)
    _grow(personas, volunteer, 1)
    body = _home(login(personas.member))
    assert 'data-invite="volunteer"' not in body
    assert '"fs-4 fw-semibold">3.5 <' in body  # verified hours
    shift = Signup.objects.get(volunteer=volunteer).shift
    assert reverse("volunteering:shift_detail", args=[shift.pk]) in body


def test_member_sees_own_activities_notifications_and_escorts_and_nothing_of_others(personas, login):
    tree = personas.tree
    volunteer = _volunteer(personas)
    _grow(personas, volunteer, 1)
    plan(personas.admin_b, [tree.branch_b], start=at(days=1), title="乙支部的活动")
    notify(users=[personas.admin_b], title="给别人的通知")
    other = Volunteer.objects.create(
        kind=Volunteer.Kind.SOCIAL, organization=tree.branch_b, name="别的志愿者", user=UserFactory()
    )
    escort, _ = file_request(phone="13911112222", hours=1, ip="10.8.0.1")
    escort_services.escort_assign(escort=escort, volunteer=other, actor=personas.coordinator)

    body = _home(login(personas.member))
    assert "新1-0" in body  # my next activity
    assert "乙支部的活动" not in body
    assert "通知1-0" in body
    assert "给别人的通知" not in body
    assert 'data-card="escorts.my_escorts_card"' in body
    mine = volunteer.escort_requests.get()
    assert reverse("escorts:detail", args=[mine.pk]) in body
    assert reverse("escorts:detail", args=[escort.pk]) not in body
    assert "Attended 100%" in body


def test_cadre_sees_self_inspection_to_answer(cadres, checklist, login):  # noqa: F811
    body = _home(login(cadres.member))
    assert 'data-card="growth.my_inspection_card"' in body
    assert reverse("growth:my_inspection", args=[checklist.pk]) in body
    assert "To answer" in body


def test_outsider_without_roster_record_gets_a_home_too(personas, login):
    body = _home(login(personas.outsider))
    assert 'data-card="activities.my_activities_card"' not in body
    assert "not linked to a roster record" in body


def test_admin_keeps_dashboard_and_sees_personal_cards_below(personas, login):
    body = _home(login(personas.admin_a))
    assert 'data-metric="people.active"' in body
    assert 'data-card="core.notifications_card"' in body


def test_member_home_queries_do_not_grow_with_data(personas, login):
    volunteer = _volunteer(personas)
    client = login(personas.member)
    _grow(personas, volunteer, 1)
    client.get(reverse("core:home"))  # warm caches
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("core:home"))
    _grow(personas, volunteer, 6)
    with CaptureQueriesContext(connection) as large:
        body = client.get(reverse("core:home")).content.decode()
    assert 'data-card="escorts.my_escorts_card"' in body
    assert len(large.captured_queries) == len(small.captured_queries), [
        q["sql"] for q in large.captured_queries
    ]


def test_registry_hides_a_card_without_its_permission_or_without_content(personas, monkeypatch):
    config = apps.get_app_config("people")
    monkeypatch.setattr(
        config,
        "home_cards",
        [
            ("people/cards/profile.html", "qingyi.people.home.profile_card", "people.manage", 1),
            ("people/cards/profile.html", "tests.core.test_home.hidden_card", None, 2),
        ],
        raising=False,
    )
    member_cards = [card.name for card in home.cards_for(personas.member)]
    assert "people.profile_card" not in member_cards
    assert "people.hidden_card" not in member_cards
    admin_cards = [card.name for card in home.cards_for(personas.admin_a)]
    assert admin_cards[0] == "people.profile_card"  # weight 1 comes first


def hidden_card(user):
    return None


@pytest.fixture
def cadres(personas):
    start = dt.date(dt.date.today().year - 1, 1, 1)
    Position.objects.create(
        person=personas.member_person,
        organization=personas.tree.branch_a,
        title="organization",
        start_on=start,
    )
    return personas
