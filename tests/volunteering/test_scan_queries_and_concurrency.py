"""The scan endpoint's cost and its correctness under concurrency.

A check-in and a check-out each run a fixed, small number of queries (asserted exactly, so
that it cannot grow unnoticed). The shift's row is not locked by scans: many volunteers
check in to one shift at the same moment and each is recorded once; one volunteer's four
simultaneous check-ins on a day allowing three give exactly three records.
"""

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.accounts.models import User
from qingyi.core import checkin, rules
from qingyi.core.models import Scan
from qingyi.volunteering.models import Project, ServiceRecord, Signup, Volunteer
from qingyi.volunteering.services import hours
from tests.concurrency import file_database_for_threads
from tests.factories import make_tree
from tests.volunteering.conftest import make_shift, make_volunteer

# session, user, the volunteer with the shift (one query), [volunteer's row lock on PostgreSQL],
# the scan's state (the record's id, the day's sign-ins and the sign-up: one query), INSERT
# record, INSERT history, INSERT scan (BEGIN/COMMIT not counted). No lookup of an earlier scan: a
# replay is found by the unique scan id's conflict.
CHECK_IN_QUERIES = 7
# session, user, the volunteer with the shift, [lock], the scan's state, the record (locked),
# UPDATE record, INSERT history, INSERT scan
CHECK_OUT_QUERIES = 8

BOOKKEEPING = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def _statements(ctx) -> int:
    """Queries sent, without the transaction bookkeeping (BEGIN/COMMIT outside the test's
    transaction, savepoints inside it)."""
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(BOOKKEEPING))


def _running_shift(project, **fields):
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    return make_shift(project, start=start, hours=3.5, **fields)


def test_one_check_in_and_one_check_out_run_a_fixed_small_number_of_queries(vworld, login):
    shift = _running_shift(vworld.project)
    warm = make_volunteer(vworld.tree.branch_a)
    for volunteer in (vworld.volunteer, warm):
        Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)
    url = reverse("volunteering:scan", args=[shift.pk])
    # The check-in is an offline scan of ten minutes ago (with that time's code), so that the
    # check-out now is one and not a repeat.
    earlier = timezone.now() - dt.timedelta(minutes=10)
    check_in = {"code": checkin.rotating_code(shift.subject, at=earlier), "scanned_at": earlier.isoformat()}
    check_out = {"code": checkin.rotating_code(shift.subject)}
    # The committee's settings are cached after their first read: warm them with another volunteer.
    client = login(warm.user)
    assert client.post(url, check_in | {"client_id": "warm-in"}).json()["result"] == "checked_in"
    assert client.post(url, check_out | {"client_id": "warm-out"}).json()["result"] == "checked_out"

    client = login(vworld.personas.member)
    lock = 1 if connection.features.has_select_for_update else 0  # the volunteer's row (PostgreSQL)
    with CaptureQueriesContext(connection) as ins:
        answer = client.post(url, check_in | {"client_id": "in"})
    assert answer.json()["result"] == "checked_in", answer.json()
    assert _statements(ins) == CHECK_IN_QUERIES + lock, [q["sql"] for q in ins]
    # The volunteer's row lock does not block the rows that reference it (sign-ups, records).
    assert sum("FOR NO KEY UPDATE" in q["sql"] for q in ins.captured_queries) == lock

    with CaptureQueriesContext(connection) as outs:
        answer = client.post(url, check_out | {"client_id": "out"})
    assert answer.json()["result"] == "checked_out", answer.json()
    assert _statements(outs) == CHECK_OUT_QUERIES + lock, [q["sql"] for q in outs]
    sqls = " ".join(q["sql"] for q in ins.captured_queries + outs.captured_queries)
    assert "accounts_roleassignment" not in sqls  # no role lookup on the scan path
    record = ServiceRecord.objects.get(shift=shift, volunteer=vworld.volunteer)
    assert record.status == ServiceRecord.Status.RECORDED and record.recorded_hours is not None
    assert record.history.count() == 2  # the check-out still writes its history row


def test_manager_who_cannot_see_the_shift_as_volunteer_is_refused_and_stranger_gets_404(vworld, login):
    shift_b = _running_shift(vworld.project_b)
    member = login(vworld.personas.member)
    url = reverse("volunteering:scan", args=[shift_b.pk])
    code = checkin.rotating_code(shift_b.subject)
    assert member.post(url, {"code": code, "client_id": "x"}).status_code == 404
    admin_b = login(vworld.personas.admin_b)  # manages the shift, is no volunteer
    refused = admin_b.post(url, {"code": code, "client_id": "y"})
    assert refused.status_code == 400 and "registered volunteers" in refused.json()["message"]
    assert not ServiceRecord.objects.exists() and not Scan.objects.exists()


def test_replayed_check_in_whose_handler_would_write_again_writes_nothing(vworld):
    """The earlier scan is not looked up first: a replay runs the handler, whose writes the
    unique scan id's conflict rolls back. Here the record was removed (by a coordinator), so
    the replayed check-in would create it again — and creates nothing, answering as at first."""
    shift = _running_shift(vworld.project)
    Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
    member = vworld.personas.member
    at = timezone.now() - dt.timedelta(minutes=10)
    code = checkin.rotating_code(shift.subject, at=at)
    first = hours.shift_scan(shift=shift, user=member, code=code, client_id="in", scanned_at=at)
    assert first.result == "checked_in" and not first.replayed
    ServiceRecord.objects.all().delete()
    history_rows = ServiceRecord.history.count()
    again = hours.shift_scan(shift=shift, user=member, code=code, client_id="in", scanned_at=at)
    assert again.replayed and (again.result, again.message) == (first.result, first.message)
    assert not ServiceRecord.objects.exists()
    assert ServiceRecord.history.count() == history_rows
    assert Scan.objects.count() == 1


# PostgreSQL serves a bounded number of connections (a server's pool), as behind gunicorn.
POSTGRES_POOL = 20


def _run_at_once(targets) -> list[BaseException]:
    """Start every target at the same moment, each in its own thread (and connection)."""
    barrier = threading.Barrier(len(targets))
    pool = threading.BoundedSemaphore(POSTGRES_POOL if connection.vendor == "postgresql" else len(targets))
    errors: list[BaseException] = []

    def run(target):
        try:
            barrier.wait(timeout=60)
            with pool:
                try:
                    target()
                finally:
                    connections.close_all()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return errors


def _in_thread(fn):
    """Run ``fn`` in a thread (its own connection: the file database on SQLite)."""
    box = {}

    def run():
        try:
            box["value"] = fn()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return box["value"]


@pytest.mark.django_db(transaction=True)
def test_many_volunteers_checking_in_to_one_shift_at_once_are_each_recorded_once(tmp_path):
    n = 40
    committee, _g, branch_a, _b, _admin = make_tree()
    project = Project.objects.create(organization=committee, name="导诊")
    shift = _running_shift(project, capacity=n)
    users = User.objects.bulk_create([User(username=f"scan{i}") for i in range(n)])
    volunteers = Volunteer.objects.bulk_create(
        [
            Volunteer(kind=Volunteer.Kind.SOCIAL, organization=branch_a, user=u, name=f"志愿者{i}")
            for i, u in enumerate(users)
        ]
    )
    Signup.objects.bulk_create(
        [Signup(shift=shift, volunteer=v, status=Signup.Status.CONFIRMED) for v in volunteers]
    )
    code = checkin.rotating_code(shift.subject)
    outcomes: list[str] = []

    def scanner(user):
        def scan():
            outcome = hours.shift_scan(
                shift=shift, user=user, code=code, client_id=f"c-{user.pk}", scanned_at=None
            )
            outcomes.append(outcome.result)

        return scan

    def count():
        return (
            ServiceRecord.objects.filter(shift=shift, status=ServiceRecord.Status.CHECKED_IN).count(),
            ServiceRecord.objects.filter(shift=shift).values("volunteer").distinct().count(),
            Scan.objects.filter(subject=shift.subject).count(),
        )

    with file_database_for_threads(tmp_path):
        errors = _run_at_once([scanner(u) for u in users])
        counts = _in_thread(count)
    assert errors == []
    assert outcomes == ["checked_in"] * n
    assert counts == (n, n, n)


@pytest.mark.django_db(transaction=True)
def test_one_volunteers_four_simultaneous_check_ins_on_a_day_allowing_three_give_exactly_three(tmp_path):
    assert int(rules.get_setting("volunteer_daily_sign_ins")) == 3
    committee, _g, branch_a, _b, _admin = make_tree()
    project = Project.objects.create(organization=committee, name="导诊")
    shifts = [_running_shift(project) for _ in range(4)]
    user = User.objects.create(username="busy")
    Volunteer.objects.create(kind=Volunteer.Kind.SOCIAL, organization=branch_a, user=user, name="忙碌")
    results: list[str] = []

    def scanner(shift, i):
        def scan():
            try:
                outcome = hours.shift_scan(
                    shift=shift,
                    user=User.objects.get(pk=user.pk),  # each phone its own request
                    code=checkin.rotating_code(shift.subject),
                    client_id=f"d-{i}",
                    scanned_at=None,
                )
                results.append(outcome.result)
            except checkin.ScanRefused as exc:
                results.append(str(exc))

        return scan

    def count():
        return ServiceRecord.objects.filter(volunteer__user=user, checked_in_at__isnull=False).count()

    with file_database_for_threads(tmp_path):
        errors = _run_at_once([scanner(s, i) for i, s in enumerate(shifts)])
        records = _in_thread(count)
    assert errors == []
    # Three check-ins; the fourth refused by the daily limit (its message is in the thread's
    # language, not the test's).
    assert len(results) == 4 and results.count("checked_in") == 3
    assert records == 3
