"""What the call-up pages share: a refused action's message."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def error_text(exc: ValidationError) -> str:
    return (
        " ".join(m for ms in exc.message_dict.values() for m in ms)
        if hasattr(exc, "error_dict")
        else " ".join(exc.messages)
    )
