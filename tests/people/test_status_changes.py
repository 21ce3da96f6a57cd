import datetime as dt

from django.urls import reverse

from qingyi.people.models import Person
from tests.factories import PersonFactory, years_ago


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
