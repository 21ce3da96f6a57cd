"""The volunteering API's checks in front of the services, each with its exact answer.

Written against the mutation check (bench/mutation_check.py).
"""

from __future__ import annotations

from django.utils import timezone

from qingyi.volunteering import services
from qingyi.volunteering.models import ServiceRecord, Signup

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
