"""A volunteer's phone stays masked for a coordinator: not in the edit form's HTML, and not
confirmable through a search (people.masking)."""

from __future__ import annotations

from django.urls import reverse

from qingyi.escorts import selectors as escort_selectors
from qingyi.volunteering.models import Volunteer
from tests.factories import form_payload, years_ago

PHONE = "13811112222"
GUARDIAN = "13933334444"


def _social(personas, **fields) -> Volunteer:
    return Volunteer.objects.create(
        kind=Volunteer.Kind.SOCIAL,
        organization=personas.tree.branch_a,
        name="社会志愿者",
        gender="female",
        birth_date=years_ago(30),
        phone=PHONE,
        area="渝中区",
        **fields,
    )


def test_the_edit_form_does_not_send_a_coordinator_the_full_phone(personas, login):
    volunteer = _social(personas, guardian_name="家长", guardian_phone=GUARDIAN)
    client = login(personas.coordinator)
    body = client.get(reverse("volunteering:volunteer_edit", args=[volunteer.pk])).content.decode()
    assert PHONE not in body and GUARDIAN not in body
    assert "138******22" in body  # shown masked, as a placeholder
    assert "Leave blank to keep" in body


def test_saving_without_retyping_keeps_the_phone_and_a_new_one_replaces_it(personas, login):
    volunteer = _social(personas)
    client = login(personas.coordinator)
    url = reverse("volunteering:volunteer_edit", args=[volunteer.pk])
    form = client.get(url).context["form"]
    assert client.post(url, form_payload(form, skills="急救")).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.phone == PHONE and volunteer.skills == "急救"
    form = client.get(url).context["form"]
    assert client.post(url, form_payload(form, phone="13700001111")).status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.phone == "13700001111"


def test_an_admin_who_may_see_the_phone_gets_it_in_the_form(personas, login):
    volunteer = _social(personas)
    body = login(personas.admin_a).get(reverse("volunteering:volunteer_edit", args=[volunteer.pk]))
    assert PHONE in body.content.decode()


def test_volunteer_searches_confirm_no_phone_to_a_coordinator(personas, login):
    volunteer = _social(personas)
    coordinator = login(personas.coordinator)
    for name in ("volunteering:volunteer_list", "volunteering:hours_overview"):
        url = reverse(name)
        assert volunteer.name in coordinator.get(url, {"q": "社会"}).content.decode()
        assert volunteer.name not in coordinator.get(url, {"q": PHONE}).content.decode()
    admin = login(personas.admin_a)
    for name in ("volunteering:volunteer_list", "volunteering:hours_overview"):
        assert volunteer.name in admin.get(reverse(name), {"q": PHONE}).content.decode()


def test_escort_assignment_search_confirms_no_phone_to_a_coordinator(personas):
    from tests.factories import UserFactory

    volunteer = _social(personas, user=UserFactory())
    assert list(escort_selectors.escort_candidates(personas.coordinator, q=PHONE)) == []
    assert list(escort_selectors.escort_candidates(personas.coordinator, q="社会")) == [volunteer]
    assert list(escort_selectors.escort_candidates(personas.admin_a, q=PHONE)) == [volunteer]
