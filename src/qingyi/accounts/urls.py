from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from qingyi.accounts.forms import LoginForm
from qingyi.accounts.views import roles, tokens

# The ``accounts`` namespace also holds the pages where logins meet the roster
# (people/views/logins.py: ``accounts:profile``, ``accounts:role_list`` ...), which stand above
# accounts: the project's URLconf (qingyi/urls.py) puts both lists under the one namespace.
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
    path("roles/<id:role_pk>/revoke/", roles.role_revoke, name="role_revoke"),
    path("tokens/new/", tokens.token_create, name="token_create"),
    path("tokens/<id:token_pk>/revoke/", tokens.token_revoke, name="token_revoke"),
]
