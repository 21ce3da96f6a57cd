"""Masked ID numbers and phones stay masked everywhere a person's page shows them, and the
masks and the search cannot be used to recover them (people.masking)."""

from __future__ import annotations

import itertools

from django.urls import reverse

from qingyi.people import services
from qingyi.people.models import ChangeRequest, Person, mask_id_number, mask_phone
from tests.factories import id_number_for

NEW_PHONE = "13712345678"
OLD_PHONE = "13598765432"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def _check_digit(body: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11]


def _edited(personas):
    """Branch A's admin changes person A's phone and ID number: two history rows with both."""
    person = Person.objects.get(pk=personas.person_a.pk)
    old_id = person.id_number
    person = services.person_update(
        person=person, data={"phone": OLD_PHONE}, expected_version=person.version, actor=personas.admin_a
    )
    new_id = id_number_for(person.birth_date, 777)
    services.person_update(
        person=person,
        data={"phone": NEW_PHONE, "id_number": new_id},
        expected_version=person.version,
        actor=personas.admin_a,
    )
    return person, old_id, new_id


def test_change_history_masks_id_numbers_and_phones_for_a_coordinator(personas, login):
    person, old_id, new_id = _edited(personas)
    body = login(personas.coordinator).get(reverse("people:detail", args=[person.pk])).content.decode()
    assert 'id="history"' in body and "phone: <del>" in body  # the change is listed ...
    for secret in (OLD_PHONE, NEW_PHONE, old_id, new_id):
        assert secret not in body  # ... with its values masked
    assert mask_phone(NEW_PHONE) in body and mask_id_number(new_id) in body


def test_change_history_follows_the_page_for_those_who_may_see_more(personas, login):
    person, old_id, new_id = _edited(personas)
    client = login(personas.admin_a)
    url = reverse("people:detail", args=[person.pk])
    body = client.get(url).content.decode()
    # The phone is shown to the admin on the page, so in the history too; the ID number only
    # when revealed, as on the page.
    assert NEW_PHONE in body and OLD_PHONE in body
    assert old_id not in body and new_id not in body
    revealed = client.get(url, {"reveal": "1"}).content.decode()
    assert old_id in revealed and new_id in revealed
    # Asking to reveal gives a coordinator nothing more.
    coordinator = login(personas.coordinator).get(url, {"reveal": "1"}).content.decode()
    assert old_id not in coordinator and new_id not in coordinator


def test_a_pending_change_request_is_masked_like_the_page(personas, login):
    member = personas.member_person
    services.change_request_create(person=member, changes={"phone": NEW_PHONE}, actor=personas.member)
    assert ChangeRequest.objects.filter(person=member, status="pending").exists()
    url = reverse("people:detail", args=[member.pk])
    body = login(personas.coordinator).get(url).content.decode()
    assert "has asked for a change" in body
    assert NEW_PHONE not in body and mask_phone(NEW_PHONE) in body
    assert NEW_PHONE in login(personas.admin_a).get(url).content.decode()


def test_search_by_id_number_or_phone_is_only_for_those_who_see_them(personas, login):
    person = personas.person_a
    Person.objects.filter(pk=person.pk).update(phone=NEW_PHONE)
    url = reverse("people:list")
    for term in (person.id_number, NEW_PHONE, person.id_number.lower()):
        # A coordinator (no people.sensitive) cannot confirm a guess at a masked number ...
        body = login(personas.coordinator).get(url, {"q": term}).content.decode()
        assert person.name not in body
        # ... the branch's admin, who sees them, finds the person.
        body = login(personas.admin_a).get(url, {"q": term}).content.decode()
        assert person.name in body
    # Names, employee and development numbers still find people for everyone.
    for term in (person.name, person.employee_number):
        assert person.name in login(personas.coordinator).get(url, {"q": term}).content.decode()


def test_search_by_id_matches_only_where_the_user_holds_the_sensitive_permission(personas, login):
    """Admin A (sensitive over branch A) who is also a coordinator of the whole hospital sees
    branch B's roster, but cannot look branch B's people up by ID number or phone."""
    from qingyi.accounts.models import Role
    from tests.factories import grant

    grant(personas.admin_a, Role.COORDINATOR, personas.tree.committee)
    client = login(personas.admin_a)
    url = reverse("people:list")
    assert personas.person_b.name in client.get(url).content.decode()
    assert personas.person_b.name not in client.get(url, {"q": personas.person_b.id_number}).content.decode()
    assert personas.person_a.name in client.get(url, {"q": personas.person_a.id_number}).content.decode()


def test_the_id_mask_leaves_thousands_of_candidates_beside_the_birth_date(personas):
    """Count the ID numbers that agree with everything a coordinator sees: the mask, the birth
    date and the gender — even granting them the prefecture (5001, the tests' Chongqing) so
    that only the county and the sequence are unknown."""
    person = personas.person_a
    masked = mask_id_number(person.id_number)
    birth = f"{person.birth_date:%Y%m%d}"
    parity = 1 if person.gender == Person.Gender.MALE else 0

    def agrees(candidate: str) -> bool:
        return all(m == "*" or m == c for m, c in zip(masked, candidate, strict=True))

    count = 0
    for county, sequence in itertools.product(range(100), range(1000)):
        if sequence % 2 != parity:
            continue
        body = f"5001{county:02d}{birth}{sequence:03d}"
        candidate = body + _check_digit(body)
        count += agrees(candidate)
    assert agrees(person.id_number)
    assert count >= 10_000  # the former mask (first and last four) left about nine


def test_the_phone_mask_hides_six_digits():
    assert mask_phone("13912345678") == "139******78"
    assert mask_phone("13912345678").count("*") >= 6  # 10⁶ candidates
    assert mask_phone("12345") == "*****"  # too short to show anything
    assert mask_id_number("50011819900101123X") == "50" + "*" * 16


def test_the_admin_deciding_a_change_sees_the_number_asked_for(personas, login):
    services.change_request_create(
        person=personas.member_person, changes={"phone": NEW_PHONE}, actor=personas.member
    )
    body = login(personas.admin_a).get(reverse("people:transfer_list")).content.decode()
    assert "asks to change" in body and NEW_PHONE in body
