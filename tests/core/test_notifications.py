"""Notifications: storing, channel fan-out, failing channels, and only the recipient's eyes."""

from __future__ import annotations

import io
import logging

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from qingyi.core import notifications
from qingyi.core.models import Notification
from qingyi.core.notifications import Channel, notify
from tests.factories import UserFactory

SENT: list[tuple[str, int]] = []


class RecordingChannel(Channel):
    name = "sms"

    def send(self, notification):
        SENT.append((self.name, notification.pk))
        return True


class BrokenChannel(Channel):
    name = "wechat"

    def send(self, notification):
        raise ConnectionError("gateway down")


@pytest.fixture
def channels(settings):
    SENT.clear()
    settings.QINGYI_NOTIFICATION_CHANNELS = [
        "qingyi.core.notifications.EmailChannel",
        "tests.core.test_notifications.BrokenChannel",
        "tests.core.test_notifications.RecordingChannel",
    ]
    yield
    SENT.clear()


def test_notify_stores_one_unread_notification_per_active_recipient(db, django_capture_on_commit_callbacks):
    alice, bob = UserFactory(email="alice@example.org"), UserFactory()
    gone = UserFactory(is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(
            users=[alice, bob, gone, alice],
            title="Shift tomorrow",
            body="8:00",
            link="/x/",
            category="reminder",
            channels=(),
        )
    assert len(stored) == 2
    assert set(Notification.objects.values_list("recipient_id", flat=True)) == {alice.pk, bob.pk}
    n = Notification.objects.get(recipient=alice)
    assert (n.title, n.body, n.link, n.category, n.read_at) == (
        "Shift tomorrow",
        "8:00",
        "/x/",
        "reminder",
        None,
    )
    assert mail.outbox == []  # channels=(): the platform only


def test_notify_sends_through_every_channel_after_commit(db, channels, django_capture_on_commit_callbacks):
    alice = UserFactory(email="alice@example.org")
    no_mail = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[alice, no_mail], title="Assigned", body="Escort at 9:00", link="/escorts/1/")
    assert mail.outbox == [] and SENT == []  # nothing leaves before the commit
    for callback in callbacks:
        callback()
    assert [m.to for m in mail.outbox] == [["alice@example.org"]]
    assert mail.outbox[0].subject == "Assigned"
    assert "/escorts/1/" in mail.outbox[0].body
    assert sorted(pk for _name, pk in SENT) == sorted(Notification.objects.values_list("pk", flat=True))


def test_a_rolled_back_write_notifies_nobody(db, channels, django_capture_on_commit_callbacks):
    alice = UserFactory(email="alice@example.org")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        notify(users=[alice], title="Never")
        raise RuntimeError
    assert not Notification.objects.exists()
    assert mail.outbox == [] and SENT == []


def test_channels_can_be_restricted_by_name(db, channels, django_capture_on_commit_callbacks):
    alice = UserFactory(email="alice@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[alice], title="Only SMS", channels=("sms", "pager"))
    assert mail.outbox == []
    assert len(SENT) == 1


def test_a_failing_channel_keeps_the_notification_and_is_logged(
    db, channels, caplog, django_capture_on_commit_callbacks
):
    alice = UserFactory(email="alice@example.org")
    with (
        caplog.at_level(logging.ERROR, logger="qingyi.notifications"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notify(users=[alice], title="Call-up", body="Come to the field hospital")
    assert Notification.objects.filter(recipient=alice, title="Call-up").exists()
    assert len(mail.outbox) == 1 and len(SENT) == 1  # the channels after the broken one still ran
    failures = [r for r in caplog.records if "'wechat' failed" in r.getMessage()]
    assert failures and "gateway down" in failures[0].exc_text


def test_deliver_reports_what_was_sent(db, channels):
    alice = UserFactory(email="alice@example.org")
    (n,) = notify(users=[alice], title="x", channels=())
    result = notifications.notifications_deliver(
        notification_ids=[n.pk], channel_names=["email", "wechat", "sms"]
    )
    assert result == {"email": 1, "wechat": 0, "sms": 1, "failed": 1}


def test_console_channel_writes_the_message_with_the_phone(db):
    user = UserFactory(phone="13800000009")
    (n,) = notify(users=[user], title="Reminder", body="Shift at 8:00", channels=())
    stream = io.StringIO()
    assert notifications.ConsoleChannel(stream=stream).send(n) is True
    assert "13800000009" in stream.getvalue() and "Shift at 8:00" in stream.getvalue()


def test_a_key_stores_a_reminder_once_per_recipient(db, channels, django_capture_on_commit_callbacks):
    alice, bob = UserFactory(email="a@example.org"), UserFactory(email="b@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[alice], title="Reminder", key="shift-reminder:7")
        again = notify(users=[alice, bob], title="Reminder", key="shift-reminder:7")
    assert [n.recipient_id for n in again] == [bob.pk]
    assert Notification.objects.filter(key="shift-reminder:7").count() == 2
    assert len(mail.outbox) == 2


def test_a_bad_channel_setting_fails_loudly(db, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.QINGYI_NOTIFICATION_CHANNELS = ["qingyi.core.models.Notification"]
    with pytest.raises(ImproperlyConfigured, match="not a subclass"):
        notifications.configured_channels()
    settings.QINGYI_NOTIFICATION_CHANNELS = ["qingyi.core.nothing.Here"]
    with pytest.raises(ImproperlyConfigured, match="cannot import"):
        notifications.configured_channels()


def test_a_notification_needs_a_title(db):
    with pytest.raises(ValueError):
        notify(users=[UserFactory()], title="  ")


# --- Pages ------------------------------------------------------------------------------------


def test_the_bell_shows_my_unread_count(personas, login):
    notify(users=[personas.member], title="One", channels=())
    notify(users=[personas.member], title="Two", channels=())
    notify(users=[personas.coordinator], title="Not mine", channels=())
    body = login(personas.member).get(reverse("accounts:profile")).content.decode()
    assert 'id="bell"' in body
    assert '>2<span class="visually-hidden"> unread' in body


def test_my_list_shows_only_my_notifications(personas, login):
    notify(users=[personas.member], title="For the member", channels=())
    notify(users=[personas.coordinator], title="For the coordinator", channels=())
    body = login(personas.member).get(reverse("core:notification_list")).content.decode()
    assert "For the member" in body
    assert "For the coordinator" not in body


def test_only_the_recipient_can_mark_a_notification_read(personas, login):
    (theirs,) = notify(users=[personas.coordinator], title="x", channels=())
    client = login(personas.member)
    response = client.post(reverse("core:notification_read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get(reverse("core:notification_read", args=[theirs.pk])).status_code == 405


def test_mark_read_and_open_follows_the_link(personas, login):
    (mine,) = notify(users=[personas.member], title="x", link="/accounts/profile/", channels=())
    response = login(personas.member).post(reverse("core:notification_read", args=[mine.pk]), {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_open_never_redirects_off_site(personas, login):
    (mine,) = notify(users=[personas.member], title="x", link="https://evil.example/", channels=())
    response = login(personas.member).post(reverse("core:notification_read", args=[mine.pk]), {"open": "1"})
    assert response["Location"] == reverse("core:notification_list")


def test_mark_read_by_htmx_returns_the_item(personas, login):
    (mine,) = notify(users=[personas.member], title="Hello there", channels=())
    response = login(personas.member).post(
        reverse("core:notification_read", args=[mine.pk]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert "Hello there" in body and "<html" not in body and "Mark read" not in body


def test_mark_all_read_touches_only_mine(personas, login):
    notify(users=[personas.member], title="a", channels=())
    notify(users=[personas.member], title="b", channels=())
    (other,) = notify(users=[personas.coordinator], title="c", channels=())
    login(personas.member).post(reverse("core:notification_read_all"))
    assert not Notification.objects.filter(recipient=personas.member, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_unread_filter(personas, login):
    (a,) = notify(users=[personas.member], title="Already read", channels=())
    notify(users=[personas.member], title="Still new", channels=())
    notifications.notification_mark_read(notification=a, actor=personas.member)
    body = login(personas.member).get(reverse("core:notification_list"), {"unread": "1"}).content.decode()
    assert "Still new" in body and "Already read" not in body


def test_list_query_count_does_not_grow(personas, login, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(personas.member)
    counts = []
    for n in (2, 25):
        for i in range(n):
            notify(users=[personas.member], title=f"n{i}", link="/x/", channels=())
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("core:notification_list")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
