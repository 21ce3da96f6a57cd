import datetime as dt

from django.urls import reverse
from django.utils import timezone

from qingyi.callups.models import CallUp, Response
from qingyi.volunteering.models import Signup
from tests.callups.conftest import make_volunteer, respond, send_all


def _dt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_opens_a_call_up_from_the_form(personas, login):
    client = login(personas.coordinator)
    start = timezone.now() + dt.timedelta(hours=3)
    response = client.post(
        reverse("callups:create"),
        {
            "title": "方舱医院支援",
            "kind": "field_hospital",
            "organization": personas.tree.committee.pk,
            "starts_at": _dt(start),
            "ends_at": _dt(start + dt.timedelta(hours=8)),
            "place": "会展中心",
            "message": "",
        },
    )
    callup = CallUp.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("callups:detail", args=[callup.pk])
    assert callup.kind == "field_hospital" and callup.created_by == personas.coordinator


def test_form_with_end_before_start_shows_the_message_and_writes_nothing(personas, login):
    client = login(personas.coordinator)
    start = timezone.now() + dt.timedelta(hours=3)
    response = client.post(
        reverse("callups:create"),
        {
            "title": "x",
            "kind": "sampling",
            "organization": personas.tree.committee.pk,
            "starts_at": _dt(start),
            "ends_at": _dt(start - dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 422
    assert "ends before it starts" in response.content.decode()
    assert not CallUp.objects.exists()


def test_branch_admin_cannot_pick_another_branch(personas, login):
    client = login(personas.admin_a)
    start = timezone.now() + dt.timedelta(hours=3)
    response = client.post(
        reverse("callups:create"),
        {
            "title": "x",
            "kind": "sampling",
            "organization": personas.tree.branch_b.pk,
            "starts_at": _dt(start),
            "ends_at": _dt(start + dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 422 and not CallUp.objects.exists()


def test_member_cannot_see_the_coordinators_list(personas, login):
    assert login(personas.member).get(reverse("callups:list")).status_code == 403


def test_preview_counts_before_sending_and_send_with_zero_recipients_explains(callups, login):
    c = callups
    client = login(c.personas.coordinator)
    url = reverse("callups:preview", args=[c.callup.pk])
    body = client.get(url, {"organization": c.tree.committee.pk, "max_age": 35}).content.decode()
    assert "2 volunteers who have not had it yet will receive it" in body
    body = client.get(
        url, {"organization": c.tree.committee.pk, "min_age": 50, "max_age": 40}
    ).content.decode()
    assert "youngest age cannot exceed" in body
    response = client.post(
        reverse("callups:send", args=[c.callup.pk]), {"organization": c.tree.committee.pk, "min_age": 90}
    )
    assert response.status_code == 422
    assert "No volunteer matches" in response.content.decode()
    assert not Response.objects.exists()


def test_send_then_the_board_shows_answers_and_fill_places(callups, login):
    c = callups
    client = login(c.personas.coordinator)
    response = client.post(reverse("callups:send", args=[c.callup.pk]), {"organization": c.tree.committee.pk})
    assert response.status_code == 302 and Response.objects.count() == 3
    respond(c, c.young_a)
    respond(c, c.old_a, "declined")
    board = client.get(reverse("callups:responses", args=[c.callup.pk])).content.decode()
    assert 'id="count-accepted">1<' in board and 'id="count-declined">1<' in board
    assert 'id="youth-share">50.0%<' in board  # one of the two responders is 35 or under
    assert 'hx-trigger="every 5s"' in board
    response = client.post(
        reverse("callups:fill", args=[c.callup.pk]), {"volunteer": c.young_a.pk, "shift": c.swab.pk}
    )
    assert response.status_code == 302
    assert Signup.objects.get(volunteer=c.young_a).shift == c.swab
    page = client.get(reverse("callups:detail", args=[c.callup.pk])).content.decode()
    assert "1 / 1" in page


def test_fill_beyond_capacity_shows_the_message(callups, login):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    respond(c, c.young_b)
    client = login(c.personas.coordinator)
    url = reverse("callups:fill", args=[c.callup.pk])
    client.post(url, {"volunteer": c.young_a.pk, "shift": c.swab.pk})
    response = client.post(url, {"volunteer": c.young_b.pk, "shift": c.swab.pk}, follow=True)
    assert "The shift is full." in response.content.decode()
    assert Signup.objects.filter(shift=c.swab).count() == 1


def test_volunteer_answers_on_the_answer_page_and_twice_is_explained(callups, login):
    c = callups
    send_all(c)
    client = login(c.young_a.user)
    url = reverse("callups:answer", args=[c.callup.pk])
    assert "I can come" in client.get(url).content.decode()
    client.post(url, {"answer": "accepted"})
    assert Response.objects.get(volunteer=c.young_a).answer == "accepted"
    body = client.post(url, {"answer": "accepted"}, follow=True).content.decode()
    assert "already accepted" in body
    assert c.callup.title in client.get(reverse("callups:mine")).content.decode()


def test_answer_page_of_a_call_up_not_sent_to_you_is_404(callups, login):
    c = callups
    send_all(c, organization=c.tree.branch_a)
    client = login(c.young_b.user)
    url = reverse("callups:answer", args=[c.callup.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"answer": "accepted"}).status_code == 404


def test_triage_notice_on_the_call_up_and_the_answer_page(personas, login):
    from qingyi.callups import services
    from tests.callups.conftest import open_callup

    v = make_volunteer(personas.tree.branch_a, name="甲")
    callup = open_callup(personas.coordinator, personas.tree.committee, kind=CallUp.Kind.TRIAGE_ASSIST)
    services.callup_post_add(callup=callup, name="测温", needed=1, actor=personas.coordinator)
    services.callup_send(
        callup=callup,
        targeting=services.Targeting(organization=personas.tree.committee),
        actor=personas.coordinator,
    )
    page = login(personas.coordinator).get(reverse("callups:detail", args=[callup.pk])).content.decode()
    assert 'id="triage-notice"' in page and "nurse&#x27;s duty" in page
    page = login(v.user).get(reverse("callups:answer", args=[callup.pk])).content.decode()
    assert 'id="triage-notice"' in page


def test_closed_call_up_takes_no_answers(callups, login):
    c = callups
    send_all(c)
    login(c.personas.coordinator).post(reverse("callups:close", args=[c.callup.pk]))
    client = login(c.young_a.user)
    url = reverse("callups:answer", args=[c.callup.pk])
    body = client.post(url, {"answer": "accepted"}, follow=True).content.decode()
    assert "This call-up is closed." in body
    assert Response.objects.get(volunteer=c.young_a).answer == "pending"


def _board_queries(client, callup, count_queries) -> int:
    with count_queries() as queries:
        assert client.get(reverse("callups:responses", args=[callup.pk])).status_code == 200
    return len(queries)


def test_response_board_queries_do_not_grow_with_responders(callups, login, count_queries):
    c = callups
    send_all(c)
    respond(c, c.young_a)
    client = login(c.personas.coordinator)
    small = _board_queries(client, c.callup, count_queries)
    for i in range(15):
        make_volunteer(c.tree.branch_a if i % 2 else c.tree.branch_b, name=f"志愿者{i}", age=20 + i)
    send_all(c)
    for r in Response.objects.filter(answer="pending").select_related("volunteer__user")[:12]:
        respond(c, r.volunteer, "accepted" if r.pk % 2 else "declined")
    assert _board_queries(client, c.callup, count_queries) == small
    with count_queries() as queries:
        client.get(reverse("callups:list"))
    list_small = len(queries)
    assert list_small < 20
