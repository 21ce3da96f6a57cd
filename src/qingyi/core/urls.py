"""Core's routes. The ``core`` namespace also holds the dashboard (``core:home``,
``core:metric_detail``), whose views stand above core: the project's URLconf (qingyi/urls.py)
puts both lists under the one namespace."""

from django.urls import path

from qingyi.core.views import notifications, rules

urlpatterns = [
    path("settings/", rules.settings_edit, name="settings"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read-all/", notifications.notification_read_all, name="notification_read_all"),
    path(
        "notifications/<id:notification_pk>/read/",
        notifications.notification_read,
        name="notification_read",
    ),
]
