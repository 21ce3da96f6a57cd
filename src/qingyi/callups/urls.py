from django.urls import path

from qingyi.callups import views

app_name = "callups"
urlpatterns = [
    # Coordinators.
    path("", views.callup_list, name="list"),
    path("new/", views.callup_create, name="create"),
    path("<int:callup_pk>/", views.callup_detail, name="detail"),
    path("<int:callup_pk>/responses/", views.callup_responses, name="responses"),
    path("<int:callup_pk>/posts/add/", views.callup_post_add, name="post_add"),
    path("<int:callup_pk>/preview/", views.callup_preview, name="preview"),
    path("<int:callup_pk>/send/", views.callup_send, name="send"),
    path("<int:callup_pk>/fill/", views.callup_fill, name="fill"),
    path("<int:callup_pk>/close/", views.callup_close, name="close"),
    # Volunteers.
    path("mine/", views.mine, name="mine"),
    path("<int:callup_pk>/answer/", views.answer, name="answer"),
]
