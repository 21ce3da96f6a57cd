from django.urls import reverse

from qingyi.people.models import Person
from tests.factories import PersonFactory, form_payload, years_ago


def test_roster_masks_id_numbers_and_filters(personas, login):
    client = login(personas.committee_admin)
    body = client.get(reverse("people:list")).content.decode()
    assert personas.person_a.id_number not in body
    assert personas.person_a.id_number_masked in body
    body = client.get(reverse("people:list"), {"q": "乙支部"}).content.decode()
    assert "乙支部人" in body and "甲支部人" not in body
    body = client.get(reverse("people:list"), {"org": personas.tree.branch_a.pk}).content.decode()
    assert "甲支部人" in body and "乙支部人" not in body


def test_roster_youth_and_age_out_filters(personas, login):
    PersonFactory(organization=personas.tree.branch_a, name="超龄者", birth_date=years_ago(30))
    PersonFactory(
        organization=personas.tree.branch_a,
        name="中年人",
        birth_date=years_ago(40),
        political_status="masses",
        league_joined_on=None,
    )
    client = login(personas.admin_a)
    body = client.get(reverse("people:list"), {"due_to_age_out": "1"}).content.decode()
    assert "超龄者" in body and "甲支部人" not in body
    body = client.get(reverse("people:list"), {"youth": "1"}).content.decode()
    assert "超龄者" in body and "中年人" not in body


def test_roster_htmx_returns_only_the_results(personas, login):
    client = login(personas.committee_admin)
    response = client.get(reverse("people:list"), {"q": "甲"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and "甲支部人" in body


def test_person_page_reveals_id_number_only_on_request(personas, login):
    client = login(personas.admin_a)
    url = reverse("people:detail", args=[personas.person_a.pk])
    assert personas.person_a.id_number not in client.get(url).content.decode()
    assert personas.person_a.id_number in client.get(url, {"reveal": "1"}).content.decode()


def test_person_page_shows_change_history(personas, login):
    client = login(personas.admin_a)
    person = personas.person_a
    edit = reverse("people:edit", args=[person.pk])
    form = client.get(edit).context["form"]
    payload = form_payload(form, phone="13700000000")
    assert client.post(edit, payload).status_code == 302
    body = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "<del>—</del> → 13700000000" in body or "→ 13700000000" in body
    assert "admin_a" in body


def test_create_person_form_story(personas, login):
    client = login(personas.admin_a)
    url = reverse("people:create")
    response = client.post(url, {"organization": personas.tree.branch_a.pk, "name": "", "gender": "male"})
    assert response.status_code == 200 and Person.objects.count() == 3
    birth = years_ago(23)
    from tests.factories import id_number_for

    response = client.post(
        url,
        {
            "organization": personas.tree.branch_a.pk,
            "name": "王新",
            "gender": "male",
            "birth_date": birth.isoformat(),
            "id_number": id_number_for(birth, 9),
            "political_status": "masses",
            "phone": "13600000000",
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(name="王新").organization == personas.tree.branch_a
    response = client.post(
        url,
        {
            "organization": personas.tree.branch_b.pk,
            "name": "越权",
            "gender": "male",
            "birth_date": birth.isoformat(),
            "political_status": "masses",
        },
    )
    assert response.status_code == 200
    assert not Person.objects.filter(name="越权").exists()


def test_phone_is_masked_for_those_who_cannot_manage_the_person(personas, login):
    Person.objects.filter(pk=personas.person_a.pk).update(phone="13512345678")
    url = reverse("people:detail", args=[personas.person_a.pk])
    assert "13512345678" in login(personas.admin_a).get(url).content.decode()
    body = login(personas.coordinator).get(url).content.decode()
    assert "13512345678" not in body and "135******78" in body
