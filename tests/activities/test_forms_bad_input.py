"""Every form of league work with bad input: a clear message and nothing written."""

import datetime as dt

from django.urls import reverse

from qingyi.activities.models import Activity
from tests.activities.conftest import at, plan


def test_record_form_without_summary_keeps_the_activity_planned(personas, login, activity_a):
    response = login(personas.admin_a).post(
        reverse("activities:record", args=[activity_a.pk]), {"summary": ""}
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    activity_a.refresh_from_db()
    assert activity_a.status == Activity.Status.PLANNED


def test_general_meeting_record_form_asks_about_quorum(personas, login):
    meeting = plan(personas.admin_a, [personas.tree.branch_a], kind="general_meeting", start=at(hours=-3))
    client = login(personas.admin_a)
    assert 'name="quorum_met"' in client.get(reverse("activities:record", args=[meeting.pk])).content.decode()
    client.post(reverse("activities:record", args=[meeting.pk]), {"summary": "纪要", "quorum_met": "yes"})
    meeting.refresh_from_db()
    assert meeting.is_held and meeting.quorum_met is True


def test_registration_settings_with_zero_places_or_late_deadline_are_refused(personas, login):
    event = plan(personas.admin_a, [personas.tree.branch_a], kind="care", start=at(days=3))
    client = login(personas.admin_a)
    url = reverse("activities:registration_settings", args=[event.pk])
    response = client.post(url, {"registration_open": "on", "capacity": "0"})
    assert response.status_code == 200 and "greater than or equal to 1" in response.content.decode()
    late = (event.starts_at + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"registration_open": "on", "capacity": "5", "registration_deadline": late})
    assert "must come before the start" in response.content.decode()
    event.refresh_from_db()
    assert not event.registration_open and event.capacity is None


def test_edit_form_moves_the_activity_and_refuses_a_bad_end(personas, login, activity_a):
    client = login(personas.admin_a)
    url = reverse("activities:edit", args=[activity_a.pk])
    start = at(days=1)
    payload = {
        "kind": "league_lecture",
        "title": "团课",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "organization": personas.tree.branch_a.pk,
    }
    response = client.post(url, payload)
    assert "The activity ends before it starts." in response.content.decode()
    payload["ends_at"] = (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, payload).status_code == 302
    activity_a.refresh_from_db()
    assert (activity_a.kind, activity_a.title) == ("league_lecture", "团课")


def test_other_admin_cannot_edit(personas, login, activity_a):
    assert login(personas.admin_b).get(reverse("activities:edit", args=[activity_a.pk])).status_code == 404


def test_branch_admin_sees_but_cannot_edit_the_committees_activity(personas, login):
    committee_activity = plan(personas.committee_admin, [personas.tree.committee], title="全院团课")
    client = login(personas.admin_a)
    assert client.get(reverse("activities:detail", args=[committee_activity.pk])).status_code == 200
    assert client.get(reverse("activities:edit", args=[committee_activity.pk])).status_code == 403


def test_import_form_without_a_file_says_so(personas, login):
    response = login(personas.admin_a).post(
        reverse("activities:publication_import"),
        {"organization": personas.tree.branch_a.pk, "channel": "wechat", "category": "news"},
    )
    assert response.status_code == 200 and "This field is required." in response.content.decode()


def test_bad_period_on_the_list_is_explained(personas, login):
    response = login(personas.admin_a).get(reverse("activities:list"), {"period": "someday"}, follow=True)
    assert response.status_code == 200 and "is not a period" in response.content.decode()
