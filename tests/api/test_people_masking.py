"""GET /people: the masks leave thousands of candidates, and the search is no oracle."""

from __future__ import annotations

from qingyi.people.models import Person


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {p["name"] for p in response.json()["items"]}


def test_person_detail_shows_the_province_only_beside_the_birth_date(personas, api_as):
    person = personas.person_a
    item = api_as(personas.coordinator).get(f"/people/{person.pk}").json()
    assert item["birth_date"] == person.birth_date.isoformat()
    # Neither the sequence nor the check digit (the former mask showed the last four: with
    # the birth date, about nine candidates were left).
    assert item["id_number_masked"] == person.id_number[:2] + "*" * 16
    assert person.id_number[-4:] not in item["id_number_masked"]


def test_the_search_confirms_no_id_number_or_phone_to_a_coordinator(personas, api_as):
    person = personas.person_a
    Person.objects.filter(pk=person.pk).update(phone="13712345678")
    coordinator, admin = api_as(personas.coordinator), api_as(personas.admin_a)
    for term in (person.id_number, "13712345678"):
        assert _names(coordinator.get("/people", {"q": term})) == set()
        assert _names(admin.get("/people", {"q": term})) == {person.name}
    assert _names(coordinator.get("/people", {"q": person.employee_number})) == {person.name}
