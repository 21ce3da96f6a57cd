"""A volunteer's personal QR code, scanned by a coordinator's phone to check them in or out."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from qingyi.core.models import Scan
from qingyi.volunteering.models import ServiceRecord, Signup
from qingyi.volunteering.services import personal_qr
from tests.volunteering.conftest import make_shift

URL = "volunteering:scan_person"


@pytest.fixture
def today_shift(vworld):
    # Started two minutes ago: today's, and open for check-in.
    shift = make_shift(vworld.project, start=timezone.now() - dt.timedelta(minutes=2), hours=3)
    Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
    return shift


def _form(client, volunteer, code):
    """The coordinator's phone opens the QR's URL; returns the page and the fields its form posts."""
    page = client.get(reverse(URL), {"v": volunteer.pk, "c": code})
    fields = {"v": volunteer.pk, "c": code}
    if page.status_code == 200:
        fields |= {"seen": page.context["seen"], "scan_id": page.context["scan_id"]}
    return page, fields


def test_my_hours_shows_a_personal_qr_that_refreshes_itself(vworld, login):
    client = login(vworld.personas.member)
    page = client.get(reverse("volunteering:my_hours"))
    assert b"<svg" in page.content and reverse("volunteering:my_code").encode() in page.content
    fragment = client.get(reverse("volunteering:my_code"), headers={"HX-Request": "true"})
    assert b"<svg" in fragment.content and b"<nav" not in fragment.content
    assert b'hx-trigger="load delay:' in fragment.content


def test_a_valid_code_checks_the_volunteer_in_by_the_coordinator(vworld, today_shift, login):
    client = login(vworld.personas.coordinator)
    page, fields = _form(client, vworld.volunteer, personal_qr.current_code(vworld.volunteer))
    assert page.status_code == 200
    assert vworld.volunteer.name in page.content.decode()
    assert page.context["shifts"][0].pk == today_shift.pk
    assert page.context["shifts"][0].expected is True
    response = client.post(reverse(URL), fields | {"shift": today_shift.pk})
    assert response.status_code == 302
    record = ServiceRecord.objects.get(shift=today_shift, volunteer=vworld.volunteer)
    assert record.source == ServiceRecord.Source.HAND and record.reason == personal_qr.REASON
    assert record.created_by == vworld.personas.coordinator
    assert record.status == ServiceRecord.Status.CHECKED_IN and not record.walk_in


def test_a_repeated_scan_duplicates_nothing(vworld, today_shift, login):
    client = login(vworld.personas.coordinator)
    _page, fields = _form(client, vworld.volunteer, personal_qr.current_code(vworld.volunteer))
    data = fields | {"shift": today_shift.pk}
    assert client.post(reverse(URL), data).status_code == 302
    # The same submission again (a double tap, a reload): the first outcome, nothing new.
    assert client.post(reverse(URL), data).status_code == 302
    # A fresh scan moments later is neither a second check-in nor a check-out.
    _page, fields = _form(client, vworld.volunteer, personal_qr.current_code(vworld.volunteer))
    again = client.post(reverse(URL), fields | {"shift": today_shift.pk})
    assert again.status_code == 200 and "Scan again at the end" in again.content.decode()
    record = ServiceRecord.objects.get(shift=today_shift, volunteer=vworld.volunteer)
    assert record.checked_out_at is None
    assert Scan.objects.filter(subject=personal_qr.subject_of(vworld.volunteer.pk)).count() == 1


def test_a_walk_in_is_marked(vworld, login):
    shift = make_shift(vworld.project, start=timezone.now() - dt.timedelta(minutes=2), hours=3)
    client = login(vworld.personas.coordinator)
    page, fields = _form(client, vworld.volunteer, personal_qr.current_code(vworld.volunteer))
    assert page.context["shifts"][0].expected is False
    client.post(reverse(URL), fields | {"shift": shift.pk})
    assert ServiceRecord.objects.get(shift=shift, volunteer=vworld.volunteer).walk_in is True


@pytest.mark.parametrize("kind", ["forged", "expired", "other volunteer"])
def test_forged_or_expired_code_is_refused_and_nothing_written(vworld, today_shift, login, kind):
    volunteer = vworld.volunteer
    code = personal_qr.current_code(volunteer)
    if kind == "forged":
        code = code[:-2] + ("00" if not code.endswith("00") else "11")
    elif kind == "expired":
        code = personal_qr.checkin.rotating_code(
            personal_qr.subject_of(volunteer.pk), at=timezone.now() - dt.timedelta(minutes=5)
        )
    v = volunteer.pk + 1000 if kind == "other volunteer" else volunteer.pk
    client = login(vworld.personas.coordinator)
    page = client.get(reverse(URL), {"v": v, "c": code})
    assert page.status_code == 400 and "expired or is not genuine" in page.content.decode()
    posted = client.post(reverse(URL), {"v": v, "c": code, "scan_id": "x1", "shift": today_shift.pk})
    assert posted.status_code == 400
    assert not ServiceRecord.objects.exists() and not Scan.objects.exists()


def test_a_seen_token_cannot_revive_another_code(vworld, today_shift, login):
    """The page's note of when it read a code holds for that code only."""
    client = login(vworld.personas.coordinator)
    old = personal_qr.checkin.rotating_code(
        personal_qr.subject_of(vworld.volunteer.pk), at=timezone.now() - dt.timedelta(minutes=5)
    )
    _page, fields = _form(client, vworld.volunteer, personal_qr.current_code(vworld.volunteer))
    posted = client.post(reverse(URL), fields | {"c": old, "shift": today_shift.pk})
    assert posted.status_code == 400 and not ServiceRecord.objects.exists()


def test_a_coordinator_outside_the_shifts_scope_gets_404(vworld, today_shift, login):
    client = login(vworld.personas.admin_a)  # manages branch A; the shift is the committee's
    page, fields = _form(client, vworld.volunteer, personal_qr.current_code(vworld.volunteer))
    assert page.status_code == 200 and today_shift not in page.context["shifts"]
    assert client.post(reverse(URL), fields | {"shift": today_shift.pk}).status_code == 404
    assert not ServiceRecord.objects.exists() and not Scan.objects.exists()


def test_a_member_cannot_scan_personal_codes(vworld, today_shift, login):
    client = login(vworld.personas.member)
    code = personal_qr.current_code(vworld.volunteer)
    assert client.get(reverse(URL), {"v": vworld.volunteer.pk, "c": code}).status_code == 403


def test_the_qr_is_drawn_once_per_code_not_on_every_request(vworld, login, monkeypatch):
    """Drawing the QR was a fifth of "My hours": it is kept per code (volunteer and window)."""
    from django.core.cache import cache

    from qingyi.core import checkin

    cache.clear()
    drawn = []
    real = checkin.qr_svg
    monkeypatch.setattr(checkin, "qr_svg", lambda data, **kw: drawn.append(data) or real(data, **kw))
    client = login(vworld.personas.member)
    pages = [client.get(reverse("volunteering:my_hours")) for _ in range(3)]
    pages.append(client.get(reverse("volunteering:my_code"), headers={"HX-Request": "true"}))
    assert len(drawn) == 1
    code = personal_qr.current_code(vworld.volunteer)
    assert f"c={code}" in drawn[0] and f"v={vworld.volunteer.pk}" in drawn[0]
    svg = real(drawn[0], scale=5)
    assert all(svg in page.content.decode() for page in pages)
    # The next window's code is a new drawing, never the old one.
    monkeypatch.setattr(personal_qr, "current_code", lambda volunteer: "next-window-code")
    later = client.get(reverse("volunteering:my_hours"))
    assert len(drawn) == 2 and "c=next-window-code" in drawn[1]
    assert real(drawn[1], scale=5) in later.content.decode() and svg not in later.content.decode()
