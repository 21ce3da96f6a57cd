"""Service points: the coordinator's list and form, the standing screen, and scans of a point's
code — which check a volunteer in to (or out of) their shift at the point now, on the rules of
a shift's own code (hours.record_scan)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.core import checkin
from qingyi.core.models import Scan
from qingyi.volunteering import selectors
from qingyi.volunteering.models import Post, ServicePoint, ServiceRecord, Signup
from qingyi.volunteering.services import service_points
from tests.volunteering.conftest import make_shift, make_volunteer

BOOKKEEPING = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def _statements(ctx) -> int:
    return sum(1 for q in ctx.captured_queries if not q["sql"].startswith(BOOKKEEPING))


def _now() -> dt.datetime:
    return timezone.now().replace(second=0, microsecond=0)


def _running_shift(project, *, minutes_ago: int = 30, hours: float = 3.5, **fields):
    return make_shift(project, start=_now() - dt.timedelta(minutes=minutes_ago), hours=hours, **fields)


@pytest.fixture
def point(vworld):
    return ServicePoint.objects.create(project=vworld.project, name="门诊大厅导诊台", place="门诊楼一楼大厅")


def _scan(client, point, *, at=None, client_id="scan-1", code=None, send_time=None):
    """Post a scan of the point's code shown at ``at`` (now by default); an offline scan
    sends its own time (``send_time``)."""
    data = {"code": code or checkin.rotating_code(point.subject, at=at), "client_id": client_id}
    if send_time is not None:
        data["scanned_at"] = send_time.isoformat()
    return client.post(reverse("volunteering:point_scan", args=[point.pk]), data)


def _confirm(shift, volunteer):
    return Signup.objects.create(shift=shift, volunteer=volunteer, status=Signup.Status.CONFIRMED)


# --- Create, edit, close -------------------------------------------------------------------


def test_coordinator_adds_a_point_and_bad_input_is_refused(vworld, login):
    client = login(vworld.personas.coordinator)
    url = reverse("volunteering:point_create", args=[vworld.project.pk])
    assert client.get(url).status_code == 200
    # Empty name (spaces only): the form says so, nothing is created.
    response = client.post(url, {"name": "   ", "place": "门诊楼一楼"})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    # A post of another project is not a choice.
    other_post = Post.objects.create(project=vworld.project_b, name="乙岗")
    response = client.post(url, {"name": "导诊台", "post": other_post.pk})
    assert response.status_code == 200 and response.context["form"].errors["post"]
    assert not ServicePoint.objects.exists()

    response = client.post(url, {"name": " 导诊台 ", "place": "门诊楼一楼", "post": vworld.post.pk})
    assert response.status_code == 302
    point = ServicePoint.objects.get()
    assert (point.name, point.place, point.post, point.created_by) == (
        "导诊台",
        "门诊楼一楼",
        vworld.post,
        vworld.personas.coordinator,
    )
    assert point.subject == f"point:{point.pk}"
    # The same name twice in one project is refused on the form.
    response = client.post(url, {"name": "导诊台"})
    assert response.status_code == 200
    assert "already has a service point" in str(response.context["form"].errors["name"])
    assert ServicePoint.objects.count() == 1


def test_coordinator_edits_closes_and_reopens_a_point(vworld, login, point):
    client = login(vworld.personas.coordinator)
    edit = reverse("volunteering:point_edit", args=[point.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {"name": "", "place": "x"})
    assert response.status_code == 200 and response.context["form"].errors["name"]
    point.refresh_from_db()
    assert point.place == "门诊楼一楼大厅"
    response = client.post(edit, {"name": "导诊台（东）", "place": "东侧", "post": vworld.post.pk})
    assert response.status_code == 302
    point.refresh_from_db()
    assert (point.name, point.place, point.post_id) == ("导诊台（东）", "东侧", vworld.post.pk)

    assert client.get(reverse("volunteering:point_archive", args=[point.pk])).status_code == 405
    assert client.post(reverse("volunteering:point_archive", args=[point.pk])).status_code == 302
    point.refresh_from_db()
    assert point.archived_at is not None
    # A closed point's name is free again; reopening it then is refused.
    ServicePoint.objects.create(project=vworld.project, name="导诊台（东）")
    response = client.post(reverse("volunteering:point_restore", args=[point.pk]), follow=True)
    assert "already has a service point" in response.content.decode()
    point.refresh_from_db()
    assert point.archived_at is not None
    ServicePoint.objects.filter(archived_at__isnull=True).delete()
    client.post(reverse("volunteering:point_restore", args=[point.pk]))
    point.refresh_from_db()
    assert point.archived_at is None


def test_a_point_of_a_project_outside_ones_scope_cannot_be_made_or_changed(vworld, login):
    personas = vworld.personas
    point_b = ServicePoint.objects.create(project=vworld.project_b, name="乙支部服务点")
    client = login(personas.admin_a)
    assert (
        client.post(
            reverse("volunteering:point_create", args=[vworld.project_b.pk]), {"name": "越权"}
        ).status_code
        == 404
    )
    for name in ("point_edit", "point_archive", "point_screen"):
        assert client.post(reverse(f"volunteering:{name}", args=[point_b.pk]), {"name": "x"}).status_code in (
            404,
            405,
        )
    assert client.get(reverse("volunteering:point_screen", args=[point_b.pk])).status_code == 404
    point_b.refresh_from_db()
    assert (point_b.name, point_b.archived_at) == ("乙支部服务点", None)
    assert ServicePoint.objects.count() == 1
    # The services refuse too, whatever a view does.
    with pytest.raises(PermissionDenied):
        service_points.point_create(project=vworld.project_b, name="越权", actor=personas.admin_a)
    with pytest.raises(PermissionDenied):
        service_points.point_archive(point=point_b, actor=personas.member)
    # A post of another project, straight to the service.
    with pytest.raises(ValidationError) as exc:
        service_points.point_create(
            project=vworld.project,
            name="导诊台",
            post=Post.objects.create(project=vworld.project_b, name="乙岗"),
            actor=personas.coordinator,
        )
    assert "post" in exc.value.message_dict
    # Branch B's admin manages B's point.
    client = login(personas.admin_b)
    assert client.post(reverse("volunteering:point_archive", args=[point_b.pk])).status_code == 302
    point_b.refresh_from_db()
    assert point_b.archived_at is not None


def test_project_page_links_the_points_and_their_screens(vworld, login, point):
    client = login(vworld.personas.coordinator)
    page = client.get(reverse("volunteering:project_detail", args=[vworld.project.pk])).content.decode()
    assert reverse("volunteering:point_list", args=[vworld.project.pk]) in page
    fragment = client.get(
        reverse("volunteering:point_list", args=[vworld.project.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and point.name in fragment
    assert reverse("volunteering:point_screen", args=[point.pk]) in fragment
    full = client.get(reverse("volunteering:point_list", args=[vworld.project.pk])).content.decode()
    assert "<html" in full and point.name in full


# --- The standing screen ---------------------------------------------------------------------


def test_screen_shows_the_code_todays_shifts_and_who_is_checked_in(vworld, login, point):
    shift = _running_shift(vworld.project, place="门诊大厅")
    tomorrow = make_shift(vworld.project, start=_now() + dt.timedelta(days=1))
    ServiceRecord.objects.create(
        shift=shift,
        volunteer=vworld.volunteer,
        project=vworld.project,
        served_on=timezone.localdate(),
        checked_in_at=_now() - dt.timedelta(minutes=20),
    )
    client = login(vworld.personas.coordinator)
    response = client.get(reverse("volunteering:point_screen", args=[point.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert point.name in body and "<svg" in body
    # The code encodes the point's scan page with the code of now.
    screen = response.context
    assert [s.pk for s in screen["screen"].shifts] == [shift.pk]
    assert tomorrow.pk not in [s.pk for s in screen["screen"].shifts]
    assert screen["screen"].on_now == {shift.pk}
    # A screen in a public hall shows names masked.
    name = vworld.volunteer.name
    assert selectors.masked_name(name) in body and name not in body
    fragment = client.get(
        reverse("volunteering:point_screen", args=[point.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment and 'id="live"' in fragment and "<svg" in fragment


def test_screen_of_a_closed_point_shows_no_code(vworld, login, point):
    point.archived_at = timezone.now()
    point.save()
    body = login(vworld.personas.coordinator).get(reverse("volunteering:point_screen", args=[point.pk]))
    assert "<svg" not in body.content.decode() and "closed" in body.content.decode()


def test_member_cannot_open_a_points_screen(vworld, login, point):
    response = login(vworld.personas.member).get(reverse("volunteering:point_screen", args=[point.pk]))
    assert response.status_code in (403, 404)


def test_screen_query_count_does_not_grow_with_shifts_and_people(vworld, login, point):
    client = login(vworld.personas.coordinator)
    url = reverse("volunteering:point_screen", args=[point.pk])
    client.get(url)  # warm the session and settings

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url, headers={"HX-Request": "true"}).status_code == 200
        return _statements(ctx)

    _running_shift(vworld.project)
    small = count()
    for i in range(4):
        shift = _running_shift(vworld.project, minutes_ago=10 * i + 5)
        for _ in range(3):
            v = make_volunteer(vworld.tree.branch_a)
            ServiceRecord.objects.create(
                shift=shift,
                volunteer=v,
                project=vworld.project,
                served_on=timezone.localdate(),
                checked_in_at=_now() - dt.timedelta(minutes=3),
            )
    assert count() == small


# --- Scans ---------------------------------------------------------------------------------


def test_scan_checks_in_to_the_confirmed_shift_and_again_out(vworld, login, point):
    shift = _running_shift(vworld.project)
    _confirm(shift, vworld.volunteer)
    client = login(vworld.personas.member)
    assert client.get(reverse("volunteering:point_scan", args=[point.pk]) + "?c=x").status_code == 200
    earlier = timezone.now() - dt.timedelta(minutes=20)
    answer = _scan(client, point, at=earlier, send_time=earlier, client_id="in").json()
    assert answer["ok"] and answer["result"] == "checked_in", answer
    record = ServiceRecord.objects.get()
    assert (record.shift, record.walk_in, record.checked_in_at) == (shift, False, earlier)
    # The answer names the shift the scan counted for.
    start, end = (timezone.localtime(t).strftime("%H:%M") for t in (shift.start, shift.end))
    assert answer["message"].endswith(f"Shift {start}–{end}."), answer
    answer = _scan(client, point, client_id="out").json()
    assert answer["ok"] and answer["result"] == "checked_out", answer
    record.refresh_from_db()
    assert record.status == ServiceRecord.Status.RECORDED and record.recorded_hours is not None
    assert list(Scan.objects.values_list("subject", flat=True)) == [point.subject] * 2


def test_scan_with_no_shift_at_the_point_now_is_refused(vworld, login, point):
    make_shift(vworld.project, start=_now() + dt.timedelta(days=1))  # tomorrow: not now
    _running_shift(vworld.project_b)  # another project's shift on now
    response = _scan(login(vworld.personas.member), point)
    assert response.status_code == 400
    assert response.json()["message"] == "You have no shift at this point now."
    assert not ServiceRecord.objects.exists()


def test_point_with_a_post_counts_only_that_posts_shifts(vworld, login):
    other_post = Post.objects.create(project=vworld.project, name="自助机")
    point = ServicePoint.objects.create(project=vworld.project, post=other_post, name="自助机引导")
    _confirm(_running_shift(vworld.project, post=vworld.post), vworld.volunteer)
    response = _scan(login(vworld.personas.member), point)
    assert response.status_code == 400 and "no shift at this point" in response.json()["message"]
    own = _running_shift(vworld.project, post=other_post)
    answer = _scan(login(vworld.personas.member), point, client_id="2").json()
    assert answer["result"] == "checked_in" and ServiceRecord.objects.get().shift == own


def test_expired_and_forged_codes_are_refused(vworld, login, point):
    _confirm(_running_shift(vworld.project), vworld.volunteer)
    other = ServicePoint.objects.create(project=vworld.project, name="另一服务点")
    client = login(vworld.personas.member)
    stale = timezone.now() - dt.timedelta(minutes=3)
    for code in (
        checkin.rotating_code(point.subject, at=stale),  # expired (sent now, without an offline time)
        checkin.rotating_code(other.subject),  # another point's code
        checkin.rotating_code(f"shift:{vworld.shift.pk}"),  # a shift's code
        "1234.deadbeefdeadbeef",  # made up
    ):
        response = _scan(client, point, code=code, client_id=code)
        assert response.status_code == 400
        assert "expired or is not genuine" in response.json()["message"]
    assert not ServiceRecord.objects.exists() and not Scan.objects.exists()


def test_replayed_scan_counts_once_and_gives_the_first_answer(vworld, login, point):
    _confirm(_running_shift(vworld.project), vworld.volunteer)
    client = login(vworld.personas.member)
    first = _scan(client, point, client_id="same").json()
    again = _scan(client, point, client_id="same").json()
    assert first["result"] == again["result"] == "checked_in"
    assert again["replayed"] and again["message"] == first["message"]
    assert ServiceRecord.objects.count() == 1 and Scan.objects.count() == 1
    # A new scan within five minutes is a repeat, not a check-out.
    repeat = _scan(client, point, client_id="other")
    assert repeat.status_code == 400 and "Scan again at the end" in repeat.json()["message"]


def test_offline_scan_is_recorded_with_its_own_time(vworld, login, point):
    _confirm(_running_shift(vworld.project, minutes_ago=60), vworld.volunteer)
    client = login(vworld.personas.member)
    at = timezone.now() - dt.timedelta(minutes=40)
    answer = _scan(client, point, at=at, send_time=at, client_id="offline").json()
    assert answer["result"] == "checked_in"
    assert ServiceRecord.objects.get().checked_in_at == at
    scan = Scan.objects.get()
    assert scan.offline and scan.scanned_at == at
    # A scan older than a day is no longer accepted.
    old = timezone.now() - dt.timedelta(hours=25)
    response = _scan(client, point, at=old, send_time=old, client_id="old")
    assert response.status_code == 400 and "more than a day old" in response.json()["message"]


def test_offline_check_in_arriving_after_the_check_out_moves_the_check_in_earlier(vworld, login, point):
    shift = _running_shift(vworld.project, minutes_ago=90)
    _confirm(shift, vworld.volunteer)
    client = login(vworld.personas.member)
    t1, t2 = timezone.now() - dt.timedelta(minutes=80), timezone.now() - dt.timedelta(minutes=30)
    assert _scan(client, point, at=t2, send_time=t2, client_id="b").json()["result"] == "checked_in"
    assert _scan(client, point, client_id="c").json()["result"] == "checked_out"
    answer = _scan(client, point, at=t1, send_time=t1, client_id="a").json()
    assert answer["result"] == "checked_out", answer
    assert ServiceRecord.objects.get().checked_in_at == t1


def test_walk_in_to_the_shift_on_now(vworld, login, point):
    later = _running_shift(vworld.project, minutes_ago=-40)  # starts in 40 minutes: check-in open
    on_now = _running_shift(vworld.project)
    answer = _scan(login(vworld.personas.member), point).json()
    assert answer["result"] == "checked_in" and "walk-in" in answer["message"]
    record = ServiceRecord.objects.get()
    assert record.shift == on_now and record.walk_in and record.shift != later


def test_walk_in_follows_the_shifts_rules(vworld, login, point):
    _running_shift(vworld.project, insurance_required=True)
    response = _scan(login(vworld.personas.member), point)
    assert response.status_code == 400 and "accident insurance" in response.json()["message"]
    assert not ServiceRecord.objects.exists()


def test_confirmed_shift_later_today_says_when_check_in_opens(vworld, login, point):
    _confirm(_running_shift(vworld.project, minutes_ago=-120), vworld.volunteer)
    response = _scan(login(vworld.personas.member), point)
    assert response.status_code == 400
    assert response.json()["message"] == "Check-in opens one hour before the shift."


def test_of_several_shifts_the_earliest_confirmed_then_the_first_checked_in_is_scanned(vworld, login, point):
    first = _running_shift(vworld.project, minutes_ago=30)
    second = _running_shift(vworld.project, minutes_ago=10)
    third = _running_shift(vworld.project, minutes_ago=-30)
    for shift in (third, second, first):
        _confirm(shift, vworld.volunteer)
    client = login(vworld.personas.member)
    t0 = timezone.now() - dt.timedelta(minutes=25)
    t1 = timezone.now() - dt.timedelta(minutes=15)
    # Two check-ins (offline, ten minutes apart): the earliest starting confirmed shift, then the next.
    assert _scan(client, point, at=t0, send_time=t0, client_id="1").json()["result"] == "checked_in"
    assert ServiceRecord.objects.get().shift == first
    # The second scan checks out of the first (a record to complete comes before a new one).
    assert _scan(client, point, at=t1, send_time=t1, client_id="2").json()["result"] == "checked_out"
    # The next scan checks in to the next confirmed shift, and another one out of it.
    assert _scan(client, point, client_id="3").json()["result"] == "checked_in"
    assert set(ServiceRecord.objects.values_list("shift_id", flat=True)) == {first.pk, second.pk}


def test_check_out_goes_to_the_shift_checked_in_to_first(vworld, login, point):
    first = _running_shift(vworld.project, minutes_ago=30)
    second = _running_shift(vworld.project, minutes_ago=20)
    today = timezone.localdate()
    for shift, minutes in ((second, 25), (first, 15)):
        ServiceRecord.objects.create(
            shift=shift,
            volunteer=vworld.volunteer,
            project=vworld.project,
            served_on=today,
            checked_in_at=timezone.now() - dt.timedelta(minutes=minutes),
        )
    answer = _scan(login(vworld.personas.member), point).json()
    assert answer["result"] == "checked_out"
    checked_out = ServiceRecord.objects.filter(checked_out_at__isnull=False).get()
    assert checked_out.shift == second  # checked in 25 minutes ago, before the other


def test_at_most_three_sign_ins_a_day(vworld, login, point):
    today = timezone.localdate()
    for i in range(3):
        done = make_shift(vworld.project_b, start=timezone.now() - dt.timedelta(hours=6 - i), hours=0.5)
        ServiceRecord.objects.create(
            shift=done,
            volunteer=vworld.volunteer,
            project=vworld.project_b,
            served_on=today,
            checked_in_at=done.start,
        )
    _confirm(_running_shift(vworld.project), vworld.volunteer)
    response = _scan(login(vworld.personas.member), point)
    assert response.status_code == 400 and "At most 3 sign-ins a day" in response.json()["message"]
    assert ServiceRecord.objects.count() == 3


def test_closed_point_refuses_scans(vworld, login, point):
    _confirm(_running_shift(vworld.project), vworld.volunteer)
    point.archived_at = timezone.now()
    point.save()
    response = _scan(login(vworld.personas.member), point)
    assert response.status_code == 400 and "closed" in response.json()["message"]
    assert not ServiceRecord.objects.exists()


def test_who_may_scan_a_point(vworld, login):
    point_b = ServicePoint.objects.create(project=vworld.project_b, name="乙支部服务点")
    _running_shift(vworld.project_b)
    member = login(vworld.personas.member)  # a volunteer of branch A: B's project is not theirs
    assert member.get(reverse("volunteering:point_scan", args=[point_b.pk])).status_code == 404
    assert _scan(member, point_b).status_code == 404
    admin_b = login(vworld.personas.admin_b)  # manages the point, is no volunteer
    assert admin_b.get(reverse("volunteering:point_scan", args=[point_b.pk])).status_code == 200
    refused = _scan(admin_b, point_b)
    assert refused.status_code == 400 and "registered volunteers" in refused.json()["message"]
    assert not ServiceRecord.objects.exists() and not Scan.objects.exists()


# --- Cost -----------------------------------------------------------------------------------

# A point's scan costs what a scan of the shift's own code costs (the same hours.record_scan
# and core.checkin path) plus two queries: a shift's scan reads the volunteer and the shift in
# one query (selectors.scan_parties), a point's scan reads the volunteer, the point, and the
# point's shifts around now with the volunteer's sign-up and record, which picks the shift.
# Asserted against the shift scan measured in the same test (so that the check-in path's own
# tuning does not break it); with the code of 2026-11-29 that is 9 queries for a check-in (+1
# lock on PostgreSQL) and 10 for a check-out.
EXTRA = 2


def test_one_point_scan_runs_a_fixed_number_of_queries_whatever_the_shifts(vworld, login, point):
    warm = make_volunteer(vworld.tree.branch_a)
    shift = _running_shift(vworld.project)
    by_shift, other = make_volunteer(vworld.tree.branch_a), make_volunteer(vworld.tree.branch_a)
    for volunteer in (vworld.volunteer, warm, by_shift, other):
        _confirm(shift, volunteer)
    earlier = timezone.now() - dt.timedelta(minutes=10)
    client = login(warm.user)
    assert (
        _scan(client, point, at=earlier, send_time=earlier, client_id="w1").json()["result"] == "checked_in"
    )
    assert _scan(client, point, client_id="w2").json()["result"] == "checked_out"

    def measure(volunteer, tag, post):
        client = login(volunteer.user)
        with CaptureQueriesContext(connection) as ins:
            answer = post(client, at=earlier, send_time=earlier, client_id=f"{tag}-in").json()
        assert answer["result"] == "checked_in", answer
        with CaptureQueriesContext(connection) as outs:
            answer = post(client, client_id=f"{tag}-out").json()
        assert answer["result"] == "checked_out", answer
        sqls = " ".join(q["sql"] for q in ins.captured_queries + outs.captured_queries)
        assert "accounts_roleassignment" not in sqls  # no role lookup on the scan path
        return _statements(ins), _statements(outs)

    def shift_scan(client, *, at=None, send_time=None, client_id):
        data = {"code": checkin.rotating_code(shift.subject, at=at), "client_id": client_id}
        if send_time is not None:
            data["scanned_at"] = send_time.isoformat()
        return client.post(reverse("volunteering:scan", args=[shift.pk]), data)

    def point_scan(client, **kwargs):
        return _scan(client, point, **kwargs)

    shift_in, shift_out = measure(by_shift, "s", shift_scan)
    point_in, point_out = measure(vworld.volunteer, "a", point_scan)
    assert (point_in, point_out) == (shift_in + EXTRA, shift_out + EXTRA)

    # Ten more shifts at the point today (some on now) and more volunteers on them: the same.
    for i in range(10):
        extra = _running_shift(vworld.project, minutes_ago=20 - 5 * i, hours=2)
        for _ in range(2):
            _confirm(extra, make_volunteer(vworld.tree.branch_a))
    assert measure(other, "b", point_scan) == (point_in, point_out)
