"""Journey: a volunteer with a long service history pages through "My hours" on a phone and on
a desktop — twenty entries a page, the pager within the screen, the personal QR on every page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qingyi.volunteering.models import Project, ServiceRecord, Shift, Volunteer
from qingyi.volunteering.views.member import MY_HOURS_PAGE_SIZE
from tests.browser.test_volunteering_personal_qr import _login

pytestmark = pytest.mark.browser


def _width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_my_hours_pages_fit_a_phone(live_server, personas, page):
    base = live_server.url
    volunteer = Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=personas.tree.branch_a,
        person=personas.member_person,
        user=personas.member,
        name=personas.member_person.name,
    )
    project = Project.objects.create(
        organization=personas.tree.committee, name="门诊导诊与便民服务长名称项目"
    )
    total = 2 * MY_HOURS_PAGE_SIZE + 5
    for i in range(total):
        start = timezone.now() - dt.timedelta(days=i + 1)
        shift = Shift.objects.create(
            project=project, start=start, end=start + dt.timedelta(hours=3), capacity=3
        )
        ServiceRecord.objects.create(
            shift=shift,
            volunteer=volunteer,
            project=project,
            served_on=timezone.localtime(start).date(),
            status=ServiceRecord.Status.VERIFIED,
            scheduled_hours=Decimal("3.00"),
            recorded_hours=Decimal("3.00"),
            verified_hours=Decimal("3.00"),
        )
    _login(page, base, "member")
    page.goto(f"{base}/volunteering/my-hours/")
    seen = []
    for number in (1, 2, 3):
        rows = page.locator("main table tbody tr")
        expected = MY_HOURS_PAGE_SIZE if number < 3 else total - 2 * MY_HOURS_PAGE_SIZE
        assert rows.count() == expected, (number, rows.count())
        seen += page.locator("main table tbody tr td:first-child").all_inner_texts()
        assert page.locator(".personal-qr svg").count() == 1
        pager = page.locator("nav .pagination")
        assert pager.is_visible()
        if page.viewport_name == "phone":
            assert _width(page) <= 390, _width(page)
            box = pager.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        if number == 1:
            page.shot("volunteering-my-hours-paged")
        if number < 3:
            with page.expect_navigation():
                pager.locator("a.page-link").last.click()  # "next" (the last link)
            assert f"page={number + 1}" in page.url
    # Every entry once, newest first, across the three pages.
    assert len(seen) == total
    dates = [text.strip()[-10:] for text in seen]
    assert dates == sorted(dates, reverse=True) and len(set(dates)) == total
