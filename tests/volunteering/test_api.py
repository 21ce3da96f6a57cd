import datetime as dt

from django.utils import timezone

from qingyi.core import checkin
from qingyi.volunteering.models import ServiceRecord, Signup
from tests.volunteering.conftest import make_shift, make_volunteer

API = "/api/v1/volunteering"


def test_volunteer_lists_open_shifts_signs_up_and_checks_in(vworld, api_as):
    api = api_as(vworld.personas.member)
    listing = api.get("/volunteering/shifts/open")
    assert listing.status_code == 200
    assert [s["id"] for s in listing.json()["items"]] == [vworld.shift.pk]
    created = api.post(f"/volunteering/shifts/{vworld.shift.pk}/signup")
    assert created.status_code == 200 and created.json()["status"] == "confirmed"
    running = make_shift(vworld.project, start=timezone.now() - dt.timedelta(minutes=5))
    Signup.objects.create(shift=running, volunteer=vworld.volunteer, status="confirmed")
    body = {"code": checkin.rotating_code(running.subject), "client_id": "api-1"}
    scan = api.client.post(
        f"{API}/shifts/{running.pk}/scan",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw_token}"},
    )
    assert scan.status_code == 200 and scan.json()["result"] == "checked_in"
    records = api.get("/volunteering/records", {"mine": "true"}).json()
    assert records["count"] == 1 and records["items"][0]["verified_hours"] is None


def test_full_shift_puts_api_signup_on_waiting_list_and_bad_input_is_422(vworld, api_as):
    for _ in range(2):
        Signup.objects.create(
            shift=vworld.shift, volunteer=make_volunteer(vworld.tree.branch_a), status="confirmed"
        )
    api = api_as(vworld.personas.member)
    assert api.post(f"/volunteering/shifts/{vworld.shift.pk}/signup").json()["status"] == "waiting"
    forged = api.client.post(
        f"{API}/shifts/{vworld.shift.pk}/scan",
        {"code": "1.abc", "client_id": "x"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw_token}"},
    )
    assert forged.status_code == 422 and "detail" in forged.json()


def test_scoping_of_the_api(vworld, api_as):
    shift_b = make_shift(vworld.project_b)
    member = api_as(vworld.personas.member)
    assert member.get(f"/volunteering/shifts/{shift_b.pk}").status_code == 404
    assert member.get("/volunteering/shifts").status_code == 403
    admin_a = api_as(vworld.personas.admin_a)
    assert admin_a.get(f"/volunteering/shifts/{shift_b.pk}").status_code == 404
    coordinator = api_as(vworld.personas.coordinator)
    ids = {s["id"] for s in coordinator.get("/volunteering/shifts").json()["items"]}
    assert {vworld.shift.pk, shift_b.pk} <= ids
    record = ServiceRecord.objects.create(
        shift=shift_b,
        volunteer=make_volunteer(vworld.tree.branch_b),
        project=vworld.project_b,
        served_on=timezone.localdate(),
    )
    assert member.get(f"/volunteering/records/{record.pk}").status_code == 404
    assert coordinator.get(f"/volunteering/records/{record.pk}").status_code == 200
