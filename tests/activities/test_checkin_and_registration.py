import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from qingyi.activities import services
from qingyi.activities.models import Activity, Attendance, Registration
from qingyi.core import checkin
from qingyi.core.models import Scan
from tests.activities.conftest import at, plan
from tests.concurrency import file_database_for_threads
from tests.factories import PersonFactory, UserFactory


def _scan(activity, person, user, client_id, *, code=None, scanned_at=None):
    return services.activity_scan(
        activity=activity,
        person=person,
        user=user,
        code=code or checkin.rotating_code(activity.checkin_subject),
        client_id=client_id,
        scanned_at=scanned_at,
    )


def test_qr_check_in_marks_the_member_present_through_the_shared_mechanism(personas, activity_a):
    outcome = _scan(activity_a, personas.member_person, personas.member, "c1")
    assert outcome.result == Scan.Result.CHECKED_IN
    row = Attendance.objects.get()
    assert (row.person, row.status, row.source) == (personas.member_person, "present", "qr")
    assert Scan.objects.get().subject == f"activity:{activity_a.pk}"


def test_double_check_in_duplicates_nothing(personas, activity_a):
    _scan(activity_a, personas.member_person, personas.member, "c1")
    replay = _scan(activity_a, personas.member_person, personas.member, "c1")
    again = _scan(activity_a, personas.member_person, personas.member, "c2")
    assert replay.replayed
    assert "already checked in" in again.message
    assert Attendance.objects.count() == 1


def test_code_of_another_activity_is_refused(personas, activity_a, activity_b):
    with pytest.raises(checkin.ScanRefused, match="expired or is not genuine"):
        _scan(
            activity_a,
            personas.member_person,
            personas.member,
            "c1",
            code=checkin.rotating_code(activity_b.checkin_subject),
        )
    assert not Attendance.objects.exists()


def test_check_in_outside_the_window_is_refused(personas):
    later = plan(personas.admin_a, [personas.tree.branch_a], start=at(days=3))
    with pytest.raises(checkin.ScanRefused, match="Check-in for this activity is open from"):
        _scan(later, personas.member_person, personas.member, "c1")
    assert not Attendance.objects.exists() and not Scan.objects.exists()


def test_person_outside_the_organisers_cannot_check_in(personas, activity_a):
    user_b = UserFactory()
    person_b = personas.person_b
    person_b.user = user_b
    person_b.save()
    with pytest.raises(checkin.ScanRefused, match="not among the expected"):
        _scan(activity_a, person_b, user_b, "c1")
    assert not Attendance.objects.exists()


def test_offline_scan_keeps_its_time(personas, activity_a):
    scanned = timezone.now() - dt.timedelta(minutes=10)
    code = checkin.rotating_code(activity_a.checkin_subject, at=scanned)
    _scan(activity_a, personas.member_person, personas.member, "off", code=code, scanned_at=scanned)
    assert Attendance.objects.get().checked_in_at == scanned


def test_check_in_turns_an_absent_mark_into_present(personas, activity_a):
    services.attendance_save(
        activity=activity_a, statuses={personas.member_person.pk: "absent"}, actor=personas.admin_a
    )
    _scan(activity_a, personas.member_person, personas.member, "c1")
    assert Attendance.objects.get().status == "present"


# --- Registration --------------------------------------------------------------------------------


@pytest.fixture
def care_event(personas):
    event = plan(
        personas.admin_a,
        [personas.tree.branch_a],
        kind=Activity.Kind.CARE,
        title="青年联谊",
        start=at(days=5),
    )
    return services.registration_configure(
        activity=event, open=True, capacity=2, deadline=at(days=4), actor=personas.admin_a
    )


def test_full_event_puts_the_next_on_the_waiting_list_and_a_cancellation_promotes_them(personas, care_event):
    tree = personas.tree
    people = [personas.member_person, personas.person_a, PersonFactory(organization=tree.branch_a)]
    regs = [
        services.registration_create(activity=care_event, person=p, actor=personas.admin_a) for p in people
    ]
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waiting"]
    assert services.waiting_position(regs[2]) == 1
    promoted = services.registration_cancel(registration=regs[0], actor=personas.admin_a)
    assert [r.pk for r in promoted] == [regs[2].pk]
    assert Registration.objects.filter(activity=care_event, status="confirmed").count() == 2


def test_member_registers_themself_once(personas, care_event):
    services.registration_create(activity=care_event, person=personas.member_person, actor=personas.member)
    with pytest.raises(ValidationError, match="already registered"):
        services.registration_create(
            activity=care_event, person=personas.member_person, actor=personas.member
        )
    assert Registration.objects.count() == 1


def test_registration_after_the_deadline_is_refused(personas, care_event):
    with pytest.raises(ValidationError, match="deadline has passed"):
        services.registration_create(
            activity=care_event, person=personas.member_person, actor=personas.member, now=at(days=4, hours=1)
        )


def test_registration_of_a_person_outside_the_organisers_is_refused(personas, care_event):
    with pytest.raises(ValidationError, match="not a member of the organising"):
        services.registration_create(activity=care_event, person=personas.person_b, actor=personas.admin_a)


def test_only_care_and_culture_events_take_registrations(personas, activity_a):
    with pytest.raises(ValidationError, match="Only care events"):
        services.registration_configure(
            activity=activity_a, open=True, capacity=5, deadline=None, actor=personas.admin_a
        )


def test_more_places_promote_the_waiting_list(personas, care_event):
    p3 = PersonFactory(organization=personas.tree.branch_a)
    for p in (personas.member_person, personas.person_a, p3):
        services.registration_create(activity=care_event, person=p, actor=personas.admin_a)
    services.registration_configure(
        activity=care_event, open=True, capacity=3, deadline=None, actor=personas.admin_a
    )
    assert not Registration.objects.filter(status="waiting").exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_overbook(personas, care_event, settings, tmp_path):
    """Eight people register at once for two places: two are confirmed, six wait."""
    people = [PersonFactory(organization=personas.tree.branch_a) for _ in range(8)]
    errors = []

    def register(person):
        from django.db import connection as thread_connection

        try:
            services.registration_create(activity=care_event, person=person, actor=personas.admin_a)
        except Exception as exc:
            errors.append(exc)
        finally:
            thread_connection.close()

    counts = {}

    def count():
        from django.db import connection as thread_connection

        for status in ("confirmed", "waiting"):
            counts[status] = Registration.objects.filter(activity=care_event, status=status).count()
        thread_connection.close()

    # On SQLite the threads share a file copy of the test database (see tests/concurrency.py),
    # so the figures are read by a thread too.
    with file_database_for_threads(tmp_path):
        threads = [threading.Thread(target=register, args=(p,)) for p in people]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        counter = threading.Thread(target=count)
        counter.start()
        counter.join()
    assert not errors
    assert counts == {"confirmed": 2, "waiting": 6}
