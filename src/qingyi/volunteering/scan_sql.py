"""The plain SQL of the check-in hot path, in one place: what the ORM version measurably cost.

A scan (``views.scan`` → ``hours.shift_scan``) runs on 45 phones at a shift's start. Everything
on its path goes through the ORM except the statements below, each of which lost clearly to its
ORM version in ``bench/bench_checkin.py --against`` (both versions of the code in one run, under
the same load; check-ins per second of the ORM version ÷ this one, geometric mean of the two seat
orders, SQLite / PostgreSQL, 2026-12-07, load average 9-18 on 2 cores) and in Python function
calls per scan (``--profile``, SQLite; deterministic):

- ``scan_parties``: the volunteer and the shift in one narrow query. The ORM needs two (the
  volunteer, and the shift with its project's organisation through ``select_related``):
  0.87 / 0.92, +3,400 calls.
- ``scan_state``: the record's id, the day's sign-ins and the sign-up's status in one query.
  The ORM's version (one query, three ``Subquery``) costs more to compile than to run:
  0.74 / 0.80, +4,600 calls.
- ``save_with_history``: a record's save and its history row copied by ``INSERT … SELECT``.
  simple-history builds the historical instance in Python and inserts it through the ORM:
  0.84 / 0.74, +2,000 calls.

(The scan's own INSERT and the volunteer's row lock went back to the ORM: ``Scan.objects.create``
and ``select_for_update(no_key=True)`` cost no measurable throughput.)

Identifiers come from the models' metadata, quoted for the database in use; values are always
parameters. tests/volunteering/test_scan_sql.py pins each statement to its ORM version: the same
result for the same rows, the same history row field by field.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.db import connection, models
from django.utils import timezone

from qingyi.organizations.models import Organization
from qingyi.volunteering.models import Project, ServiceRecord, Shift, Signup, Volunteer


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(model, name: str, alias: str = "") -> str:
    """The column of field ``name`` (a foreign key's ``name_id``), prefixed by ``alias.``."""
    quoted = connection.ops.quote_name(model._meta.get_field(name).column)
    return f"{alias}.{quoted}" if alias else quoted


# --- The volunteer and the shift of a scan -------------------------------------------------------

_VOLUNTEER = ("id", "status", "insurance_from", "insurance_until", "no_shows_cleared_at", "organization")
_SHIFT = ("id", "start", "end", "cancelled_at", "insurance_required", "project")


@cache
def _scan_parties_sql(vendor: str) -> str:
    v, s, p, o = Volunteer, Shift, Project, Organization
    volunteer_columns = [_column(v, name, "v") for name in _VOLUNTEER]
    shift_columns = [f"{_column(s, name, 's')} AS shift_{name}" for name in _SHIFT]
    return (
        f"SELECT {', '.join(volunteer_columns)}, {_column(o, 'path', 'vo')} AS organization_path,"  # noqa: S608
        f" {', '.join(shift_columns)}, {_column(p, 'organization', 'p')} AS shift_organization,"
        f" {_column(o, 'path', 'po')} AS shift_organization_path"
        f" FROM {_table(v)} v INNER JOIN {_table(o)} vo ON vo.id = {_column(v, 'organization', 'v')}"
        f" LEFT JOIN {_table(s)} s ON {_column(s, 'id', 's')} = %s"
        f" LEFT JOIN {_table(p)} p ON p.id = {_column(s, 'project', 's')}"
        f" LEFT JOIN {_table(o)} po ON po.id = {_column(p, 'organization', 'p')}"
        f" WHERE {_column(v, 'user', 'v')} = %s"
    )


def _loaded(model, beside, **values):
    """An instance of ``model`` as loaded from the database with only ``values`` (its other fields
    deferred: read on first use, never a blank default), from the query that loaded ``beside``."""
    # ``from_db`` takes the values in the model's field order.
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db(beside._state.db, names, [values[name] for name in names])


def _converted(model, name: str, value):
    """A value of ``model.name`` read by plain SQL, as the ORM would give it (SQLite returns
    datetimes as text and booleans as integers)."""
    field = model._meta.get_field(name)
    column = field.get_col(model._meta.db_table)
    for convert in connection.ops.get_db_converters(column) + field.get_db_converters(connection):
        value = convert(value, column, connection)
    return value


def scan_parties(*, user_id: int, shift_pk: int) -> tuple[Volunteer | None, Shift | None]:
    """The volunteer record of login ``user_id`` (None without one) and shift ``shift_pk`` (None
    without one, whoever may see it), in one query, each narrowed to what a scan reads (its other
    fields deferred): the volunteer with its organisation's path, the shift with its project and
    the project's organisation's path.

    ORM version: ``Volunteer.objects.select_related("organization").filter(user_id=…)`` and
    ``Shift.objects.select_related("project__organization").filter(pk=…)``.
    """
    # Through Model.raw: the volunteer's own fields get their converters from the ORM.
    rows = list(Volunteer.objects.raw(_scan_parties_sql(connection.vendor), [shift_pk, user_id]))
    if not rows:
        return None, None
    volunteer = rows[0]
    # The raw query's extra columns (organization_path, shift_*) are no model fields.
    raw = vars(volunteer)
    volunteer.organization = _loaded(
        Organization, volunteer, id=volunteer.organization_id, path=raw["organization_path"]
    )
    if raw["shift_id"] is None:
        return volunteer, None
    shift = _loaded(
        Shift,
        volunteer,
        id=raw["shift_id"],
        start=_converted(Shift, "start", raw["shift_start"]),
        end=_converted(Shift, "end", raw["shift_end"]),
        cancelled_at=_converted(Shift, "cancelled_at", raw["shift_cancelled_at"]),
        insurance_required=_converted(Shift, "insurance_required", raw["shift_insurance_required"]),
        project_id=raw["shift_project"],
    )
    shift.project = _loaded(
        Project, volunteer, id=raw["shift_project"], organization_id=raw["shift_organization"]
    )
    shift.project.organization = _loaded(
        Organization, volunteer, id=raw["shift_organization"], path=raw["shift_organization_path"]
    )
    return volunteer, shift


# --- The state of a volunteer's scan ----------------------------------------------------------


@cache
def _scan_state_sql(vendor: str) -> str:
    r, s = ServiceRecord, Signup
    return (
        f"SELECT (SELECT {_column(r, 'id')} FROM {_table(r)} WHERE {_column(r, 'shift')} = %s"  # noqa: S608
        f" AND {_column(r, 'volunteer')} = %s),"
        f" (SELECT COUNT(*) FROM {_table(r)} WHERE {_column(r, 'volunteer')} = %s"
        f" AND {_column(r, 'served_on')} = %s AND {_column(r, 'checked_in_at')} IS NOT NULL),"
        f" (SELECT {_column(s, 'status')} FROM {_table(s)}"
        f" WHERE {_column(s, 'shift')} = %s AND {_column(s, 'volunteer')} = %s)"
    )


def scan_state(*, volunteer_id: int, shift_id: int, day: dt.date) -> tuple[int | None, int, str | None]:
    """The id of the volunteer's record of the shift (None without one), the volunteer's records
    of ``day`` with a check-in, and the status of their sign-up to the shift (None without one).

    ORM version: ``ServiceRecord`` ``values("pk")`` of (shift, volunteer), ``count()`` of
    (volunteer, served_on=day, checked_in_at not null) and ``Signup`` ``values("status")``
    of (shift, volunteer) as three ``Subquery`` in one query.
    """
    day_value = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(
            _scan_state_sql(connection.vendor),
            [shift_id, volunteer_id, volunteer_id, day_value, shift_id, volunteer_id],
        )
        record_id, used, status = cursor.fetchone()
    return record_id, int(used), status


# --- A save and its history row -----------------------------------------------------------------

# The historical model's own columns, filled from the call rather than copied from the row.
_OWN = ("history_id", "history_date", "history_change_reason", "history_type", "history_user")


@cache
def _history_sql(model: type[models.Model]) -> str:
    history_model = model.history.model  # type: ignore[attr-defined]
    q = connection.ops.quote_name
    source = {field.attname: field.column for field in model._meta.concrete_fields}
    copied = [f for f in history_model._meta.concrete_fields if f.name not in _OWN]
    targets = [q(f.column) for f in copied] + [
        _column(history_model, name)
        for name in ("history_date", "history_type", "history_user", "history_change_reason")
    ]
    sources = [q(source[f.attname]) for f in copied] + ["%s", "%s", "%s", "%s"]
    key = _column(model, model._meta.pk.name)
    return (
        f"INSERT INTO {_table(history_model)} ({', '.join(targets)})"  # noqa: S608 (metadata)
        f" SELECT {', '.join(sources)} FROM {_table(model)} WHERE {key} = %s"
    )


def save_with_history(instance: models.Model, *, user, reason: str, update_fields=None) -> None:
    """``instance.save(update_fields=...)`` and its history row ("+" when created, "~" when
    changed) by ``user`` with ``reason``, in two statements, in the caller's transaction: the
    columns, history type, date, user and reason simple-history would write.

    ORM version: ``instance._history_user, instance._change_reason = user, reason`` and
    ``instance.save(update_fields=...)`` (simple-history's post_save signal).
    """
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
        cursor.execute(_history_sql(type(instance)), values)
