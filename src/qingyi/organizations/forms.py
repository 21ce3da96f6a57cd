from __future__ import annotations

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import DateInput, bootstrap
from qingyi.organizations.models import Department, Organization, PartyBranch, Position


class OrganizationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Organization.Kind.choices)
    party_branch = forms.ModelChoiceField(
        label=_("Paired party branch"),
        queryset=PartyBranch.objects.filter(archived_at__isnull=True),
        required=False,
    )
    is_student = forms.BooleanField(label=_("Student branch (one-year terms)"), required=False)
    founded_on = forms.DateField(label=_("Founded on"), required=False, widget=DateInput())

    def __init__(self, *args, parent: Organization | None = None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        elif parent is not None:
            allowed = parent.ALLOWED_CHILDREN[parent.kind]
            self.fields["kind"].choices = [(k, Organization.Kind(k).label) for k in allowed]
        bootstrap(self)
        self.fields["is_student"].widget.attrs["class"] = "form-check-input"


class MoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent"), queryset=Organization.objects.none())

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = organizations
        bootstrap(self)


class PositionForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None)
    title = forms.ChoiceField(label=_("Position"), choices=Position.Title.choices)
    start_on = forms.DateField(label=_("From"), widget=DateInput())
    end_on = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        bootstrap(self)


class ElectionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput())
    secretary = forms.ModelChoiceField(label=_("Secretary"), queryset=None)
    deputy_secretary = forms.ModelChoiceField(label=_("Deputy secretary"), queryset=None, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Other committee members"), queryset=None, required=False
    )
    result = forms.CharField(
        label=_("Result and notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("secretary", "deputy_secretary", "members"):
            self.fields[name].queryset = people
        bootstrap(self)

    def clean(self):
        data = super().clean()
        chosen = [data.get("secretary"), data.get("deputy_secretary"), *(data.get("members") or [])]
        people = [p for p in chosen if p is not None]
        if len(people) != len(set(people)):
            raise forms.ValidationError(_("A person can hold only one post in the new committee."))
        return data

    def new_positions(self) -> list[tuple[Model, str]]:  # (people.Person, title)
        data = self.cleaned_data
        result = [(data["secretary"], Position.Title.SECRETARY)]
        if data.get("deputy_secretary"):
            result.append((data["deputy_secretary"], Position.Title.DEPUTY_SECRETARY))
        result += [(person, Position.Title.MEMBER) for person in data.get("members") or []]
        return result


class PartyBranchForm(forms.ModelForm):
    class Meta:
        model = PartyBranch
        fields = ("name", "secretary")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ("name", "code")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
