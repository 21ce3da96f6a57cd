"""Public volunteer applications: the form, its bad input and floods, and the decision."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyi.accounts.models import User
from qingyi.core.ratelimit import RateLimited
from qingyi.volunteering import selectors
from qingyi.volunteering.models import Volunteer, VolunteerApplication
from qingyi.volunteering.services import applications
from tests.core.test_text import wide
from tests.factories import id_number_for, years_ago
from tests.volunteering.conftest import make_volunteer

LOGIN = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


def birth(years: int) -> dt.date:
    return years_ago(years, 30)


def data(**over) -> dict:
    born = over.pop("born", birth(25))
    values = {
        "kind": Volunteer.Kind.SOCIAL,
        "name": "王小明",
        "gender": Volunteer.Gender.MALE,
        "birth_date": born,
        "id_number": id_number_for(born, 7),
        "phone": "13800001234",
        "area": "东城区",
        "skills": "手语",
        "service_categories": "导诊",
    }
    return values | over


def test_an_adult_applies_and_a_coordinator_approves_with_a_one_time_password(personas):
    application = applications.application_submit(data=data(), ip="10.0.0.1")
    assert application.status == "pending" and not Volunteer.objects.filter(name="王小明").exists()
    volunteer, user, password = applications.application_approve(
        application=application, actor=personas.coordinator
    )
    assert volunteer.status == "active" and volunteer.user == user and volunteer.kind == "social"
    assert user.username == "13800001234" and user.check_password(password)
    application.refresh_from_db()
    assert application.status == "approved" and application.volunteer == volunteer
    with pytest.raises(ValidationError):
        applications.application_approve(application=application, actor=personas.coordinator)


def test_under_18_needs_guardian_name_phone_and_consent(personas):
    young = birth(16)
    with pytest.raises(ValidationError) as exc:
        applications.application_submit(data=data(born=young, kind="student"), ip="10.0.0.2")
    assert {"guardian_name", "guardian_phone", "guardian_consent"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        applications.application_submit(
            data=data(born=young, guardian_name="王父", guardian_phone="13900001111", guardian_consent=False),
            ip="10.0.0.2",
        )
    assert set(exc.value.message_dict) == {"guardian_consent"}
    ok = applications.application_submit(
        data=data(born=young, guardian_name="王父", guardian_phone="13900001111", guardian_consent=True),
        ip="10.0.0.2",
    )
    volunteer, _user, _pw = applications.application_approve(application=ok, actor=personas.coordinator)
    assert volunteer.guardian_name == "王父" and volunteer.guardian_consent_on is not None
    assert VolunteerApplication.objects.count() == 1


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "2380000123x"}, "phone"),
        ({"id_number": "110105199001011234"}, "id_number"),
        ({"name": "  "}, "name"),
        ({"kind": "staff"}, "kind"),
        ({"born": birth(12)}, "birth_date"),
        ({"birth_date": dt.date(1980, 1, 1)}, "birth_date"),  # does not match the ID number
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(personas, bad, field):
    with pytest.raises(ValidationError) as exc:
        applications.application_submit(data=data(**bad), ip="10.0.0.3")
    assert field in exc.value.message_dict
    assert not VolunteerApplication.objects.exists()


def test_a_pending_application_for_the_same_id_number_is_not_duplicated(personas):
    first = applications.application_submit(data=data(), ip="10.0.0.4")
    again = applications.application_submit(data=data(phone="13800009999"), ip="10.0.0.5")
    assert first is not None and again is None
    assert VolunteerApplication.objects.count() == 1


def test_a_registered_volunteer_applying_again_is_flagged_and_never_registered_twice(personas, client):
    born = birth(30)
    make_volunteer(personas.tree.branch_a, id_number=id_number_for(born, 5), birth_date=born)
    application = applications.application_submit(
        data=data(born=born, id_number=id_number_for(born, 5)), ip="10.0.0.8"
    )
    assert application is not None and selectors.duplicate_volunteer(application)
    client.force_login(personas.coordinator, backend=LOGIN)
    page = client.get(reverse("volunteering:application_detail", args=[application.pk])).content.decode()
    assert "already registered" in page
    with pytest.raises(ValidationError, match="already registered"):
        applications.application_approve(application=application, actor=personas.coordinator)
    assert Volunteer.objects.filter(id_number=id_number_for(born, 5)).count() == 1


def _page(response) -> str:
    """The page without its CSRF token (masked afresh on every response)."""
    return re.sub(
        r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode()
    )


def test_the_public_answer_is_the_same_for_a_registered_id_number_and_an_unknown_one(personas, client):
    """Hole 5: the form answered "a volunteer with this ID number is already registered"."""
    known, unknown = birth(31), birth(32)
    make_volunteer(personas.tree.branch_a, id_number=id_number_for(known, 1), birth_date=known)
    answers = [
        _post(client, born=born, id_number=id_number_for(born, 1), phone=phone, ip=ip)
        for born, phone, ip in ((known, "13811110001", "10.5.0.1"), (unknown, "13811110002", "10.5.0.2"))
    ]
    assert [a.status_code for a in answers] == [200, 200]
    assert _page(answers[0]) == _page(answers[1])
    assert b"Thank you" in answers[0].content
    # a second application for the same ID number (pending): the same answer again
    again = _post(
        client, born=unknown, id_number=id_number_for(unknown, 1), phone="13811110003", ip="10.5.0.3"
    )
    assert _page(again) == _page(answers[1])


def test_the_network_limit_is_counted_before_any_lookup(personas, django_assert_num_queries):
    for n in range(applications.RATE_PER_IP[0]):
        born = birth(20 + n)
        applications.application_submit(
            data=data(born=born, id_number=id_number_for(born, n), phone=f"1380000{n:04d}"), ip="10.6.6.6"
        )
    with django_assert_num_queries(0), pytest.raises(RateLimited):
        applications.application_submit(data=data(), ip="10.6.6.6")


def test_full_width_id_number_and_phone_are_folded_and_a_duplicate_is_caught(personas):
    """Public forms stored full-width digits as typed: a second application for the same ID went
    through, and the volunteer could not log in with the ordinary phone."""
    born = birth(26)
    plain = id_number_for(born, 9)
    first = applications.application_submit(
        data=data(born=born, id_number=wide(plain[:6] + " " + plain[6:]), phone=wide("138 0001 2345")),
        ip="10.7.0.1",
    )
    assert first.id_number == plain and first.phone == "13800012345"
    assert applications.application_submit(data=data(born=born, id_number=plain), ip="10.7.0.2") is None
    volunteer, user, _password = applications.application_approve(
        application=first, actor=personas.coordinator
    )
    assert user.username == "13800012345" and volunteer.phone == "13800012345"


def test_invisible_and_direction_override_characters_are_stripped_from_names(personas, client):
    application = applications.application_submit(data=data(name="\u202e王\u200b小明\u2066"), ip="10.8.0.1")
    assert application.name == "王小明"
    _post(
        client, born=birth(27), id_number=id_number_for(birth(27), 4), name="李\u202e四\u200f", ip="10.8.0.2"
    )
    assert VolunteerApplication.objects.filter(name="李四").exists()


def test_a_flood_from_one_network_is_refused(personas):
    for n in range(applications.RATE_PER_IP[0]):
        born = birth(20 + n)
        applications.application_submit(
            data=data(born=born, id_number=id_number_for(born, n), phone=f"1380000{n:04d}"), ip="10.9.9.9"
        )
    born = birth(40)
    with pytest.raises(RateLimited):
        applications.application_submit(
            data=data(born=born, id_number=id_number_for(born, 99), phone="13811112222"), ip="10.9.9.9"
        )
    assert VolunteerApplication.objects.count() == applications.RATE_PER_IP[0]


def test_refusal_needs_a_reason_and_only_coordinators_in_scope_decide(personas):
    application = applications.application_submit(data=data(), ip="10.0.0.6")
    with pytest.raises(PermissionDenied):
        applications.application_approve(application=application, actor=personas.admin_a)
    with pytest.raises(ValidationError):
        applications.application_refuse(application=application, reason=" ", actor=personas.coordinator)
    with pytest.raises(PermissionDenied):  # application_refuse: require_perm(MANAGE, its organisation)
        applications.application_refuse(application=application, reason="不要", actor=personas.admin_a)
    application.refresh_from_db()
    assert application.status == "pending"
    applications.application_refuse(application=application, reason="名额已满", actor=personas.coordinator)
    application.refresh_from_db()
    assert application.status == "refused" and application.refusal_reason == "名额已满"
    assert not User.objects.filter(username="13800001234").exists()


def _post(client, ip="10.1.1.1", **over):
    values = data(**over)
    values["birth_date"] = values["birth_date"].isoformat()
    values["guardian_consent"] = "on" if values.get("guardian_consent") else ""
    return client.post(reverse("volunteering:apply"), values, REMOTE_ADDR=ip)


def test_public_form_takes_an_application_and_shows_clear_errors(personas, client):
    assert client.get(reverse("volunteering:apply")).status_code == 200
    bad = _post(client, phone="123")
    assert bad.status_code == 200 and b"11 digits" in bad.content
    assert not VolunteerApplication.objects.exists()
    young = birth(15)
    minor = _post(client, born=young, id_number=id_number_for(young, 3), guardian_name="监护人")
    assert b"guardian must consent" in minor.content and not VolunteerApplication.objects.exists()
    good = _post(client)
    assert b"Thank you" in good.content and VolunteerApplication.objects.count() == 1


def test_public_form_flood_gets_429(personas, client):
    for n in range(applications.RATE_PER_IP[0]):
        born = birth(20 + n)
        _post(client, born=born, id_number=id_number_for(born, n), phone=f"1390000{n:04d}")
    born = birth(45)
    response = _post(client, born=born, id_number=id_number_for(born, 50), phone="13912345678")
    assert response.status_code == 429 and b"Too many applications" in response.content


def test_coordinator_approves_on_the_page_and_sees_the_password_once(personas, client):
    application = applications.application_submit(data=data(), ip="10.0.0.7")
    client.force_login(personas.coordinator, backend=LOGIN)
    listing = client.get(reverse("volunteering:application_list"))
    assert "王小明" in listing.content.decode()
    response = client.post(reverse("volunteering:application_approve", args=[application.pk]))
    body = response.content.decode()
    assert response.status_code == 200 and "One-time password" in body
    assert response["Cache-Control"] == "no-store"
    again = client.get(reverse("volunteering:application_detail", args=[application.pk]))
    assert "One-time password" not in again.content.decode()


def test_application_list_query_count_does_not_grow(personas, client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(personas.coordinator, backend=LOGIN)
    url = reverse("volunteering:application_list")
    client.get(url)

    def make(n, offset):
        for i in range(n):
            born = birth(20 + (i % 30))
            VolunteerApplication.objects.create(
                organization=personas.tree.committee,
                **(
                    data(
                        born=born, id_number=id_number_for(born, offset + i), phone=f"1370000{offset + i:04d}"
                    )
                ),
            )

    make(2, 0)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    make(30, 100)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)
