from django.urls import path

from qingyi.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("metrics/<str:name>/", views.metric_detail, name="metric_detail"),
    path("settings/", views.settings_edit, name="settings"),
]
