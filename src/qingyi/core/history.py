"""History rows written in one statement, for the few hot paths that save a tracked model.

django-simple-history writes a model's history row on every save by building the historical
instance in Python and inserting it through the ORM — on a check-in, that costs more than the
check-in's own writes. ``save_with_history`` saves the instance without that signal and copies
the row just saved into the history table with one ``INSERT … SELECT``: the same columns, the
same history type, date, user and reason as simple-history would write (asserted field by field
in tests/core/test_history.py), in the same transaction.

Use it only where the cost matters; everywhere else, a plain ``save()`` keeps its history.
"""

from __future__ import annotations

from functools import cache

from django.db import connection, models
from django.utils import timezone

from qingyi.core import sql

# The historical model's own columns, filled from the call rather than copied from the row.
_OWN = ("history_id", "history_date", "history_change_reason", "history_type", "history_user")


@cache
def _statement(model: type[models.Model]) -> str:
    history_model = model.history.model  # type: ignore[attr-defined]
    q = connection.ops.quote_name
    source = {field.attname: field.column for field in model._meta.concrete_fields}
    copied = [f for f in history_model._meta.concrete_fields if f.name not in _OWN]
    targets = [q(f.column) for f in copied] + [
        sql.column(history_model, name)
        for name in ("history_date", "history_type", "history_user", "history_change_reason")
    ]
    sources = [q(source[f.attname]) for f in copied] + ["%s", "%s", "%s", "%s"]
    key = sql.column(model, model._meta.pk.name)
    return (
        f"INSERT INTO {sql.table(history_model)} ({', '.join(targets)})"  # noqa: S608 (metadata)
        f" SELECT {', '.join(sources)} FROM {sql.table(model)} WHERE {key} = %s"
    )


def save_with_history(instance: models.Model, *, user, reason: str, update_fields=None) -> None:
    """``instance.save(update_fields=...)`` and its history row ("+" when created, "~" when
    changed) by ``user`` with ``reason``, in two statements."""
    created = instance._state.adding
    instance.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        instance.save(update_fields=update_fields)
    finally:
        del instance.skip_history_when_saving  # type: ignore[attr-defined]
    values = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        "+" if created else "~",
        getattr(user, "pk", None),
        reason,
        instance.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_statement(type(instance)), values)
