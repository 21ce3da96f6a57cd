"""Volunteers are told of assignments, decisions, cancellations and reminded before a shift."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from qingyi.core.models import Notification, Setting
from qingyi.volunteering import services, tasks
from qingyi.volunteering.models import JoinMode, Signup
from tests.volunteering.conftest import make_shift, make_volunteer


def test_assignment_by_the_coordinator_notifies_the_volunteer(vworld):
    shift = make_shift(vworld.project, join_mode=JoinMode.ASSIGNMENT)
    services.signup_assign(shift=shift, volunteer=vworld.volunteer, actor=vworld.personas.coordinator)
    note = Notification.objects.get(recipient=vworld.personas.member)
    assert note.category == "assignment" and vworld.project.name in note.title


def test_approval_and_refusal_notify_the_volunteer(vworld):
    shift = make_shift(vworld.project, join_mode=JoinMode.REQUEST)
    other = make_volunteer(vworld.tree.branch_a)
    mine = services.signup_create(shift=shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    theirs = services.signup_create(shift=shift, volunteer=other, actor=other.user)
    services.signup_approve(signup=mine, actor=vworld.personas.coordinator)
    services.signup_refuse(signup=theirs, actor=vworld.personas.coordinator)
    assert (
        Notification.objects.filter(
            recipient=vworld.personas.member, category="volunteering_decision"
        ).count()
        == 1
    )
    refused = Notification.objects.get(recipient=other.user)
    assert "not accepted" in refused.title


def test_cancelling_a_shift_notifies_everyone_signed_up_but_not_the_cancelled(vworld):
    other = make_volunteer(vworld.tree.branch_a)
    gone = make_volunteer(vworld.tree.branch_a)
    services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    services.signup_create(shift=vworld.shift, volunteer=other, actor=other.user)
    left = services.signup_create(shift=vworld.shift, volunteer=gone, actor=gone.user)  # waiting
    services.signup_cancel(signup=left, actor=gone.user)
    services.shift_cancel(shift=vworld.shift, actor=vworld.personas.coordinator)
    told = set(
        Notification.objects.filter(category="volunteering_cancelled").values_list("recipient", flat=True)
    )
    assert told == {vworld.personas.member.pk, other.user.pk}


def test_a_refused_action_notifies_nobody(vworld):
    full = make_shift(vworld.project, capacity=1, join_mode=JoinMode.ASSIGNMENT)
    other = make_volunteer(vworld.tree.branch_a)
    services.signup_assign(shift=full, volunteer=other, actor=vworld.personas.coordinator)
    with pytest.raises(ValidationError):
        services.signup_assign(shift=full, volunteer=vworld.volunteer, actor=vworld.personas.coordinator)
    assert not Notification.objects.filter(recipient=vworld.personas.member).exists()


def _confirmed(vworld, *, starts_in: dt.timedelta):
    start = (timezone.now() + starts_in).replace(microsecond=0)
    shift = make_shift(vworld.project, start=start)
    volunteer = make_volunteer(vworld.tree.branch_a)
    return Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)


def test_reminders_go_once_to_confirmed_volunteers_of_shifts_within_the_window(vworld):
    soon = _confirmed(vworld, starts_in=dt.timedelta(hours=5))
    later = _confirmed(vworld, starts_in=dt.timedelta(hours=30))
    waiting = _confirmed(vworld, starts_in=dt.timedelta(hours=5))
    waiting.status = Signup.Status.WAITING
    waiting.save()
    cancelled_shift = _confirmed(vworld, starts_in=dt.timedelta(hours=2))
    cancelled_shift.shift.cancelled_at = timezone.now()
    cancelled_shift.shift.save()
    past = _confirmed(vworld, starts_in=-dt.timedelta(hours=1))

    assert services.shift_reminders_send() == 1
    assert services.shift_reminders_send() == 0  # a second run reminds nobody twice
    reminded = set(Notification.objects.filter(category="reminder").values_list("recipient", flat=True))
    assert reminded == {soon.volunteer.user_id}
    assert later.volunteer.user_id not in reminded and past.volunteer.user_id not in reminded
    assert Notification.objects.get(key=f"shift-reminder:{soon.pk}").link.endswith(
        f"/shifts/{soon.shift_id}/"
    )


def test_reminder_window_is_the_committee_setting(vworld):
    Setting.objects.create(key="volunteer_reminder_hours", value=48)
    later = _confirmed(vworld, starts_in=dt.timedelta(hours=30))
    out = StringIO()
    call_command("send_shift_reminders", stdout=out)
    assert "Sent 1" in out.getvalue()
    assert Notification.objects.filter(key=f"shift-reminder:{later.pk}").count() == 1


def test_reminder_task_takes_no_arguments_and_is_idempotent(vworld):
    soon = _confirmed(vworld, starts_in=dt.timedelta(hours=3))
    first = tasks.send_shift_reminders.enqueue()
    second = tasks.send_shift_reminders.enqueue()
    assert first.return_value == 1 and second.return_value == 0
    assert Notification.objects.filter(recipient_id=soon.volunteer.user_id).count() == 1
