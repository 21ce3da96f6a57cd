"""Certificate files: type- and size-checked, stored under a generated name.

The uploaded name is kept only as a label; the stored name is a random one in the upload
folder, so a name like ``../../settings.py`` can neither escape the folder nor overwrite a file.
"""

from __future__ import annotations

import os
import uuid

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
# Extension → the bytes a file of that type starts with.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


def clean_certificate(upload: UploadedFile) -> tuple[UploadedFile, str]:
    """Check a certificate upload; return it renamed, with the original name as a label."""
    original = os.path.basename((upload.name or "").replace("\\", "/")).strip()[:150]
    ext = os.path.splitext(original)[1].lower()
    if ext not in SIGNATURES:
        raise ValidationError(
            {
                "certificate": _("A certificate must be a PDF, JPEG or PNG file; “%(name)s” is not.")
                % {"name": original}
            }
        )
    if upload.size is not None and upload.size > MAX_CERTIFICATE_BYTES:
        raise ValidationError(
            {
                "certificate": _("The certificate is %(size).1f MB; at most %(max)d MB is accepted.")
                % {"size": upload.size / 1024 / 1024, "max": MAX_CERTIFICATE_BYTES // 1024 // 1024}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in SIGNATURES[ext]):
        raise ValidationError(
            {
                "certificate": _("“%(name)s” is not really a %(type)s file.")
                % {"name": original, "type": ext[1:].upper()}
            }
        )
    upload.name = f"{uuid.uuid4().hex}{ext}"
    return upload, original
