import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingyi.core import checkin
from qingyi.core.models import Scan
from qingyi.volunteering import services
from qingyi.volunteering.models import ServiceRecord, Signup
from qingyi.volunteering.services import hours
from qingyi.volunteering.services.hours import VerifyRow
from tests.volunteering.conftest import make_shift, make_volunteer


@pytest.fixture
def running(vworld):
    """A shift that started 30 minutes ago (3.5 hours long) with the member confirmed."""
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    shift = make_shift(vworld.project, start=start, hours=3.5)
    Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
    vworld.running = shift
    return vworld


def scan(shift, user, client_id, at=None):
    code = checkin.rotating_code(shift.subject, at=at)
    return hours.shift_scan(shift=shift, user=user, code=code, client_id=client_id, scanned_at=at)


def test_first_scan_checks_in_second_checks_out_with_rounded_hours(vworld):
    member = vworld.personas.member
    shift = make_shift(vworld.project, start=timezone.now() - dt.timedelta(hours=3), hours=3.5)
    Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
    t0 = shift.start + dt.timedelta(minutes=2)
    assert scan(shift, member, "c1", at=t0).result == "checked_in"  # sent later, with its own time
    outcome = scan(shift, member, "c2", at=t0 + dt.timedelta(hours=1, minutes=50))
    assert outcome.result == "checked_out"
    record = ServiceRecord.objects.get()
    assert record.status == "recorded" and record.source == "scan"
    assert record.recorded_hours == Decimal("1.50")  # 1 h 50 min rounded down to half hours
    assert record.scheduled_hours == Decimal("3.50")
    assert record.walk_in is False
    assert Scan.objects.filter(offline=True).count() == 2


def test_offline_check_in_arriving_after_the_check_out_moves_the_check_in(vworld):
    member = vworld.personas.member
    shift = make_shift(vworld.project, start=timezone.now() - dt.timedelta(hours=3), hours=3.5)
    Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
    late, early = shift.start + dt.timedelta(hours=2), shift.start + dt.timedelta(minutes=1)
    scan(shift, member, "late", at=late)
    scan(shift, member, "early", at=early)
    scan(shift, member, "early", at=early)  # and replayed again
    record = ServiceRecord.objects.get()
    assert (record.checked_in_at, record.checked_out_at) == (early, late)
    assert record.recorded_hours == Decimal("1.50")


def test_repeated_and_replayed_scans_duplicate_nothing(running):
    member = running.personas.member
    scan(running.running, member, "a")
    again = scan(running.running, member, "a")  # the same scan replayed
    assert again.replayed
    with pytest.raises(checkin.ScanRefused, match="Scan again at the end"):
        scan(running.running, member, "b")  # a second scan straight away
    assert ServiceRecord.objects.count() == 1
    assert Scan.objects.count() == 1


def test_check_out_is_capped_at_shift_end_plus_grace(vworld):
    start = timezone.now() - dt.timedelta(hours=6)
    shift = make_shift(vworld.project, start=start, hours=2)
    Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
    result = hours.record_check_in_by_hand(
        shift=shift,
        volunteer=vworld.volunteer,
        at=start,
        reason="phone flat",
        actor=vworld.personas.coordinator,
    )
    assert "Checked in" in result.message
    record = ServiceRecord.objects.get()
    assert record.source == "hand" and record.reason == "phone flat"
    # Checked out 4 hours after the end: counted until end + 30 min grace.
    hours.record_check_in_by_hand(
        shift=shift,
        volunteer=vworld.volunteer,
        at=start + dt.timedelta(hours=2, minutes=50),
        reason="forgot",
        actor=vworld.personas.coordinator,
    )
    record.refresh_from_db()
    assert record.recorded_hours == Decimal("2.50")


def test_hand_check_in_needs_a_reason(running):
    with pytest.raises(ValidationError, match="reason"):
        hours.record_check_in_by_hand(
            shift=running.running,
            volunteer=running.volunteer,
            at=timezone.now(),
            reason=" ",
            actor=running.personas.coordinator,
        )


def test_walk_in_is_checked_in_and_marked(running):
    walker = make_volunteer(running.tree.branch_a)
    outcome = scan(running.running, walker.user, "w1")
    assert "walk-in" in outcome.message
    assert ServiceRecord.objects.get(volunteer=walker).walk_in


def test_non_volunteer_scan_is_refused(running):
    with pytest.raises(checkin.ScanRefused, match="registered volunteers"):
        scan(running.running, running.personas.coordinator, "x1")


def test_at_most_three_sign_ins_a_day(vworld):
    base = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=20)
    shifts = [
        make_shift(vworld.project, start=base - dt.timedelta(minutes=i), hours=0.5 + i) for i in range(4)
    ]
    # Give the shifts separate days' worth of no overlap by signing up nobody: walk-ins.
    for i, shift in enumerate(shifts[:3]):
        ServiceRecord.objects.create(
            shift=shift,
            volunteer=vworld.volunteer,
            project=vworld.project,
            served_on=hours.served_on(shift),
            checked_in_at=base,
            status="checked_in",
        )
    with pytest.raises(checkin.ScanRefused, match="At most 3 sign-ins"):
        scan(shifts[3], vworld.personas.member, "d4")


def test_scan_outside_the_shift_window_is_refused(vworld):
    later = make_shift(vworld.project, start=timezone.now() + dt.timedelta(hours=5))
    with pytest.raises(checkin.ScanRefused, match="opens one hour before"):
        scan(later, vworld.personas.member, "early")


def test_verify_whole_shift_at_once_and_lock(running):
    other = make_volunteer(running.tree.branch_a)
    shift = running.running
    records = [
        ServiceRecord.objects.create(
            shift=shift,
            volunteer=v,
            project=shift.project,
            served_on=hours.served_on(shift),
            checked_in_at=shift.start,
            checked_out_at=shift.end,
            recorded_hours=Decimal("3.5"),
            status="recorded",
        )
        for v in (running.volunteer, other)
    ]
    coordinator = running.personas.coordinator
    with pytest.raises(ValidationError, match="between 0"):
        hours.hours_verify_shift(
            shift=shift,
            rows=[VerifyRow(records[0].pk, Decimal("3.5"), 20), VerifyRow(records[1].pk, Decimal("9"), 5)],
            actor=coordinator,
        )
    assert not ServiceRecord.objects.filter(status="verified").exists()  # nothing half-written
    hours.hours_verify_shift(
        shift=shift,
        rows=[VerifyRow(records[0].pk, Decimal("3.5"), 20), VerifyRow(records[1].pk, Decimal("3"), 5)],
        actor=coordinator,
    )
    assert ServiceRecord.objects.filter(status="verified").count() == 2
    with pytest.raises(PermissionDenied):
        hours.record_correct(
            record=records[0], hours=Decimal(1), people_served=1, reason="x", actor=coordinator
        )
    fixed = hours.record_correct(
        record=records[0],
        hours=Decimal(3),
        people_served=18,
        reason="double-counted",
        actor=running.personas.committee_admin,
    )
    assert fixed.verified_hours == Decimal(3)
    history = list(fixed.history.order_by("-history_date")[:2])
    assert history[0].history_change_reason == "double-counted"
    assert history[0].history_user == running.personas.committee_admin
    assert history[1].verified_hours == Decimal("3.5")


def test_added_hours_are_apart_capped_and_need_a_reason(vworld):
    shift = make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=1), hours=2)
    coordinator = vworld.personas.coordinator
    with pytest.raises(ValidationError) as exc:
        hours.hours_add(
            shift=shift,
            volunteer=vworld.volunteer,
            hours=Decimal(3),
            people_served=0,
            reason="",
            actor=coordinator,
        )
    assert "reason" in exc.value.message_dict and "hours" in exc.value.message_dict
    record = hours.hours_add(
        shift=shift,
        volunteer=vworld.volunteer,
        hours=Decimal(2),
        people_served=4,
        reason="scanner broken",
        actor=coordinator,
    )
    assert record.source == "manual" and record.created_by == coordinator and record.checked_in_at is None


def test_added_hours_after_ten_working_days_need_the_committee_admin(vworld):
    shift = make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=30), hours=2)
    with pytest.raises(ValidationError, match="10 working days"):
        hours.hours_add(
            shift=shift,
            volunteer=vworld.volunteer,
            hours=Decimal(2),
            people_served=0,
            reason="late",
            actor=vworld.personas.coordinator,
        )
    assert hours.hours_add(
        shift=shift,
        volunteer=vworld.volunteer,
        hours=Decimal(2),
        people_served=0,
        reason="late",
        actor=vworld.personas.committee_admin,
    )


def test_shift_capacity_cannot_drop_below_signups_and_end_before_start(vworld):
    for _ in range(2):
        v = make_volunteer(vworld.tree.branch_a)
        services.signup_create(shift=vworld.shift, volunteer=v, actor=v.user)
    with pytest.raises(ValidationError, match="already has 2 people"):
        services.shift_update(shift=vworld.shift, data={"capacity": 1}, actor=vworld.personas.coordinator)
    with pytest.raises(ValidationError, match="ends before it starts"):
        services.shift_update(
            shift=vworld.shift,
            data={"start": vworld.shift.end, "end": vworld.shift.start},
            actor=vworld.personas.coordinator,
        )


def test_series_makes_weekday_shifts_and_edits_this_and_following(vworld):
    first = timezone.localdate() + dt.timedelta(days=1)
    series = services.shift_series_create(
        project=vworld.project,
        weekdays=[0, 1, 2, 3, 4],
        first_day=first,
        last_day=first + dt.timedelta(days=90),
        start_time=dt.time(8),
        end_time=dt.time(11, 30),
        capacity=3,
        actor=vworld.personas.coordinator,
    )
    shifts = list(series.shifts.order_by("start"))
    assert 60 <= len(shifts) <= 66
    assert all(timezone.localtime(s.start).weekday() < 5 for s in shifts)
    middle = shifts[10]
    services.shift_update(
        shift=middle,
        data={"start_time": dt.time(9), "end_time": dt.time(12), "capacity": 4},
        actor=vworld.personas.coordinator,
        following=True,
    )
    changed = [s for s in series.shifts.order_by("start") if timezone.localtime(s.start).hour == 9]
    assert len(changed) == len(shifts) - 10
    assert all(s.capacity == 4 for s in changed)
    assert timezone.localtime(series.shifts.order_by("start").first().start).hour == 8


def test_series_bad_input(vworld):
    day = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.shift_series_create(
            project=vworld.project,
            weekdays=[],
            first_day=day,
            last_day=day - dt.timedelta(days=1),
            start_time=dt.time(12),
            end_time=dt.time(8),
            capacity=0,
            actor=vworld.personas.coordinator,
        )
    assert {"weekdays", "last_day", "end_time", "capacity"} <= set(exc.value.message_dict)
