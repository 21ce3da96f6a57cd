from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingyi.callups.models import CallUp
from qingyi.core.forms import bootstrap
from qingyi.organizations import scoping
from qingyi.volunteering.models import Qualification


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _organizations(user):
    return scoping.organizations_visible_to(user, scoping.VOLUNTEERING_MANAGE).filter(
        archived_at__isnull=True
    )


class CallUpForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=CallUp.Kind.choices)
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the volunteers read: the task, where to gather, what to bring."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(user)
        bootstrap(self)


class PostForm(forms.Form):
    name = forms.CharField(label=_("Post"), max_length=100)
    needed = forms.IntegerField(label=_("People needed"), min_value=1, max_value=500)
    qualification = forms.ModelChoiceField(
        label=_("Required qualification"),
        queryset=Qualification.objects.all(),
        required=False,
        empty_label=_("None"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class TargetingForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=_("Volunteers of"), queryset=None, help_text=_("This organisation and those under it.")
    )
    qualification = forms.ModelChoiceField(
        label=_("Holding the qualification"),
        queryset=Qualification.objects.all(),
        required=False,
        empty_label=_("Any"),
    )
    min_age = forms.IntegerField(label=_("Aged from"), min_value=14, max_value=100, required=False)
    max_age = forms.IntegerField(label=_("Aged up to"), min_value=14, max_value=100, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = _organizations(user)
        bootstrap(self)
