"""Journey: the coordinator opens a project, finds its service point and opens the point's
standing screen (the rotating QR code); a volunteer confirmed for the shift on now scans the
point's code on their phone and is checked in; the screen then shows them on duty. Desktop
and phone viewports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingyi.core import checkin
from qingyi.volunteering.models import Project, ServicePoint, ServiceRecord, Shift, Signup, Volunteer

pytestmark = pytest.mark.browser
PASSWORD = "pass-word-123"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_volunteer_checks_in_at_a_service_point(live_server, personas, page):
    base = live_server.url
    tree = personas.tree
    project = Project.objects.create(organization=tree.committee, name="门诊导医志愿服务")
    point = ServicePoint.objects.create(project=project, name="门诊大厅导诊台", place="门诊楼一楼大厅")
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    shift = Shift.objects.create(project=project, start=start, end=start + dt.timedelta(hours=3), capacity=4)
    volunteer = Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=tree.branch_a,
        person=personas.member_person,
        user=personas.member,
        name=personas.member_person.name,
    )
    Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)

    # The coordinator finds the point on the project page (loaded by htmx) and opens its screen.
    _login(page, base, "coordinator")
    page.goto(f"{base}/volunteering/manage/projects/{project.pk}/")
    page.wait_for_selector(f"#points a[href$='/points/{point.pk}/screen/']")
    with page.expect_navigation():
        page.click(f"#points a[href$='/points/{point.pk}/screen/']")
    assert page.locator(".qr-box svg").count() == 1
    assert "门诊大厅导诊台" in page.locator("h1").inner_text()
    assert page.locator(".present li.text-muted").count() == 1  # nobody checked in yet
    page.shot("service-point-screen")

    # The volunteer's phone opens the code's link; the scan script sends the scan.
    _login(page, base, "member")
    code = checkin.rotating_code(point.subject)
    page.goto(f"{base}/volunteering/points/{point.pk}/scan/?c={code}")
    page.wait_for_selector("#scan-result.alert-success")
    assert "Checked in" in page.locator("#scan-result").inner_text()
    record = ServiceRecord.objects.get()
    assert (record.shift_id, record.volunteer_id, record.walk_in) == (shift.pk, volunteer.pk, False)
    page.shot("service-point-scan")

    # Back at the desk: the screen shows one volunteer on duty, name masked.
    _login(page, base, "coordinator")
    page.goto(f"{base}/volunteering/points/{point.pk}/screen/")
    assert page.locator(".present li").count() == 1 and page.locator(".present li.text-muted").count() == 0
    shown = page.locator(".present li").inner_text()
    assert volunteer.name[0] in shown and volunteer.name not in shown
