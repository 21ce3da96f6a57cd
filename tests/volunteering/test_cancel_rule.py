"""Whether a sign-up can be cancelled is one predicate (``Signup.cancellable``): the cancel
service enforces its refusal, the pages show the button exactly where it says yes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from qingyi.volunteering import services
from qingyi.volunteering.models import Signup
from tests.volunteering.conftest import make_shift, make_volunteer

ALL = [s.value for s in Signup.Status]


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("hours_ahead", [5, 72])  # the default cut-off is 24 hours
@pytest.mark.parametrize("as_coordinator", [False, True])
def test_the_service_does_what_the_predicate_says(vworld, status, hours_ahead, as_coordinator):
    shift = make_shift(vworld.project, start=timezone.now() + dt.timedelta(hours=hours_ahead))
    signup = Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=status)
    expected = signup.cancellable(manager=as_coordinator, now=timezone.now())
    actor = vworld.personas.coordinator if as_coordinator else vworld.personas.member
    if expected:
        services.signup_cancel(signup=signup, actor=actor)
        signup.refresh_from_db()
        assert signup.status == Signup.Status.CANCELLED
    else:
        with pytest.raises(
            ValidationError, match=signup.cancel_refusal(manager=as_coordinator, now=timezone.now())[:20]
        ):
            services.signup_cancel(signup=signup, actor=actor)
    # The rule itself: active sign-ups only; the volunteer before the cut-off or from the
    # waiting list, the coordinator at any time.
    active = status in Signup.ACTIVE
    assert expected == (active and (as_coordinator or hours_ahead > 24 or status == Signup.Status.WAITING))


@pytest.mark.parametrize(
    ("status", "hours_ahead", "button"),
    [
        ("confirmed", 72, True),
        ("confirmed", 5, False),
        ("waiting", 5, True),
        ("refused", 72, False),
        ("no_show", 72, False),
    ],
)
def test_the_volunteers_pages_show_the_button_where_the_predicate_allows(
    vworld, login, status, hours_ahead, button
):
    shift = make_shift(vworld.project, start=timezone.now() + dt.timedelta(hours=hours_ahead))
    signup = Signup.objects.create(shift=shift, volunteer=vworld.volunteer, status=status)
    assert signup.cancellable(manager=False, now=timezone.now()) is button
    action = reverse("volunteering:signup_cancel", args=[signup.pk]).encode()
    page = login(vworld.personas.member).get(reverse("volunteering:shift_detail", args=[shift.pk]))
    assert (action in page.content) is button
    if status in Signup.ACTIVE:
        home = login(vworld.personas.member).get(reverse("volunteering:home"))
        assert (action in home.content) is button


def test_the_coordinators_list_offers_cancel_for_active_sign_ups_only(vworld, login):
    shift = make_shift(vworld.project, start=timezone.now() + dt.timedelta(hours=5))
    signups = {
        status: Signup.objects.create(
            shift=shift, volunteer=make_volunteer(vworld.tree.branch_a), status=status
        )
        for status in ALL
    }
    page = login(vworld.personas.coordinator).get(reverse("volunteering:shift_detail", args=[shift.pk]))
    for status, signup in signups.items():
        action = reverse("volunteering:signup_cancel", args=[signup.pk]).encode()
        assert (action in page.content) is signup.cancellable(manager=True, now=timezone.now()), status
        assert signup.cancellable(manager=True, now=timezone.now()) is (status in Signup.ACTIVE)
