"""Journey: the coordinator opens a call-up, adds a post, previews and sends it; a volunteer
accepts on their phone; the coordinator sees the acceptance arrive on the board (htmx polling)
and gives the volunteer a post. Desktop and phone viewports."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyi.callups.models import CallUp, Response
from qingyi.volunteering.models import Signup
from tests.callups.conftest import make_volunteer
from tests.factories import UserFactory

pytestmark = pytest.mark.browser
PASSWORD = "pass-word-123"


def _login(page, base, username):
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


def test_callup_journey(live_server, personas, page):
    base = live_server.url
    volunteer = make_volunteer(
        personas.tree.branch_a, name="应急志愿者", age=27, user=UserFactory(username="vol1")
    )
    make_volunteer(personas.tree.branch_b, name="年长志愿者", age=50)
    start = timezone.localtime(timezone.now() + dt.timedelta(hours=3))

    # The coordinator opens the call-up: first with its end before its start.
    _login(page, base, "coordinator")
    page.goto(f"{base}/callups/")
    page.click("#new-callup")
    page.fill("#id_title", "门诊预检分诊协助")
    page.select_option("#id_kind", "triage_assist")
    page.select_option("#id_organization", str(personas.tree.committee.pk))
    page.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_ends_at", (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_place", "门诊大厅")
    page.click("#callup-form button[type=submit]")
    expect(page.locator("#id_ends_at ~ .invalid-feedback")).to_have_count(1)
    assert not CallUp.objects.exists()
    page.fill("#id_ends_at", (start + dt.timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"))
    page.click("#callup-form button[type=submit]")
    page.wait_for_selector("#triage-notice")
    callup = CallUp.objects.get()

    # Adds a post of two people, previews whom it reaches (aged up to 35), sends.
    page.fill("#post-form #id_name", "排队引导")
    page.fill("#post-form #id_needed", "2")
    page.click("#post-form button[type=submit]")
    page.wait_for_selector("#posts td:has-text('排队引导')")
    page.fill("#id_max_age", "35")
    page.locator("#id_max_age").dispatch_event("change")
    page.wait_for_selector("#preview [data-count='1']")
    page.shot("callup-board-before-send")
    page.click("#send-callup")
    page.wait_for_selector("#count-sent:has-text('1')")
    assert list(Response.objects.values_list("volunteer__name", flat=True)) == ["应急志愿者"]

    # The volunteer answers on their phone from "my call-ups".
    _login(page, base, "vol1")
    page.goto(f"{base}/callups/mine/")
    page.click(f"#my-callups a[href='/callups/{callup.pk}/answer/']")
    expect(page.locator("#triage-notice")).to_be_visible()
    page.shot("callup-answer")
    page.click("#accept")
    page.wait_for_selector("#decline")
    assert Response.objects.get().answer == "accepted"

    # The coordinator sees the acceptance and gives the post.
    _login(page, base, "coordinator")
    page.goto(f"{base}/callups/{callup.pk}/")
    page.wait_for_selector("#count-accepted:has-text('1')")
    page.click("#accepted form button[name=shift]")
    page.wait_for_selector("#accepted .text-success")
    page.shot("callup-board-filled")
    signup = Signup.objects.get(volunteer=volunteer)
    assert signup.status == "confirmed" and signup.shift.project_id == callup.project_id
