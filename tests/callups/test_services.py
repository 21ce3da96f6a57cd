import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingyi.callups import selectors, services
from qingyi.callups.models import CallUp, Response
from qingyi.core.models import Notification
from qingyi.volunteering.models import Project, Shift, Signup
from tests.callups.conftest import make_volunteer, open_callup, respond, send_all


def test_open_creates_a_volunteering_project_and_assignment_posts(callups):
    c = callups
    assert c.callup.status == CallUp.Status.DRAFT
    assert c.callup.project.kind == Project.Kind.OTHER
    assert c.callup.project.organization == c.tree.committee
    shifts = Shift.objects.filter(project=c.callup.project).order_by("pk")
    assert [(s.post.name, s.capacity, s.join_mode) for s in shifts] == [
        ("采样", 1, "assignment"),
        ("引导", 2, "assignment"),
    ]
    assert shifts[0].start == c.callup.starts_at


def test_end_before_start_is_refused_and_nothing_is_written(personas):
    start = timezone.now() + dt.timedelta(hours=2)
    projects = Project.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.callup_create(
            organization=personas.tree.committee,
            title="x",
            kind=CallUp.Kind.OTHER,
            starts_at=start,
            ends_at=start - dt.timedelta(hours=1),
            actor=personas.coordinator,
        )
    assert "ends before it starts" in str(exc.value)
    assert Project.objects.count() == projects and not CallUp.objects.exists()


def test_branch_admin_cannot_open_a_call_up_for_another_branch(personas):
    with pytest.raises(PermissionDenied):
        open_callup(personas.admin_a, personas.tree.branch_b)


def test_targeting_by_qualification_subtree_and_age(callups):
    c = callups
    preview = selectors.targeted_volunteers
    everyone = services.Targeting(organization=c.tree.committee)
    assert set(preview(c.callup, everyone)) == {c.young_a, c.old_a, c.young_b}
    assert set(preview(c.callup, services.Targeting(organization=c.tree.branch_a))) == {c.young_a, c.old_a}
    assert list(
        preview(c.callup, services.Targeting(organization=c.tree.committee, qualification=c.sampling))
    ) == [c.young_a]
    youth = services.Targeting(organization=c.tree.committee, max_age=35)
    assert set(preview(c.callup, youth)) == {c.young_a, c.young_b}
    assert list(preview(c.callup, services.Targeting(organization=c.tree.committee, min_age=40))) == [c.old_a]


def test_send_notifies_each_recipient_with_a_link_and_only_once(callups):
    c = callups
    assert send_all(c, organization=c.tree.branch_a) == 2
    c.callup.refresh_from_db()
    assert c.callup.status == CallUp.Status.SENT and c.callup.first_sent_at is not None
    notes = Notification.objects.filter(category="call_up")
    assert {n.recipient_id for n in notes} == {c.young_a.user_id, c.old_a.user_id}
    assert all(n.link == f"/callups/{c.callup.pk}/answer/" for n in notes)
    # Sending again to the whole tree reaches only the one who has not had it.
    assert send_all(c) == 1
    assert Response.objects.filter(callup=c.callup).count() == 3


def test_sending_with_zero_recipients_is_refused(callups):
    c = callups
    with pytest.raises(ValidationError) as exc:
        send_all(c, min_age=80)
    assert "No volunteer matches" in str(exc.value)
    c.callup.refresh_from_db()
    assert c.callup.status == CallUp.Status.DRAFT and not Notification.objects.exists()


def test_sending_without_posts_is_refused(personas):
    make_volunteer(personas.tree.branch_a, name="甲")
    callup = open_callup(personas.coordinator, personas.tree.committee)
    with pytest.raises(ValidationError, match="at least one post"):
        services.callup_send(
            callup=callup,
            targeting=services.Targeting(organization=personas.tree.committee),
            actor=personas.coordinator,
        )


def test_bad_age_range_is_refused(callups):
    with pytest.raises(ValidationError, match="youngest age cannot exceed"):
        send_all(callups, min_age=40, max_age=30)


def test_triage_call_up_carries_the_nurses_duty_notice(personas):
    make_volunteer(personas.tree.branch_a, name="甲")
    callup = open_callup(personas.coordinator, personas.tree.committee, kind=CallUp.Kind.TRIAGE_ASSIST)
    services.callup_post_add(callup=callup, name="测温", needed=2, actor=personas.coordinator)
    services.callup_send(
        callup=callup,
        targeting=services.Targeting(organization=personas.tree.committee),
        actor=personas.coordinator,
    )
    note = Notification.objects.get(category="call_up")
    assert "nurse's duty" in note.body and "only assist" in note.body


def test_respond_records_the_first_answer_time_and_refuses_the_same_answer_twice(callups):
    c = callups
    send_all(c)
    response = respond(c, c.young_a)
    assert response.answer == Response.Answer.ACCEPTED and response.responded_at is not None
    first = response.responded_at
    with pytest.raises(ValidationError, match="already accepted"):
        respond(c, c.young_a)
    changed = respond(c, c.young_a, "declined")
    assert changed.responded_at == first and changed.changed_at is not None


def test_a_volunteer_outside_the_targeting_cannot_respond(callups):
    c = callups
    send_all(c, organization=c.tree.branch_a)
    with pytest.raises(PermissionDenied):
        respond(c, c.young_b)
    assert not Response.objects.filter(volunteer=c.young_b).exists()


def test_nobody_answers_for_someone_else(callups):
    c = callups
    send_all(c)
    with pytest.raises(PermissionDenied):
        services.callup_respond(callup=c.callup, volunteer=c.young_a, answer="accepted", actor=c.old_a.user)


def test_responding_to_a_closed_call_up_is_refused(callups):
    c = callups
    send_all(c)
    services.callup_close(callup=c.callup, actor=c.personas.coordinator)
    with pytest.raises(ValidationError, match="closed"):
        respond(c, c.young_a)
    assert Response.objects.get(volunteer=c.young_a).answer == Response.Answer.PENDING


def test_fill_gives_an_accepted_responder_a_confirmed_place(callups):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    signup = services.callup_fill(
        callup=c.callup, shift=c.swab, volunteer=c.young_a, actor=c.personas.coordinator
    )
    assert signup.status == Signup.Status.CONFIRMED and signup.shift == c.swab
    # Once placed, the volunteer cannot change their answer.
    with pytest.raises(ValidationError, match="already have a place"):
        respond(c, c.young_a, "declined")


def test_filling_beyond_capacity_is_refused(callups):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    respond(c, c.young_b)
    services.callup_fill(callup=c.callup, shift=c.swab, volunteer=c.young_a, actor=c.personas.coordinator)
    with pytest.raises(ValidationError, match="full"):
        services.callup_fill(callup=c.callup, shift=c.swab, volunteer=c.young_b, actor=c.personas.coordinator)
    assert Signup.objects.filter(shift=c.swab).count() == 1


def test_overlapping_posts_for_one_volunteer_are_refused(callups):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    services.callup_fill(callup=c.callup, shift=c.swab, volunteer=c.young_a, actor=c.personas.coordinator)
    with pytest.raises(ValidationError, match="overlaps"):
        services.callup_fill(
            callup=c.callup, shift=c.guide, volunteer=c.young_a, actor=c.personas.coordinator
        )


def test_only_those_who_accepted_can_be_placed(callups):
    c = callups
    send_all(c)
    respond(c, c.old_a, "declined")
    for volunteer in (c.old_a, c.young_b):  # declined; no answer
        with pytest.raises(ValidationError, match="accepted"):
            services.callup_fill(
                callup=c.callup, shift=c.guide, volunteer=volunteer, actor=c.personas.coordinator
            )
    assert not Signup.objects.exists()


def test_a_shift_of_another_call_up_is_refused(callups):
    c = callups
    other = open_callup(c.personas.coordinator, c.tree.committee, title="另一次", hours=30)
    shift = services.callup_post_add(callup=other, name="采样", needed=3, actor=c.personas.coordinator)
    send_all(c)
    respond(c, c.young_a)
    with pytest.raises(ValidationError, match="another call-up"):
        services.callup_fill(callup=c.callup, shift=shift, volunteer=c.young_a, actor=c.personas.coordinator)


def test_closing_twice_is_refused_and_keeps_places(callups):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    services.callup_fill(callup=c.callup, shift=c.guide, volunteer=c.young_a, actor=c.personas.coordinator)
    services.callup_close(callup=c.callup, actor=c.personas.coordinator)
    with pytest.raises(ValidationError, match="closed"):
        services.callup_close(callup=c.callup, actor=c.personas.coordinator)
    with pytest.raises(ValidationError, match="closed"):
        services.callup_post_add(callup=c.callup, name="新", needed=1, actor=c.personas.coordinator)
    assert Signup.objects.get(volunteer=c.young_a).status == Signup.Status.CONFIRMED
