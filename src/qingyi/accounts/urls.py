from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

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
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html", success_url=reverse_lazy("accounts:profile")
        ),
        name="password_change",
    ),
    path("people/<id:person_pk>/login/", views.person_login_create, name="person_login_create"),
    path("people/<id:person_pk>/password/", views.person_password_reset, name="person_password_reset"),
    path("organizations/<id:org_pk>/roles/", views.role_list, name="role_list"),
    path("roles/<id:role_pk>/revoke/", views.role_revoke, name="role_revoke"),
    path("profile/", views.profile, name="profile"),
    path("profile/change/", views.change_request_new, name="change_request_new"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<id:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
]
