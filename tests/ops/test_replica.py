"""The read-replica router (qingyi.core.dbrouter): figures, reports and exports read from the
replica; writes, reads in a transaction, reads after a write, and everything while the replica
lags too far or cannot be measured go to the primary.

The replica here is a mirror of the test database (a second connection to it, as Django's
TEST MIRROR does), so the tests run on SQLite as on PostgreSQL; the lag is set by replacing
``measure_lag`` (the PostgreSQL measurement itself runs in deploy/topology.sh's smoke journey
against a real streaming standby).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.signals import request_started
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from qingyi.core import dbrouter
from qingyi.core.dbrouter import REPLICA, ReplicaPinMiddleware, ReplicaRouter, read_alias, reporting_read
from qingyi.core.models import Notification
from qingyi.ops import health
from qingyi.volunteering.models import Project, ServiceRecord
from tests.volunteering.conftest import make_shift, make_volunteer

PERIOD = {"period": "2020-01-01..2030-12-31"}
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):
    """A ``replica`` database: a second connection to the test database (a mirror); or the one
    REPLICA_DATABASE_URL configured (a TEST MIRROR of the default database already)."""
    if REPLICA in connections.settings:
        yield REPLICA
        return
    connections.settings[REPLICA] = {**connections["default"].settings_dict, "TEST": {"MIRROR": "default"}}
    yield REPLICA
    connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def lag(monkeypatch, settings, replica_alias):
    """The replica's measured lag, as the test sets it (seconds, or None: cannot be measured)."""
    settings.REPLICA_MAX_LAG_SECONDS = 5
    settings.REPLICA_LAG_CHECK_SECONDS = 2
    state = {"lag": 0.0, "measured": 0}

    def measure():
        state["measured"] += 1
        return state["lag"]

    monkeypatch.setattr(dbrouter, "measure_lag", measure)
    dbrouter.forget_lag()
    dbrouter.start_unit_of_work()
    yield state
    dbrouter.forget_lag()
    dbrouter.start_unit_of_work()


# --- The decisions -------------------------------------------------------------------------


def test_without_a_replica_every_read_goes_to_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouter, "measure_lag", lambda: pytest.fail("no replica: the lag is never measured"))
    monkeypatch.delitem(connections.settings, REPLICA, raising=False)  # as when not configured
    with reporting_read():
        assert read_alias() == "default"
    assert ReplicaRouter().db_for_read(ServiceRecord) == "default"


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reporting_reads_go_to_the_replica_and_nothing_else_does(lag):
    router = ReplicaRouter()
    assert router.db_for_read(ServiceRecord) == "default"  # not a reporting read
    with reporting_read():
        assert router.db_for_read(ServiceRecord) == REPLICA
        assert router.db_for_write(ServiceRecord) == "default"  # a write: the primary...
        assert router.db_for_read(ServiceRecord) == "default"  # ...and every read after it
    assert not router.allow_migrate(REPLICA, "volunteering")
    assert router.allow_migrate("default", "volunteering")


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_new_request_forgets_the_previous_requests_write(lag):
    dbrouter.mark_written()
    with reporting_read():
        assert read_alias() == "default"
        request_started.send(sender=None)
        assert read_alias() == REPLICA


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_reads_inside_a_transaction_go_to_the_primary(lag):
    with reporting_read():
        assert read_alias() == REPLICA
        with transaction.atomic():
            assert read_alias() == "default"
        assert read_alias() == REPLICA


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
@pytest.mark.parametrize(
    ("measured", "expected"),
    [(0.0, REPLICA), (4.9, REPLICA), (5.0, REPLICA), (5.1, "default"), (600.0, "default"), (None, "default")],
)
def test_a_replica_lagging_past_the_limit_or_unmeasurable_is_not_read(lag, measured, expected):
    lag["lag"] = measured
    with reporting_read():
        assert read_alias() == expected


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_lag_is_measured_at_most_every_check_interval(lag, settings):
    lag["lag"] = 30.0  # far behind
    with reporting_read():
        assert dbrouter.replica_lag(now=100.0) == 30.0
        lag["lag"] = 0.0  # caught up: not seen until the interval has passed
        assert dbrouter.replica_lag(now=101.9) == 30.0
        assert lag["measured"] == 1
        assert dbrouter.replica_lag(now=102.0) == 0.0
        assert lag["measured"] == 2


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_a_browser_that_wrote_reads_from_the_primary_for_the_pin_time(lag, settings):
    settings.REPLICA_PIN_SECONDS = 7
    seen = []

    def writes(request):
        dbrouter.mark_written()
        return HttpResponse()

    def reads(request):
        with reporting_read():
            seen.append(read_alias())
        return HttpResponse()

    factory = RequestFactory()
    response = ReplicaPinMiddleware(writes)(factory.post("/"))
    cookie = response.cookies[dbrouter.PIN_COOKIE]
    assert cookie["max-age"] == 7 and cookie["httponly"]
    ReplicaPinMiddleware(reads)(factory.get("/", HTTP_COOKIE=f"{dbrouter.PIN_COOKIE}=1"))
    response = ReplicaPinMiddleware(reads)(factory.get("/"))
    assert seen == ["default", REPLICA]
    assert dbrouter.PIN_COOKIE not in response.cookies  # a read does not pin


# --- Through the views ----------------------------------------------------------------------


def _hours(personas):
    tree = personas.tree
    project = Project.objects.create(organization=tree.committee, name="导诊服务", kind=Project.Kind.OTHER)
    volunteer = make_volunteer(tree.branch_a, name="志愿者甲")
    shift = make_shift(project, start=timezone.now() - dt.timedelta(days=2))
    ServiceRecord.objects.create(
        shift=shift,
        volunteer=volunteer,
        project=project,
        served_on=timezone.localdate(shift.start),
        status="verified",
        verified_hours=Decimal("2.5"),
        recorded_hours=Decimal("2.5"),
        people_served=3,
    )
    return volunteer


def _export(client):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        response = client.get(reverse("volunteering:hours_export"), PERIOD)
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in replica.captured_queries]


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_hours_export_reads_from_the_replica(lag, personas, login):
    volunteer = _hours(personas)
    client = login(personas.coordinator)
    rows, primary, replica = _export(client)
    assert any(volunteer.name in row for row in rows[1:])
    assert any("volunteering_servicerecord" in sql for sql in replica)
    assert not any("volunteering_servicerecord" in sql for sql in primary)
    assert not any(sql.lstrip().upper().startswith(WRITES) for sql in replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_the_hours_export_reads_from_the_primary_while_the_replica_lags(lag, personas, login):
    volunteer = _hours(personas)
    client = login(personas.coordinator)
    lag["lag"] = 60.0
    rows, primary, replica = _export(client)
    assert any(volunteer.name in row for row in rows[1:])
    assert replica == []
    assert any("volunteering_servicerecord" in sql for sql in primary)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_after_a_write_the_same_browser_reads_its_figures_from_the_primary(lag, personas, login, settings):
    settings.REPLICA_PIN_SECONDS = 9
    _hours(personas)
    client = login(personas.coordinator)
    notification = Notification.objects.create(recipient=personas.coordinator, title="新班次")
    response = client.post(reverse("core:notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response.cookies[dbrouter.PIN_COOKIE]["max-age"] == 9
    # The export right after the write (the pin cookie still held) reads from the primary...
    _rows, primary, replica = _export(client)
    assert replica == [] and any("volunteering_servicerecord" in sql for sql in primary)
    # ...and from the replica once the cookie has expired.
    del client.cookies[dbrouter.PIN_COOKIE]
    _rows, _primary, replica = _export(client)
    assert any("volunteering_servicerecord" in sql for sql in replica)


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_figures_api_reads_from_the_replica(lag, personas, login):
    _hours(personas)
    client = login(personas.committee_admin)
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        response = client.get(
            "/api/v1/metrics/volunteering.verified_hours", {"period": "2020-01-01..2030-12-31"}
        )
    assert response.status_code == 200, response.content
    assert replica.captured_queries


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_ready_reports_the_replica_without_failing_for_it(lag, client):
    body = client.get("/ready/").json()
    assert body["status"] == "ok"
    assert body["replica"] == {
        "alias": REPLICA,
        "status": "ok",
        "lag_seconds": 0.0,
        "max_lag_seconds": 5,
        "serving_reports": True,
    }
    lag["lag"] = 12.0
    response = client.get("/ready/")
    assert response.status_code == 200  # the primary serves the reports meanwhile
    assert response.json()["replica"]["serving_reports"] is False
    assert health.readiness().keys() == {"database", "cache", "queue"}
