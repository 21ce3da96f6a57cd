"""Logging in with the employee number (the username) or the phone number.

Both names lead to one account, so the login throttle (django-axes) counts failures per
account: ``axes_username`` turns whichever name was typed into the account's username
(``AXES_USERNAME_CALLABLE`` in settings). Five failures by phone then lock the employee
number too, from the same address.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


def login_user(name: str):
    """The login that ``name`` (an employee number/username or a phone) opens, or None."""
    name = (name or "").strip()
    if not name:
        return None
    return get_user_model().objects.filter(Q(username=name) | Q(phone=name)).order_by("pk").first()


def axes_username(request, credentials=None) -> str:
    """The name django-axes counts failures under: the account's username when ``name`` opens
    one (whichever of its names was typed), else what was typed (stripped)."""
    if credentials is not None:
        typed = credentials.get("username")
    else:
        typed = getattr(request, "POST", {}).get("username")
    typed = (typed or "").strip()
    user = login_user(typed)
    return user.get_username() if user is not None else typed


class EmployeeNumberOrPhoneBackend(ModelBackend):
    """Log in with the employee number (the username) or the phone number."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or not password:
            return None
        user = login_user(username)
        if user is None:
            get_user_model()().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
