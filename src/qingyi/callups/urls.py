from django.urls import path

from qingyi.callups.views import board, member

app_name = "callups"
urlpatterns = [
    # Coordinators.
    path("", board.callup_list, name="list"),
    path("new/", board.callup_create, name="create"),
    path("<id:callup_pk>/", board.callup_detail, name="detail"),
    path("<id:callup_pk>/responses/", board.callup_responses, name="responses"),
    path("<id:callup_pk>/posts/add/", board.callup_post_add, name="post_add"),
    path("<id:callup_pk>/preview/", board.callup_preview, name="preview"),
    path("<id:callup_pk>/send/", board.callup_send, name="send"),
    path("<id:callup_pk>/fill/", board.callup_fill, name="fill"),
    path("<id:callup_pk>/close/", board.callup_close, name="close"),
    # Volunteers.
    path("mine/", member.mine, name="mine"),
    path("<id:callup_pk>/answer/", member.answer, name="answer"),
]
