import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qingyi.core.models import Notification, Setting
from qingyi.volunteering import services
from qingyi.volunteering.models import JoinMode, Qualification, Signup, VolunteerQualification
from tests.volunteering.conftest import make_shift, make_volunteer


def test_instant_signup_confirms_until_full_then_waits(vworld):
    a = make_volunteer(vworld.tree.branch_a)
    b = make_volunteer(vworld.tree.branch_a)
    first = services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )
    second = services.signup_create(shift=vworld.shift, volunteer=a, actor=a.user)
    third = services.signup_create(shift=vworld.shift, volunteer=b, actor=b.user)
    assert (first.status, second.status, third.status) == ("confirmed", "confirmed", "waiting")


def test_signing_up_twice_returns_the_same_signup(vworld):
    one = services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    two = services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    assert one.pk == two.pk and Signup.objects.count() == 1


def test_cancel_gives_the_place_to_the_first_waiting_and_tells_them(vworld):
    a = make_volunteer(vworld.tree.branch_a)
    b = make_volunteer(vworld.tree.branch_a)
    c = make_volunteer(vworld.tree.branch_a)
    mine = services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )
    services.signup_create(shift=vworld.shift, volunteer=a, actor=a.user)
    wait_b = services.signup_create(shift=vworld.shift, volunteer=b, actor=b.user)
    wait_c = services.signup_create(shift=vworld.shift, volunteer=c, actor=c.user)
    services.signup_cancel(signup=mine, actor=vworld.personas.member)
    wait_b.refresh_from_db()
    wait_c.refresh_from_db()
    assert wait_b.status == "confirmed" and wait_c.status == "waiting"
    told = Notification.objects.get(recipient=b.user)
    assert told.category == "waiting_list" and told.link.endswith(f"/shifts/{vworld.shift.pk}/")
    assert not Notification.objects.filter(recipient=c.user).exists()


def test_cancel_after_the_cutoff_is_refused_for_the_volunteer_but_not_the_coordinator(vworld):
    shift = make_shift(vworld.project, start=timezone.now() + dt.timedelta(hours=5))
    signup = services.signup_create(shift=shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    with pytest.raises(ValidationError, match="until 24 hours before"):
        services.signup_cancel(signup=signup, actor=vworld.personas.member)
    services.signup_cancel(signup=signup, actor=vworld.personas.coordinator)
    signup.refresh_from_db()
    assert signup.status == "cancelled"


def test_overlapping_shift_is_refused(vworld):
    services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    other = make_shift(vworld.project, start=vworld.shift.start + dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="overlaps"):
        services.signup_create(shift=other, volunteer=vworld.volunteer, actor=vworld.personas.member)
    assert not Signup.objects.filter(shift=other).exists()


def test_required_qualification_must_be_valid_on_the_shift_day(vworld):
    sampling = Qualification.objects.create(name="核酸采样")
    vworld.shift.required_qualifications.add(sampling)
    with pytest.raises(ValidationError, match="核酸采样"):
        services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    VolunteerQualification.objects.create(
        volunteer=vworld.volunteer,
        qualification=sampling,
        obtained_on=dt.date(2020, 1, 1),
        expires_on=timezone.localdate(),  # expires before the shift
    )
    with pytest.raises(ValidationError, match="核酸采样"):
        services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    VolunteerQualification.objects.update(expires_on=None)
    assert services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )


def test_insurance_required_shift_needs_cover_on_its_date(vworld):
    vworld.shift.insurance_required = True
    vworld.shift.save()
    with pytest.raises(ValidationError, match="insurance"):
        services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    vworld.volunteer.insurance_from = timezone.localdate()
    vworld.volunteer.insurance_until = timezone.localdate() + dt.timedelta(days=30)
    vworld.volunteer.save()
    assert services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )


def test_request_mode_holds_the_place_until_approved(vworld):
    vworld.shift.join_mode = JoinMode.REQUEST
    vworld.shift.save()
    signup = services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )
    assert signup.status == "requested"
    services.signup_approve(signup=signup, actor=vworld.personas.coordinator)
    signup.refresh_from_db()
    assert signup.status == "confirmed"


def test_assignment_shift_refuses_self_signup_but_takes_assignments(vworld):
    vworld.shift.join_mode = JoinMode.ASSIGNMENT
    vworld.shift.save()
    with pytest.raises(ValidationError, match="assigned"):
        services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    signup = services.signup_assign(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.coordinator
    )
    assert signup.status == "confirmed"


def test_no_shows_past_the_limit_block_signup_until_cleared(vworld):
    Setting.objects.create(key="volunteer_no_show_limit", value=2)
    past = [make_shift(vworld.project, start=timezone.now() - dt.timedelta(days=d)) for d in (10, 20)]
    for shift in past:
        Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=Signup.Status.CONFIRMED)
        assert services.signups_mark_no_shows(shift=shift, actor=vworld.personas.coordinator) == 1
    with pytest.raises(ValidationError, match="no-shows"):
        services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
    services.volunteer_clear_no_shows(volunteer=vworld.volunteer, actor=vworld.personas.coordinator)
    assert services.signup_create(
        shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member
    )


def test_member_of_branch_a_cannot_sign_up_for_branch_b_shift(vworld):
    shift_b = make_shift(vworld.project_b)
    with pytest.raises(PermissionDenied):
        services.signup_create(shift=shift_b, volunteer=vworld.volunteer, actor=vworld.personas.member)


def test_nobody_signs_up_someone_else(vworld):
    other = make_volunteer(vworld.tree.branch_a)
    with pytest.raises(PermissionDenied):
        services.signup_create(shift=vworld.shift, volunteer=other, actor=vworld.personas.member)


def test_started_or_cancelled_shift_takes_no_signups(vworld):
    started = make_shift(vworld.project, start=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="started"):
        services.signup_create(shift=started, volunteer=vworld.volunteer, actor=vworld.personas.member)
    services.shift_cancel(shift=vworld.shift, actor=vworld.personas.coordinator)
    with pytest.raises(ValidationError, match="cancelled"):
        services.signup_create(shift=vworld.shift, volunteer=vworld.volunteer, actor=vworld.personas.member)
