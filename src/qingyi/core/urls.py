"""Core's routes. The ``core`` namespace also holds the dashboard (``core:home``,
``core:metric_detail``), whose views stand above core: the project's URLconf (qingyi/urls.py)
puts both lists under the one namespace."""

from django.urls import path

from qingyi.core import views, views_notifications

urlpatterns = [
    path("settings/", views.settings_edit, name="settings"),
    path("notifications/", views_notifications.notification_list, name="notification_list"),
    path("notifications/read-all/", views_notifications.notification_read_all, name="notification_read_all"),
    path(
        "notifications/<id:notification_pk>/read/",
        views_notifications.notification_read,
        name="notification_read",
    ),
]
