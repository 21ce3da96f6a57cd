"""Journey: an outsider applies on the public form; the coordinator approves and sees the
one-time password; a volunteer with verified hours gets a certificate, and its QR link opens
the public verification page. Desktop and phone viewports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from qingyi.volunteering.models import Certificate, Project, ServiceRecord, Shift, Volunteer
from tests.browser.test_volunteering import _login, _submit
from tests.factories import id_number_for, years_ago

pytestmark = pytest.mark.browser


def test_application_certificate_and_verification_journey(live_server, personas, page):
    cache.clear()
    base = live_server.url
    born = years_ago(22, 10)
    page.goto(f"{base}/volunteering/apply/")
    page.select_option("#id_kind", "student")
    page.fill("#id_name", "李同学")
    page.select_option("#id_gender", "female")
    page.fill("#id_birth_date", born.isoformat())
    page.fill("#id_id_number", id_number_for(born, 11))
    page.fill("#id_phone", "123")  # wrong first
    page.fill("#id_area", "海淀区")
    page.fill("#id_school", "医科大学")
    _submit(page, "main form button[type=submit]")
    assert page.locator(".invalid-feedback").count() >= 1
    page.shot("volunteering-apply-error")
    page.fill("#id_phone", "13712345678")
    _submit(page, "main form button[type=submit]")
    page.shot("volunteering-apply-done")
    assert page.locator(".alert-success").count() == 1

    _login(page, base, "coordinator")
    page.goto(f"{base}/volunteering/manage/applications/")
    page.click("text=李同学")
    page.wait_for_load_state()
    _submit(page, "form[action$='/approve/'] button")
    page.shot("volunteering-application-approved")
    assert page.locator("code").count() == 2
    assert Volunteer.objects.filter(name="李同学", status="active").exists()

    # The member has verified hours and downloads a certificate from My hours.
    volunteer = Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=personas.tree.branch_a,
        person=personas.member_person,
        user=personas.member,
        name=personas.member_person.name,
    )
    project = Project.objects.create(organization=personas.tree.committee, name="导诊服务")
    start = timezone.now() - dt.timedelta(days=2)
    shift = Shift.objects.create(project=project, start=start, end=start + dt.timedelta(hours=3), capacity=3)
    ServiceRecord.objects.create(
        shift=shift,
        volunteer=volunteer,
        project=project,
        served_on=timezone.localtime(start).date(),
        status=ServiceRecord.Status.VERIFIED,
        verified_hours=Decimal("3"),
    )
    _login(page, base, personas.member.username)
    page.goto(f"{base}/volunteering/my-hours/")
    page.shot("volunteering-my-hours")
    with page.expect_response(lambda r: "/pdf/" in r.url) as info:
        page.click("form[action$='/certificates/new/'] button")
    assert info.value.headers["content-type"] == "application/pdf"
    certificate = Certificate.objects.get()
    page.goto(f"{base}/volunteering/certificates/verify/{certificate.token}/")
    page.shot("volunteering-certificate-verify")
    assert page.locator(".alert-success").count() == 1
    page.goto(f"{base}/volunteering/certificates/verify/forged-token/")
    assert page.locator(".alert-danger").count() == 1
