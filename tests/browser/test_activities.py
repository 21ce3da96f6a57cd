"""Journey: a branch secretary plans a theory study session, shows the QR code, a member checks
in on the phone, the secretary ticks the rest and records the session; the committee sees it
in the calendar and the yearly minimums."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from qingyi.activities.models import Activity, Attendance
from qingyi.core import checkin
from tests.activities.conftest import plan

pytestmark = pytest.mark.browser


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_plan_check_in_tick_and_record(page, live_server, personas):
    # The secretary plans on the form.
    _login(page, live_server, "admin_a")
    page.goto(f"{live_server.url}/activities/new/")
    start = (timezone.localtime() - dt.timedelta(minutes=30)).replace(second=0, microsecond=0)
    page.select_option("select[name=kind]", "theory_study")
    page.fill("input[name=title]", "青年理论学习")
    page.fill("input[name=theme]", "学习新思想")
    page.fill("input[name=starts_at]", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=ends_at]", (start + dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=place]", "门诊楼会议室")
    page.select_option("select[name=organization]", str(personas.tree.branch_a.pk))
    page.shot("activities-form")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#status")
    activity = Activity.objects.get(title="青年理论学习")
    page.goto(f"{live_server.url}/activities/{activity.pk}/qr/")
    page.wait_for_selector(".qy-qr svg")
    page.shot("activities-qr")

    # The member opens the code's link on the phone and taps once.
    context = page.context.browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    phone = context.new_page()
    _login(phone, live_server, "member")
    code = checkin.rotating_code(activity.checkin_subject)
    phone.goto(f"{live_server.url}/activities/{activity.pk}/check-in/?code={code}")
    phone.click("main form button[type=submit]")
    phone.wait_for_selector("#checkin-result")
    phone.screenshot(path=str(_shot_path(f"activities-checkin-{page.viewport_name}")), full_page=True)
    phone.goto(f"{live_server.url}/activities/mine/")
    phone.wait_for_selector("#my-history")
    phone.screenshot(path=str(_shot_path(f"activities-mine-{page.viewport_name}")), full_page=True)
    context.close()
    assert Attendance.objects.get(person=personas.member_person).status == "present"

    # The secretary ticks the rest on one screen (htmx) and records the session.
    page.goto(f"{live_server.url}/activities/{activity.pk}/attendance/")
    page.click(f"label[for=s{personas.person_a.pk}-excused]")
    page.click("#attendance-form button[type=submit]")
    page.wait_for_selector("#attendance-saved")
    page.shot("activities-attendance")
    page.goto(f"{live_server.url}/activities/{activity.pk}/record/")
    page.fill("textarea[name=summary]", "学习了有关文件，大家交流了体会。")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#count-present")
    assert page.inner_text("#count-present") == "1" and page.inner_text("#count-excused") == "1"
    page.shot("activities-detail")
    assert Activity.objects.get(pk=activity.pk).status == "held"

    # The committee: calendar and the yearly minimums, and the home page's table.
    plan(personas.admin_b, [personas.tree.branch_b], title="乙支部团日", kind="themed_day")
    page.context.clear_cookies()
    _login(page, live_server, "committee")
    page.goto(f"{live_server.url}/activities/calendar/")
    page.wait_for_selector("text=青年理论学习 >> visible=true")
    page.shot("activities-calendar")
    page.goto(f"{live_server.url}/activities/compliance/")
    page.wait_for_selector("table.compliance")
    page.shot("activities-compliance")
    page.goto(f"{live_server.url}/activities/")
    page.wait_for_selector("#result-count")
    page.shot("activities-list")


def _shot_path(name: str):
    from tests.browser.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
