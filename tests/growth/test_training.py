"""Training records: entered by admins in scope, submitted by the cadre, checked for bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingyi.core.metrics import Scope, get
from qingyi.core.periods import Period
from qingyi.growth import services
from qingyi.growth.models import TrainingRecord
from tests.factories import PersonFactory
from tests.growth.conftest import as_post, training_data

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _post_new(client, person, **changes):
    return client.post(reverse("growth:training_create"), as_post(training_data(**changes), person=person.pk))


def test_org_admin_records_a_training_from_the_form(cadres, login):
    client = login(cadres.admin_a)
    form = client.get(reverse("growth:training_create") + f"?person={cadres.person_a.pk}").context["form"]
    # Only the cadres admin_a manages are offered.
    assert set(form.fields["person"].queryset) == {cadres.person_a, cadres.member_person}
    response = _post_new(client, cadres.person_a)
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert (record.person, record.hours, record.status, record.entered_by) == (
        cadres.person_a,
        Decimal("12.0"),
        "approved",
        cadres.admin_a,
    )
    body = client.get(reverse("growth:cadre_detail", args=[cadres.person_a.pk])).content.decode()
    assert "团干部能力提升培训班" in body


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"end_on": dt.date.today() - dt.timedelta(days=5)}, "end_on", "cannot end before it starts"),
        ({"hours": "-3"}, "hours", "more than zero"),
        ({"hours": "0"}, "hours", "more than zero"),
        ({"hours": "25"}, "hours", "more than 2 day(s) allow"),
        ({"course": "  "}, "course", "required"),
    ],
)
def test_bad_training_input_is_refused_with_a_message(cadres, login, changes, field, message):
    client = login(cadres.admin_a)
    response = _post_new(client, cadres.person_a, **changes)
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message in errors
    assert not TrainingRecord.objects.exists()


def test_hours_allowed_follow_the_committee_setting(cadres):
    from qingyi.core.services import settings_update

    settings_update(values={"training_max_hours_per_day": 8}, actor=cadres.committee_admin)
    with pytest.raises(ValidationError, match="at most 16"):
        services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data(hours="17"))
    services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data(hours="16"))


def test_a_person_outside_the_admins_scope_is_refused(cadres, login):
    client = login(cadres.admin_a)
    response = _post_new(client, cadres.person_b)
    assert response.status_code == 200 and "person" in response.context["form"].errors
    with pytest.raises(ValidationError, match="outside the organisations you manage"):
        services.training_create(person=cadres.person_b, actor=cadres.admin_a, data=training_data())
    assert not TrainingRecord.objects.exists()


def test_a_person_without_a_league_post_is_not_a_cadre(cadres):
    plain = PersonFactory(organization=cadres.tree.branch_a)
    with pytest.raises(ValidationError, match="holds no league post"):
        services.training_create(person=plain, actor=cadres.admin_a, data=training_data())


def test_the_same_course_on_the_same_day_is_not_recorded_twice(cadres, login):
    client = login(cadres.admin_a)
    assert _post_new(client, cadres.person_a).status_code == 302
    response = _post_new(client, cadres.person_a)
    assert response.status_code == 200 and "already has this course" in response.content.decode()
    assert TrainingRecord.objects.count() == 1


def test_certificate_is_checked_and_stored_under_a_generated_name(cadres, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = login(cadres.admin_a)
    url = reverse("growth:training_create")
    payload = as_post(training_data(), person=cadres.person_a.pk)

    bad_type = SimpleUploadedFile("cert.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    response = client.post(url, {**payload, "certificate": bad_type})
    assert "must be a PDF, JPEG or PNG" in response.content.decode()
    fake_pdf = SimpleUploadedFile("cert.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    response = client.post(url, {**payload, "certificate": fake_pdf})
    assert "is not really a PDF file" in response.content.decode()
    from qingyi.growth import uploads

    big = SimpleUploadedFile(
        "big.pdf", PDF + b"0" * uploads.MAX_CERTIFICATE_BYTES, content_type="application/pdf"
    )
    response = client.post(url, {**payload, "certificate": big})
    assert "at most 5 MB" in response.content.decode()
    assert not TrainingRecord.objects.exists()

    escape = SimpleUploadedFile("../../../etc/证书.pdf", PDF, content_type="application/pdf")
    assert client.post(url, {**payload, "certificate": escape}).status_code == 302
    record = TrainingRecord.objects.get()
    assert record.certificate_name == "证书.pdf"
    assert record.certificate.name.startswith("growth/certificates/") and ".." not in record.certificate.name
    stored = tmp_path / record.certificate.name
    assert stored.resolve().is_relative_to(tmp_path.resolve()) and stored.read_bytes() == PDF

    download = client.get(reverse("growth:training_certificate", args=[record.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    # admin_b may not fetch it, nor may the member (not their record).
    assert (
        login(cadres.admin_b).get(reverse("growth:training_certificate", args=[record.pk])).status_code == 404
    )


def test_cadre_submits_their_own_training_and_the_admin_approves_it(cadres, login):
    member = login(cadres.member)
    response = member.post(reverse("growth:my_training_new"), as_post(training_data(course="自学团课")))
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert record.status == "pending" and record.person == cadres.member_person
    scope = Scope(organization=cadres.tree.branch_a, period=Period.current_year())
    assert get("growth.training_hours").value(scope) == 0  # pending does not count

    admin = login(cadres.admin_a)
    listing = admin.get(reverse("growth:training_list"), {"status": "pending"}).content.decode()
    assert "自学团课" in listing
    decide = reverse("growth:training_decide", args=[record.pk])
    admin.post(decide, {"decision": "reject", "note": ""})
    record.refresh_from_db()
    assert record.status == "pending"  # a rejection needs a reason
    admin.post(decide, {"decision": "approve", "note": ""})
    record.refresh_from_db()
    assert record.status == "approved" and record.decided_by == cadres.admin_a
    assert get("growth.training_hours").value(scope) == 12.0


def test_admin_b_cannot_decide_or_edit_branch_a_records(cadres, login):
    record = services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data())
    client = login(cadres.admin_b)
    assert client.get(reverse("growth:training_edit", args=[record.pk])).status_code == 404
    assert client.post(reverse("growth:training_delete", args=[record.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.training_update(record=record, actor=cadres.admin_b, data=training_data(hours="1"))
    assert TrainingRecord.objects.get().hours == Decimal("12.0")


def test_a_cadre_cannot_submit_for_someone_else(cadres):
    with pytest.raises(PermissionDenied):
        services.training_create(
            person=cadres.person_a, actor=cadres.member, data=training_data(), as_self=True
        )


def test_edit_and_delete_a_training(cadres, login):
    record = services.training_create(person=cadres.person_a, actor=cadres.admin_a, data=training_data())
    client = login(cadres.admin_a)
    url = reverse("growth:training_edit", args=[record.pk])
    bad = client.post(url, as_post(training_data(hours="-1")))
    assert bad.status_code == 200
    record.refresh_from_db()
    assert record.hours == Decimal("12.0")
    assert client.post(url, as_post(training_data(hours="6.5"))).status_code == 302
    record.refresh_from_db()
    assert record.hours == Decimal("6.5")
    assert client.post(reverse("growth:training_delete", args=[record.pk])).status_code == 302
    assert not TrainingRecord.objects.exists()
