from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qingyi.core.forms import PersonNameField, bootstrap
from qingyi.escorts import services
from qingyi.organizations.models import Department


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class EscortRequestForm(forms.Form):
    """The public form: name, phone, time, department, needs — nothing more."""

    patient_name = PersonNameField(
        label=_("Patient's name"),
        max_length=services.NAME_MAX,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,  # room for spaces and full-width digits: the service folds them
        help_text=_("The volunteer calls this number to meet you."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    wanted_at = forms.DateTimeField(label=_("When do you need an escort?"), widget=DateTimeInput())
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Not sure yet"),
    )
    needs = forms.CharField(
        label=_("Needs"),
        required=False,
        max_length=services.NEEDS_MAX,
        help_text=_("For example: wheelchair, hard of hearing, first visit, tests to do."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(archived_at__isnull=True).order_by(
            "name"
        )
        bootstrap(self)
        for field in self.fields.values():
            field.widget.attrs["class"] += (
                " form-control-lg" if "form-control" in field.widget.attrs["class"] else ""
            )

    def request_data(self) -> services.RequestData:
        data = self.cleaned_data
        return services.RequestData(
            patient_name=data["patient_name"],
            phone=data["phone"],
            wanted_at=data["wanted_at"],
            department=data["department"],
            needs=data["needs"],
        )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"), max_length=255, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].widget.attrs["class"] = "form-control"


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("How did it go?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
