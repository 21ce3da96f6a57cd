from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qingyi.activities import services
from qingyi.activities.models import ActivityFile

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64


def test_photo_is_kept_under_a_generated_name_in_media_root(personas, activity_a, settings):
    stored = services.file_add(
        activity=activity_a, upload=SimpleUploadedFile("合影.png", PNG, "image/png"), actor=personas.admin_a
    )
    path = Path(stored.file.path)
    assert path.is_file() and path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "合影" not in path.name and path.suffix == ".png"
    assert stored.kind == "image" and stored.original_name == "合影.png"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("../../etc/passwd.png", PNG, "not allowed"),
        ("..\\evil.pdf", PDF, "not allowed"),
        (".htaccess", PNG, "not allowed"),
        ("script.exe", b"MZ" + b"\x00" * 20, "not an allowed type"),
        ("page.html", b"<html>", "not an allowed type"),
        ("fake.png", b"<svg onload=alert(1)>", "not really a PNG"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(personas, activity_a, name, content, message):
    upload = SimpleUploadedFile("x", content)
    upload._name = name  # bypass the setter: Django itself would strip the path
    with pytest.raises(ValidationError, match=message):
        services.file_add(activity=activity_a, upload=upload, actor=personas.admin_a)
    assert not ActivityFile.objects.exists()


def test_too_big_file_is_refused(personas, activity_a, settings):
    settings.QINGYI_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too big"):
        services.file_add(
            activity=activity_a, upload=SimpleUploadedFile("big.pdf", PDF * 3), actor=personas.admin_a
        )


def test_one_bad_file_in_an_upload_keeps_none(personas, activity_a, login):
    client = login(personas.admin_a)
    response = client.post(
        reverse("activities:file_upload", args=[activity_a.pk]),
        {"files": [SimpleUploadedFile("ok.pdf", PDF), SimpleUploadedFile("bad.exe", b"MZ")]},
        follow=True,
    )
    body = response.content.decode()
    assert "not an allowed type" in body and "Nothing was uploaded." in body
    assert not ActivityFile.objects.exists()


def test_path_in_an_uploaded_name_never_escapes_the_folder(personas, activity_a, login, settings):
    client = login(personas.admin_a)
    upload = SimpleUploadedFile("x.pdf", PDF)
    upload.name = "../../../outside.pdf"
    client.post(reverse("activities:file_upload", args=[activity_a.pk]), {"files": [upload]})
    for stored in ActivityFile.objects.all():
        assert Path(stored.file.path).resolve().is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not (Path(settings.MEDIA_ROOT).parent / "outside.pdf").exists()


def test_files_are_served_only_to_those_who_may_see_the_activity(personas, activity_a, login):
    stored = services.file_add(
        activity=activity_a, upload=SimpleUploadedFile("纪要.pdf", PDF), actor=personas.admin_a
    )
    url = reverse("activities:file_download", args=[activity_a.pk, stored.pk])
    response = login(personas.committee_admin).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    assert login(personas.admin_b).get(url).status_code == 404
    assert login(personas.member).get(url).status_code == 404
    # Another activity's id with this file's id: not found either.
    other = reverse("activities:file_download", args=[activity_a.pk + 999, stored.pk])
    assert login(personas.admin_a).get(other).status_code == 404
