import datetime as dt

from django.urls import reverse

from qingyi.people.models import Person
from tests.factories import PersonFactory, grant, years_ago


def test_age_out_form_story(personas, login):
    due = PersonFactory(organization=personas.tree.branch_a, birth_date=years_ago(29), name="超龄甲")
    client = login(personas.admin_a)
    url = reverse("people:age_out", args=[due.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"on": "not a date"})
    assert response.status_code == 200
    assert client.post(url, {"on": dt.date.today().isoformat()}).status_code == 302
    due.refresh_from_db()
    assert due.status == Person.Status.AGED_OUT


def test_age_out_of_someone_not_due_shows_the_rule(personas, login):
    client = login(personas.admin_a)
    url = reverse("people:age_out", args=[personas.person_a.pk])
    response = client.post(url, {"on": dt.date.today().isoformat()})
    assert response.status_code == 200
    assert "not due to age out" in response.content.decode()
    personas.person_a.refresh_from_db()
    assert personas.person_a.status == Person.Status.ACTIVE


def test_leaving_is_recorded_with_its_date(personas, login):
    client = login(personas.admin_a)
    url = reverse("people:leave", args=[personas.person_a.pk])
    assert client.post(url, {"on": "2026-01-05"}).status_code == 302
    personas.person_a.refresh_from_db()
    assert personas.person_a.status == Person.Status.LEFT
    assert personas.person_a.status_changed_on == dt.date(2026, 1, 5)
    response = client.post(url, {"on": "2026-01-06"})
    assert "Only an active person" in response.content.decode()


def test_leaving_takes_the_login_roles_and_tokens_with_history(personas, login):
    from qingyi.accounts.models import ApiToken, Role, RoleAssignment

    grant(personas.member, Role.COORDINATOR, personas.tree.branch_a)
    token, raw = ApiToken.issue(user=personas.member, name="script")
    roles = list(RoleAssignment.objects.filter(user=personas.member).values_list("pk", flat=True))
    assert len(roles) == 2
    client = login(personas.admin_a)
    response = client.post(reverse("people:leave", args=[personas.member_person.pk]), {"on": "2026-01-05"})
    assert response.status_code == 302
    personas.member.refresh_from_db()
    assert not personas.member.is_active
    assert not RoleAssignment.objects.filter(user=personas.member).exists()
    removed = RoleAssignment.history.filter(id__in=roles, history_type="-")
    assert removed.count() == 2
    assert {h.history_user_id for h in removed} == {personas.admin_a.pk}
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert ApiToken.find_active(raw) is None
    last = personas.member_person.history.latest()
    assert last.status == Person.Status.LEFT
    assert "disabled" in last.history_change_reason and "2 role(s)" in last.history_change_reason
    client.logout()
    assert not client.login(username="member", password="pass-word-123")


def test_a_branch_admin_cannot_mark_the_committee_admin_as_left(personas, login):
    record = PersonFactory(organization=personas.tree.branch_a, user=personas.committee_admin)
    response = login(personas.admin_a).post(reverse("people:leave", args=[record.pk]), {"on": "2026-01-05"})
    assert response.status_code == 200
    assert "roles outside the organisations you manage" in response.content.decode()
    record.refresh_from_db()
    personas.committee_admin.refresh_from_db()
    assert record.status == Person.Status.ACTIVE
    assert personas.committee_admin.is_active


def test_a_committee_admin_leaves_only_by_another_committee_admins_hand(personas):
    import pytest
    from django.core.exceptions import ValidationError

    from qingyi.accounts.models import Role, User
    from qingyi.people import services

    record = PersonFactory(organization=personas.tree.branch_a, user=personas.committee_admin)
    with pytest.raises(ValidationError, match="yourself"):
        services.person_leave(person=record, on=dt.date(2026, 1, 5), actor=personas.committee_admin)
    # An org admin over the whole hospital still ranks below a committee admin.
    root_admin = grant(User.objects.create(username="root-admin"), Role.ORG_ADMIN, personas.tree.committee)
    with pytest.raises(ValidationError, match="a role above yours"):
        services.person_leave(person=record, on=dt.date(2026, 1, 5), actor=root_admin)
    other = grant(User.objects.create(username="committee2"), Role.COMMITTEE_ADMIN, personas.tree.committee)
    services.person_leave(person=record, on=dt.date(2026, 1, 5), actor=other)
    personas.committee_admin.refresh_from_db()
    assert not personas.committee_admin.is_active
