"""Journey: the committee publishes a self-inspection checklist; a cadre answers it on their
phone, records a problem and marks its fix done; the branch admin records a training and sees
who has not answered. Desktop and phone viewports."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from qingyi.growth.models import Checklist, InspectionProblem, SelfInspection, TrainingRecord
from qingyi.organizations.models import Position

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


def test_self_inspection_and_training_journey(live_server, personas, page):
    base = live_server.url
    tree = personas.tree
    start = dt.date(dt.date.today().year, 1, 1)
    for person, title in ((personas.person_a, "secretary"), (personas.member_person, "organization")):
        Position.objects.create(person=person, organization=tree.branch_a, title=title, start_on=start)
    page.on("dialog", lambda dialog: dialog.accept())

    # The committee drafts the checklist, adds a question, publishes.
    _login(page, base, "committee")
    page.goto(f"{base}/growth/checklists/new/")
    page.fill("#id_title", "六查六问专项自查")
    _submit(page, "main form button[type=submit]")
    page.fill("#id_text", "查理想信念是否坚定")
    _submit(page, "form[action$='/questions/new/'] button[type=submit]")
    page.fill("#id_text", "查工作作风是否扎实")
    _submit(page, "form[action$='/questions/new/'] button[type=submit]")
    page.shot("growth-checklist-draft")
    _submit(page, "main form[action$='/publish/'] button")
    checklist = Checklist.objects.get()
    assert checklist.is_published and checklist.questions.count() == 2

    # The cadre answers on their phone, records a problem and marks the fix done.
    _login(page, base, "member")
    page.goto(f"{base}/growth/me/")
    page.shot("growth-me")
    page.click(f"#to-answer a[href$='/growth/me/checklists/{checklist.pk}/']")
    for textarea in page.locator("#answers textarea").all():
        textarea.fill("已对照检查 总体较好")
    _submit(page, "#answers button[type=submit]")
    page.fill("#id_description", "理论学习不够系统")
    page.fill("#id_fix", "每周参加一次支部理论学习")
    _submit(page, "#problem-form button[type=submit]")
    page.shot("growth-my-inspection")
    _submit(page, "main form[action$='/done/'] button[type=submit]")
    assert SelfInspection.objects.filter(person=personas.member_person).exists()
    assert InspectionProblem.objects.get().done_on == dt.date.today()

    # The branch admin records a training for their secretary and follows the self-inspection.
    _login(page, base, "admin_a")
    page.goto(f"{base}/growth/trainings/new/?person={personas.person_a.pk}")
    page.fill("#id_course", "基层团干部进修班")
    page.select_option("#id_level", "central_league_school")
    page.fill("#id_hours", "40")
    page.click("main form button[type=submit]:not([name])")
    expect(page.locator(".invalid-feedback")).to_have_count(1)  # 40 hours in one day is refused
    page.fill("#id_start_on", (dt.date.today() - dt.timedelta(days=4)).isoformat())
    page.fill("#id_hours", "40")
    page.click("main form button[type=submit]:not([name])")
    page.wait_for_url(f"**/growth/cadres/{personas.person_a.pk}/")
    assert TrainingRecord.objects.get().hours == 40
    page.shot("growth-cadre-record")
    page.goto(f"{base}/growth/")
    page.shot("growth-roster")
    assert page.locator("#cadre-roster").get_by_text("团员甲").count() == 1
    page.goto(f"{base}/growth/checklists/{checklist.pk}/")
    page.shot("growth-checklist-progress")
    assert page.locator("#progress").get_by_text("甲支部人").count() == 1
