"""Journey: a volunteer shows their personal QR on "My hours"; the coordinator's phone opens
the code's page, picks today's shift and checks the volunteer in. Desktop and phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingyi.volunteering.models import Project, ServiceRecord, Shift, Volunteer
from qingyi.volunteering.services import personal_qr

pytestmark = pytest.mark.browser
PASSWORD = "pass-word-123"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_coordinator_scans_a_volunteers_personal_qr(live_server, personas, page):
    base = live_server.url
    volunteer = Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=personas.tree.branch_a,
        person=personas.member_person,
        user=personas.member,
        name=personas.member_person.name,
    )
    project = Project.objects.create(organization=personas.tree.committee, name="导诊服务")
    start = timezone.now() - dt.timedelta(minutes=2)
    shift = Shift.objects.create(project=project, start=start, end=start + dt.timedelta(hours=3), capacity=4)

    _login(page, base, "member")
    page.goto(f"{base}/volunteering/my-hours/")
    assert page.locator(".personal-qr svg").count() == 1
    page.shot("volunteering-personal-qr")

    _login(page, base, "coordinator")
    code = personal_qr.current_code(volunteer)
    page.goto(f"{base}/volunteering/shifts/scan-person/?v={volunteer.pk}&c={code}")
    page.shot("volunteering-scan-person")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert ServiceRecord.objects.filter(shift=shift, volunteer=volunteer).count() == 1
    assert page.locator(".alert-success").count() >= 1
    page.shot("volunteering-scan-person-done")
