"""Identifiers for the few statements written in plain SQL on hot paths (a check-in's reads and
writes): names come from the models' metadata, quoted for the database in use; values are
always parameters."""

from __future__ import annotations

from django.db import connection


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def column(model, name: str, alias: str = "") -> str:
    """The column of field ``name`` (a foreign key's ``name_id``), prefixed by ``alias.``."""
    quoted = connection.ops.quote_name(model._meta.get_field(name).column)
    return f"{alias}.{quoted}" if alias else quoted
