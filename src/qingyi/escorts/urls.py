from django.urls import path

from qingyi.escorts import views

app_name = "escorts"
urlpatterns = [
    # Public: no login.
    path("request/", views.request_new, name="request_new"),
    path("t/<str:token>/", views.track, name="track"),
    path("t/<str:token>/rate/", views.track_rate, name="track_rate"),
    path("t/<str:token>/cancel/", views.track_cancel, name="track_cancel"),
    # Coordinators and the assigned volunteer.
    path("dispatch/", views.dispatch, name="dispatch"),
    path("mine/", views.mine, name="mine"),
    path("<id:escort_pk>/", views.detail, name="detail"),
    path("<id:escort_pk>/assign/", views.assign, name="assign"),
    path("<id:escort_pk>/start/", views.start, name="start"),
    path("<id:escort_pk>/complete/", views.complete, name="complete"),
    path("<id:escort_pk>/cancel/", views.cancel, name="cancel"),
]
