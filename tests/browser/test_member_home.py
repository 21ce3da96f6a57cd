"""Journey: a young nurse opens the platform on her phone and sees her cards (next activity,
volunteering, notifications); her branch secretary cancels an activity and she is told."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from qingyi.activities import services
from qingyi.activities.models import Activity
from qingyi.core.notifications import notify
from tests.activities.conftest import at, plan

pytestmark = pytest.mark.browser


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_member_home_and_cancelled_activity(page, live_server, personas):
    activity = plan(
        personas.admin_a,
        [personas.tree.branch_a],
        kind=Activity.Kind.CARE,
        start=at(days=2),
        title="青年联谊会",
    )
    services.registration_configure(
        activity=activity, open=True, capacity=20, deadline=None, actor=personas.admin_a
    )
    services.registration_create(activity=activity, person=personas.member_person, actor=personas.member)
    plan(personas.admin_a, [personas.tree.branch_a], start=at(days=6), title="主题团日")
    notify(users=[personas.member], title="欢迎使用青医")

    _login(page, live_server, "member")
    page.goto(f"{live_server.url}/")
    assert page.locator('[data-card="activities.my_activities_card"]').is_visible()
    assert page.locator('[data-invite="volunteer"]').is_visible()
    assert "青年联谊会" in page.content()
    page.shot("member-home")

    page.context.clear_cookies()
    _login(page, live_server, "admin_a")
    page.goto(f"{live_server.url}{reverse('activities:cancel', args=[activity.pk])}")
    page.click("main form button[type=submit]")  # no reason: refused
    expect(page.locator(".invalid-feedback, .alert-danger, .errorlist").first).to_be_visible()
    page.fill("textarea[name=reason]", "会议室临时征用，改期另行通知")
    page.shot("activity-cancel")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.shot("activity-cancelled")
    page.wait_for_selector("#cancelled")
    page.shot("activity-cancelled")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED

    page.context.clear_cookies()
    _login(page, live_server, "member")
    page.goto(f"{live_server.url}/")
    assert "青年联谊会" not in page.locator('[data-card="activities.my_activities_card"]').inner_text()
    assert "青年联谊会" in page.locator('[data-card="core.notifications_card"]').inner_text()
    page.shot("member-home-after-cancel")
