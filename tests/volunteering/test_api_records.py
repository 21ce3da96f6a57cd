"""/api/v1/volunteering (records): certificates, volunteer applications, star levels — the pages'
services and scoping behind the API, with bad input answered 422."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qingyi.accounts.models import User
from qingyi.volunteering.models import (
    Certificate,
    StarAnnouncement,
    StarAward,
    StarObjection,
    Volunteer,
    VolunteerApplication,
)
from qingyi.volunteering.services import stars
from tests.volunteering.conftest import make_volunteer
from tests.volunteering.test_stars import age_announcement, hours

API = "/api/v1"


def post_json(api, path: str, body: dict | None = None):
    return api.client.post(
        API + path,
        body or {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.raw_token}", "Accept-Language": "en"},
    )


def application(organization, **fields) -> VolunteerApplication:
    defaults = {
        "organization": organization,
        "kind": Volunteer.Kind.SOCIAL,
        "name": "申请人",
        "gender": Volunteer.Gender.FEMALE,
        "birth_date": dt.date(1990, 3, 7),
        "id_number": "110105199003070000",
        "phone": "13700000001",
        "area": "青山区",
    }
    return VolunteerApplication.objects.create(**(defaults | fields))


# --- Certificates ------------------------------------------------------------------------------


def test_volunteer_issues_and_lists_their_certificate_and_anyone_verifies_it(vworld, api_as, client):
    api = api_as(vworld.personas.member)
    none_yet = post_json(api, "/volunteering/certificates")
    assert none_yet.status_code == 422 and "no verified hours" in none_yet.json()["detail"]
    assert not Certificate.objects.exists()

    hours(vworld, vworld.volunteer, 3.5)
    issued = post_json(api, "/volunteering/certificates")
    assert issued.status_code == 200
    body = issued.json()
    assert Decimal(body["hours"]) == Decimal("3.5") and body["services"] == 1
    assert body["number"].startswith("QY-")
    again = post_json(api, "/volunteering/certificates")  # no new hours: the same certificate
    assert again.json()["id"] == body["id"] and Certificate.objects.count() == 1
    listed = api.get("/volunteering/certificates").json()
    assert listed["count"] == 1 and listed["items"][0]["pdf_url"].endswith(f"/{body['id']}/pdf/")

    token = Certificate.objects.get().token
    client.logout()
    check = client.get(f"{API}/volunteering/certificates/verify/{token}")  # no login, no token
    assert check.status_code == 200
    assert check.json()["genuine"] is True and check.json()["volunteer"].startswith(vworld.volunteer.name[0])
    assert "*" in check.json()["volunteer"] and vworld.volunteer.name not in check.json()["volunteer"]
    assert client.get(f"{API}/volunteering/certificates/verify/forged-token").status_code == 404


def test_only_volunteers_have_certificates(vworld, api_as):
    api = api_as(vworld.personas.outsider)
    assert api.get("/volunteering/certificates").status_code == 403
    assert post_json(api, "/volunteering/certificates").status_code == 403


# --- Applications ------------------------------------------------------------------------------


def test_coordinator_lists_approves_and_refuses_applications(vworld, api_as):
    a = application(vworld.tree.committee)
    refused = application(
        vworld.tree.committee, name="拒绝人", id_number="11010519900307001X", phone="13700000002"
    )
    coordinator = api_as(vworld.personas.coordinator)
    listed = coordinator.get("/volunteering/applications").json()
    assert {row["id"] for row in listed["items"]} == {a.pk, refused.pk}
    assert all("*" in row["phone_masked"] for row in listed["items"])
    assert coordinator.get(f"/volunteering/applications/{a.pk}").json()["phone"] == "13700000001"

    approved = post_json(coordinator, f"/volunteering/applications/{a.pk}/approve")
    assert approved.status_code == 200 and approved["Cache-Control"] == "no-store"
    body = approved.json()
    assert body["application"]["status"] == "approved" and body["login"] == "13700000001"
    assert User.objects.get(username="13700000001").check_password(body["password"])
    assert Volunteer.objects.get(pk=body["volunteer_id"]).name == "申请人"
    twice = post_json(coordinator, f"/volunteering/applications/{a.pk}/approve")
    assert twice.status_code == 422 and "already been decided" in twice.json()["detail"]

    no_reason = post_json(coordinator, f"/volunteering/applications/{refused.pk}/refuse", {"reason": "  "})
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    assert VolunteerApplication.objects.get(pk=refused.pk).status == "pending"
    done = post_json(coordinator, f"/volunteering/applications/{refused.pk}/refuse", {"reason": "名额已满"})
    assert done.status_code == 200 and done.json()["status"] == "refused"
    assert done.json()["refusal_reason"] == "名额已满"
    assert coordinator.get("/volunteering/applications").json()["count"] == 0
    assert coordinator.get("/volunteering/applications", {"status": "refused"}).json()["count"] == 1
    assert coordinator.get("/volunteering/applications", {"status": "nonsense"}).status_code == 422


def test_applications_are_scoped(vworld, api_as):
    b = application(vworld.tree.branch_b)
    admin_a = api_as(vworld.personas.admin_a)
    assert admin_a.get("/volunteering/applications").json()["count"] == 0
    assert admin_a.get(f"/volunteering/applications/{b.pk}").status_code == 404
    assert post_json(admin_a, f"/volunteering/applications/{b.pk}/approve").status_code == 404
    assert post_json(admin_a, f"/volunteering/applications/{b.pk}/refuse", {"reason": "x"}).status_code == 404
    member = api_as(vworld.personas.member)
    assert member.get("/volunteering/applications").status_code == 403
    assert post_json(member, f"/volunteering/applications/{b.pk}/refuse", {"reason": "x"}).status_code == 403
    assert VolunteerApplication.objects.get(pk=b.pk).status == "pending"


# --- Star levels ---------------------------------------------------------------------------------


@pytest.fixture
def starred(vworld):
    two = make_volunteer(vworld.tree.branch_a, name="二星甲")
    b = make_volunteer(vworld.tree.branch_b, name="乙支部志愿者")
    hours(vworld, vworld.volunteer, 110)
    hours(vworld, two, 320)
    hours(vworld, b, 150)
    return {"member": vworld.volunteer, "two": two, "b": b}


def test_star_levels_from_the_due_list_to_the_award(vworld, starred, api_as):
    coordinator = api_as(vworld.personas.coordinator)
    due = coordinator.get("/volunteering/stars/due").json()
    assert [(r["volunteer"]["name"], r["reached"], r["awarded"]) for r in due["items"]] == [
        ("二星甲", 2, 0),
        ("乙支部志愿者", 1, 0),
        (starred["member"].name, 1, 0),
    ]
    short = make_volunteer(vworld.tree.branch_a, name="未满甲")
    not_due = post_json(coordinator, "/volunteering/stars/announcements", {"volunteers": [short.pk]})
    assert not_due.status_code == 422 and "Not due" in not_due.json()["detail"]
    empty = post_json(coordinator, "/volunteering/stars/announcements", {"volunteers": []})
    assert empty.status_code == 422
    assert not StarAnnouncement.objects.exists()

    created = post_json(
        coordinator,
        "/volunteering/stars/announcements",
        {"volunteers": [starred["member"].pk, starred["two"].pk], "note": "公示"},
    )
    assert created.status_code == 200
    announcement = created.json()
    assert announcement["state"] == "open" and len(announcement["entries"]) == 2
    due_after = coordinator.get("/volunteering/stars/due").json()
    assert {r["announcement_id"] for r in due_after["items"]} == {announcement["id"], None}
    entry = next(e for e in announcement["entries"] if e["volunteer"]["name"] == "二星甲")

    member = api_as(vworld.personas.member)
    seen = member.get(f"/volunteering/stars/announcements/{announcement['id']}").json()
    assert {e["volunteer"]["name"] for e in seen["entries"]} == {"二星甲", starred["member"].name}
    assert all(e["objections"] is None and e["decision"] is None for e in seen["entries"])
    blank = post_json(member, f"/volunteering/stars/entries/{entry['id']}/objections", {"text": " "})
    assert blank.status_code == 422 and "objection" in blank.json()["detail"]
    objected = post_json(
        member, f"/volunteering/stars/entries/{entry['id']}/objections", {"text": "时长存疑"}
    )
    assert objected.status_code == 200 and StarObjection.objects.count() == 1
    early = post_json(coordinator, f"/volunteering/stars/announcements/{announcement['id']}/award")
    assert early.status_code == 422 and "notice period runs until" in early.json()["detail"]

    age_announcement(StarAnnouncement.objects.get(), 5)
    late = post_json(member, f"/volunteering/stars/entries/{entry['id']}/objections", {"text": "再议"})
    assert late.status_code == 422 and StarObjection.objects.count() == 1
    undecided = post_json(coordinator, f"/volunteering/stars/announcements/{announcement['id']}/award")
    assert undecided.status_code == 422 and "Decide the objections first" in undecided.json()["detail"]
    by_member = post_json(
        member, f"/volunteering/stars/entries/{entry['id']}/decision", {"decision": "dismissed"}
    )
    assert by_member.status_code == 403
    bad = post_json(coordinator, f"/volunteering/stars/entries/{entry['id']}/decision", {"decision": "maybe"})
    assert bad.status_code == 422
    no_reason = post_json(
        coordinator, f"/volunteering/stars/entries/{entry['id']}/decision", {"decision": "upheld"}
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.json()["detail"]
    decided = post_json(
        coordinator, f"/volunteering/stars/entries/{entry['id']}/decision", {"decision": "dismissed"}
    )
    assert decided.status_code == 200 and decided.json()["decision"] == "dismissed"
    assert decided.json()["objections"] == 1

    awarded = post_json(coordinator, f"/volunteering/stars/announcements/{announcement['id']}/award")
    assert awarded.status_code == 200
    assert {(a["volunteer"]["name"], a["level"]) for a in awarded.json()} == {
        ("二星甲", 2),
        (starred["member"].name, 1),
    }
    assert StarAward.objects.count() == 2
    mine = member.get("/volunteering/stars/awards").json()
    assert [(a["level"], a["announcement_id"]) for a in mine["items"]] == [(1, announcement["id"])]
    assert coordinator.get("/volunteering/stars/awards").json()["count"] == 2
    assert (
        coordinator.get(f"/volunteering/stars/announcements/{announcement['id']}").json()["state"]
        == "awarded"
    )


def test_star_levels_are_scoped(vworld, starred, api_as):
    admin_a = api_as(vworld.personas.admin_a)
    names = {r["volunteer"]["name"] for r in admin_a.get("/volunteering/stars/due").json()["items"]}
    assert names == {"二星甲", starred["member"].name}
    refused = post_json(admin_a, "/volunteering/stars/announcements", {"volunteers": [starred["b"].pk]})
    assert refused.status_code == 422 and not StarAnnouncement.objects.exists()
    announcement = stars.announcement_publish(volunteer_ids=[starred["b"].pk], actor=vworld.personas.admin_b)
    age_announcement(announcement, 5)
    # Branch A sees branch B's announcement (a notice to the hospital) but cannot award it.
    assert admin_a.get(f"/volunteering/stars/announcements/{announcement.pk}").status_code == 200
    assert post_json(admin_a, f"/volunteering/stars/announcements/{announcement.pk}/award").status_code == 403
    assert not StarAward.objects.exists()
    outsider = api_as(vworld.personas.outsider)
    assert outsider.get(f"/volunteering/stars/announcements/{announcement.pk}").status_code == 404
    assert outsider.get("/volunteering/stars/announcements").json()["count"] == 0
    assert api_as(vworld.personas.member).get("/volunteering/stars/due").status_code == 403
    assert outsider.get("/volunteering/stars/awards").status_code == 403


def test_due_list_query_count_is_flat(vworld, starred, api_as):
    coordinator = api_as(vworld.personas.coordinator)

    def count() -> int:
        coordinator.get("/volunteering/stars/due")  # warm the settings cache
        with CaptureQueriesContext(connection) as ctx:
            response = coordinator.get("/volunteering/stars/due")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for n in range(10):
        v = make_volunteer(vworld.tree.branch_a if n % 2 else vworld.tree.branch_b, name=f"增长{n}")
        hours(vworld, v, 100 + 100 * n)
    assert coordinator.get("/volunteering/stars/due").json()["count"] == 13
    assert count() == small


def test_the_award_list_of_a_branch_admin_holds_only_its_volunteers(vworld, starred, api_as):
    # selectors.awards_for: scope(StarAward, MANAGE, volunteer__organization__path)
    announcement = stars.announcement_publish(volunteer_ids=[starred["b"].pk], actor=vworld.personas.admin_b)
    age_announcement(announcement, 10)
    stars.announcement_award(announcement=announcement, actor=vworld.personas.admin_b)
    assert api_as(vworld.personas.admin_b).get("/volunteering/stars/awards").json()["count"] == 1
    assert api_as(vworld.personas.admin_a).get("/volunteering/stars/awards").json()["count"] == 0
