"""Qualification types, a volunteer's qualification with its expiry, and the status page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyi.volunteering.models import Qualification, Volunteer, VolunteerQualification
from qingyi.volunteering.services import add_months
from tests.volunteering.conftest import make_volunteer


def test_coordinator_creates_and_edits_a_qualification_type(personas, login):
    client = login(personas.coordinator)
    response = client.post(
        reverse("volunteering:qualification_create"),
        {"name": " 院感培训 ", "description": "每年一次", "validity_months": "12"},
    )
    assert response.status_code == 302
    q = Qualification.objects.get()
    assert (q.name, q.validity_months) == ("院感培训", 12)
    listing = client.get(reverse("volunteering:qualification_list"))
    assert "院感培训" in listing.content.decode()
    response = client.post(
        reverse("volunteering:qualification_edit", args=[q.pk]),
        {"name": "院感防控培训", "description": "", "validity_months": ""},
    )
    assert response.status_code == 302
    q.refresh_from_db()
    assert (q.name, q.validity_months) == ("院感防控培训", None)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": "sampling", "validity_months": ""}, "already exists"),
        ({"name": "", "validity_months": ""}, "required"),
        ({"name": "new one", "validity_months": "0"}, "between 1 and 600"),
        ({"name": "new one", "validity_months": "abc"}, "whole number"),
    ],
)
def test_qualification_type_bad_input_writes_nothing(personas, login, data, message):
    Qualification.objects.create(name="Sampling")
    client = login(personas.coordinator)
    response = client.post(reverse("volunteering:qualification_create"), {"description": ""} | data)
    assert response.status_code == 200 and message in response.content.decode()
    assert Qualification.objects.count() == 1


def test_renaming_onto_another_name_is_refused(personas, login):
    Qualification.objects.create(name="Sampling")
    other = Qualification.objects.create(name="Triage")
    client = login(personas.coordinator)
    response = client.post(
        reverse("volunteering:qualification_edit", args=[other.pk]), {"name": "SAMPLING", "description": ""}
    )
    assert "already exists" in response.content.decode()
    other.refresh_from_db()
    assert other.name == "Triage"


def test_branch_admin_sees_qualification_types_but_cannot_change_them(personas, login):
    q = Qualification.objects.create(name="Sampling")
    client = login(personas.admin_a)
    assert client.get(reverse("volunteering:qualification_list")).status_code == 200
    assert client.get(reverse("volunteering:qualification_create")).status_code == 403
    assert (
        client.post(reverse("volunteering:qualification_edit", args=[q.pk]), {"name": "x"}).status_code == 403
    )
    assert login(personas.member).get(reverse("volunteering:qualification_list")).status_code == 403


def test_recording_a_qualification_without_expiry_uses_its_validity(personas, login):
    q = Qualification.objects.create(name="Sampling", validity_months=12)
    volunteer = make_volunteer(personas.tree.branch_a)
    client = login(personas.coordinator)
    obtained = dt.date(2024, 2, 29)
    client.post(
        reverse("volunteering:qualification_grant", args=[volunteer.pk]),
        {"qualification": q.pk, "obtained_on": obtained.isoformat(), "expires_on": ""},
    )
    held = VolunteerQualification.objects.get(volunteer=volunteer)
    assert held.expires_on == dt.date(2025, 2, 28) == add_months(obtained, 12)


def test_recording_a_qualification_expiring_before_it_was_obtained_is_refused(personas, login):
    q = Qualification.objects.create(name="Sampling")
    volunteer = make_volunteer(personas.tree.branch_a)
    client = login(personas.coordinator)
    response = client.post(
        reverse("volunteering:qualification_grant", args=[volunteer.pk]),
        {"qualification": q.pk, "obtained_on": "2025-03-01", "expires_on": "2025-02-01"},
        follow=True,
    )
    assert "expires before it was obtained" in response.content.decode()
    assert not VolunteerQualification.objects.exists()


def test_coordinator_suspends_a_volunteer_with_a_reason(personas, login):
    volunteer = make_volunteer(personas.tree.branch_a)
    client = login(personas.coordinator)
    url = reverse("volunteering:volunteer_status", args=[volunteer.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "suspended", "reason": "三次未到岗"})
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.SUSPENDED
    latest = volunteer.history.order_by("-history_date").first()
    assert latest.history_change_reason == "三次未到岗" and latest.history_user == personas.coordinator
    assert "三次未到岗" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"status": "left", "reason": " "}, "required"),
        ({"status": "active", "reason": "x"}, "already has this status"),
        ({"status": "refused", "reason": "x"}, "Select a valid choice"),
    ],
)
def test_status_change_bad_input_changes_nothing(personas, login, data, message):
    volunteer = make_volunteer(personas.tree.branch_a)
    before = volunteer.history.count()
    client = login(personas.coordinator)
    response = client.post(reverse("volunteering:volunteer_status", args=[volunteer.pk]), data)
    assert response.status_code == 200 and message in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE and volunteer.history.count() == before


def test_status_page_of_another_branch_is_404(personas, login):
    volunteer = make_volunteer(personas.tree.branch_b)
    client = login(personas.admin_a)
    url = reverse("volunteering:volunteer_status", args=[volunteer.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"status": "left", "reason": "x"}).status_code == 404
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    assert timezone.now()
