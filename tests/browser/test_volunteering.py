"""Journey: a coordinator creates a project and a shift and shows its rotating QR code; a
member becomes a volunteer on their phone, signs up, scans the code (the page's script sends
the scan) and sees their hours; the coordinator opens the verification screen. Desktop and
phone viewports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingyi.core import checkin
from qingyi.volunteering.models import Project, ServiceRecord, Shift, Signup

pytestmark = pytest.mark.browser
PASSWORD = "pass-word-123"


def _submit(page, selector):
    with page.expect_navigation():
        page.click(selector)


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    _submit(page, "main form button[type=submit]")
    page.wait_for_load_state()


def test_volunteer_shift_journey(live_server, personas, page):
    base = live_server.url
    page.on("dialog", lambda dialog: dialog.accept())

    # The coordinator creates a project and a shift starting in half an hour.
    _login(page, base, "coordinator")
    page.goto(f"{base}/volunteering/manage/projects/new/")
    page.select_option("#id_organization", str(personas.tree.committee.pk))
    page.fill("#id_name", "微暖陪诊")
    page.select_option("#id_kind", "escort")
    _submit(page, "main form button[type=submit]")
    project = Project.objects.get()
    page.fill("input[name=name]", "陪诊")
    _submit(page, "form[action$='/posts/new/'] button[type=submit]")
    page.goto(f"{base}/volunteering/manage/projects/{project.pk}/shifts/new/")
    start = timezone.localtime() + dt.timedelta(minutes=30)
    page.fill("#id_start", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_end", (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))  # bad input first
    page.fill("#id_capacity", "3")
    page.fill("#id_place", "门诊大厅")
    _submit(page, "main form button[type=submit]")
    assert page.locator(".invalid-feedback").count() >= 1
    page.fill("#id_end", (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"))
    _submit(page, "main form button[type=submit]")
    shift = Shift.objects.get()
    page.shot("volunteering-shift-coordinator")
    page.goto(f"{base}/volunteering/shifts/{shift.pk}/qr/")
    assert page.locator("#qr svg").count() == 1
    page.shot("volunteering-qr")

    # The member becomes a volunteer on their phone and signs up.
    _login(page, base, "member")
    page.goto(f"{base}/volunteering/")
    _submit(page, "#become-volunteer")
    page.shot("volunteering-home-new")
    page.goto(f"{base}/volunteering/shifts/")
    page.shot("volunteering-open-shifts")
    _submit(page, ".shift-card form button")
    assert Signup.objects.get().status == "confirmed"

    # At the post: the phone opens the QR code's link; the script sends the scan.
    code = checkin.rotating_code(shift.subject)
    page.goto(f"{base}/volunteering/shifts/{shift.pk}/scan/?c={code}")
    page.wait_for_selector("#scan-result.alert-success")
    assert ServiceRecord.objects.get().checked_in_at is not None
    page.shot("volunteering-scan")
    page.goto(f"{base}/volunteering/")
    page.shot("volunteering-home")

    # The coordinator's shift page and verification screen.
    _login(page, base, "coordinator")
    page.goto(f"{base}/volunteering/shifts/{shift.pk}/")
    assert page.locator("#participants").inner_text().count("团员甲") == 1
    page.shot("volunteering-shift-participants")
    page.goto(f"{base}/volunteering/shifts/{shift.pk}/verify/")
    page.shot("volunteering-verify")
    page.goto(f"{base}/volunteering/manage/hours/")
    page.shot("volunteering-hours-overview")
