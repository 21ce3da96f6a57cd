"""Escort pages: the public form, the patient's link, dispatch, the volunteer's phone."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.escorts import services
from qingyi.escorts.models import EscortRequest
from qingyi.volunteering.models import Project, ServiceRecord, Shift
from tests.escorts.conftest import assigned, done, file_request, make_volunteer

S = EscortRequest.Status


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def test_a_patient_files_a_request_without_logging_in(client, escorts):
    wanted = timezone.now() + dt.timedelta(days=1)
    response = client.post(
        reverse("escorts:request_new"),
        {
            "patient_name": "王五",
            "phone": "13900007777",
            "wanted_at": _local(wanted),
            "department": escorts.department.pk,
            "needs": "轮椅",
        },
    )
    assert response.status_code == 302
    escort = EscortRequest.objects.get(patient_name="王五")
    token = response["Location"].split("/t/")[1].split("/")[0]
    assert services.escort_by_token(token) == escort
    page = client.get(response["Location"]).content.decode()
    assert "Keep this page" in page and "王*" in page and "139******77" in page
    assert "王五" not in page  # masked even for the holder of the link


def test_the_public_form_shows_clear_messages_and_writes_nothing(client, escorts):
    before = EscortRequest.objects.count()
    response = client.post(
        reverse("escorts:request_new"),
        {"patient_name": "王五", "phone": "555", "wanted_at": _local(timezone.now() - dt.timedelta(days=1))},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is not a phone number" in body and "already passed" in body
    assert EscortRequest.objects.count() == before


def test_a_flood_gets_a_clear_message(client, escorts, settings):
    wanted = _local(timezone.now() + dt.timedelta(hours=3))
    for i in range(services.RATE_PER_IP[0] - 1):  # the fixture's request came from another address
        client.post(
            reverse("escorts:request_new"),
            {"patient_name": "甲", "phone": f"1380000{i:04d}", "wanted_at": wanted},
        )
    response = client.post(
        reverse("escorts:request_new"), {"patient_name": "乙", "phone": "13811112222", "wanted_at": wanted}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("escorts:request_new"), {"patient_name": "丙", "phone": "13811113333", "wanted_at": wanted}
    )
    assert response.status_code == 200 and "Too many requests from this network" in response.content.decode()
    assert not EscortRequest.objects.filter(patient_name="丙").exists()


def test_a_guessed_link_finds_nothing(client, escorts):
    assert client.get(reverse("escorts:track", args=["not-a-token"])).status_code == 404
    assert client.post(reverse("escorts:track_rate", args=["not-a-token"]), {"rating": 5}).status_code == 404


def test_the_patient_rates_once_through_the_link(client, escorts):
    done(escorts)
    url = reverse("escorts:track_rate", args=[escorts.token])
    client.post(url, {"rating": "4", "comment": "耐心"})
    assert EscortRequest.objects.get(pk=escorts.new.pk).rating == 4
    response = client.post(url, {"rating": "1"}, follow=True)
    assert "already been rated" in response.content.decode()
    assert EscortRequest.objects.get(pk=escorts.new.pk).rating == 4


def test_the_patient_cancels_through_the_link(client, escorts):
    client.post(reverse("escorts:track_cancel", args=[escorts.token]), {"reason": "家人陪同"})
    assert EscortRequest.objects.get(pk=escorts.new.pk).status == S.CANCELLED


def test_patient_details_show_to_the_coordinator_and_the_assigned_volunteer_only(escorts, login, client):
    escort = assigned(escorts)
    url = reverse("escorts:detail", args=[escort.pk])
    assert "张三" in login(escorts.personas.coordinator).get(url).content.decode()
    assert "13900001111" in login(escorts.volunteer_a.user).get(url).content.decode()
    for user in (
        escorts.personas.member,
        escorts.personas.admin_a,
        escorts.personas.admin_b,
        escorts.volunteer_b.user,
    ):
        assert login(user).get(url).status_code == 404


def test_the_assigned_volunteer_cannot_dispatch(escorts, login):
    escort = assigned(escorts)
    client = login(escorts.volunteer_a.user)
    assert client.get(reverse("escorts:assign", args=[escort.pk])).status_code == 403
    assert client.get(reverse("escorts:dispatch")).status_code == 403


def test_the_volunteer_runs_the_escort_from_their_phone(escorts, login):
    escort = assigned(escorts)
    client = login(escorts.volunteer_a.user)
    assert "张三" in client.get(reverse("escorts:mine")).content.decode()
    client.post(reverse("escorts:start", args=[escort.pk]))
    response = client.post(reverse("escorts:complete", args=[escort.pk]), {"note": ""}, follow=True)
    assert "short note" in response.content.decode()
    assert EscortRequest.objects.get(pk=escort.pk).status == S.UNDER_WAY
    client.post(reverse("escorts:complete", args=[escort.pk]), {"note": "顺利"})
    assert EscortRequest.objects.get(pk=escort.pk).status == S.DONE


def test_an_out_of_order_move_on_the_page_says_why(escorts, login):
    response = login(escorts.personas.coordinator).post(
        reverse("escorts:start", args=[escorts.new.pk]), follow=True
    )
    assert "Only an assigned request can be started" in response.content.decode()


def test_the_coordinator_assigns_from_the_dispatch_screen(escorts, login):
    client = login(escorts.personas.coordinator)
    board = client.get(reverse("escorts:dispatch")).content.decode()
    assert "张三" in board and reverse("escorts:assign", args=[escorts.new.pk]) in board
    response = client.post(
        reverse("escorts:assign", args=[escorts.new.pk]), {"volunteer": escorts.volunteer_a.pk}
    )
    assert response.status_code == 302
    assert EscortRequest.objects.get(pk=escorts.new.pk).volunteer == escorts.volunteer_a


def test_assigning_outside_scope_on_the_page_finds_nobody(escorts, login):
    """A volunteer outside the coordinator's organisations is not found (their id is not an
    oracle for their name): the page asks to choose a volunteer, and nothing changes."""
    escort, _ = file_request(organization=escorts.personas.tree.branch_a, phone="13966667777")
    response = login(escorts.personas.admin_a).post(
        reverse("escorts:assign", args=[escort.pk]), {"volunteer": escorts.volunteer_b.pk}
    )
    body = response.content.decode()
    assert response.status_code == 422 and "Choose a volunteer." in body
    assert escorts.volunteer_b.name not in body
    assert EscortRequest.objects.get(pk=escort.pk).status == S.NEW


def test_volunteers_on_duty_at_an_escort_post_come_first(escorts, login):
    now = timezone.now()
    project = Project.objects.create(
        organization=escorts.personas.tree.committee, name="微暖陪诊", kind=Project.Kind.ESCORT
    )
    shift = Shift.objects.create(
        project=project, start=now - dt.timedelta(hours=1), end=now + dt.timedelta(hours=2), capacity=5
    )
    on_duty = make_volunteer(escorts.personas.tree.branch_b, name="在岗志愿者")
    ServiceRecord.objects.create(
        shift=shift,
        volunteer=on_duty,
        project=project,
        served_on=now.date(),
        checked_in_at=now - dt.timedelta(minutes=50),
    )
    body = (
        login(escorts.personas.coordinator)
        .get(reverse("escorts:assign", args=[escorts.new.pk]))
        .content.decode()
    )
    assert body.index("在岗志愿者") < body.index("甲志愿者") and "On duty" in body


def test_dispatch_query_count_does_not_grow(escorts, login):
    client = login(escorts.personas.coordinator)
    counts = []
    for n in (1, 20):
        for i in range(n):
            escort, _ = file_request(
                phone=f"1370000{n:02d}{i:02d}", ip=f"10.5.{n}.{i}", department=escorts.department
            )
            if i % 2:
                services.escort_assign(
                    escort=escort, volunteer=escorts.volunteer_a, actor=escorts.personas.coordinator
                )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("escorts:dispatch")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_my_escorts_query_count_does_not_grow(escorts, login):
    client = login(escorts.volunteer_a.user)
    counts = []
    for n in (1, 15):
        for i in range(n):
            escort, _ = file_request(
                phone=f"1360000{n:02d}{i:02d}", ip=f"10.6.{n}.{i}", department=escorts.department
            )
            services.escort_assign(
                escort=escort, volunteer=escorts.volunteer_a, actor=escorts.personas.coordinator
            )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("escorts:mine")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
