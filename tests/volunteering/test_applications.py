"""Public volunteer applications: the form, its bad input and floods, and the decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from qingyi.accounts.models import User
from qingyi.core.ratelimit import RateLimited
from qingyi.volunteering import applications
from qingyi.volunteering.models import Volunteer, VolunteerApplication
from tests.factories import id_number_for, years_ago

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


def test_a_registered_id_number_or_a_pending_application_is_refused(personas):
    applications.application_submit(data=data(), ip="10.0.0.4")
    with pytest.raises(ValidationError) as exc:
        applications.application_submit(data=data(phone="13800009999"), ip="10.0.0.5")
    assert "id_number" in exc.value.message_dict


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
    applications.application_refuse(application=application, reason="名额已满", actor=personas.coordinator)
    application.refresh_from_db()
    assert application.status == "refused" and application.refusal_reason == "名额已满"
    assert not User.objects.filter(username="13800001234").exists()


def _post(client, **over):
    values = data(**over)
    values["birth_date"] = values["birth_date"].isoformat()
    values["guardian_consent"] = "on" if values.get("guardian_consent") else ""
    return client.post(reverse("volunteering:apply"), values, REMOTE_ADDR="10.1.1.1")


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
