import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qingyi.organizations import services
from qingyi.organizations.models import Election, Position
from qingyi.organizations.selectors import election_due_on
from tests.factories import PersonFactory


def test_recording_an_election_closes_old_terms_and_opens_new_ones(personas):
    tree = personas.tree
    old = Position.objects.create(
        person=personas.person_a, organization=tree.branch_a, title="secretary", start_on=dt.date(2020, 1, 1)
    )
    new_secretary = PersonFactory(organization=tree.branch_a)
    held = dt.date.today() - dt.timedelta(days=1)
    election = services.election_record(
        organization=tree.branch_a,
        held_on=held,
        new_positions=[(new_secretary, "secretary"), (personas.person_a, "member")],
        actor=personas.admin_a,
    )
    old.refresh_from_db()
    assert old.end_on == held - dt.timedelta(days=1)
    new = Position.objects.get(person=new_secretary)
    assert new.start_on == held and new.election == election
    assert new.end_on == held.replace(year=held.year + 3) - dt.timedelta(days=1)
    assert election_due_on(tree.branch_a, election.held_on) == held.replace(year=held.year + 3)


def test_student_branch_term_is_one_year(personas):
    tree = personas.tree
    tree.branch_b.is_student = True
    assert election_due_on(tree.branch_b, dt.date(2024, 9, 1)) == dt.date(2025, 9, 1)


def test_election_in_the_future_or_before_the_last_is_refused(personas):
    tree = personas.tree
    with pytest.raises(ValidationError, match="once it has been held"):
        services.election_record(
            organization=tree.branch_a,
            held_on=dt.date.today() + dt.timedelta(days=3),
            new_positions=[(personas.person_a, "secretary")],
            actor=personas.admin_a,
        )
    services.election_record(
        organization=tree.branch_a,
        held_on=dt.date(2024, 5, 1),
        new_positions=[(personas.person_a, "secretary")],
        actor=personas.admin_a,
    )
    with pytest.raises(ValidationError, match="already recorded"):
        services.election_record(
            organization=tree.branch_a,
            held_on=dt.date(2024, 4, 1),
            new_positions=[(personas.person_a, "secretary")],
            actor=personas.admin_a,
        )
    assert Election.objects.count() == 1


def test_election_form_story(personas, login):
    client = login(personas.admin_a)
    url = reverse("organizations:election_new", args=[personas.tree.branch_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"held_on": "2099-01-01", "secretary": personas.person_a.pk})
    assert response.status_code == 200
    assert Election.objects.count() == 0
    response = client.post(
        url, {"held_on": "2025-03-01", "secretary": personas.person_a.pk, "members": [personas.person_a.pk]}
    )
    assert "only one post" in response.content.decode()
    response = client.post(url, {"held_on": "2025-03-01", "secretary": personas.person_a.pk})
    assert response.status_code == 302
    assert Position.objects.get(person=personas.person_a).title == "secretary"


def test_election_form_refuses_people_of_another_branch(personas, login):
    client = login(personas.admin_a)
    url = reverse("organizations:election_new", args=[personas.tree.branch_a.pk])
    response = client.post(url, {"held_on": "2025-03-01", "secretary": personas.person_b.pk})
    assert response.status_code == 200
    assert Election.objects.count() == 0


def test_person_page_shows_past_current_and_future_posts(personas, login):
    tree = personas.tree
    today = dt.date.today()
    Position.objects.create(
        person=personas.person_a,
        organization=tree.branch_a,
        title="member",
        start_on=dt.date(2019, 1, 1),
        end_on=dt.date(2020, 1, 1),
    )
    Position.objects.create(
        person=personas.person_a, organization=tree.branch_a, title="secretary", start_on=dt.date(2021, 1, 1)
    )
    Position.objects.create(
        person=personas.person_a,
        organization=tree.general,
        title="publicity",
        start_on=today + dt.timedelta(days=30),
    )
    body = login(personas.admin_a).get(reverse("people:detail", args=[personas.person_a.pk])).content.decode()
    assert body.count(">current</span>") == 1
    assert body.count(">future</span>") == 1
    assert body.count(">past</span>") == 1
