"""Journey: a patient asks for an escort on a phone; the coordinator assigns a volunteer on the
dispatch screen; the volunteer sees it (bell and "my escorts"), starts and completes it; the
patient rates it through their link. Desktop and phone viewports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyi.core.models import Notification
from qingyi.escorts.models import EscortRequest
from tests.escorts.conftest import make_volunteer
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.browser
PASSWORD = "pass-word-123"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_escort_journey(live_server, personas, page):
    base = live_server.url
    department = DepartmentFactory(name="心内科")
    volunteer = make_volunteer(personas.tree.branch_a, name="陪诊志愿者", user=UserFactory(username="vol1"))
    wanted = timezone.localtime(timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    # The patient's family asks on a phone, without logging in.
    page.context.clear_cookies()
    page.goto(f"{base}/escorts/request/")
    page.fill("#id_patient_name", "赵六")
    page.fill("#id_phone", "139000012")  # too short: a clear message, nothing saved
    page.fill("#id_wanted_at", wanted)
    page.select_option("#id_department", str(department.pk))
    page.fill("#id_needs", "坐轮椅")
    page.click("#escort-request button[type=submit]")
    expect(page.locator("#id_phone ~ .invalid-feedback")).to_have_count(1)
    assert not EscortRequest.objects.exists()
    page.shot("escort-request-error")
    page.fill("#id_phone", "13900001234")
    page.click("#escort-request button[type=submit]")
    page.wait_for_selector("#saved-link")
    track_url = page.url.split("?")[0]
    page.shot("escort-request-received")
    escort = EscortRequest.objects.get()
    assert escort.status == "new" and escort.phone == "13900001234"

    # The coordinator assigns the volunteer from the dispatch screen.
    _login(page, base, "coordinator")
    page.goto(f"{base}/escorts/dispatch/")
    assert page.locator(f"#escort-{escort.pk}").is_visible()
    page.shot("escort-dispatch")
    page.click(f"#escort-{escort.pk} a[href$='/assign/']")
    page.shot("escort-assign")
    page.click(f"#candidates form:has(input[value='{volunteer.pk}']) button")
    page.wait_for_load_state()
    escort.refresh_from_db()
    assert escort.status == "assigned" and escort.volunteer == volunteer
    assert Notification.objects.filter(recipient=volunteer.user).count() == 1

    # The volunteer sees the bell, opens the request, starts and completes it.
    _login(page, base, "vol1")
    assert page.locator("#bell .badge").inner_text().startswith("1")
    page.click("#bell")
    page.wait_for_selector("#notifications")
    page.shot("notifications")
    page.goto(f"{base}/escorts/mine/")
    page.shot("escort-mine")
    page.click(f"#escort-{escort.pk} a[href$='/escorts/{escort.pk}/']")
    expect(page.locator("#patient-name")).to_have_text("赵六")
    page.click("#start")
    page.wait_for_selector("#complete")
    page.fill("#id_note", "陪同完成心电图和取药")
    page.click("#complete")
    page.wait_for_load_state()
    page.shot("escort-done")
    escort.refresh_from_db()
    assert escort.status == "done" and escort.outcome_note

    # The patient rates it through their link.
    page.context.clear_cookies()
    page.goto(track_url)
    page.click("label[for='id_rating_0']")  # five stars come first
    page.fill("#id_comment", "很耐心")
    page.click("#rate-form button[type=submit]")
    page.wait_for_selector("#rated")
    page.shot("escort-rated")
    escort.refresh_from_db()
    assert escort.rating == 5
