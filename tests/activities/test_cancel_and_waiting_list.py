"""Cancelling a planned activity (kept, marked, counted nowhere, people told) and telling the
person promoted from a waiting list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qingyi.activities import services
from qingyi.activities.models import Activity, Registration
from qingyi.core import metrics
from qingyi.core.metrics import Scope
from qingyi.core.models import Notification
from qingyi.core.periods import Period
from tests.activities.conftest import at, plan
from tests.factories import PersonFactory, UserFactory


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
        activity=event, open=True, capacity=1, deadline=at(days=4), actor=personas.admin_a
    )


def test_cancel_keeps_the_activity_marks_it_and_tells_registrants_and_organisers(personas, care_event):
    waiting_user = UserFactory()
    waiting = PersonFactory(organization=personas.tree.branch_a, user=waiting_user)
    services.registration_create(activity=care_event, person=personas.member_person, actor=personas.member)
    services.registration_create(activity=care_event, person=waiting, actor=personas.admin_a)

    services.activity_cancel(activity=care_event, reason="场地临时检修", actor=personas.committee_admin)

    care_event.refresh_from_db()
    assert care_event.status == Activity.Status.CANCELLED
    assert care_event.cancel_reason == "场地临时检修"
    assert care_event.cancelled_by == personas.committee_admin
    assert not care_event.registration_open
    assert Registration.objects.filter(activity=care_event).count() == 2  # nothing deleted
    told = set(Notification.objects.filter(category="activity_cancelled").values_list("recipient", flat=True))
    assert told == {personas.member.pk, waiting_user.pk, personas.admin_a.pk}
    note = Notification.objects.get(recipient=personas.member, category="activity_cancelled")
    assert "场地临时检修" in note.body
    assert note.link == reverse("activities:mine")


def test_only_a_planned_activity_can_be_cancelled_and_a_reason_is_required(personas, activity_a):
    with pytest.raises(ValidationError, match="Say why"):
        services.activity_cancel(activity=activity_a, reason="   ", actor=personas.admin_a)
    activity_a.refresh_from_db()
    assert activity_a.status == Activity.Status.PLANNED
    services.activity_record_held(activity=activity_a, summary="学习了", actor=personas.admin_a)
    with pytest.raises(ValidationError, match="Only a planned activity"):
        services.activity_cancel(activity=activity_a, reason="错了", actor=personas.admin_a)
    assert not Notification.objects.exists()


def test_admin_of_another_branch_cannot_cancel(personas, activity_a):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.activity_cancel(activity=activity_a, reason="不办了", actor=personas.admin_b)


def test_cancelled_activity_takes_no_registration_check_in_or_record(personas, care_event):
    care_event = services.activity_cancel(activity=care_event, reason="取消", actor=personas.admin_a)
    with pytest.raises(ValidationError, match="cancelled"):
        services.registration_create(
            activity=care_event, person=personas.member_person, actor=personas.member
        )
    with pytest.raises(ValidationError, match="cancelled"):
        services.registration_configure(
            activity=care_event, open=True, capacity=None, deadline=None, actor=personas.admin_a
        )
    from qingyi.core.checkin import ScanRefused

    with pytest.raises(ScanRefused):
        services.attendance_check_in(
            activity=care_event, person=personas.member_person, at=care_event.starts_at
        )


def test_cancelled_activity_counts_nowhere_but_stays_in_the_list(personas, login):
    tree = personas.tree
    held = plan(personas.admin_a, [tree.branch_a], start=at(days=-3), title="已办")
    services.activity_record_held(activity=held, summary="学习了", actor=personas.admin_a)
    cancelled = plan(personas.admin_a, [tree.branch_a], start=at(days=-2), title="已取消的学习")
    services.activity_cancel(activity=cancelled, reason="专家临时出诊", actor=personas.admin_a)
    scope = Scope(organization=tree.committee, period=Period.current_year())
    assert metrics.get("activities.held").value(scope) == 1
    by_branch = {b.key: b.value for b in metrics.get("activities.compliance_by_branch").value(scope)}
    assert by_branch.get(str(tree.branch_a.pk), 0) == 1

    client = login(personas.admin_a)
    body = client.get(reverse("activities:list")).content.decode()
    assert "已取消的学习" in body
    detail = client.get(reverse("activities:detail", args=[cancelled.pk])).content.decode()
    assert 'id="cancelled"' in detail and "专家临时出诊" in detail
    assert reverse("activities:record", args=[cancelled.pk]) not in detail
    assert reverse("activities:cancel", args=[cancelled.pk]) not in detail


def test_cancel_page_refuses_an_empty_reason_and_cancels_with_one(personas, login):
    activity = plan(personas.admin_a, [personas.tree.branch_a], start=at(days=2))
    client = login(personas.admin_a)
    url = reverse("activities:cancel", args=[activity.pk])
    assert (
        reverse("activities:cancel", args=[activity.pk])
        in client.get(reverse("activities:detail", args=[activity.pk])).content.decode()
    )
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED
    response = client.post(url, {"reason": "x" * 301})
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED
    response = client.post(url, {"reason": "改期"})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.status == Activity.Status.CANCELLED


def test_member_and_other_branch_cannot_open_the_cancel_page(personas, login, activity_a):
    url = reverse("activities:cancel", args=[activity_a.pk])
    assert login(personas.admin_b).post(url, {"reason": "不办了"}).status_code == 404
    assert login(personas.member).post(url, {"reason": "不办了"}).status_code in (403, 404)
    activity_a.refresh_from_db()
    assert activity_a.status == Activity.Status.PLANNED


def test_person_promoted_from_the_waiting_list_is_told_with_a_link(personas, care_event):
    first_user, waiting_user = UserFactory(), UserFactory()
    first = PersonFactory(organization=personas.tree.branch_a, user=first_user)
    waiting = PersonFactory(organization=personas.tree.branch_a, user=waiting_user)
    reg = services.registration_create(activity=care_event, person=first, actor=personas.admin_a)
    services.registration_create(activity=care_event, person=waiting, actor=personas.admin_a)
    assert not Notification.objects.exists()

    services.registration_cancel(registration=reg, actor=first_user)

    note = Notification.objects.get(recipient=waiting_user)
    assert "青年联谊" in note.title
    assert note.link == reverse("activities:mine")
    assert note.category == "waiting_list"
    assert not Notification.objects.filter(recipient=first_user).exists()


def test_more_places_promote_and_tell_everyone_moved_up(personas, care_event):
    users = [UserFactory() for _ in range(3)]
    for user in users:
        person = PersonFactory(organization=personas.tree.branch_a, user=user)
        services.registration_create(activity=care_event, person=person, actor=personas.admin_a)
    services.registration_configure(
        activity=care_event, open=True, capacity=3, deadline=at(days=4), actor=personas.admin_a
    )
    told = set(Notification.objects.filter(category="waiting_list").values_list("recipient", flat=True))
    assert told == {users[1].pk, users[2].pk}


def test_promotion_from_the_waiting_list_moves_updated_at(personas, care_event):
    first = PersonFactory(organization=personas.tree.branch_a)
    waiting = PersonFactory(organization=personas.tree.branch_a)
    reg = services.registration_create(activity=care_event, person=first, actor=personas.admin_a)
    queued = services.registration_create(activity=care_event, person=waiting, actor=personas.admin_a)
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Registration.objects.filter(pk=queued.pk).update(updated_at=old)

    services.registration_cancel(registration=reg, actor=personas.admin_a)

    queued.refresh_from_db()
    assert queued.status == Registration.Status.CONFIRMED
    assert queued.updated_at > old
