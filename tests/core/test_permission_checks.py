"""The settings checks, page and service (written against the mutation check)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from qingyi.core.models import Setting
from qingyi.core.services import settings_update


def test_only_the_settings_right_updates_settings(personas):
    for actor in (personas.admin_a, personas.coordinator, personas.member):
        with pytest.raises(PermissionDenied):
            settings_update(values={"term_years_branch": 2}, actor=actor)
    assert not Setting.objects.exists()


def test_the_settings_page_is_refused_without_the_right(personas, login):
    client = login(personas.admin_a)
    assert client.get(reverse("core:settings")).status_code == 403


def test_a_figure_is_refused_to_a_user_who_sees_no_organisation(personas, login):
    # organizations.views.dashboard._scope_from_request: no organisation with metrics.view → PermissionDenied
    client = login(personas.member)
    response = client.get(reverse("core:metric_detail", args=["people.active"]))
    assert response.status_code == 403


def test_only_the_recipient_marks_a_notification_read(personas):
    # core.notifications.notification_mark_read: recipient_id != actor.pk → PermissionDenied
    from qingyi.core.notifications import notification_mark_read, notify

    (notification,) = notify(users=[personas.admin_b], title="乙的通知", channels=())
    with pytest.raises(PermissionDenied):
        notification_mark_read(notification=notification, actor=personas.admin_a)
    notification.refresh_from_db()
    assert notification.read_at is None
    notification_mark_read(notification=notification, actor=personas.admin_b)
    notification.refresh_from_db()
    assert notification.read_at is not None
