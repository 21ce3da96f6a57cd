"""Files of league activities (photos, sign-in sheets, minutes): checked by type, size and
content, stored and deleted."""

from __future__ import annotations

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qingyi.activities.models import Activity, ActivityFile
from qingyi.organizations import scoping

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc .xls .ppt
_ZIP = b"PK\x03\x04"  # .docx .xlsx .pptx
MAGIC = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".pdf": (b"%PDF-",),
    ".doc": (_OLE,),
    ".xls": (_OLE,),
    ".ppt": (_OLE,),
    ".docx": (_ZIP,),
    ".xlsx": (_ZIP,),
    ".pptx": (_ZIP,),
}


def upload_max_bytes() -> int:
    return int(getattr(settings, "QINGYI_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def file_errors(name: str, size: int, head: bytes) -> list[str]:
    """Why an uploaded file cannot be kept (empty list: it can)."""
    raw = name or ""
    if (
        not raw.strip()
        or "/" in raw
        or "\\" in raw
        or ".." in raw
        or raw.startswith(".")
        or any(ord(ch) < 32 for ch in raw)
        or len(raw) > 200
    ):
        return [_("The file name “%(name)s” is not allowed: use a plain file name.") % {"name": raw[:80]}]
    suffix = PurePosixPath(raw).suffix.lower()
    if suffix not in IMAGE_TYPES and suffix not in DOCUMENT_TYPES:
        return [
            _(
                "“%(name)s” is not an allowed type: "
                "upload photos (JPG, PNG, GIF, WebP), PDF or Office documents."
            )
            % {"name": raw}
        ]
    if size > upload_max_bytes():
        return [
            _("“%(name)s” is too big (%(size).1f MB); the limit is %(limit).0f MB.")
            % {"name": raw, "size": size / 1048576, "limit": upload_max_bytes() / 1048576}
        ]
    if size == 0:
        return [_("“%(name)s” is empty.") % {"name": raw}]
    if not head.startswith(MAGIC[suffix]) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        return [_("“%(name)s” is not really a %(type)s file.") % {"name": raw, "type": suffix[1:].upper()}]
    return []


@transaction.atomic
def file_add(*, activity: Activity, upload, actor) -> ActivityFile:
    """Keep a photo or document of the activity under a generated name in MEDIA_ROOT."""
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    name = getattr(upload, "name", "") or ""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    errors = file_errors(name, upload.size, head)
    if errors:
        raise ValidationError(errors)
    suffix = PurePosixPath(name).suffix.lower()
    is_image = suffix in IMAGE_TYPES
    return ActivityFile.objects.create(
        activity=activity,
        file=upload,
        original_name=name,
        kind=ActivityFile.Kind.IMAGE if is_image else ActivityFile.Kind.DOCUMENT,
        content_type=(IMAGE_TYPES if is_image else DOCUMENT_TYPES)[suffix],
        size=upload.size,
        uploaded_by=actor,
    )


@transaction.atomic
def files_add(*, activity: Activity, uploads: list, actor) -> list[ActivityFile]:
    """Keep several files at once: every one is checked first, and none is kept if one is refused."""
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity.organization)
    errors = []
    for upload in uploads:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        errors += file_errors(getattr(upload, "name", "") or "", upload.size, head)
    if errors:
        raise ValidationError(errors)
    return [file_add(activity=activity, upload=upload, actor=actor) for upload in uploads]


@transaction.atomic
def file_delete(*, activity_file: ActivityFile, actor) -> None:
    scoping.require_perm(actor, scoping.ACTIVITIES_MANAGE, activity_file.activity.organization)
    stored = activity_file.file
    activity_file.delete()
    transaction.on_commit(lambda: stored.storage.delete(stored.name))
