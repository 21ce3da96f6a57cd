from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingyi.activities.models import Activity, Publication
from qingyi.core.forms import DateInput, bootstrap
from qingyi.organizations.models import Organization, PartyBranch


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


def _checkbox(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].widget.attrs["class"] = "form-check-input"


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Activity.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    theme = forms.CharField(label=_("Theme"), max_length=200, required=False)
    speaker = forms.CharField(label=_("Speaker"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DateTimeInput())
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DateTimeInput())
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    organization = forms.ModelChoiceField(
        label=_("Lead organiser"),
        queryset=Organization.objects.none(),
        help_text=_("Its admins manage the activity."),
    )
    co_organizers = forms.ModelMultipleChoiceField(
        label=_("Other organisers"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("For an activity several organisations hold together; their members are expected too."),
    )
    joint = forms.BooleanField(label=_("Joint party–league activity (“1+1+N”)"), required=False)
    party_branch = forms.ModelChoiceField(
        label=_("Party branch"),
        queryset=PartyBranch.objects.filter(archived_at__isnull=True),
        required=False,
        help_text=_("Leave empty to use the lead organiser's paired party branch."),
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["co_organizers"].queryset = organizations
        bootstrap(self)
        _checkbox(self, "joint")
        self.fields["co_organizers"].widget.attrs.update({"class": "form-select", "size": "4"})

    @classmethod
    def initial_for(cls, activity: Activity, organizers: list[Organization]) -> dict[str, Any]:
        return {
            "kind": activity.kind,
            "title": activity.title,
            "theme": activity.theme,
            "speaker": activity.speaker,
            "starts_at": activity.starts_at,
            "ends_at": activity.ends_at,
            "place": activity.place,
            "organization": activity.organization_id,
            "co_organizers": [o.pk for o in organizers if o.pk != activity.organization_id],
            "joint": activity.is_joint,
            "party_branch": activity.party_branch_id,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "data": {
                key: data.get(key)
                for key in ("kind", "title", "theme", "speaker", "starts_at", "ends_at", "place")
            },
            "organizers": [
                data["organization"],
                *[o for o in data["co_organizers"] if o != data["organization"]],
            ],
            "joint": data["joint"],
            "party_branch": data["party_branch"],
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the activity cancelled?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=300,
        help_text=_("The registrants and the organisers are told this reason."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RecordHeldForm(forms.Form):
    QUORUM_CHOICES = (("", _("Not known")), ("yes", _("Yes")), ("no", _("No")))

    summary = forms.CharField(
        label=_("Minutes or summary"), widget=forms.Textarea(attrs={"rows": 8}), max_length=20000
    )
    quorum_met = forms.ChoiceField(
        label=_("Were more than half of the members present?"),
        choices=QUORUM_CHOICES,
        required=False,
        help_text=_("Computed from the attendance when attendance was taken."),
    )

    def __init__(self, *args, activity: Activity, **kwargs):
        super().__init__(*args, **kwargs)
        if activity.kind != Activity.Kind.GENERAL_MEETING:
            del self.fields["quorum_met"]
        bootstrap(self)

    def quorum(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("quorum_met") or "")


class RegistrationSettingsForm(forms.Form):
    registration_open = forms.BooleanField(label=_("Registration open"), required=False)
    capacity = forms.IntegerField(
        label=_("Places"), required=False, min_value=1, max_value=100000, help_text=_("Empty: no limit.")
    )
    registration_deadline = forms.DateTimeField(label=_("Deadline"), required=False, widget=DateTimeInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
        _checkbox(self, "registration_open")


class PublicationForm(forms.Form):
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())
    channel = forms.ChoiceField(label=_("Channel"), choices=Publication.Channel.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    published_on = forms.DateField(label=_("Published on"), widget=DateInput())
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    category = forms.ChoiceField(label=_("Category"), choices=Publication.Category.choices)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        bootstrap(self)


class PublicationImportForm(forms.Form):
    file = forms.FileField(
        label=_("Export list (.xlsx or .csv)"),
        help_text=_(
            "First row: column names. Title (标题) and date (发布日期) are required; "
            "link, channel, category and organisation are optional."
        ),
    )
    organization = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organization.objects.none(),
        help_text=_("For rows that name no organisation."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=Publication.Channel.choices, help_text=_("For rows that name none.")
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=Publication.Category.choices, help_text=_("For rows that name none.")
    )

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
        bootstrap(self)
