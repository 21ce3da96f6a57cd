"""The volunteering API's checks in front of the services, each with its exact answer.

Written against the mutation check (bench/mutation_check.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from qingyi.core import checkin
from qingyi.core.models import Notification, Scan
from qingyi.volunteering import services
from qingyi.volunteering.models import (
    Project,
    Qualification,
    ServicePoint,
    ServiceRecord,
    Shift,
    ShiftSeries,
    Signup,
    StarAnnouncement,
    StarObjection,
    Volunteer,
)
from qingyi.volunteering.services import hours, service_points, shifts, stars
from tests.factories import PersonFactory
from tests.volunteering.conftest import make_shift, make_volunteer

API = "/api/v1/volunteering"


def test_cancelling_a_sign_up_of_another_organisation_is_404(vworld, api_as):
    # The API hides a sign-up the caller neither owns nor coordinates (404); the service
    # behind it would answer 403 and so reveal that it exists.
    signup = services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )
    api = api_as(vworld.personas.admin_b)
    response = api.client.post(
        f"{API}/signups/{signup.pk}/cancel", headers={"Authorization": f"Bearer {api.raw_token}"}
    )
    assert response.status_code == 404
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED


def test_a_volunteer_without_the_coordinator_right_lists_their_own_records(vworld, api_as):
    ServiceRecord.objects.create(
        shift=vworld.shift, volunteer=vworld.volunteer, project=vworld.project, served_on=timezone.localdate()
    )
    body = api_as(vworld.personas.member).get("/volunteering/records").json()
    assert body["count"] == 1


# --- The services' and views' own refusals, each reached as the wrong actor ----------------------


def _running_shift(project):
    """A shift of ``project`` that started 30 minutes ago: its check-in is open."""
    start = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=30)
    return make_shift(project, start=start, hours=3)


def _verified_hours(vworld, volunteer, amount: int) -> None:
    start = timezone.now() - dt.timedelta(days=30)
    shift = make_shift(vworld.project, start=start, hours=3)
    ServiceRecord.objects.create(
        shift=shift,
        volunteer=volunteer,
        project=vworld.project,
        served_on=timezone.localtime(start).date(),
        scheduled_hours=Decimal(amount),
        recorded_hours=Decimal(amount),
        verified_hours=Decimal(amount),
        status=ServiceRecord.Status.VERIFIED,
    )


@pytest.fixture
def announced(vworld):
    """Branch A's admin announced the member's first star (110 verified hours)."""
    _verified_hours(vworld, vworld.volunteer, 110)
    return stars.announcement_publish(volunteer_ids=[vworld.volunteer.pk], actor=vworld.personas.admin_a)


def test_scanning_the_code_of_a_shift_one_may_not_see_is_refused_and_records_nothing(vworld):
    # hours.shift_scan: raise PermissionDenied (project not visible to the volunteer).
    shift_b = _running_shift(vworld.project_b)
    with pytest.raises(PermissionDenied):
        hours.shift_scan(
            shift=shift_b,
            user=vworld.personas.member,
            code=checkin.rotating_code(shift_b.subject),
            client_id="scan-b",
            scanned_at=None,
        )
    assert not ServiceRecord.objects.exists()
    assert not Signup.objects.exists()
    assert not Scan.objects.exists()


def test_a_manager_volunteering_elsewhere_scanning_a_shift_they_manage_is_403(vworld, login):
    # hours.shift_scan: raise PermissionDenied, reached over the web: branch B's admin is a
    # volunteer of branch A. The scan page finds the shift as theirs to manage (views.shift_for),
    # but their volunteer record may not see it, so they cannot check themselves in.
    admin_b = vworld.personas.admin_b
    person = PersonFactory(organization=vworld.tree.branch_a, user=admin_b)
    Volunteer.objects.create(
        kind=Volunteer.Kind.STAFF,
        organization=vworld.tree.branch_a,
        person=person,
        user=admin_b,
        name=person.name,
        birth_date=person.birth_date,
    )
    shift_b = _running_shift(vworld.project_b)
    response = login(admin_b).post(
        reverse("volunteering:scan", args=[shift_b.pk]),
        {"code": checkin.rotating_code(shift_b.subject), "client_id": "scan-b"},
    )
    assert response.status_code == 403
    assert not ServiceRecord.objects.exists()
    assert not Signup.objects.exists()
    assert not Scan.objects.exists()


def test_scanning_a_point_of_a_project_one_may_not_see_is_refused_and_records_nothing(vworld):
    # service_points.point_scan: raise PermissionDenied (project not visible to the volunteer).
    shift_b = _running_shift(vworld.project_b)
    point_b = ServicePoint.objects.select_related("project__organization").get(
        pk=ServicePoint.objects.create(project=vworld.project_b, name="乙支部服务点").pk
    )
    with pytest.raises(PermissionDenied):
        service_points.point_scan(
            point=point_b,
            user=vworld.personas.member,
            code=checkin.rotating_code(point_b.subject),
            client_id="point-b",
            scanned_at=None,
        )
    assert not ServiceRecord.objects.filter(shift=shift_b).exists()
    assert not Signup.objects.exists()
    assert not Scan.objects.exists()


def test_assigning_a_volunteer_who_may_not_see_the_shift_and_is_not_ones_own_is_refused(vworld):
    # services.signup_assign: raise PermissionDenied (the actor manages the shift but neither the
    # volunteer's organisation nor is the shift visible to the volunteer).
    shift_b = make_shift(vworld.project_b)
    with pytest.raises(PermissionDenied):
        services.signup_assign(shift=shift_b, volunteer=vworld.volunteer, actor=vworld.personas.admin_b)
    assert not Signup.objects.exists()
    assert not Notification.objects.exists()


def test_cancelling_another_volunteers_sign_up_without_managing_the_shift_is_refused(vworld):
    # services.signup_cancel: raise PermissionDenied (neither a manager of the shift nor the
    # volunteer).
    signup = services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )
    for actor in (vworld.personas.admin_b, vworld.personas.outsider):
        with pytest.raises(PermissionDenied):
            services.signup_cancel(signup=signup, actor=actor)
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED


def test_registering_another_organisations_person_as_a_volunteer_is_refused(vworld):
    # services.volunteer_register_staff: raise PermissionDenied (not their own record and no
    # volunteering.manage over the person's organisation).
    person_a = vworld.personas.person_a
    for actor in (vworld.personas.admin_b, vworld.personas.member):
        with pytest.raises(PermissionDenied):
            services.volunteer_register_staff(person=person_a, actor=actor)
    assert not Volunteer.objects.unscoped("test").filter(person=person_a).exists()


def test_a_branch_admin_cannot_create_a_qualification_type(vworld):
    # services._require_types_manager: raise PermissionDenied (types are the committee's).
    before = Qualification.objects.count()
    with pytest.raises(PermissionDenied):
        services.qualification_type_create(name="院感培训", validity_months=12, actor=vworld.personas.admin_a)
    assert Qualification.objects.count() == before


def test_changing_a_project_of_another_organisation_is_refused(vworld):
    # services.project_update: scoping.require_perm(actor, MANAGE, project.organization).
    project_b = vworld.project_b
    with pytest.raises(PermissionDenied):
        services.project_update(
            project=project_b, name="改名", kind=Project.Kind.OTHER, actor=vworld.personas.admin_a
        )
    project_b.refresh_from_db()
    assert (project_b.name, project_b.kind) == ("乙支部项目", Project.Kind.ELDERLY)


def test_a_member_cannot_announce_star_levels(vworld):
    # stars.announcement_publish: raise PermissionDenied (no volunteering.manage anywhere). The
    # volunteer is due; without the check the member's empty due list would answer "not due".
    _verified_hours(vworld, vworld.volunteer, 110)
    with pytest.raises(PermissionDenied):
        stars.announcement_publish(volunteer_ids=[vworld.volunteer.pk], actor=vworld.personas.member)
    assert not StarAnnouncement.objects.exists()


def test_an_objection_from_outside_the_hospital_is_refused(vworld, announced):
    # stars.objection_raise: raise PermissionDenied (announcement not of the actor's hospital).
    entry = announced.entries.select_related("announcement__organization", "volunteer").get()
    notifications = Notification.objects.count()
    with pytest.raises(PermissionDenied):
        stars.objection_raise(entry=entry, text="异议", actor=vworld.personas.outsider)
    assert not StarObjection.objects.exists()
    assert Notification.objects.count() == notifications


def test_deciding_an_objection_of_another_branchs_announcement_is_403_before_the_form_is_read(
    vworld, announced, login
):
    # views_stars.star_entry_decide: raise PermissionDenied (not a manager of the announcement).
    # Branch B's admin sees the hospital's announcement but decides nothing in it: refused
    # before the form is read (without the check, an incomplete form answers with its errors;
    # a complete one is refused by stars.objection_decide).
    stars.objection_raise(entry=announced.entries.get(), text="异议", actor=vworld.personas.member)
    entry = announced.entries.get()
    client = login(vworld.personas.admin_b)
    response = client.post(reverse("volunteering:star_entry_decide", args=[entry.pk]), {"reason": "x"})
    assert response.status_code == 403
    response = client.post(
        reverse("volunteering:star_entry_decide", args=[entry.pk]), {"decision": "dismissed", "reason": ""}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert (entry.decision, entry.decided_by_id) == ("", None)


# --- The services' MANAGE checks, reached by a direct call as branch A's admin on branch B ------
# The views refuse first, so only a direct call shows these. Branch B's volunteer holds a
# confirmed place, so without the check each call would go through (and write).


@pytest.fixture
def b_side(vworld):
    """A running shift of branch B's project and branch B's volunteer with a confirmed place."""
    shift_b = _running_shift(vworld.project_b)
    volunteer_b = make_volunteer(vworld.tree.branch_b)
    signup_b = Signup.objects.create(shift=shift_b, volunteer=volunteer_b, status=Signup.Status.CONFIRMED)
    return SimpleNamespace(shift=shift_b, volunteer=volunteer_b, signup=signup_b)


def _b_record(b_side) -> ServiceRecord:
    return ServiceRecord.objects.create(
        shift=b_side.shift,
        volunteer=b_side.volunteer,
        project=b_side.shift.project,
        served_on=timezone.localdate(),
        scheduled_hours=b_side.shift.scheduled_hours,
        recorded_hours=Decimal(1),
        status=ServiceRecord.Status.RECORDED,
    )


def test_checking_in_by_hand_on_another_branchs_shift_is_refused(vworld, b_side):
    # hours.record_check_in_by_hand: scoping.require_perm(actor, MANAGE, shift.project.organization).
    with pytest.raises(PermissionDenied):
        hours.record_check_in_by_hand(
            shift=b_side.shift,
            volunteer=b_side.volunteer,
            at=timezone.now(),
            reason="忘带手机",
            actor=vworld.personas.admin_a,
        )
    assert not ServiceRecord.objects.exists()


def test_adding_hours_on_another_branchs_shift_is_refused(vworld, b_side):
    # hours.hours_add: scoping.require_perm(actor, MANAGE, shift.project.organization).
    with pytest.raises(PermissionDenied):
        hours.hours_add(
            shift=b_side.shift,
            volunteer=b_side.volunteer,
            hours=Decimal(1),
            people_served=3,
            reason="补录",
            actor=vworld.personas.admin_a,
        )
    assert not ServiceRecord.objects.exists()


def test_verifying_another_branchs_shift_is_refused(vworld, b_side):
    # hours.hours_verify_shift: scoping.require_perm(actor, MANAGE, shift.project.organization).
    record = _b_record(b_side)
    with pytest.raises(PermissionDenied):
        hours.hours_verify_shift(
            shift=b_side.shift,
            rows=[hours.VerifyRow(record_id=record.pk, hours=Decimal(1), people_served=0)],
            actor=vworld.personas.admin_a,
        )
    record.refresh_from_db()
    assert (record.status, record.verified_hours, record.verified_by_id) == (
        ServiceRecord.Status.RECORDED,
        None,
        None,
    )


def test_correcting_a_record_of_another_branchs_shift_is_refused(vworld, b_side):
    # hours.record_correct: scoping.require_perm(actor, MANAGE, shift.project.organization).
    record = _b_record(b_side)
    with pytest.raises(PermissionDenied):
        hours.record_correct(
            record=record, hours=Decimal(2), people_served=0, reason="更正", actor=vworld.personas.admin_a
        )
    record.refresh_from_db()
    assert record.recorded_hours == Decimal(1)


def test_changing_a_service_point_of_another_branch_is_refused(vworld):
    # service_points.point_update: scoping.require_perm(actor, MANAGE, point.project.organization).
    point_b = ServicePoint.objects.create(project=vworld.project_b, name="乙支部服务点", place="三楼")
    with pytest.raises(PermissionDenied):
        service_points.point_update(point=point_b, name="改名", place="一楼", actor=vworld.personas.admin_a)
    point_b.refresh_from_db()
    assert (point_b.name, point_b.place) == ("乙支部服务点", "三楼")


def test_restoring_a_service_point_of_another_branch_is_refused(vworld):
    # service_points.point_restore: scoping.require_perm(actor, MANAGE, point.project.organization).
    archived_at = timezone.now() - dt.timedelta(days=1)
    point_b = ServicePoint.objects.create(
        project=vworld.project_b, name="乙支部服务点", archived_at=archived_at
    )
    with pytest.raises(PermissionDenied):
        service_points.point_restore(point=point_b, actor=vworld.personas.admin_a)
    point_b.refresh_from_db()
    assert point_b.archived_at == archived_at


def test_creating_a_shift_in_another_branchs_project_is_refused(vworld):
    # shifts.shift_create: scoping.require_perm(actor, MANAGE, project.organization).
    start = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    with pytest.raises(PermissionDenied):
        shifts.shift_create(
            project=vworld.project_b,
            start=start,
            end=start + dt.timedelta(hours=3),
            capacity=5,
            actor=vworld.personas.admin_a,
        )
    assert not Shift.objects.filter(project=vworld.project_b).exists()


def test_creating_a_shift_series_in_another_branchs_project_is_refused(vworld):
    # shifts.shift_series_create: scoping.require_perm(actor, MANAGE, project.organization).
    first_day = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(PermissionDenied):
        shifts.shift_series_create(
            project=vworld.project_b,
            weekdays=range(7),
            first_day=first_day,
            last_day=first_day + dt.timedelta(days=6),
            start_time=dt.time(8),
            end_time=dt.time(11, 30),
            capacity=5,
            actor=vworld.personas.admin_a,
        )
    assert not ShiftSeries.objects.exists()
    assert not Shift.objects.filter(project=vworld.project_b).exists()


def test_changing_a_shift_of_another_branch_is_refused(vworld):
    # shifts.shift_update: scoping.require_perm(actor, MANAGE, shift.project.organization).
    shift_b = make_shift(vworld.project_b, capacity=5, place="三楼")
    with pytest.raises(PermissionDenied):
        shifts.shift_update(
            shift=shift_b, data={"capacity": 9, "place": "一楼"}, actor=vworld.personas.admin_a
        )
    shift_b.refresh_from_db()
    assert (shift_b.capacity, shift_b.place) == (5, "三楼")


def test_cancelling_a_shift_of_another_branch_is_refused(vworld, b_side):
    # shifts.shift_cancel: scoping.require_perm(actor, MANAGE, shift.project.organization).
    with pytest.raises(PermissionDenied):
        shifts.shift_cancel(shift=b_side.shift, actor=vworld.personas.admin_a)
    b_side.shift.refresh_from_db()
    b_side.signup.refresh_from_db()
    assert b_side.shift.cancelled_at is None
    assert b_side.signup.status == Signup.Status.CONFIRMED
    assert not Notification.objects.exists()


def test_assigning_a_volunteer_to_a_visible_shift_one_does_not_manage_is_refused(vworld):
    # signups.signup_assign: scoping.require_perm(actor, MANAGE, shift.project.organization).
    # Branch B's admin does not manage the committee's shift, but its committee project is
    # visible to branch A's volunteer: the later check (volunteer's organisation or shift
    # visible to them) lets it through, so only this one refuses.
    with pytest.raises(PermissionDenied):
        services.signup_assign(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.admin_b)
    assert not Signup.objects.exists()
    assert not Notification.objects.exists()


def _requested_b(b_side) -> Signup:
    Signup.objects.filter(pk=b_side.signup.pk).update(status=Signup.Status.REQUESTED)
    return b_side.signup


def test_approving_a_request_for_another_branchs_shift_is_refused(vworld, b_side):
    # signups.signup_approve: scoping.require_perm(actor, MANAGE, shift.project.organization).
    signup = _requested_b(b_side)
    with pytest.raises(PermissionDenied):
        services.signup_approve(signup=signup, actor=vworld.personas.admin_a)
    signup.refresh_from_db()
    assert (signup.status, signup.decided_by_id) == (Signup.Status.REQUESTED, None)
    assert not Notification.objects.exists()


def test_refusing_a_request_for_another_branchs_shift_is_refused(vworld, b_side):
    # signups.signup_refuse: scoping.require_perm(actor, MANAGE, shift.project.organization).
    signup = _requested_b(b_side)
    with pytest.raises(PermissionDenied):
        services.signup_refuse(signup=signup, actor=vworld.personas.admin_a)
    signup.refresh_from_db()
    assert (signup.status, signup.decided_by_id) == (Signup.Status.REQUESTED, None)
    assert not Notification.objects.exists()


def test_marking_no_shows_on_another_branchs_shift_is_refused(vworld):
    # signups.signups_mark_no_shows: scoping.require_perm(actor, MANAGE, shift.project.organization).
    ended = make_shift(vworld.project_b, start=timezone.now() - dt.timedelta(days=1), hours=3)
    signup = Signup.objects.create(
        shift=ended, volunteer=make_volunteer(vworld.tree.branch_b), status=Signup.Status.CONFIRMED
    )
    with pytest.raises(PermissionDenied):
        services.signups_mark_no_shows(shift=ended, actor=vworld.personas.admin_a)
    signup.refresh_from_db()
    assert signup.status == Signup.Status.CONFIRMED
