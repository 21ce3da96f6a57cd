import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qingyi.activities import selectors, services
from qingyi.activities.models import Activity, ActivityOrganizer, Attendance
from qingyi.organizations.models import PartyBranch
from tests.activities.conftest import at, plan
from tests.factories import PersonFactory


def test_admin_plans_an_activity_of_their_branch(personas):
    activity = plan(personas.admin_a, [personas.tree.branch_a], theme="二十大精神", speaker="张老师")
    assert activity.status == Activity.Status.PLANNED
    assert activity.organization == personas.tree.branch_a
    assert selectors.organizers_of(activity) == [personas.tree.branch_a]


def test_activity_that_ends_before_it_starts_is_refused_and_nothing_written(personas):
    start = at(days=1)
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            data={
                "kind": "theory_study",
                "title": "x",
                "starts_at": start,
                "ends_at": start - dt.timedelta(hours=1),
            },
            organizers=[personas.tree.branch_a],
            actor=personas.admin_a,
        )
    assert "ends before it starts" in str(exc.value)
    assert not Activity.objects.exists()


def test_admin_cannot_plan_for_another_branch(personas):
    with pytest.raises(PermissionDenied):
        plan(personas.admin_a, [personas.tree.branch_b])
    with pytest.raises(PermissionDenied):
        plan(personas.admin_a, [personas.tree.branch_a, personas.tree.branch_b])
    assert not Activity.objects.exists()


def test_joint_activity_defaults_to_the_organisers_paired_party_branch(personas):
    party = PartyBranch.objects.create(name="护理党支部")
    personas.tree.branch_a.party_branch = party
    personas.tree.branch_a.save()
    activity = plan(personas.admin_a, [personas.tree.branch_a], joint=True)
    assert activity.party_branch == party and activity.is_joint


def test_joint_activity_without_a_paired_party_branch_asks_for_one(personas):
    with pytest.raises(ValidationError, match="no paired party branch"):
        plan(personas.admin_a, [personas.tree.branch_a], joint=True)


def test_general_branch_activity_of_two_branches_expects_both(personas):
    tree = personas.tree
    general_admin = personas.committee_admin
    activity = plan(general_admin, [tree.branch_a, tree.branch_b])
    expected = set(selectors.expected_people(activity).values_list("pk", flat=True))
    assert {personas.member_person.pk, personas.person_a.pk, personas.person_b.pk} <= expected
    assert ActivityOrganizer.objects.filter(activity=activity).count() == 2


def test_visibility_follows_organisers_up_and_down(personas):
    tree = personas.tree
    own_a = plan(personas.admin_a, [tree.branch_a], title="A")
    own_b = plan(personas.admin_b, [tree.branch_b], title="B")
    committee = plan(personas.committee_admin, [tree.committee], title="C")
    seen_by_a = set(selectors.activities_for(personas.admin_a))
    assert seen_by_a == {own_a, committee}
    assert set(selectors.activities_for(personas.committee_admin)) == {own_a, own_b, committee}
    assert not selectors.activities_for(personas.member).exists()
    assert not selectors.activities_for(personas.coordinator).exists()


def test_record_held_marks_the_rest_absent_and_computes_quorum(personas):
    tree = personas.tree
    extra = [PersonFactory(organization=tree.branch_a) for _ in range(2)]
    meeting = plan(personas.admin_a, [tree.branch_a], kind=Activity.Kind.GENERAL_MEETING, start=at(hours=-2))
    # 4 expected (member, person_a and 2 more): 3 present is more than half.
    present = [personas.member_person, personas.person_a, extra[0]]
    services.attendance_save(
        activity=meeting, statuses={p.pk: "present" for p in present}, actor=personas.admin_a
    )
    services.activity_record_held(
        activity=meeting, summary="会议纪要", quorum_met=False, actor=personas.admin_a
    )
    meeting.refresh_from_db()
    assert meeting.status == Activity.Status.HELD
    assert meeting.quorum_met is True  # from the attendance, not the organiser's answer
    summary = selectors.attendance_summary(meeting)
    assert (summary.present, summary.absent, summary.expected) == (3, 1, 4)
    assert summary.rate == 75.0


def test_quorum_not_met_with_half_present(personas):
    tree = personas.tree
    meeting = plan(personas.admin_a, [tree.branch_a], kind=Activity.Kind.GENERAL_MEETING, start=at(hours=-2))
    services.attendance_save(
        activity=meeting,
        statuses={personas.member_person.pk: "present", personas.person_a.pk: "excused"},
        actor=personas.admin_a,
    )
    services.activity_record_held(activity=meeting, summary="纪要", actor=personas.admin_a)
    meeting.refresh_from_db()
    assert meeting.quorum_met is False


def test_general_meeting_without_attendance_keeps_the_organisers_answer(personas):
    meeting = plan(
        personas.admin_a, [personas.tree.branch_a], kind=Activity.Kind.GENERAL_MEETING, start=at(hours=-2)
    )
    services.activity_record_held(activity=meeting, summary="纪要", quorum_met=True, actor=personas.admin_a)
    meeting.refresh_from_db()
    assert meeting.quorum_met is True and not Attendance.objects.exists()


def test_future_activity_cannot_be_recorded_as_held(personas):
    activity = plan(personas.admin_a, [personas.tree.branch_a], start=at(days=2))
    with pytest.raises(ValidationError, match="not started"):
        services.activity_record_held(activity=activity, summary="x", actor=personas.admin_a)
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED


def test_record_held_needs_a_summary(personas, activity_a):
    with pytest.raises(ValidationError, match="summary"):
        services.activity_record_held(activity=activity_a, summary="  ", actor=personas.admin_a)


def test_attendance_for_a_person_outside_the_organisers_is_refused_and_nothing_saved(personas, activity_a):
    with pytest.raises(ValidationError, match="Not among the expected"):
        services.attendance_save(
            activity=activity_a,
            statuses={personas.person_a.pk: "present", personas.person_b.pk: "present"},
            actor=personas.admin_a,
        )
    assert not Attendance.objects.exists()


def test_attendance_list_saves_all_rows_and_updates(personas, activity_a):
    statuses = {personas.member_person.pk: "present", personas.person_a.pk: "absent"}
    assert services.attendance_save(activity=activity_a, statuses=statuses, actor=personas.admin_a) == 2
    statuses[personas.person_a.pk] = "excused"
    assert services.attendance_save(activity=activity_a, statuses=statuses, actor=personas.admin_a) == 1
    assert dict(Attendance.objects.values_list("person_id", "status")) == statuses


def test_admin_of_another_branch_cannot_take_attendance(personas, activity_a):
    with pytest.raises(PermissionDenied):
        services.attendance_save(activity=activity_a, statuses={}, actor=personas.admin_b)


def test_bad_attendance_value_is_refused(personas, activity_a):
    with pytest.raises(ValidationError, match="present, excused or absent"):
        services.attendance_save(
            activity=activity_a, statuses={personas.person_a.pk: "late"}, actor=personas.admin_a
        )


def test_attendance_changed_through_the_list_moves_updated_at(personas, activity_a):
    pk = personas.person_a.pk
    services.attendance_save(activity=activity_a, statuses={pk: "absent"}, actor=personas.admin_a)
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    Attendance.objects.filter(person_id=pk).update(updated_at=old)
    services.attendance_save(activity=activity_a, statuses={pk: "excused"}, actor=personas.admin_a)
    assert Attendance.objects.get(person_id=pk).updated_at > old
