"""The escort life cycle in the services: each move checked, nothing skipped or half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingyi.core.models import Notification
from qingyi.core.ratelimit import RateLimited
from qingyi.escorts import selectors, services
from qingyi.escorts.models import EscortRequest, token_digest
from qingyi.volunteering.models import Volunteer
from tests.core.test_text import wide
from tests.escorts.conftest import assigned, done, file_request, make_volunteer, under_way

S = EscortRequest.Status


def _state(escort):
    row = EscortRequest.objects.get(pk=escort.pk)
    return (
        row.status,
        row.volunteer_id,
        row.started_at,
        row.done_at,
        row.cancelled_at,
        row.rating,
        row.outcome_note,
    )


def test_a_public_request_belongs_to_the_committee_and_stores_only_the_token_digest(escorts):
    escort = EscortRequest.objects.get(pk=escorts.new.pk)
    assert escort.organization == escorts.personas.tree.committee
    assert escort.status == S.NEW
    assert escort.token_digest == token_digest(escorts.token)
    assert escorts.token not in escort.token_digest
    assert services.escort_by_token(escorts.token) == escort
    assert services.escort_by_token("x" + escorts.token) is None


def test_phone_is_normalised(escorts):
    escort, _ = file_request(phone="+86 139 0000 2222")
    assert escort.phone == "13900002222"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "1390000111a"}, "phone"),
        ({"wanted_at": "past"}, "wanted_at"),
        ({"wanted_at": "far"}, "wanted_at"),
        ({"patient_name": "  "}, "patient_name"),
        ({"needs": "x" * 501}, "needs"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_written(escorts, changes, field):
    now = timezone.now()
    values = {
        "patient_name": "李四",
        "phone": "13900003333",
        "wanted_at": now + dt.timedelta(hours=1),
        "needs": "",
    }
    values.update(changes)
    if values["wanted_at"] == "past":
        values["wanted_at"] = now - dt.timedelta(hours=1)
    if values["wanted_at"] == "far":
        values["wanted_at"] = now + dt.timedelta(days=90)
    before = EscortRequest.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.escort_request_create(data=services.RequestData(department=None, **values), ip="10.0.0.2")
    assert field in exc.value.message_dict and exc.value.message_dict[field][0]
    assert EscortRequest.objects.count() == before


def test_a_flood_from_one_address_is_refused(db, personas):
    for i in range(services.RATE_PER_IP[0]):
        file_request(phone=f"1390000{i:04d}", ip="10.1.1.1")
    with pytest.raises(ValidationError, match="Too many requests from this network"):
        file_request(phone="13911112222", ip="10.1.1.1")
    assert EscortRequest.objects.count() == services.RATE_PER_IP[0]
    file_request(phone="13911112222", ip="10.1.1.2")  # another address is not affected


def test_the_answer_does_not_tell_whether_a_phone_has_open_requests(db, personas):
    """Hole 5: the form answered "this phone number already has 2 open requests" — a lookup of
    patients' phones. Now a request for a phone with open requests is taken like any other, and
    the dispatcher sees them together."""
    for i in range(3):
        file_request(phone="13933334444", ip=f"10.3.0.{i}")
    file_request(phone="13933334444", ip="10.3.1.1")  # was refused: "already has 2 open requests"
    assert EscortRequest.objects.filter(phone="13933334444").count() == 4
    board = selectors.dispatch_board(personas.committee_admin)
    assert {e.open_for_phone for e in board if e.phone == "13933334444"} == {4}


def test_the_network_limit_is_counted_before_anything_is_looked_up(db, personas, django_assert_num_queries):
    for i in range(services.RATE_PER_IP[0]):
        file_request(phone=f"1394444{i:04d}", ip="10.4.0.1")
    with django_assert_num_queries(0), pytest.raises(RateLimited):
        file_request(phone="13933334444", ip="10.4.0.1")


def test_full_width_phone_and_invisible_characters_in_the_name_are_folded(db, personas):
    escort, _ = file_request(phone=wide("139 0000 5555"), name="\u202e张\u200b三\ufeff")
    assert escort.phone == "13900005555" and escort.patient_name == "张三"


def test_assignment_notifies_the_volunteer(escorts):
    escort = assigned(escorts)
    assert (escort.status, escort.volunteer, escort.assigned_by) == (
        S.ASSIGNED,
        escorts.volunteer_a,
        escorts.personas.coordinator,
    )
    n = Notification.objects.get(recipient=escorts.volunteer_a.user)
    assert n.link == f"/escorts/{escort.pk}/"
    assert "张三" not in n.title + n.body  # no patient data outside the platform


def test_reassignment_keeps_the_first_assignment_time_and_tells_both(escorts):
    first = assigned(escorts)
    other = make_volunteer(escorts.personas.tree.branch_a, name="丙志愿者")
    second = services.escort_assign(escort=first, volunteer=other, actor=escorts.personas.coordinator)
    assert second.volunteer == other and second.assigned_at == first.assigned_at
    assert Notification.objects.filter(recipient=other.user).count() == 1
    assert Notification.objects.filter(recipient=escorts.volunteer_a.user).count() == 2


def test_the_full_life_and_one_rating(escorts):
    escort = done(escorts)
    assert escort.status == S.DONE and escort.started_at and escort.done_at and escort.outcome_note
    services.escort_rate(escort=escort, rating=5, comment="很好")
    with pytest.raises(ValidationError, match="already been rated"):
        services.escort_rate(escort=escort, rating=1)
    assert EscortRequest.objects.get(pk=escort.pk).rating == 5


@pytest.mark.parametrize(
    "step, move, message",
    [
        ("new", "start", "Only an assigned request can be started"),
        ("new", "complete", "Only a request under way can be completed"),
        ("assigned", "complete", "Only a request under way can be completed"),
        ("under_way", "assign", "Only a new or assigned request can be assigned"),
        ("done", "cancel", "can no longer be cancelled"),
        ("done", "start", "Only an assigned request can be started"),
        ("cancelled", "assign", "Only a new or assigned request can be assigned"),
    ],
)
def test_a_transition_out_of_order_is_refused_and_changes_nothing(escorts, step, move, message):
    coordinator = escorts.personas.coordinator
    escort = {
        "new": lambda: escorts.new,
        "assigned": lambda: assigned(escorts),
        "under_way": lambda: under_way(escorts),
        "done": lambda: done(escorts),
        "cancelled": lambda: services.escort_cancel(escort=escorts.new, reason="x", actor=coordinator),
    }[step]()
    before = _state(escort)
    other = make_volunteer(escorts.personas.tree.branch_a, name="丁志愿者")
    action = {
        "start": lambda: services.escort_start(escort=escort, actor=coordinator),
        "complete": lambda: services.escort_complete(escort=escort, note="n", actor=coordinator),
        "assign": lambda: services.escort_assign(escort=escort, volunteer=other, actor=coordinator),
        "cancel": lambda: services.escort_cancel(escort=escort, reason="r", actor=coordinator),
    }[move]
    with pytest.raises(ValidationError, match=message):
        action()
    assert _state(escort) == before


def test_completing_needs_a_note_and_cancelling_a_reason(escorts):
    escort = under_way(escorts)
    with pytest.raises(ValidationError, match="short note"):
        services.escort_complete(escort=escort, note="  ", actor=escorts.volunteer_a.user)
    with pytest.raises(ValidationError, match="reason"):
        services.escort_cancel(escort=escort, reason="", actor=escorts.personas.coordinator)
    assert EscortRequest.objects.get(pk=escort.pk).status == S.UNDER_WAY


def test_assigning_a_volunteer_outside_my_organisations_is_refused(escorts):
    admin_a = escorts.personas.admin_a  # manages volunteering in branch A only
    escort, _ = file_request(organization=escorts.personas.tree.branch_a, phone="13944445555")
    with pytest.raises(ValidationError, match="outside the organisations you coordinate"):
        services.escort_assign(escort=escort, volunteer=escorts.volunteer_b, actor=admin_a)
    assert EscortRequest.objects.get(pk=escort.pk).status == S.NEW
    services.escort_assign(escort=escort, volunteer=escorts.volunteer_a, actor=admin_a)


def test_only_active_volunteers_with_a_login_can_be_assigned(escorts):
    no_login = make_volunteer(escorts.personas.tree.branch_a, name="无账号", user=None)
    with pytest.raises(ValidationError, match="no login"):
        services.escort_assign(escort=escorts.new, volunteer=no_login, actor=escorts.personas.coordinator)
    suspended = make_volunteer(escorts.personas.tree.branch_a, name="停用", status=Volunteer.Status.SUSPENDED)
    with pytest.raises(ValidationError, match="not an active volunteer"):
        services.escort_assign(escort=escorts.new, volunteer=suspended, actor=escorts.personas.coordinator)


def test_nobody_else_moves_a_request(escorts):
    escort = assigned(escorts)
    with pytest.raises(PermissionDenied):
        services.escort_start(escort=escort, actor=escorts.personas.member)
    with pytest.raises(PermissionDenied):
        services.escort_assign(escort=escort, volunteer=escorts.volunteer_a, actor=escorts.personas.member)
    with pytest.raises(PermissionDenied):  # the volunteer runs the escort but does not cancel it
        services.escort_cancel(escort=escort, reason="x", actor=escorts.volunteer_a.user)
    with pytest.raises(PermissionDenied):  # branch B's admin does not coordinate committee requests
        services.escort_assign(escort=escort, volunteer=escorts.volunteer_b, actor=escorts.personas.admin_b)


def test_the_patient_may_cancel_until_the_escort_is_under_way(escorts):
    escort = assigned(escorts)
    services.escort_cancel(escort=escort, reason="不需要了", by_patient=True)
    escort.refresh_from_db()
    assert escort.status == S.CANCELLED and escort.cancelled_by is None
    assert Notification.objects.filter(
        recipient=escorts.volunteer_a.user, title__contains="cancelled"
    ).exists()
    other, _ = file_request(phone="13955556666")
    escorts.new = other
    running = under_way(escorts)
    with pytest.raises(ValidationError, match="already under way"):
        services.escort_cancel(escort=running, reason="x", by_patient=True)


def test_only_a_done_escort_can_be_rated_from_1_to_5(escorts):
    with pytest.raises(ValidationError, match="once it is done"):
        services.escort_rate(escort=escorts.new, rating=4)
    escort = done(escorts)
    with pytest.raises(ValidationError, match="1 to 5"):
        services.escort_rate(escort=escort, rating=6)
    assert EscortRequest.objects.get(pk=escort.pk).rating is None
