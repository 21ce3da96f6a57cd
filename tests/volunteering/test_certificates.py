"""Service certificates: issued from verified hours only, never changed, checked publicly."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from qingyi.volunteering.models import Certificate, ServiceRecord
from qingyi.volunteering.services import certificates
from tests.volunteering.conftest import make_shift, make_volunteer

LOGIN = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


def record(vworld, volunteer, *, hours: str, verified: bool = True, days_ago: int = 3) -> ServiceRecord:
    start = timezone.now() - dt.timedelta(days=days_ago)
    shift = make_shift(vworld.project, start=start, hours=float(hours))
    return ServiceRecord.objects.create(
        shift=shift,
        volunteer=volunteer,
        project=vworld.project,
        served_on=timezone.localtime(start).date(),
        scheduled_hours=Decimal(hours),
        recorded_hours=Decimal(hours),
        verified_hours=Decimal(hours) if verified else None,
        status=ServiceRecord.Status.VERIFIED if verified else ServiceRecord.Status.RECORDED,
    )


def test_certificate_states_only_verified_hours_with_a_snapshot(vworld):
    v = vworld.volunteer
    v.id_number = "11010519491231002X"
    v.save()
    record(vworld, v, hours="3.5", days_ago=10)
    record(vworld, v, hours="2", days_ago=2)
    record(vworld, v, hours="8", verified=False)
    cert = certificates.certificate_issue(volunteer=v, actor=vworld.personas.member)
    year = timezone.localdate().year
    assert cert.number == f"QY-{year}-000001"
    assert cert.hours == Decimal("5.5") and cert.services == 2
    assert cert.issuing_unit == vworld.tree.committee.name
    assert "*" in cert.id_number_masked and cert.id_number_masked != v.id_number
    assert vworld.project.name in cert.content
    assert len(cert.token) >= 32


def test_no_verified_hours_no_certificate(vworld):
    record(vworld, vworld.volunteer, hours="4", verified=False)
    with pytest.raises(ValidationError):
        certificates.certificate_issue(volunteer=vworld.volunteer, actor=vworld.personas.member)
    assert not Certificate.objects.exists()


def test_an_issued_certificate_never_changes_and_new_hours_get_a_new_one(vworld):
    v = vworld.volunteer
    record(vworld, v, hours="2")
    first = certificates.certificate_issue(volunteer=v, actor=vworld.personas.member)
    again = certificates.certificate_issue(volunteer=v, actor=vworld.personas.member)
    assert again.pk == first.pk  # nothing new to certify
    first.hours = Decimal("100")
    with pytest.raises(ValueError):
        first.save()
    v.name = "改名"
    v.save()
    record(vworld, v, hours="3", days_ago=1)
    second = certificates.certificate_issue(volunteer=v, actor=vworld.personas.member)
    first.refresh_from_db()
    assert first.hours == Decimal("2") and first.name != "改名"
    assert second.hours == Decimal("5") and second.number.endswith("000002")


def test_only_the_volunteer_or_a_coordinator_in_scope_issues(vworld):
    other = make_volunteer(vworld.tree.branch_b)
    record(vworld, other, hours="2")
    with pytest.raises(PermissionDenied):
        certificates.certificate_issue(volunteer=other, actor=vworld.personas.member)
    with pytest.raises(PermissionDenied):
        certificates.certificate_issue(volunteer=other, actor=vworld.personas.admin_a)
    assert certificates.certificate_issue(volunteer=other, actor=vworld.personas.coordinator).pk


def test_volunteer_downloads_a_chinese_pdf_from_my_hours(vworld, client, tmp_path):
    record(vworld, vworld.volunteer, hours="3")
    client.force_login(vworld.personas.member, backend=LOGIN)
    page = client.get(reverse("volunteering:my_hours"))
    assert reverse("volunteering:certificate_issue_mine") in page.content.decode()
    response = client.post(reverse("volunteering:certificate_issue_mine"))
    cert = Certificate.objects.get()
    assert response.url == reverse("volunteering:certificate_pdf", args=[cert.pk])
    pdf = client.get(response.url)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.content
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "志愿服务证明" in text and cert.number in text  # the Chinese text is really there


def test_someone_else_cannot_download_the_pdf(vworld, client):
    record(vworld, vworld.volunteer, hours="3")
    cert = certificates.certificate_issue(volunteer=vworld.volunteer, actor=vworld.personas.member)
    client.force_login(vworld.personas.admin_b, backend=LOGIN)
    assert client.get(reverse("volunteering:certificate_pdf", args=[cert.pk])).status_code == 404
    client.force_login(vworld.personas.coordinator, backend=LOGIN)
    assert client.get(reverse("volunteering:certificate_pdf", args=[cert.pk])).status_code == 200


def test_my_hours_without_verified_hours_refuses_clearly(vworld, client):
    client.force_login(vworld.personas.member, backend=LOGIN)
    response = client.post(reverse("volunteering:certificate_issue_mine"), follow=True)
    assert b"no verified hours" in response.content and not Certificate.objects.exists()


def test_coordinator_issues_from_the_volunteer_page(vworld, client):
    record(vworld, vworld.volunteer, hours="3")
    client.force_login(vworld.personas.coordinator, backend=LOGIN)
    url = reverse("volunteering:certificate_issue_for", args=[vworld.volunteer.pk])
    client.post(url)
    page = client.get(reverse("volunteering:volunteer_detail", args=[vworld.volunteer.pk]))
    cert = Certificate.objects.get()
    assert cert.issued_by == vworld.personas.coordinator and cert.number in page.content.decode()


def test_public_page_verifies_a_genuine_certificate_and_masks_the_name(vworld, client):
    record(vworld, vworld.volunteer, hours="3")
    cert = certificates.certificate_issue(volunteer=vworld.volunteer, actor=vworld.personas.member)
    response = client.get(reverse("volunteering:certificate_verify", args=[cert.token]))
    body = response.content.decode()
    assert response.status_code == 200 and "genuine" in body
    assert (
        cert.number in body
        and cert.name_masked in body
        and cert.name not in body.replace(cert.name_masked, "")
    )
    assert vworld.tree.committee.name in body


@pytest.mark.parametrize("token", ["forged-token-0000000000000000000000", "x" * 200, "%00"])
def test_forged_or_unknown_token_is_a_clear_404(vworld, client, token):
    record(vworld, vworld.volunteer, hours="3")
    cert = certificates.certificate_issue(volunteer=vworld.volunteer, actor=vworld.personas.member)
    response = client.get(reverse("volunteering:certificate_verify", args=[token]))
    assert response.status_code == 404 and b"No certificate matches" in response.content
    assert cert.number.encode() not in response.content
