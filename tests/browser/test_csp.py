"""The Content-Security-Policy in a real browser (issue 7, hole 8): the main pages run under
the policy without a single violation, and what used to be inline code still works — the
home dashboard's charts, the roster's htmx filter, a shift's QR code, the calendar, the
figures' bars, a confirmation before a destructive form, a select that submits its form,
htmx's loading indicator and the API's Swagger UI. Desktop and phone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from qingyi.activities.models import Activity
from qingyi.volunteering.models import Project, ServiceRecord, Volunteer
from tests.activities.conftest import at, plan
from tests.volunteering.conftest import make_shift, make_volunteer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Collected in every document before its own scripts run (Playwright's init scripts are not
# subject to the page's policy); read back after each page.
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
    (e.sourceFile || "") + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture
def watched(page):
    """The page, with every CSP violation and CSP console error it meets in ``page.violations``."""
    page.violations = []
    page.context.add_init_script(WATCH)
    page.on(
        "console",
        lambda message: (
            page.violations.append(f"console: {message.text}")
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
            else None
        ),
    )

    def visit(url: str):
        response = page.goto(url)
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or ""), url
        return response

    def collect(where: str) -> None:
        found = page.evaluate("window.__cspViolations || []")
        page.violations.extend(f"{where}: {v}" for v in found)

    page.visit = visit
    page.collect = collect
    return page


def _login(page, base, username):
    page.visit(f"{base}/accounts/login/")
    page.collect("login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pass-word-123")
    with page.expect_navigation():
        page.click("main form button[type=submit]")


def test_main_pages_work_under_the_policy(live_server, personas, watched):
    page = watched
    base = live_server.url
    project = Project.objects.create(
        organization=personas.tree.committee, name="导诊服务", kind=Project.Kind.OTHER
    )
    shift = make_shift(project)
    plan(
        personas.admin_a,
        [personas.tree.branch_a],
        kind=Activity.Kind.CARE,
        start=at(days=1),
        title="青年联谊会",
    )

    _login(page, base, "committee")

    # The home dashboard: ECharts draws each chart (its element.style is CSSOM, allowed);
    # a tooltip appears on hover.
    page.visit(f"{base}/")
    chart = page.locator(".qy-chart").first
    expect(chart.locator("canvas")).to_have_count(1)
    assert chart.bounding_box()["height"] == pytest.approx(260, abs=1)  # .qy-chart in qingyi.css
    chart.hover()
    page.wait_for_timeout(300)
    page.collect("home")
    page.shot("csp-home")

    # The roster: typing in the search box filters through htmx (no inline handler involved),
    # with htmx's indicator rules coming from qingyi.css, not an injected <style>.
    page.visit(f"{base}/people/")
    assert page.locator("head style").count() == 0
    expect(page.locator("#results")).to_contain_text("甲支部人")
    expect(page.locator("#results")).to_contain_text("乙支部人")
    page.fill("#q", "甲支部")
    page.press("#q", "End")  # the keyup htmx listens for
    expect(page.locator("#results")).not_to_contain_text("乙支部人")
    expect(page.locator("#results")).to_contain_text("甲支部人")
    assert "q=" in page.url  # hx-push-url
    page.collect("roster")

    # A shift's QR code: inline SVG sized by attributes and a class, not a style= attribute.
    page.visit(f"{base}/volunteering/shifts/{shift.pk}/qr/")
    qr = page.locator("svg.qr-svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert 150 < box["width"] <= page.viewport_size["width"] and box["width"] == pytest.approx(
        box["height"], abs=1
    )
    page.collect("shift QR")
    page.shot("csp-shift-qr")

    # A confirmation before a destructive form (data-confirm, from qingyi.js): dismissed, the
    # shift stays; accepted, it is cancelled.
    page.visit(f"{base}/volunteering/shifts/{shift.pk}/")
    cancel = page.locator("form[action$='/cancel/'] button[type=submit]")
    page.once("dialog", lambda dialog: dialog.dismiss())
    cancel.click()
    page.wait_for_timeout(300)
    shift.refresh_from_db()
    assert shift.cancelled_at is None
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        cancel.click()
    page.collect("shift")
    shift.refresh_from_db()
    assert shift.cancelled_at is not None

    # The calendar: the kind's coloured edge comes from a class; choosing an organisation
    # submits the filter form (data-autosubmit).
    page.visit(f"{base}/activities/calendar/?view=list")
    page.collect("calendar")
    page.visit(f"{base}/activities/calendar/")
    page.shot("csp-calendar")
    with page.expect_navigation():
        page.select_option("#cal-org", str(personas.tree.branch_a.pk))
    assert f"org={personas.tree.branch_a.pk}" in page.url
    page.collect("calendar filtered")

    # The volunteering figures: each bar's width is set from data-width by qingyi.js.
    page.visit(f"{base}/volunteering/figures/")
    page.collect("figures")

    # The API's Swagger UI (django-ninja's own static files, no inline script) runs under
    # the same policy.
    page.visit(f"{base}/api/v1/docs")
    expect(page.locator("#swagger-ui .info")).to_be_visible()
    page.collect("API docs")

    assert not page.violations, "\n".join(page.violations)


def test_figures_bars_and_language_switch(live_server, personas, watched):
    """The figures' bars take their widths from data-width; the footer's language select
    submits on change (data-autosubmit) under the policy."""
    page = watched
    base = live_server.url
    project = Project.objects.create(
        organization=personas.tree.committee, name="导诊服务", kind=Project.Kind.OTHER
    )
    start = timezone.now() - dt.timedelta(hours=4)
    for kind, hours in ((Volunteer.Kind.STAFF, "4"), (Volunteer.Kind.STUDENT, "1")):
        volunteer = make_volunteer(personas.tree.branch_a, kind=kind)
        ServiceRecord.objects.create(
            shift=make_shift(project, start=start, hours=float(hours)),
            volunteer=volunteer,
            project=project,
            served_on=timezone.localtime(start).date(),
            scheduled_hours=Decimal(hours),
            recorded_hours=Decimal(hours),
            verified_hours=Decimal(hours),
            status=ServiceRecord.Status.VERIFIED,
        )

    _login(page, base, "committee")
    page.visit(f"{base}/volunteering/figures/")
    bars = page.locator(".figures-bar span")
    widths = set()
    for i in range(bars.count()):
        span = bars.nth(i)
        wanted = float(span.get_attribute("data-width"))
        assert span.evaluate("el => el.style.width") == f"{wanted:g}%"
        ratio = span.evaluate(
            "el => el.getBoundingClientRect().width / el.parentElement.getBoundingClientRect().width"
        )
        assert ratio == pytest.approx(wanted / 100, abs=0.02)
        widths.add(wanted)
    assert {100.0, 25.0} <= widths, widths
    page.shot("csp-figures")
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.collect("figures")
    assert not page.violations, "\n".join(page.violations)
