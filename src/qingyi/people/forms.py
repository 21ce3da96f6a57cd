from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import DateInput, bootstrap, person_name_field_classes
from qingyi.organizations.models import Department, Organization
from qingyi.people.models import Person
from qingyi.people.services import EDITABLE_FIELDS, member_editable_fields


class PersonForm(forms.ModelForm):
    """The admin's form for a person; the version guards against overwriting someone else's edit."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Person
        fields = EDITABLE_FIELDS
        field_classes = person_name_field_classes("name")
        widgets = {"birth_date": DateInput(), "league_joined_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(archived_at__isnull=True)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        bootstrap(self)

    def _post_clean(self):
        # Rules and uniqueness are checked by the services, with the same messages as the import.
        pass

    def data_for_service(self) -> dict[str, Any]:
        return {field: self.cleaned_data.get(field) for field in EDITABLE_FIELDS}


class ChangeRequestForm(forms.Form):
    """A member's request to change the fields the committee allows."""

    def __init__(self, *args, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        for field_name in member_editable_fields():
            model_field = Person._meta.get_field(field_name)
            form_field = model_field.formfield(required=False)
            form_field.initial = getattr(person, field_name)
            self.fields[field_name] = form_field
        bootstrap(self)

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) or "" for name in self.fields}


class PersonCreateForm(PersonForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Organisation"))

    class Meta(PersonForm.Meta):
        fields = ("organization", *EDITABLE_FIELDS)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = organizations
        bootstrap(self)


class TransferForm(forms.Form):
    to_organization = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("To organisation"))
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].queryset = organizations
        bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DateForm(forms.Form):
    on = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
