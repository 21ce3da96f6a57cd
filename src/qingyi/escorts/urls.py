from django.urls import path

from qingyi.escorts.views import dispatch, public

app_name = "escorts"
urlpatterns = [
    # Public: no login.
    path("request/", public.request_new, name="request_new"),
    path("t/<str:token>/", public.track, name="track"),
    path("t/<str:token>/rate/", public.track_rate, name="track_rate"),
    path("t/<str:token>/cancel/", public.track_cancel, name="track_cancel"),
    # Coordinators and the assigned volunteer.
    path("dispatch/", dispatch.dispatch, name="dispatch"),
    path("mine/", dispatch.mine, name="mine"),
    path("<id:escort_pk>/", dispatch.detail, name="detail"),
    path("<id:escort_pk>/assign/", dispatch.assign, name="assign"),
    path("<id:escort_pk>/start/", dispatch.start, name="start"),
    path("<id:escort_pk>/complete/", dispatch.complete, name="complete"),
    path("<id:escort_pk>/cancel/", dispatch.cancel, name="cancel"),
]
