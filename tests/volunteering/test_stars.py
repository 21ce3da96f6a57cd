"""Star levels: due by verified hours, announced to the hospital (公示), objected to, decided, awarded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qingyi.accounts.models import Role
from qingyi.core.models import Notification
from qingyi.organizations.services import organization_create_root
from qingyi.volunteering import selectors
from qingyi.volunteering.models import (
    ServiceRecord,
    StarAnnouncement,
    StarAnnouncementEntry,
    StarAward,
    StarObjection,
    Volunteer,
)
from qingyi.volunteering.services import stars
from tests.factories import UserFactory, grant
from tests.volunteering.conftest import make_shift, make_volunteer

LOGIN = "qingyi.accounts.backends.EmployeeNumberOrPhoneBackend"


def hours(vworld, volunteer, amount: float, *, verified: bool = True, project=None) -> ServiceRecord:
    """One service record of ``amount`` hours (verified unless said otherwise)."""
    project = project or vworld.project
    start = timezone.now() - dt.timedelta(days=30 + ServiceRecord.objects.count())
    shift = make_shift(project, start=start, hours=amount)
    value = Decimal(str(amount))
    return ServiceRecord.objects.create(
        shift=shift,
        volunteer=volunteer,
        project=project,
        served_on=timezone.localtime(start).date(),
        scheduled_hours=value,
        recorded_hours=value,
        verified_hours=value if verified else None,
        status=ServiceRecord.Status.VERIFIED if verified else ServiceRecord.Status.RECORDED,
    )


def after_the_period(announcement: StarAnnouncement) -> dt.date:
    return announcement.notice_until + dt.timedelta(days=1)


def age_announcement(announcement: StarAnnouncement, days: int) -> None:
    """Move an announcement ``days`` into the past (for the pages, which read today's date)."""
    StarAnnouncement.objects.filter(pk=announcement.pk).update(
        notice_from=announcement.notice_from - dt.timedelta(days=days),
        notice_until=announcement.notice_until - dt.timedelta(days=days),
    )


@pytest.fixture
def due(vworld):
    """Volunteers of branch A around the thresholds (1★ 100 h, 2★ 300 h by default)."""
    a = vworld.tree.branch_a
    people = {
        "member": vworld.volunteer,
        "two": make_volunteer(a, name="二星甲"),
        "short": make_volunteer(a, name="未满甲"),
        "unverified": make_volunteer(a, name="未核甲"),
        "suspended": make_volunteer(a, name="停用甲", status=Volunteer.Status.SUSPENDED),
        "b": make_volunteer(vworld.tree.branch_b, name="乙支部志愿者"),
    }
    hours(vworld, people["member"], 60)
    hours(vworld, people["member"], 50)  # 110 h: 1★
    hours(vworld, people["two"], 320)  # 2★
    hours(vworld, people["short"], 99.5)  # just short of 1★
    hours(vworld, people["unverified"], 500, verified=False)
    hours(vworld, people["suspended"], 200)
    hours(vworld, people["b"], 150)
    return people


# --- The due list ----------------------------------------------------------------------------


def test_due_list_has_the_volunteers_whose_verified_hours_reached_a_level_above_their_award(vworld, due):
    rows = {v.name: v for v in selectors.with_reached(selectors.stars_due_for(vworld.personas.coordinator))}
    assert set(rows) == {due["member"].name, "二星甲", "乙支部志愿者"}
    assert (rows["二星甲"].reached, rows["二星甲"].awarded, rows["二星甲"].verified) == (2, 0, Decimal("320"))
    assert rows[due["member"].name].reached == 1 and rows[due["member"].name].services == 2
    assert next(v.name for v in selectors.stars_due_for(vworld.personas.coordinator)) == "二星甲"


def test_an_awarded_level_leaves_the_due_list_until_the_next_level(vworld, due):
    coordinator = vworld.personas.coordinator
    announcement = stars.announcement_publish(volunteer_ids=[due["two"].pk], actor=coordinator)
    stars.announcement_award(
        announcement=announcement, actor=coordinator, today=after_the_period(announcement)
    )
    assert "二星甲" not in {v.name for v in selectors.stars_due_for(coordinator)}
    hours(vworld, due["two"], 290)  # 610 h: 3★
    row = next(v for v in selectors.with_reached(selectors.stars_due_for(coordinator)) if v.name == "二星甲")
    assert (row.awarded, row.reached) == (2, 3)


def test_branch_b_volunteers_are_invisible_to_admin_a(vworld, due, client):
    names = {v.name for v in selectors.stars_due_for(vworld.personas.admin_a)}
    assert names == {due["member"].name, "二星甲"}
    with pytest.raises(ValidationError):
        stars.announcement_publish(volunteer_ids=[due["b"].pk], actor=vworld.personas.admin_a)
    assert not StarAnnouncement.objects.exists()
    client.force_login(vworld.personas.admin_a, backend=LOGIN)
    page = client.get(reverse("volunteering:star_due")).content.decode()
    assert "二星甲" in page and "乙支部志愿者" not in page


def test_the_due_list_is_for_coordinators_only(vworld, due, client):
    client.force_login(vworld.personas.member, backend=LOGIN)
    assert client.get(reverse("volunteering:star_due")).status_code == 403
    assert (
        client.post(reverse("volunteering:star_announce"), {"volunteers": [due["two"].pk]}).status_code == 403
    )
    assert not StarAnnouncement.objects.exists()


def _due_page_queries(client) -> int:
    url = reverse("volunteering:star_due")
    client.get(url)  # warm the settings cache
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_due_list_query_count_does_not_grow_with_the_volunteers(vworld, due, client):
    client.force_login(vworld.personas.coordinator, backend=LOGIN)
    small = _due_page_queries(client)
    for n in range(12):
        v = make_volunteer(vworld.tree.branch_b if n % 2 else vworld.tree.branch_a, name=f"增长{n}")
        hours(vworld, v, 120 + 50 * n)
        hours(vworld, v, 10)
        if n % 3 == 0:
            stars.announcement_publish(volunteer_ids=[v.pk], actor=vworld.personas.coordinator)
    assert selectors.stars_due_for(vworld.personas.coordinator).count() == 15
    large = _due_page_queries(client)
    assert large == small, (small, large)


def test_due_list_is_one_query(vworld, due):
    coordinator = vworld.personas.coordinator
    list(selectors.stars_due_for(coordinator))  # warm the settings cache and the coordinator's roles
    with CaptureQueriesContext(connection) as ctx:
        rows = list(selectors.stars_due_for(coordinator))
    assert len(rows) == 3 and len(ctx.captured_queries) == 1


# --- Announcing ------------------------------------------------------------------------------


def test_announcing_a_volunteer_not_due_is_refused_and_writes_nothing(vworld, due):
    coordinator = vworld.personas.coordinator
    for not_due in ("short", "unverified", "suspended"):
        with pytest.raises(ValidationError) as exc:
            stars.announcement_publish(volunteer_ids=[due["two"].pk, due[not_due].pk], actor=coordinator)
        assert due[not_due].name in str(exc.value)
    with pytest.raises(ValidationError):
        stars.announcement_publish(volunteer_ids=[], actor=coordinator)
    assert not StarAnnouncement.objects.exists() and not StarAnnouncementEntry.objects.exists()


def test_a_volunteer_is_in_one_announcement_at_a_time(vworld, due):
    coordinator = vworld.personas.coordinator
    stars.announcement_publish(volunteer_ids=[due["two"].pk], actor=coordinator)
    with pytest.raises(ValidationError, match="Already in an announcement"):
        stars.announcement_publish(volunteer_ids=[due["two"].pk, due["member"].pk], actor=coordinator)
    assert StarAnnouncement.objects.count() == 1


def test_announcement_records_level_and_hours_of_the_moment_for_the_notice_period(vworld, due, settings):
    from qingyi.core.models import Setting

    Setting.objects.create(key="volunteer_star_notice_days", value=7)
    today = dt.date(2025, 5, 1)
    announcement = stars.announcement_publish(
        volunteer_ids=[due["member"].pk, due["two"].pk, due["b"].pk],
        actor=vworld.personas.coordinator,
        note="公示期内如有异议请提出。",
        today=today,
    )
    assert (announcement.notice_from, announcement.notice_until) == (today, dt.date(2025, 5, 7))
    assert announcement.organization == vworld.tree.committee
    entries = {e.volunteer.name: (e.level, e.hours) for e in announcement.entries.all()}
    assert entries == {
        due["member"].name: (1, Decimal("110")),
        "二星甲": (2, Decimal("320")),
        "乙支部志愿者": (1, Decimal("150")),
    }


def test_the_announcement_belongs_to_the_announcing_admins_branch(vworld, due):
    announcement = stars.announcement_publish(volunteer_ids=[due["two"].pk], actor=vworld.personas.admin_a)
    assert announcement.organization == vworld.tree.branch_a


# --- Objections, decisions, award ---------------------------------------------------------------


def test_the_whole_way_from_announcement_to_award(vworld, due):
    coordinator, member = vworld.personas.coordinator, vworld.personas.member
    announcement = stars.announcement_publish(
        volunteer_ids=[due["member"].pk, due["two"].pk, due["b"].pk], actor=coordinator
    )
    entry = {e.volunteer_id: e for e in announcement.entries.select_related("announcement", "volunteer")}
    today = announcement.notice_from
    stars.objection_raise(
        entry=entry[due["two"].pk], text="该志愿者部分时长为会议值班。", actor=member, today=today
    )
    stars.objection_raise(
        entry=entry[due["b"].pk], text="时长有误", actor=vworld.personas.admin_a, today=today
    )
    assert Notification.objects.filter(recipient=coordinator, category=stars.CATEGORY_STARS).count() == 2

    with pytest.raises(ValidationError, match="notice period runs until"):
        stars.announcement_award(
            announcement=announcement, actor=coordinator, today=announcement.notice_until
        )
    with pytest.raises(ValidationError, match="once the notice period is over"):
        stars.objection_decide(
            entry=entry[due["two"].pk], decision="upheld", reason="x", actor=coordinator, today=today
        )
    later = after_the_period(announcement)
    with pytest.raises(ValidationError, match="Decide the objections first"):
        stars.announcement_award(announcement=announcement, actor=coordinator, today=later)
    with pytest.raises(ValidationError, match="reason"):
        stars.objection_decide(
            entry=entry[due["two"].pk], decision="upheld", reason=" ", actor=coordinator, today=later
        )
    with pytest.raises(ValidationError, match="Nobody objected"):
        stars.objection_decide(
            entry=entry[due["member"].pk], decision="dismissed", reason="", actor=coordinator, today=later
        )
    stars.objection_decide(
        entry=entry[due["two"].pk],
        decision="upheld",
        reason="经核查，60小时为会议值班，不属于志愿服务。",
        actor=coordinator,
        today=later,
    )
    stars.objection_decide(
        entry=entry[due["b"].pk], decision="dismissed", reason="", actor=coordinator, today=later
    )

    awards = stars.announcement_award(announcement=announcement, actor=coordinator, today=later)
    assert {(a.volunteer_id, a.level) for a in awards} == {(due["member"].pk, 1), (due["b"].pk, 1)}
    outcomes = dict(announcement.entries.values_list("volunteer_id", "outcome"))
    assert outcomes == {due["member"].pk: "awarded", due["two"].pk: "withheld", due["b"].pk: "awarded"}
    award = StarAward.objects.get(volunteer=due["member"])
    assert (award.announcement_id, award.awarded_by) == (announcement.pk, coordinator)
    told = Notification.objects.filter(category=stars.CATEGORY_STARS).exclude(recipient=coordinator)
    assert set(told.values_list("recipient_id", flat=True)) == {member.pk, due["b"].user_id}
    with pytest.raises(ValidationError, match="already been awarded"):
        stars.announcement_award(announcement=announcement, actor=coordinator, today=later)
    assert StarAward.objects.count() == 2
    # The withheld volunteer is due again, for a later announcement.
    assert "二星甲" in {v.name for v in selectors.stars_due_for(coordinator)}


def test_objections_are_refused_after_the_period_and_empty(vworld, due):
    announcement = stars.announcement_publish(
        volunteer_ids=[due["two"].pk], actor=vworld.personas.coordinator
    )
    entry = announcement.entries.select_related("announcement", "volunteer").get()
    with pytest.raises(ValidationError, match="Write what your objection is"):
        stars.objection_raise(entry=entry, text="   ", actor=vworld.personas.member)
    with pytest.raises(ValidationError, match="notice period ended"):
        stars.objection_raise(
            entry=entry, text="迟到的异议", actor=vworld.personas.member, today=after_the_period(announcement)
        )
    with pytest.raises(ValidationError):
        stars.objection_raise(entry=entry, text="x" * 2001, actor=vworld.personas.member)
    assert not StarObjection.objects.exists()


def test_only_the_announcements_coordinators_decide_and_award(vworld, due):
    announcement = stars.announcement_publish(volunteer_ids=[due["b"].pk], actor=vworld.personas.admin_b)
    entry = announcement.entries.select_related("announcement", "volunteer").get()
    stars.objection_raise(entry=entry, text="异议", actor=vworld.personas.member)
    later = after_the_period(announcement)
    admin_a = vworld.personas.admin_a
    with pytest.raises(PermissionDenied):
        stars.announcement_award(announcement=announcement, actor=admin_a, today=later)
    with pytest.raises(PermissionDenied):
        stars.objection_decide(entry=entry, decision="dismissed", reason="", actor=admin_a, today=later)
    assert not StarAward.objects.exists()


def test_hours_verified_later_never_change_an_award_and_awards_are_never_deleted(vworld, due):
    coordinator = vworld.personas.coordinator
    announcement = stars.announcement_publish(volunteer_ids=[due["member"].pk], actor=coordinator)
    stars.announcement_award(
        announcement=announcement, actor=coordinator, today=after_the_period(announcement)
    )
    hours(vworld, due["member"], 250)  # 360 h: 2★ reached
    summary = selectors.hours_summary_of(due["member"])
    assert (summary["star"], summary["star_reached"]) == (1, 2)
    award = StarAward.objects.get()
    with pytest.raises(ValueError):
        award.delete()
    award.level = 2
    with pytest.raises(ValueError):
        award.save()
    assert StarAward.objects.get().level == 1
    entry = announcement.entries.get()
    assert entry.hours == Decimal("110")  # as announced


def test_hours_summary_is_one_query_with_the_awarded_level(vworld, due):
    coordinator = vworld.personas.coordinator
    announcement = stars.announcement_publish(volunteer_ids=[due["two"].pk], actor=coordinator)
    stars.announcement_award(
        announcement=announcement, actor=coordinator, today=after_the_period(announcement)
    )
    later = stars.announcement_publish(volunteer_ids=[due["member"].pk], actor=coordinator)
    with CaptureQueriesContext(connection) as ctx:
        summary = selectors.hours_summary_of(due["two"])
        mine = selectors.hours_summary_of(due["member"])
    assert len(ctx.captured_queries) == 2
    assert summary["announced_until"] is None
    assert (mine["star"], mine["star_reached"], mine["announced_until"]) == (0, 1, later.notice_until)
    assert (summary["star"], summary["star_reached"], summary["verified"]) == (2, 2, Decimal("320"))
    assert selectors.hours_summary_of(due["short"])["star"] == 0


# --- Who sees an announcement -------------------------------------------------------------------


def test_the_announcement_is_for_the_hospital_without_id_numbers_or_phones(vworld, due, client):
    v = due["two"]
    Volunteer.objects.filter(pk=v.pk).update(id_number="11010519491231002X", phone="13912345678")
    announcement = stars.announcement_publish(
        volunteer_ids=[v.pk, due["b"].pk], actor=vworld.personas.coordinator
    )
    url = reverse("volunteering:star_announcement_detail", args=[announcement.pk])
    # Anybody logged in at the hospital, in any branch, sees it — the point of a notice.
    for persona in ("member", "admin_a", "admin_b", "committee_admin"):
        client.force_login(getattr(vworld.personas, persona), backend=LOGIN)
        page = client.get(url)
        assert page.status_code == 200, persona
        body = page.content.decode()
        assert "二星甲" in body and "乙支部志愿者" in body and vworld.tree.branch_a.name in body
        assert "11010519491231002X" not in body and "13912345678" not in body and "1234" not in body
        listing = client.get(reverse("volunteering:star_announcement_list")).content.decode()
        assert url in listing
    # No login: the login page. Someone of no hospital, or of another one: nothing.
    client.logout()
    assert client.get(url).status_code == 302
    client.force_login(vworld.personas.outsider, backend=LOGIN)
    assert client.get(url).status_code == 404
    assert url not in client.get(reverse("volunteering:star_announcement_list")).content.decode()
    other_root = organization_create_root(name="另一医院团委")
    stranger = grant(UserFactory(username="stranger"), Role.COMMITTEE_ADMIN, other_root)
    client.force_login(stranger, backend=LOGIN)
    assert client.get(url).status_code == 404
    assert (
        client.post(reverse("volunteering:star_announcement_award", args=[announcement.pk])).status_code
        == 404
    )


def test_a_volunteer_without_a_role_sees_the_announcement_of_their_hospital(vworld, due, client):
    social = Volunteer.objects.create(
        kind=Volunteer.Kind.SOCIAL,
        organization=vworld.tree.committee,
        user=UserFactory(username="social"),
        name="社会志愿者",
    )
    announcement = stars.announcement_publish(
        volunteer_ids=[due["two"].pk], actor=vworld.personas.coordinator
    )
    client.force_login(social.user, backend=LOGIN)
    assert (
        client.get(reverse("volunteering:star_announcement_detail", args=[announcement.pk])).status_code
        == 200
    )


# --- The pages ---------------------------------------------------------------------------------


def test_coordinator_announces_from_the_due_list_members_object_coordinator_decides_and_awards(
    vworld, due, client
):
    coordinator, member = vworld.personas.coordinator, vworld.personas.member
    client.force_login(coordinator, backend=LOGIN)
    page = client.get(reverse("volunteering:star_due")).content.decode()
    assert "二星甲" in page and "未满甲" not in page and "未核甲" not in page and "停用甲" not in page
    bad = client.post(reverse("volunteering:star_announce"), {"volunteers": [due["short"].pk]})
    assert bad.status_code == 200 and "Not due for a star level" in bad.content.decode()
    empty = client.post(reverse("volunteering:star_announce"), {"note": "x"})
    assert "Choose at least one volunteer" in empty.content.decode()
    assert not StarAnnouncement.objects.exists()
    response = client.post(
        reverse("volunteering:star_announce"),
        {"volunteers": [due["member"].pk, due["two"].pk], "note": "公示5天"},
    )
    announcement = StarAnnouncement.objects.get()
    detail = reverse("volunteering:star_announcement_detail", args=[announcement.pk])
    assert response.status_code == 302 and response["Location"] == detail
    assert "being announced" in client.get(reverse("volunteering:star_due")).content.decode()
    early = client.post(reverse("volunteering:star_announcement_award", args=[announcement.pk]), follow=True)
    assert "notice period runs until" in early.content.decode()
    assert not StarAward.objects.exists()

    entry = announcement.entries.get(volunteer=due["two"])
    client.force_login(member, backend=LOGIN)
    objection = reverse("volunteering:star_objection_create", args=[announcement.pk])
    blank = client.post(objection, {"entry": entry.pk, "text": "  "})
    assert blank.status_code == 200 and "Write what your objection is" in blank.content.decode()
    sent = client.post(objection, {"entry": entry.pk, "text": "部分时长存疑"})
    assert sent.status_code == 302 and StarObjection.objects.get().raised_by == member
    assert "you objected" in client.get(detail).content.decode()

    age_announcement(announcement, 5)
    late = client.post(objection, {"entry": entry.pk, "text": "再次异议"}, follow=True)
    assert "notice period ended" in late.content.decode() and StarObjection.objects.count() == 1

    client.force_login(coordinator, backend=LOGIN)
    body = client.get(detail).content.decode()
    assert "部分时长存疑" in body and "Decide the objection" in body
    decide = reverse("volunteering:star_entry_decide", args=[entry.pk])
    no_reason = client.post(decide, {"decision": "upheld", "reason": ""}, follow=True)
    assert "Give the reason for upholding" in no_reason.content.decode()
    client.post(decide, {"decision": "upheld", "reason": "时长含会议值班"})
    awarded = client.post(
        reverse("volunteering:star_announcement_award", args=[announcement.pk]), follow=True
    )
    assert "1 star level awarded" in awarded.content.decode()
    assert list(StarAward.objects.values_list("volunteer_id", "level")) == [(due["member"].pk, 1)]


def test_the_volunteers_pages_show_the_awarded_level_and_the_level_reached_apart(vworld, due, client):
    client.force_login(vworld.personas.member, backend=LOGIN)
    home = client.get(reverse("volunteering:home")).content.decode()
    assert 'id="star-level" aria-label="0"' in home and "Reached 1★, to be announced" in home
    assert "Reached 1★, to be announced" in client.get(reverse("volunteering:my_hours")).content.decode()
    assert "Reached 1★, to be announced" in client.get(reverse("core:home")).content.decode()

    coordinator = vworld.personas.coordinator
    announcement = stars.announcement_publish(volunteer_ids=[due["member"].pk], actor=coordinator)
    announced = f"Reached 1★, announced until {announcement.notice_until:%Y-%m-%d}"
    assert announced in client.get(reverse("volunteering:home")).content.decode()
    assert announced in client.get(reverse("volunteering:my_hours")).content.decode()
    assert announced in client.get(reverse("core:home")).content.decode()
    stars.announcement_award(
        announcement=announcement, actor=coordinator, today=after_the_period(announcement)
    )
    home = client.get(reverse("volunteering:home")).content.decode()
    assert 'id="star-level" aria-label="1"' in home and "to be announced" not in home
    assert "1★" in client.get(reverse("volunteering:my_hours")).content.decode()
    card = client.get(reverse("core:home")).content.decode()
    assert "to be announced" not in card and "★" in card
    hours(vworld, due["member"], 200)  # 310 h
    assert "Reached 2★, to be announced" in client.get(reverse("volunteering:home")).content.decode()


def test_the_due_list_follows_the_committees_thresholds(vworld, due):
    """Some cities use 100/200/500/800/1,000 hours — or any other setting: the list follows."""
    from qingyi.core import rules
    from qingyi.core.models import Setting

    for n, value in enumerate((90, 200, 500, 800, 1000), start=1):
        Setting.objects.create(key=f"volunteer_star_{n}_hours", value=value)
        rules.forget_setting(f"volunteer_star_{n}_hours")
    rows = {
        v.name: v.reached
        for v in selectors.with_reached(selectors.stars_due_for(vworld.personas.coordinator))
    }
    assert rows == {"二星甲": 2, "未满甲": 1, due["member"].name: 1, "乙支部志愿者": 1}
