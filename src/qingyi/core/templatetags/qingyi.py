"""Small display filters shared by the templates."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def hours(value) -> str:
    """Hours as people write them: 3.5, 100, 2.25 — the same on SQLite and PostgreSQL
    (PostgreSQL returns sums with their column's scale, 3.50)."""
    if value is None or value == "":
        return ""
    try:
        text = format(Decimal(value).quantize(Decimal("0.01")), "f")
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    return text.rstrip("0").rstrip(".") if "." in text else text
