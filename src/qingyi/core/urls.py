from django.urls import path

from qingyi.core import views, views_notifications

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("metrics/<str:name>/", views.metric_detail, name="metric_detail"),
    path("settings/", views.settings_edit, name="settings"),
    path("notifications/", views_notifications.notification_list, name="notification_list"),
    path("notifications/read-all/", views_notifications.notification_read_all, name="notification_read_all"),
    path(
        "notifications/<id:notification_pk>/read/",
        views_notifications.notification_read,
        name="notification_read",
    ),
]
