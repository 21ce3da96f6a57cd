from django.contrib.auth import views as auth_views
from django.urls import path

from qingyi.accounts import views
from qingyi.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/change/", views.change_request_new, name="change_request_new"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]
