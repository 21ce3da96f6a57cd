"""Forms of the star-level pages (volunteering/views/stars.py): announce, object, decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import bootstrap
from qingyi.volunteering.models import StarAnnouncementEntry
from qingyi.volunteering.services.stars import OBJECTION_MAX


class AnnounceForm(forms.Form):
    """The volunteers ticked on the due list (ids, checked again by the service) and a note."""

    volunteers = forms.TypedMultipleChoiceField(
        label=_("Volunteers"),
        coerce=int,
        required=True,
        error_messages={"required": _("Choose at least one volunteer to announce.")},
    )
    note = forms.CharField(
        label=_("Note shown with the announcement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].choices = list(choices)
        bootstrap(self)


class ObjectionForm(forms.Form):
    entry = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(
        label=_("Your objection"),
        max_length=OBJECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what your objection is.")},
        help_text=_("Only the coordinators of the announcement see your objection and your name."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=StarAnnouncementEntry.Decision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=255,
        required=False,
        help_text=_("Required when the objection is upheld."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
