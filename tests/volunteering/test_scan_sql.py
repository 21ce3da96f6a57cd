"""volunteering.scan_sql: each plain-SQL statement of the check-in path gives what its ORM
version gives, on the test database (SQLite, or PostgreSQL with DATABASE_URL).

The ORM versions are written out here, as the module's docstrings describe them: a change of a
model that one side follows and the other does not fails these tests.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from operator import attrgetter

import pytest
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from qingyi.volunteering import scan_sql
from qingyi.volunteering.models import ServiceRecord, Shift, Signup, Volunteer
from tests.volunteering.conftest import make_shift, make_volunteer

# --- scan_parties ---------------------------------------------------------------------------

VOLUNTEER_FIELDS = (
    "id",
    "status",
    "insurance_from",
    "insurance_until",
    "no_shows_cleared_at",
    "organization_id",
    "organization.path",
)
SHIFT_FIELDS = (
    "id",
    "start",
    "end",
    "cancelled_at",
    "insurance_required",
    "project_id",
    "project.organization_id",
    "project.organization.path",
)


def _parties_by_orm(user_id: int, shift_pk: int):
    volunteer = (
        Volunteer.objects.unscoped("test: the ORM version of scan_sql.scan_parties")
        .select_related("organization")
        .filter(user_id=user_id)
        .first()
    )
    if volunteer is None:
        return None, None
    shift = Shift.objects.select_related("project__organization").filter(pk=shift_pk).first()
    return volunteer, shift


def _values(instance, names) -> tuple | None:
    if instance is None:
        return None
    return tuple(attrgetter(name)(instance) for name in names)


def test_scan_parties_gives_the_volunteer_and_the_shift_the_orm_gives(vworld):
    now = timezone.now().replace(microsecond=123456)
    insured = make_volunteer(
        vworld.tree.branch_b,
        insurance_from=dt.date(2026, 1, 1),
        insurance_until=dt.date(2027, 6, 30),
        no_shows_cleared_at=now - dt.timedelta(days=3),
        status=Volunteer.Status.SUSPENDED,
    )
    cancelled = make_shift(vworld.project_b, insurance_required=True, cancelled_at=now)
    cases = [
        (vworld.volunteer.user_id, vworld.shift.pk),  # a visible shift
        (insured.user_id, cancelled.pk),  # every field set: datetimes, dates, booleans
        (insured.user_id, vworld.shift.pk),
        (vworld.volunteer.user_id, cancelled.pk),  # another branch's shift: still returned
        (vworld.volunteer.user_id, 10**9),  # no such shift
        (vworld.personas.admin_b.pk, vworld.shift.pk),  # a login that is no volunteer
    ]
    for user_id, shift_pk in cases:
        (volunteer, shift), (volunteer_orm, shift_orm) = (
            scan_sql.scan_parties(user_id=user_id, shift_pk=shift_pk),
            _parties_by_orm(user_id, shift_pk),
        )
        assert _values(volunteer, VOLUNTEER_FIELDS) == _values(volunteer_orm, VOLUNTEER_FIELDS)
        assert _values(shift, SHIFT_FIELDS) == _values(shift_orm, SHIFT_FIELDS)
    volunteer, shift = scan_sql.scan_parties(user_id=insured.user_id, shift_pk=cancelled.pk)
    assert shift is not None and shift.insurance_required is True and shift.cancelled_at == now
    # The fields not read are deferred, loaded on first use (not blank defaults).
    assert volunteer.name == insured.name and shift.capacity == cancelled.capacity
    assert shift.scheduled_hours == cancelled.scheduled_hours


# --- scan_state -----------------------------------------------------------------------------


def _state_by_orm(volunteer_id: int, shift_id: int, day: dt.date):
    records = ServiceRecord.objects.order_by()
    sign_ins = (
        records.filter(volunteer_id=volunteer_id, served_on=day, checked_in_at__isnull=False)
        .values("volunteer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    signup = Signup.objects.filter(shift_id=shift_id, volunteer_id=volunteer_id).order_by().values("status")
    return (
        Shift.objects.filter(pk=shift_id)
        .order_by()
        .values_list(
            Subquery(records.filter(shift_id=shift_id, volunteer_id=volunteer_id).values("pk")[:1]),
            Coalesce(Subquery(sign_ins), 0),
            Subquery(signup[:1]),
        )
        .get()
    )


def _record(shift, volunteer, **fields) -> ServiceRecord:
    values = {
        "shift": shift,
        "volunteer": volunteer,
        "project_id": shift.project_id,
        "served_on": timezone.localtime(shift.start).date(),
        "scheduled_hours": shift.scheduled_hours,
        "checked_in_at": shift.start,
        "status": ServiceRecord.Status.CHECKED_IN,
    }
    return ServiceRecord.objects.create(**(values | fields))


def test_scan_state_gives_the_record_the_days_sign_ins_and_the_sign_up_the_orm_gives(vworld):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    day = timezone.localtime(start).date()
    shift, morning, evening, yesterday = (
        make_shift(vworld.project, start=start),
        make_shift(vworld.project, start=start - dt.timedelta(minutes=1)),
        make_shift(vworld.project, start=start + dt.timedelta(minutes=1)),
        make_shift(vworld.project, start=start - dt.timedelta(days=1)),
    )
    volunteer, other = vworld.volunteer, make_volunteer(vworld.tree.branch_a)

    def both(v, s, on=day):
        return scan_sql.scan_state(volunteer_id=v.pk, shift_id=s.pk, day=on), _state_by_orm(v.pk, s.pk, on)

    seen = []

    def check(expected, v=volunteer, s=shift, on=day):
        raw, orm = both(v, s, on)
        assert raw == orm == expected, (raw, orm, expected)
        seen.append(expected)

    check((None, 0, None))  # nothing yet
    Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.WAITING)
    check((None, 0, Signup.Status.WAITING))
    Signup.objects.filter(shift=shift, volunteer=volunteer).update(status=Signup.Status.CONFIRMED)
    _record(morning, volunteer)
    _record(yesterday, volunteer)  # another day: not counted
    _record(evening, volunteer, checked_in_at=None, source=ServiceRecord.Source.MANUAL)  # by hand
    _record(shift, other)  # another volunteer
    check((None, 1, Signup.Status.CONFIRMED))
    mine = _record(shift, volunteer)
    check((mine.pk, 2, Signup.Status.CONFIRMED))
    check((mine.pk, 0, Signup.Status.CONFIRMED), on=day + dt.timedelta(days=2))  # no sign-ins that day
    check((_record(evening, other).pk, 2, None), v=other, s=evening)
    assert len(seen) == 6


# --- save_with_history ----------------------------------------------------------------------

# Differ by construction: the row's own key, when it was written, and the record it copies.
NOT_COMPARED = {"history_id", "history_date", "id", "created_at"}
AT = timezone.now().replace(microsecond=123456) - dt.timedelta(hours=2)


def _unsaved(vworld, volunteer, **fields) -> ServiceRecord:
    shift = make_shift(vworld.project, start=AT)
    return ServiceRecord(
        shift=shift,
        volunteer=volunteer,
        project=vworld.project,
        served_on=timezone.localdate(),
        checked_in_at=AT,
        scheduled_hours=Decimal("3.50"),
        walk_in=True,
        reason="以手工签到",
        created_by=vworld.personas.coordinator,
        **fields,
    )


def _fields(row) -> dict:
    return {
        f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if f.attname not in NOT_COMPARED
    }


@pytest.mark.parametrize("user", ["coordinator", None])
def test_save_with_history_writes_the_row_simple_history_writes_field_by_field(vworld, user):
    actor = getattr(vworld.personas, user) if user else None
    ours = _unsaved(vworld, vworld.volunteer)
    scan_sql.save_with_history(ours, user=actor, reason="check-in")
    theirs = _unsaved(vworld, make_volunteer(vworld.tree.branch_a))
    theirs._history_user, theirs._change_reason = actor, "check-in"
    theirs.save()

    for record in (ours, theirs):
        record.checked_out_at = AT + dt.timedelta(hours=1, minutes=45)
        record.recorded_hours = Decimal("1.75")
        record.status = ServiceRecord.Status.RECORDED
    changed = ["checked_out_at", "recorded_hours", "status", "updated_at"]
    scan_sql.save_with_history(ours, user=actor, reason="check-out", update_fields=changed)
    theirs._history_user, theirs._change_reason = actor, "check-out"
    theirs.save(update_fields=changed)

    mine = list(ours.history.order_by("history_id"))
    reference = list(theirs.history.order_by("history_id"))
    assert [h.history_type for h in mine] == [h.history_type for h in reference] == ["+", "~"]
    for a, b in zip(mine, reference, strict=True):
        fields_a, fields_b = _fields(a), _fields(b)
        assert fields_a.pop("volunteer_id") == ours.volunteer_id
        assert fields_b.pop("volunteer_id") == theirs.volunteer_id
        assert fields_a.pop("shift_id") == ours.shift_id and fields_b.pop("shift_id") == theirs.shift_id
        assert fields_a == fields_b
        assert a.id == ours.pk and a.history_user_id == getattr(actor, "pk", None)
        assert abs(a.history_date - b.history_date) < dt.timedelta(minutes=1)
    # The changed row holds the values saved, not those of the first version.
    assert mine[1].recorded_hours == Decimal("1.75") and mine[1].history_change_reason == "check-out"
    assert ours.history.count() == 2  # and no second row from simple-history's own signal
    assert not hasattr(ours, "skip_history_when_saving")  # later plain saves keep their history
