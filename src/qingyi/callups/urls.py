from django.urls import path

from qingyi.callups import views

app_name = "callups"
urlpatterns = [
    # Coordinators.
    path("", views.callup_list, name="list"),
    path("new/", views.callup_create, name="create"),
    path("<id:callup_pk>/", views.callup_detail, name="detail"),
    path("<id:callup_pk>/responses/", views.callup_responses, name="responses"),
    path("<id:callup_pk>/posts/add/", views.callup_post_add, name="post_add"),
    path("<id:callup_pk>/preview/", views.callup_preview, name="preview"),
    path("<id:callup_pk>/send/", views.callup_send, name="send"),
    path("<id:callup_pk>/fill/", views.callup_fill, name="fill"),
    path("<id:callup_pk>/close/", views.callup_close, name="close"),
    # Volunteers.
    path("mine/", views.mine, name="mine"),
    path("<id:callup_pk>/answer/", views.answer, name="answer"),
]
