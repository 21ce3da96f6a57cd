"""Erasure of patient details after the retention period, and the escort figures."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from qingyi.core import metrics
from qingyi.core.models import Setting
from qingyi.core.periods import Period
from qingyi.core.rules import forget_setting
from qingyi.escorts import services
from qingyi.escorts.models import EscortRequest
from qingyi.escorts.tasks import erase_patient_data
from tests.escorts.conftest import done, file_request

NAMES = (
    "escorts.requested",
    "escorts.done",
    "escorts.cancelled",
    "escorts.average_rating",
    "escorts.median_minutes_to_assignment",
)


def _age(escort, days: int) -> None:
    """Move a request's times ``days`` into the past."""
    delta = dt.timedelta(days=days)
    row = EscortRequest.objects.get(pk=escort.pk)
    fields = {
        f: getattr(row, f) - delta
        for f in ("created_at", "wanted_at", "assigned_at", "started_at", "done_at", "cancelled_at")
        if getattr(row, f)
    }
    EscortRequest.objects.filter(pk=escort.pk).update(**fields)


def _figures(scope):
    return {name: metrics.get(name).value(scope) for name in NAMES}


def test_details_are_erased_after_the_retention_period_keeping_the_figures(escorts):
    old = done(escorts)
    services.escort_rate(escort=old, rating=4, comment="好")
    _age(old, 200)
    recent, _ = file_request(phone="13900009999")
    scope = metrics.Scope(
        escorts.personas.tree.committee,
        Period.parse(f"{timezone.now().year - 1}-01-01..{timezone.now().date()}"),
    )
    before = _figures(scope)
    assert services.escorts_erase_patient_data() == 1
    row = EscortRequest.objects.get(pk=old.pk)
    assert (row.patient_name, row.phone, row.needs, row.outcome_note, row.rating_comment) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert row.erased_at and row.rating == 4 and row.department == escorts.department and row.status == "done"
    assert EscortRequest.objects.get(pk=recent.pk).patient_name == "张三"
    assert _figures(scope) == before
    assert services.escorts_erase_patient_data() == 0  # idempotent


def test_an_open_request_is_erased_from_when_it_was_made(escorts):
    _age(escorts.new, 181)
    assert services.escorts_erase_patient_data() == 1


def test_the_committee_sets_the_retention_period(escorts):
    escort = done(escorts)
    _age(escort, 40)
    assert services.escorts_erase_patient_data() == 0
    Setting.objects.create(key="escort_retention_days", value=30)
    forget_setting("escort_retention_days")
    assert services.escorts_erase_patient_data() == 1


def test_the_command_and_the_task_erase(escorts):
    _age(escorts.new, 365)
    out = StringIO()
    call_command("erase_patient_data", "--dry-run", stdout=out)
    assert "1 escort request(s) would be erased" in out.getvalue()
    assert EscortRequest.objects.get(pk=escorts.new.pk).patient_name == "张三"
    result = erase_patient_data.enqueue()
    assert result.return_value == 1
    call_command("erase_patient_data", stdout=out)
    assert "of 0 escort request(s)" in out.getvalue()


def test_figures_by_subtree_and_period(escorts):
    tree = escorts.personas.tree
    a = done(escorts)
    services.escort_rate(escort=a, rating=5)
    EscortRequest.objects.filter(pk=a.pk).update(assigned_at=a.created_at + dt.timedelta(minutes=10))
    b, _ = file_request(phone="13900008888")
    b = services.escort_assign(escort=b, volunteer=escorts.volunteer_a, actor=escorts.personas.coordinator)
    EscortRequest.objects.filter(pk=b.pk).update(assigned_at=b.created_at + dt.timedelta(minutes=30))
    c, _ = file_request(phone="13900006666")
    services.escort_cancel(escort=c, reason="x", by_patient=True)
    file_request(phone="13900005555", organization=tree.branch_b)
    scope = metrics.Scope(tree.committee, Period.current_year())
    assert _figures(scope) == {
        "escorts.requested": 4,
        "escorts.done": 1,
        "escorts.cancelled": 1,
        "escorts.average_rating": 5.0,
        "escorts.median_minutes_to_assignment": 20.0,
    }
    branch = metrics.Scope(tree.branch_b, Period.current_year())
    assert metrics.get("escorts.requested").value(branch) == 1
    last_year = metrics.Scope(tree.committee, Period.year(timezone.now().year - 1))
    assert metrics.get("escorts.requested").value(last_year) == 0


def test_records_behind_a_figure_mask_the_patient(escorts, login):
    client = login(escorts.personas.coordinator)
    body = client.get(
        "/metrics/escorts.requested/", {"org": escorts.personas.tree.committee.pk}
    ).content.decode()
    assert "张*" in body and "张三" not in body and "13900001111" not in body
