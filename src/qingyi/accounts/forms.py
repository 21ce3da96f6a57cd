from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import bootstrap


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Employee number or phone"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autofocus": True, "class": "form-control", "autocomplete": "username"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _("The employee number, phone or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("e.g. reporting script")}),
    )


class RoleForm(forms.Form):
    """Grant a role at an organisation to someone who has a login."""

    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, people, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].help_text = _("Only people who have a login are listed.")
        self.fields["role"].choices = roles
        bootstrap(self)
