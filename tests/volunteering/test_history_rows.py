"""core.history.save_with_history writes the history row simple-history would write.

The scan path saves service records through it (one INSERT … SELECT instead of the ORM's
historical instance); these tests compare its rows with simple-history's own, field by field.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from qingyi.core import history
from qingyi.volunteering.models import ServiceRecord
from tests.volunteering.conftest import make_shift, make_volunteer

# Differ by construction: the row's own key, when it was written, and the record it copies.
NOT_COMPARED = {"history_id", "history_date", "id", "created_at"}


AT = timezone.now().replace(microsecond=123456) - dt.timedelta(hours=2)


def _record(vworld, volunteer, **fields) -> ServiceRecord:
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


def test_created_and_changed_rows_match_simple_history_field_by_field(vworld):
    coordinator = vworld.personas.coordinator
    ours = _record(vworld, vworld.volunteer)
    history.save_with_history(ours, user=coordinator, reason="check-in")
    theirs = _record(vworld, make_volunteer(vworld.tree.branch_a))
    theirs._history_user, theirs._change_reason = coordinator, "check-in"
    theirs.save()

    for record in (ours, theirs):
        record.checked_out_at = AT + dt.timedelta(hours=1, minutes=45)
        record.recorded_hours = Decimal("1.75")
        record.status = ServiceRecord.Status.RECORDED
    history.save_with_history(
        ours,
        user=coordinator,
        reason="check-out",
        update_fields=["checked_out_at", "recorded_hours", "status", "updated_at"],
    )
    theirs._history_user, theirs._change_reason = coordinator, "check-out"
    theirs.save(update_fields=["checked_out_at", "recorded_hours", "status", "updated_at"])

    mine = list(ours.history.order_by("history_id"))
    reference = list(theirs.history.order_by("history_id"))
    assert [h.history_type for h in mine] == [h.history_type for h in reference] == ["+", "~"]
    for a, b in zip(mine, reference, strict=True):
        fields_a, fields_b = _fields(a), _fields(b)
        assert fields_a.pop("volunteer_id") == ours.volunteer_id
        assert fields_b.pop("volunteer_id") == theirs.volunteer_id
        assert fields_a.pop("shift_id") == ours.shift_id and fields_b.pop("shift_id") == theirs.shift_id
        assert fields_a == fields_b
        assert a.id == ours.pk and a.history_user_id == coordinator.pk
        assert abs(a.history_date - b.history_date) < dt.timedelta(minutes=1)
    # The changed row holds the values saved, not those of the first version.
    assert mine[1].recorded_hours == Decimal("1.75") and mine[1].history_change_reason == "check-out"
    assert ours.history.count() == 2  # and no second row from simple-history's own signal
    assert not hasattr(ours, "skip_history_when_saving")  # later plain saves keep their history
